#include "picket/proto/ssh_banner.hpp"

namespace picket::proto {

namespace {
// Compares the first min(len, n) bytes; kPartial when the input ended early.
Recognition prefix(const std::uint8_t* p, std::size_t len, const char* want, std::size_t n) {
  const std::size_t k = len < n ? len : n;
  for (std::size_t i = 0; i < k; ++i)
    if (p[i] != static_cast<std::uint8_t>(want[i])) return Recognition::kNo;
  return k == n ? Recognition::kYes : Recognition::kPartial;
}
}  // namespace

Recognition recognise_ssh_banner(const std::uint8_t* p, std::size_t len) {
  if (len == 0) return Recognition::kPartial;
  // RFC 4253 lets a server send other lines before its version line; real
  // servers do not, and accepting them would make any text "SSH". The
  // software-version part must start with a printable character.
  static constexpr const char* kTexts[2] = {"SSH-2.0-", "SSH-1.99-"};
  static constexpr std::size_t kLens[2] = {8, 9};
  for (int v = 0; v < 2; ++v) {
    const std::size_t n = kLens[v];
    const Recognition r = prefix(p, len, kTexts[v], n);
    if (r == Recognition::kPartial) return r;
    if (r == Recognition::kYes) {
      if (len == n) return Recognition::kPartial;
      return p[n] > 0x20 && p[n] < 0x7f ? Recognition::kYes : Recognition::kNo;
    }
  }
  return Recognition::kNo;
}

}  // namespace picket::proto

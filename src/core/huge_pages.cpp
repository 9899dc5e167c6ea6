#include "picket/core/huge_pages.hpp"

#include <cstdint>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace picket::core {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
std::size_t round_up(std::size_t bytes, std::size_t to) { return (bytes + to - 1) & ~(to - 1); }
}  // namespace

void* map_zeroed_table(std::size_t bytes) {
#if defined(__linux__)
  if (bytes < kHugePage) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // Map one huge page more than needed, then give back the ends around the
  // 2 MiB-aligned part: anonymous memory is zero-filled and faulted in on
  // first touch.
  const std::size_t size = round_up(bytes, kHugePage);
  void* raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
#if defined(MADV_HUGEPAGE)
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // advice only: failure means small pages
#endif
  return reinterpret_cast<void*>(aligned);
#else
  return std::calloc(bytes, 1);
#endif
}

void unmap_table(void* p, std::size_t bytes) {
  if (!p) return;
#if defined(__linux__)
  ::munmap(p, bytes < kHugePage ? bytes : round_up(bytes, kHugePage));
#else
  std::free(p);
#endif
}

}  // namespace picket::core

#include "picket/proto/rdp_negotiation.hpp"

namespace picket::proto {

// TPKT (4 bytes) + X.224 fixed part of a CR/CC TPDU: LI, code, DST-REF (2),
// SRC-REF (2), class option: 7 bytes, so 11 at least.
Recognition recognise_rdp_negotiation(const std::uint8_t* p, std::size_t len, X224Kind& kind) {
  kind = X224Kind::kNone;
  if (len == 0) return Recognition::kPartial;
  if (p[0] != 0x03) return Recognition::kNo;
  if (len < 2) return Recognition::kPartial;
  if (p[1] != 0x00) return Recognition::kNo;
  if (len < 6) return Recognition::kPartial;
  const unsigned tpkt_len = (unsigned{p[2]} << 8) | p[3];
  const unsigned li = p[4];
  // The TPDU fills the TPKT: LI counts the header bytes after itself.
  if (tpkt_len < 11 || li != tpkt_len - 5) return Recognition::kNo;
  const std::uint8_t code = p[5] & 0xf0;
  if (code == 0xe0) {
    kind = X224Kind::kConnectionRequest;
  } else if (code == 0xd0) {
    kind = X224Kind::kConnectionConfirm;
  } else {
    return Recognition::kNo;
  }
  if (len < 11) return Recognition::kPartial;
  // A Connection Request carries DST-REF 0 (no connection yet), and RDP uses
  // class 0 with no options in both directions.
  if (kind == X224Kind::kConnectionRequest && (p[6] != 0 || p[7] != 0)) return Recognition::kNo;
  if ((p[10] & 0xf0) != 0) return Recognition::kNo;
  return Recognition::kYes;
}

}  // namespace picket::proto

// Worker: protocol recognition on the first payload packets of each TCP flow,
// in both directions and on any port, so a service moved off its well-known
// port is still named. Cheap byte checks first (SSH banner, RDP X.224
// negotiation, SMTP EHLO/HELO), then one Hyperscan scan of the mining rules.
#include "picket/proto/rdp_negotiation.hpp"
#include "picket/proto/smtp_command.hpp"
#include "picket/proto/ssh_banner.hpp"
#include "worker.hpp"

namespace picket::pipeline {

namespace {
// Every protocol here names itself in the first one or two payload packets of
// a direction; a few more cover a small preface or a segment cut short. The
// cap bounds the scanning cost of a flow whatever its length.
constexpr std::uint8_t kMaxPayloadInspections = 4;
}  // namespace

void Worker::recognise_payload(const net::PacketView& v, flow::FlowRecord& r, bool from_initiator) {
  using flow::AppProto;
  // TLS hides the rest; DNS is handled on its own. HTTP may still carry a
  // JSON-RPC mining login (getwork, eth_submitLogin) in its body.
  if (r.app != AppProto::kUnknown && r.app != AppProto::kHttp) return;
  std::uint8_t& seen = r.payload_inspections[from_initiator ? flow::kToResponder : flow::kToInitiator];
  if (seen >= kMaxPayloadInspections) return;
  ++seen;
  const std::uint8_t* p = v.payload();
  const std::size_t len = v.payload_len;
  if (r.app == AppProto::kUnknown) {
    AppProto found = AppProto::kUnknown;
    proto::X224Kind x224;
    if (proto::recognise_ssh_banner(p, len) == proto::Recognition::kYes) {
      found = AppProto::kSsh;
    } else if (proto::recognise_rdp_negotiation(p, len, x224) == proto::Recognition::kYes) {
      found = AppProto::kRdp;
    } else if (from_initiator && proto::recognise_smtp_hello(p, len) == proto::Recognition::kYes) {
      // A "220" greeting alone is FTP as often as SMTP: the client's EHLO/HELO decides.
      found = AppProto::kSmtp;
    }
    if (found != AppProto::kUnknown) {
      r.app = found;
      ++stats_.payload_protocols;
      return;
    }
  }
  if (!mining_scratch_) return;
  unsigned first = ~0u;
  mining_scratch_->scan(*wiring_.mining_rules, p, len, [&first](unsigned id) {
    // Several rules may match one message; the lowest id is reported, so the
    // result does not depend on Hyperscan's match order.
    if (id < first) first = id;
  });
  stats_.payload_scan_errors = mining_scratch_->errors();
  if (first == ~0u) return;
  r.app = AppProto::kMining;
  r.app_rule = static_cast<std::uint16_t>(first + 1);
  ++stats_.payload_protocols;
}

}  // namespace picket::pipeline

// CryptoCurrency:EC2/BitcoinTool.B from the wire: a flow whose first payload
// bytes matched a mining protocol rule (rules/mining.rules), on any port and
// whatever the pool's address, so a pool on no list is still caught.
#include <algorithm>
#include <cstdio>

#include "../common/capped_table.hpp"
#include "../common/pair_key.hpp"
#include "mining_detector.hpp"
#include "picket/detect/mining_rules.hpp"

namespace picket::detect::mining {
namespace {

using common::PairKey;
using common::PairKeyHash;

const ParamSpec kParams[] = {
    {"report_interval", 300, 1, 86400, "seconds",
     "least time between updates of a finding while more mining flows arrive (a miner reconnects for hours)"},
    {"max_tracked", 50000, 100, 10000000, "pairs", "per shard (host, pool, port) pairs tracked at once; least recent evicted"},
};

struct Pair {
  std::uint64_t flows = 0, reported = 0;
  std::uint64_t rules = 0;  // bit (app_rule - 1) for each rule seen, rules 0..63
  bool local_initiator = true;
  core::Nanos first = 0, last = 0, last_report = 0;
};

class BitcoinToolShard final : public DetectorShard {
 public:
  explicit BitcoinToolShard(const DetectorContext& ctx)
      : report_interval_(common::seconds_param(ctx, 0, 300)),
        pairs_(static_cast<std::size_t>(common::param(ctx, 1, 50000))) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (r.app != flow::AppProto::kMining || !(e.initiator_local || e.responder_local)) return;
    const PairKey key{r.initiator(), r.responder(), r.responder_port()};
    bool created = false;
    Pair& p = pairs_.touch(key, created);
    if (created) {
      p.first = r.first_seen;
      p.local_initiator = e.initiator_local;
    }
    ++p.flows;
    if (r.app_rule >= 1 && r.app_rule <= 64) p.rules |= std::uint64_t{1} << (r.app_rule - 1);
    p.first = std::min(p.first, r.first_seen);
    p.last = std::max(p.last, r.last_seen);
    if (created) {
      report(key, p, false, sink);
    } else if (r.last_seen - p.last_report >= report_interval_) {
      report(key, p, true, sink);
    }
  }

  void counters(CounterSink& c) const override { c.count("pairs_evicted", pairs_.evictions()); }

  void on_flush(FindingSink& sink) override {
    pairs_.drain([&](const PairKey& k, Pair& p) {
      if (p.flows != p.reported) report(k, p, true, sink);
    });
  }

 private:
  void report(const PairKey& k, Pair& p, bool update, FindingSink& sink) {
    Finding f;
    f.type = FindingType::kCryptoBitcoinToolB;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = p.local_initiator ? Direction::kOutbound : Direction::kInbound;
    f.protocol = 6;
    common::set_pair_hosts(f, k, p.local_initiator, static_cast<std::uint16_t>(k.extra));
    f.first_seen = p.first;
    f.last_seen = p.last;
    f.update = update;
    std::snprintf(f.detector, sizeof f.detector, "crypto_mining");
    f.add_metric("miningFlows", static_cast<double>(p.flows));
    // Each rule that matched is named in the evidence (its name is the key,
    // its rule number the value): the protocol on the wire is the proof.
    for (unsigned id = 0; id < 64 && f.metric_count < kFindingMaxMetrics; ++id)
      if (p.rules & (std::uint64_t{1} << id)) f.add_metric(mining_rule_name(id + 1), id + 1);
    f.ports[0] = static_cast<std::uint16_t>(k.extra);
    f.port_count = 1;
    f.set_identity(f.local, f.remote, k.extra);
    sink.emit(f);
    p.reported = p.flows;
    p.last_report = p.last;
  }

  core::Nanos report_interval_;
  common::CappedTable<PairKey, Pair, PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_bitcoin_tool_detector() {
  return std::make_unique<DetectorOf<BitcoinToolShard>>(
      "crypto_mining",
      "CryptoCurrency:EC2/BitcoinTool.B - a mining protocol (stratum v1/v2, XMRig JSON-RPC, getwork) in a flow's "
      "first payload, any port",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::mining

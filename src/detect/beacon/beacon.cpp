// Backdoor:EC2/C&CActivity.Beacon: a home host connects to one remote host
// and port at regular intervals with regular sizes (see README.md).
#include "beacon.hpp"

#include <algorithm>
#include <cstring>


namespace picket::detect::beacon {

namespace {

enum Param : std::size_t {
  kThreshold,
  kMinConnections,
  kMinInterval,
  kMaxInterval,
  kJitterTolerance,
  kSizeMadCutoff,
  kTimingWeight,
  kIgnoreInfraPorts,
  kRemoteOnly,
  kMaxSamples,
  kMaxPairs,
  kParamCount
};

const ParamSpec kParams[] = {
    {"threshold", 0.8, 0, 1, "score",
     "combined regularity score that fires; jittered beacons (60 s +-10 %, steady sizes) score about 0.87, "
     "random (Poisson) connections with constant sizes about 0.65 (at most 0.74)"},
    {"min_connections", 20, 4, 100000, "connections",
     "connections to one (host, port) before it is scored: 19 intervals make the quartiles stable, and a "
     "60 s beacon is caught after 20 minutes"},
    {"min_interval", 5, 0, 86400, "seconds",
     "median intervals below this are bursts of one session (page loads, retries), not call-backs"},
    {"max_interval", 21600, 60, 604800, "seconds",
     "a pair idle longer than this is forgotten, so slower beacons are not tracked (6 h bounds memory)"},
    {"jitter_tolerance", 0.3, 0.01, 10, "ratio",
     "interval MAD / median at which the dispersion score reaches 0; +-10 % uniform jitter gives 0.05 "
     "(score 0.83), random intervals about 0.7 (score 0)"},
    {"size_mad_cutoff", 32, 1, 1e9, "bytes", "size MAD at which the size-dispersion score reaches 0 (RITA's 32 bytes)"},
    {"timing_weight", 2, 0, 100, "ratio",
     "weight of the timing half against the size half: constant request sizes are common in benign polling, "
     "so regular timing must carry the score"},
    {"ignore_infra_ports", 1, 0, 1, "bool",
     "1: skip DNS 53, DHCP 67/68, NTP 123, NetBIOS 137/138, SNMP 161/162, syslog 514, DoT 853, SSDP 1900, "
     "mDNS 5353, LLMNR 5355: periodic by design"},
    {"remote_only", 1, 0, 1, "bool",
     "1: only pairs whose responder is outside the home network (internal monitoring polls are periodic)"},
    {"max_samples", 64, 4, 4096, "connections",
     "connections kept per pair (the most recent); 64 x 16 bytes bounds a pair to about 1.1 KB"},
    {"max_pairs", 200000, 100, 100000000, "pairs", "per shard; new pairs beyond it are refused and counted"},
};
static_assert(std::size(kParams) == kParamCount);

bool infra_port(std::uint16_t port) {
  switch (port) {
    case 53: case 67: case 68: case 123: case 137: case 138: case 161: case 162: case 514: case 853:
    case 1900: case 5353: case 5355:
      return true;
    default:
      return false;
  }
}

}  // namespace

BeaconShard::BeaconShard(const DetectorContext& ctx) : pairs_(static_cast<std::size_t>(ctx.params[kMaxPairs])) {
  const auto& v = ctx.params;
  threshold_ = v[kThreshold];
  min_connections_ = static_cast<std::size_t>(v[kMinConnections]);
  min_interval_s_ = v[kMinInterval];
  max_interval_ = core::seconds(v[kMaxInterval]);
  score_params_.jitter_tolerance = v[kJitterTolerance];
  score_params_.size_mad_cutoff = v[kSizeMadCutoff];
  score_params_.timing_weight = v[kTimingWeight];
  ignore_infra_ = v[kIgnoreInfraPorts] != 0;
  remote_only_ = v[kRemoteOnly] != 0;
  max_samples_ = static_cast<std::size_t>(v[kMaxSamples]);
  min_connections_ = std::min(min_connections_, max_samples_);
}

void BeaconShard::on_flow(const FlowEvent& e, FindingSink& sink) {
  const auto& r = e.rec;
  if (!e.initiator_local || (remote_only_ && e.responder_local)) return;
  if (r.key.proto != 6 && r.key.proto != 17) return;
  // Active-timeout segments are pieces of one long connection reported at a
  // fixed period: counting them would make every long flow a beacon.
  if (r.end_reason == flow::FlowEndReason::kActiveTimeout) return;
  if (r.packets[flow::kToResponder] == 0) return;  // only the answer was seen
  const std::uint16_t port = r.responder_port();
  if (ignore_infra_ && infra_port(port)) return;
  add(r, sink);
}

[[gnu::noinline]] void BeaconShard::add(const flow::FlowRecord& r, FindingSink& sink) {
  const std::uint16_t port = r.responder_port();
  const PairKey key{r.initiator(), r.responder(), static_cast<std::uint32_t>(r.key.proto) << 16 | port};
  bool created = false;
  Pair* found = pairs_.touch_if_room(key, created);
  if (!found) {
    ++stats_.pairs_refused;
    return;
  }
  if (created) ++stats_.pairs_created;
  Pair& p = *found;
  const BeaconSample s{r.first_seen, static_cast<std::uint32_t>(std::min<std::uint64_t>(r.bytes[flow::kToResponder], 0xffffffffu))};
  p.samples.add(s, max_samples_);
  ++p.connections;
  p.last_seen = std::max(p.last_seen, r.end_time);
  if (p.fired || p.samples.size() < min_connections_) return;

  ++stats_.scored;
  const BeaconScore sc = score_beacon(p.samples.samples(), score_params_, scratch_);
  if (sc.median_interval_s < min_interval_s_ || sc.score < threshold_) return;
  p.fired = true;
  sink.emit(build(key, p, sc));
}

Finding BeaconShard::build(const PairKey& k, const Pair& p, const BeaconScore& sc) const {
  Finding f;
  f.type = FindingType::kBackdoorCcActivityBeacon;
  f.severity = finding_type_info(f.type).default_severity;
  f.direction = Direction::kOutbound;
  f.protocol = static_cast<std::uint8_t>(k.port_proto >> 16);
  f.local = k.local;
  f.remote = k.remote;
  f.remote_port = static_cast<std::uint16_t>(k.port_proto & 0xffff);
  const auto samples = p.samples.samples();
  core::Nanos first = samples[0].start, last = samples[0].start;
  for (const auto& s : samples) {
    first = std::min(first, s.start);
    last = std::max(last, s.start);
  }
  f.first_seen = first;
  f.last_seen = last;
  std::strncpy(f.detector, "beacon", sizeof(f.detector) - 1);
  f.add_metric("score", sc.score);
  f.add_metric("intervalSeconds", sc.median_interval_s);
  f.add_metric("connections", static_cast<double>(p.connections));
  f.add_metric("tsSkewScore", sc.ts_skew);
  f.add_metric("tsMadmScore", sc.ts_madm);
  f.add_metric("tsCountScore", sc.ts_count);
  f.add_metric("dsSkewScore", sc.ds_skew);
  f.add_metric("dsMadmScore", sc.ds_madm);
  f.ports[f.port_count++] = f.remote_port;
  f.set_identity(k.local, k.remote, k.port_proto);
  return f;
}

void BeaconShard::on_tick(core::Nanos now, FindingSink&) {
  // Forget idle pairs about once a minute of capture time; the walk is the
  // same in every run because ticks are.
  if (now < next_sweep_) return;
  next_sweep_ = now + core::seconds(60);
  pairs_.sweep([&](const PairKey&, Pair& p) {
    if (p.last_seen + max_interval_ > now) return false;
    ++stats_.pairs_expired;
    return true;
  });
}

std::unique_ptr<Detector> make_beacon_detector() {
  return std::make_unique<DetectorOf<BeaconShard>>(
      "beacon",
      "Backdoor:EC2/C&CActivity.Beacon - a home host connects to one remote host:port at regular intervals with "
      "regular sizes (RITA-style score >= threshold over >= min_connections)",
      kParams, /*flows=*/true, /*dns=*/false);
}

std::size_t BeaconShard::bytes_per_pair(std::size_t samples) {
  // The table's node and index slots (the first SampleRing::kInline samples
  // are inside the node), and the heap buffer of a ring past them.
  return decltype(pairs_)::bytes_per_entry + SampleRing::heap_bytes(samples);
}

}  // namespace picket::detect::beacon

// Behavior:EC2/TrafficVolumeUnusual: in one window a home host sends far more
// bytes to remote hosts than its history of windows says is normal.
//
// Per host: the bytes it sent on connections it opened to remote hosts in the
// current window (windows are whole multiples of `window` in capture time),
// the few remote hosts that took most of them (space-saving top-k), and the
// baseline: exponentially weighted mean and mean absolute deviation of the
// volume of past active windows (windows with no traffic are skipped, so a
// host idle at night keeps its daytime baseline). The window fires once when
// its volume passes max(min_bytes, factor x (mean + 3 x deviation)).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "../common/key_hash.hpp"
#include "baseline_detectors.hpp"
#include "novelty_shard.hpp"
#include "volume_unusual.hpp"

namespace picket::detect::baseline {

namespace {

enum Param : std::size_t {
  kLearning,
  kWindow,
  kMinBytes,
  kFactor,
  kMinWindows,
  kAlpha,
  kHosts,
  kForget,
  kSave,
  kParamCount
};

const ParamSpec kParams[] = {
    {"learning_period", 86400, 0, 31536000, "seconds",
     "from a host's first sighting nothing fires; a day of windows covers the daily cycle"},
    {"window", 3600, 60, 604800, "seconds", "volume is compared per window; an hour smooths bursts of one transfer"},
    {"min_bytes", 50e6, 0, 1e15, "bytes",
     "a window below 50 MB never fires: hosts with tiny baselines would otherwise fire on any download-sized upload"},
    {"factor", 10, 1, 1e6, "ratio",
     "the window must exceed factor x (mean + 3 x deviation) of past windows: ten times a high normal hour"},
    {"min_windows", 6, 1, 100000, "windows", "active windows in the baseline before it is trusted"},
    {"alpha", 0.05, 0.001, 1, "ratio", "weight of each new window in the moving mean and deviation (half-life ~14 windows)"},
    {"max_hosts", 100000, 1, 100000000, "hosts", "home hosts tracked per shard; beyond it new hosts are not tracked (counted)"},
    {"forget_after", 2592000, 3600, 315360000, "seconds", "a host not seen for 30 days is forgotten"},
    {"save_interval", 3600, 0, 31536000, "seconds", "capture time between saves to --state-dir (0: only at shutdown)"},
};
static_assert(std::size(kParams) == kParamCount);

std::uint64_t dbits(double d) { return std::bit_cast<std::uint64_t>(d); }
double bits_d(std::uint64_t u) {
  const double d = std::bit_cast<double>(u);
  return std::isfinite(d) && d >= 0 ? d : 0;
}

}  // namespace

std::size_t VolumeUnusualShard::AddrHash::operator()(const core::IpAddr& a) const {
  // Inline: a call into the hash library per flow cost more than the rest of
  // the look-up. Only the map's layout depends on it (sweeps and snapshots
  // do not depend on the order).
  return static_cast<std::size_t>(common::hash_addr(a));
}

VolumeUnusualShard::VolumeUnusualShard(const DetectorContext& ctx)
    : persist_(ctx, "volume_unusual", ctx.params[kSave]), hosts_(static_cast<std::size_t>(ctx.params[kHosts])) {
  const auto& v = ctx.params;
  learning_ = core::seconds(v[kLearning]);
  window_ = core::seconds(v[kWindow]);
  min_bytes_ = v[kMinBytes];
  factor_ = v[kFactor];
  min_windows_ = static_cast<std::uint32_t>(v[kMinWindows]);
  alpha_ = v[kAlpha];
  max_hosts_ = static_cast<std::size_t>(v[kHosts]);
  forget_after_ = core::seconds(v[kForget]);
  for (auto& r : persist_.load()) {
    if (hosts_.size() >= max_hosts_ || r.values.size() < 3) continue;
    Host h;
    h.first_seen = r.first_seen;
    h.last_seen = r.last_seen;
    h.mean = bits_d(r.values[0]);
    h.dev = bits_d(r.values[1]);
    h.active_windows = static_cast<std::uint32_t>(std::min<std::uint64_t>(r.values[2], 0xffffffffu));
    bool created = false;
    hosts_.touch(r.host, created) = h;
    ++stats_.hosts_loaded;
  }
}

double VolumeUnusualShard::threshold(const Host& h) const {
  return std::max(min_bytes_, factor_ * (h.mean + 3 * h.dev));
}

void VolumeUnusualShard::close_window(Host& h, core::Nanos new_start) const {
  if (h.window_bytes > 0) {
    const double x = static_cast<double>(h.window_bytes);
    if (h.active_windows == 0) {
      h.mean = x;
      h.dev = 0;
    } else {
      const double d = std::fabs(x - h.mean);
      h.mean += alpha_ * (x - h.mean);
      h.dev += alpha_ * (d - h.dev);
    }
    ++h.active_windows;
  }
  h.window_start = new_start;
  h.window_bytes = 0;
  h.fired = false;
  h.top_count = 0;
}

void VolumeUnusualShard::on_flow(const FlowEvent& e, FindingSink& sink) {
  const auto& r = e.rec;
  now_ = std::max(now_, r.end_time);
  if (!e.initiator_local || e.responder_local || r.bytes[flow::kToResponder] == 0) return;
  add(r, sink);
}

[[gnu::noinline]] void VolumeUnusualShard::add(const flow::FlowRecord& r, FindingSink& sink) {
  const std::uint64_t bytes = r.bytes[flow::kToResponder];
  const core::Nanos t = r.end_time;
  bool created = false;
  Host* found = hosts_.find_or_add_if_room(r.initiator(), created);
  if (!found) {
    ++stats_.hosts_untracked;
    return;
  }
  Host& h = *found;
  if (created) {
    h.first_seen = t;
    h.window_start = t - t % window_;
    ++stats_.hosts_created;
  }
  h.last_seen = std::max(h.last_seen, t);
  const core::Nanos w = t - t % window_;
  if (w > h.window_start) close_window(h, w);
  h.window_bytes += bytes;
  add_top(h, r.responder(), bytes);

  if (h.fired || t < h.first_seen + learning_ || h.active_windows < min_windows_) return;
  const double limit = threshold(h);
  if (static_cast<double>(h.window_bytes) < limit) return;
  h.fired = true;
  sink.emit(build(r.initiator(), h, t, limit));
}

inline void VolumeUnusualShard::add_top(Host& h, const core::IpAddr& remote, std::uint64_t bytes) {
  for (std::uint8_t i = 0; i < h.top_count; ++i) {
    if (h.top[i].remote == remote) {
      h.top[i].bytes += bytes;
      return;
    }
  }
  if (h.top_count < kTop) {
    h.top[h.top_count++] = {remote, bytes};
    return;
  }
  // Space-saving: the smallest entry gives its place and its count to the newcomer.
  auto* min = std::min_element(h.top, h.top + kTop, [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  *min = {remote, min->bytes + bytes};
}

Finding VolumeUnusualShard::build(const core::IpAddr& host, const Host& h, core::Nanos t, double limit) const {
  const auto* top = std::max_element(h.top, h.top + h.top_count, [](const auto& a, const auto& b) {
    return a.bytes != b.bytes ? a.bytes < b.bytes : b.remote < a.remote;
  });
  Finding f;
  f.type = FindingType::kBehaviorTrafficVolumeUnusual;
  f.severity = finding_type_info(f.type).default_severity;
  f.direction = Direction::kOutbound;
  f.local = host;
  f.remote = top->remote;
  f.first_seen = h.window_start;
  f.last_seen = t;
  std::strncpy(f.detector, "volume_unusual", sizeof(f.detector) - 1);
  f.add_metric("windowBytes", static_cast<double>(h.window_bytes));
  f.add_metric("thresholdBytes", limit);
  f.add_metric("baselineMeanBytes", h.mean);
  f.add_metric("baselineDevBytes", h.dev);
  f.add_metric("baselineWindows", h.active_windows);
  f.add_metric("topRemoteBytes", static_cast<double>(top->bytes));
  f.add_metric("windowSeconds", static_cast<double>(window_) / 1e9);
  // Sample hosts in address order, so the evidence does not depend on event order.
  std::array<core::IpAddr, kTop> remotes;
  for (std::uint8_t i = 0; i < h.top_count; ++i) remotes[i] = h.top[i].remote;
  for (int i = 1; i < h.top_count; ++i)  // insertion sort of at most kTop
    for (int j = i; j > 0 && remotes[j] < remotes[j - 1]; --j) std::swap(remotes[j], remotes[j - 1]);
  for (std::uint8_t i = 0; i < h.top_count; ++i) f.hosts[f.host_count++] = remotes[i];
  f.set_identity(host, top->remote, 0);
  return f;
}

std::vector<HostRecord> VolumeUnusualShard::snapshot() const {
  std::vector<HostRecord> out;
  out.reserve(hosts_.size());
  hosts_.for_each([&](const core::IpAddr& addr, const Host& h) {
    // The open window is folded in as if it had closed: a restart loses no
    // whole window of history (the live state is left as it is).
    Host copy = h;
    close_window(copy, copy.window_start);
    out.push_back({addr, copy.first_seen, copy.last_seen, 0, {dbits(copy.mean), dbits(copy.dev), copy.active_windows}});
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.host < b.host; });
  return out;
}

void VolumeUnusualShard::on_tick(core::Nanos now, FindingSink&) {
  now_ = std::max(now_, now);
  if (now >= next_sweep_) {
    next_sweep_ = now + core::seconds(60);
    hosts_.sweep([&](const core::IpAddr&, const Host& h) {
      if (h.last_seen + forget_after_ > now) return false;
      ++stats_.hosts_forgotten;
      return true;
    });
  }
  if (persist_.due(now)) persist_.save(now, snapshot());
}

void VolumeUnusualShard::on_flush(FindingSink&) {
  if (persist_.enabled()) persist_.save(now_, snapshot());
}

std::size_t VolumeUnusualShard::bytes_per_host() { return decltype(hosts_)::bytes_per_entry; }

std::unique_ptr<Detector> make_volume_unusual_detector() {
  return std::make_unique<DetectorOf<VolumeUnusualShard>>(
      "volume_unusual",
      "Behavior:EC2/TrafficVolumeUnusual - after learning_period, a home host sends more than max(min_bytes, factor x "
      "(mean + 3 dev)) to remote hosts in one window",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::baseline

#pragma once
// The traffic-volume baseline shard, visible to its tests and benchmark.
#include <cstdint>
#include <vector>

#include "picket/detect/detector.hpp"
#include "../common/capped_table.hpp"
#include "../common/state_file.hpp"

namespace picket::detect::baseline {

using common::HostRecord;

struct VolumeStats {
  std::uint64_t hosts_created = 0, hosts_untracked = 0, hosts_forgotten = 0, hosts_loaded = 0;
};

class VolumeUnusualShard final : public DetectorShard {
 public:
  explicit VolumeUnusualShard(const DetectorContext& ctx);
  void on_flow(const FlowEvent& e, FindingSink& sink) override;
  void on_tick(core::Nanos now, FindingSink& sink) override;
  void on_flush(FindingSink& sink) override;
  void counters(CounterSink& c) const override { c.count("hosts_refused", stats_.hosts_untracked); }

  std::vector<HostRecord> snapshot() const;
  std::size_t hosts() const { return hosts_.size(); }
  const VolumeStats& stats() const { return stats_; }
  const common::StatePersistence& persistence() const { return persist_; }
  // Approximate heap bytes of one tracked host (fixed: no per-host allocation).
  static std::size_t bytes_per_host();

 private:
  static constexpr int kTop = 4;
  struct TopRemote {
    core::IpAddr remote;
    std::uint64_t bytes = 0;
  };
  struct Host {
    core::Nanos first_seen = 0, last_seen = 0, window_start = 0;
    std::uint64_t window_bytes = 0;
    double mean = 0, dev = 0;
    std::uint32_t active_windows = 0;
    bool fired = false;
    std::uint8_t top_count = 0;
    TopRemote top[kTop];
  };
  struct AddrHash {
    // inline (defined in volume_unusual.cpp, its only user), so that -fPIC
    // does not keep it a call per look-up
    inline std::size_t operator()(const core::IpAddr& a) const;
  };
  // on_flow's work for an outbound flow, out of line so that the others
  // (most flows) cost a few instructions and no frame.
  void add(const flow::FlowRecord& r, FindingSink& sink);
  double threshold(const Host& h) const;
  void close_window(Host& h, core::Nanos new_start) const;
  // inline (defined in volume_unusual.cpp, its only user): once per flow
  static inline void add_top(Host& h, const core::IpAddr& remote, std::uint64_t bytes);
  Finding build(const core::IpAddr& host, const Host& h, core::Nanos t, double limit) const;

  common::StatePersistence persist_;
  core::Nanos learning_, window_;
  double min_bytes_, factor_;
  std::uint32_t min_windows_;
  double alpha_;
  std::size_t max_hosts_;
  core::Nanos forget_after_;
  // Capacity max_hosts; full, it refuses new hosts (find_or_add_if_room).
  // Its recency order is unused (sweeps and snapshots do not depend on
  // order), so look-ups leave it as it is.
  common::CappedTable<core::IpAddr, Host, AddrHash> hosts_;
  core::Nanos now_ = 0, next_sweep_ = 0;
  VolumeStats stats_;
};

}  // namespace picket::detect::baseline

#pragma once
// The beacon detector's shard, visible to its tests and benchmark.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../common/capped_table.hpp"
#include "../common/key_hash.hpp"
#include "beacon_score.hpp"
#include "sample_ring.hpp"
#include "picket/detect/detector.hpp"

namespace picket::detect::beacon {

std::unique_ptr<Detector> make_beacon_detector();

struct BeaconStats {
  std::uint64_t pairs_created = 0;
  std::uint64_t pairs_refused = 0;  // table full
  std::uint64_t pairs_expired = 0;  // idle longer than max_interval
  std::uint64_t scored = 0;         // score computations
};

class BeaconShard final : public DetectorShard {
 public:
  explicit BeaconShard(const DetectorContext& ctx);
  void on_flow(const FlowEvent& e, FindingSink& sink) override;
  void on_tick(core::Nanos now, FindingSink& sink) override;
  void counters(CounterSink& c) const override { c.count("pairs_refused", stats_.pairs_refused); }

  const BeaconStats& stats() const { return stats_; }
  std::size_t pairs() const { return pairs_.size(); }
  // Approximate heap bytes of one tracked pair holding `samples` connections.
  static std::size_t bytes_per_pair(std::size_t samples);

 private:
  struct PairKey {
    core::IpAddr local, remote;
    std::uint32_t port_proto = 0;  // protocol << 16 | remote port
    bool operator==(const PairKey&) const = default;
  };
  struct PairKeyHash {
    // In the class (so inline): a call per flow cost as much as the hash.
    std::size_t operator()(const PairKey& k) const {
      return static_cast<std::size_t>(common::hash_pair(k.local, k.remote, k.port_proto));
    }
  };
  struct Pair {
    SampleRing samples;  // the most recent max_samples connections
    std::uint64_t connections = 0;
    core::Nanos last_seen = 0;
    bool fired = false;
    // For common::CappedTable: a fresh pair keeping the samples' heap buffer.
    void recycle() {
      SampleRing keep = std::move(samples);
      keep.recycle();
      *this = Pair{};
      samples = std::move(keep);
    }
  };
  // on_flow's work for a flow its tests admit, out of line so that the
  // others (most flows) cost a few instructions and no frame.
  void add(const flow::FlowRecord& r, FindingSink& sink);
  Finding build(const PairKey& k, const Pair& p, const BeaconScore& sc) const;

  double threshold_;
  std::size_t min_connections_;
  double min_interval_s_;
  core::Nanos max_interval_;
  ScoreParams score_params_;
  bool ignore_infra_, remote_only_;
  std::size_t max_samples_;
  // Capacity max_pairs; full, it refuses new pairs rather than evicting.
  common::CappedTable<PairKey, Pair, PairKeyHash> pairs_;
  std::vector<double> scratch_;
  core::Nanos next_sweep_ = 0;
  BeaconStats stats_;
};

}  // namespace picket::detect::beacon

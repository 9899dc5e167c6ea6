#pragma once
// ShardHost: the detector shards that live on one worker thread, and the
// merge that makes their results independent of the number of workers.
//
// Events arrive from every worker in whatever order the threads run. They are
// held until every worker has promised (by a watermark) that nothing older
// will come, then handed to the detectors sorted by (logical time, content),
// and the detectors' clocks advance through the same tick values in every
// run. The same input therefore gives the same findings with 1 or N workers.
// Watermarks that are no tick (every kPacketsPerWatermark packets) release
// events between ticks, so few wait at any time.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "event_store.hpp"

#include "messages.hpp"
#include "picket/detect/detector.hpp"

namespace picket::pipeline {

class ShardHost {
 public:
  struct Shard {
    std::unique_ptr<detect::DetectorShard> shard;
    bool wants_flows = false, wants_dns = false, wants_server_names = false;
    detect::DnsMessages dns_messages = detect::DnsMessages::kAll;  // with wants_dns
  };
  ShardHost(unsigned workers, std::vector<Shard> shards);

  // Takes one message from worker `from`.
  void receive(unsigned from, const MeshMessage& m);
  // The same for a message of this host's own worker, built in place in the
  // host's store: claim_own() gives the message to fill in, commit_own()
  // receives it. Saves copying events through a ring and into the store.
  MeshMessage& claim_own() {
    own_slot_ = store_.claim();
    return store_.at(own_slot_);
  }
  void commit_own(unsigned from);
  // Hands every event that is safe to order to the detectors.
  void process(detect::FindingSink& sink);
  // True once the final watermark of every worker has been processed.
  bool finished() const { return finished_; }
  std::size_t pending() const { return pending_count_; }
  std::uint64_t max_pending() const { return max_pending_; }

  // The shards' counters (DetectorShard::counters) as of the last tick, for
  // stats while running: written by this host's worker thread into relaxed
  // atomics, readable from any thread (as Worker::packets_seen).
  static constexpr std::uint32_t kMaxShardCounters = 8;
  struct PublishedCounters {
    const char* names[kMaxShardCounters] = {};
    std::atomic<std::uint64_t> values[kMaxShardCounters] = {};
    std::atomic<std::uint32_t> used{0};  // names[0, used) are set
  };
  // Calls f(shard index, counter name, value) for every published counter.
  template <typename F>
  void read_counters(F&& f) const {
    for (std::size_t s = 0; s < shards_.size(); ++s) {
      const PublishedCounters& p = counters_[s];
      const std::uint32_t used = p.used.load(std::memory_order_acquire);
      for (std::uint32_t i = 0; i < used; ++i) f(s, p.names[i], p.values[i].load(std::memory_order_relaxed));
    }
  }

 private:
  struct Pending {
    core::Nanos time;
    std::uint64_t tie;  // content hash, set when another event has the same time
    std::uint32_t slot;
  };
  // A function object, not a function: std::sort then inlines the
  // comparison (a function pointer was called per comparison).
  struct Earlier {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.time != b.time ? a.time < b.time : a.tie < b.tie;
    }
  };
  // Hands the waiting events older than `limit` to the detectors, in order.
  void release_before(core::Nanos limit, detect::FindingSink& sink);
  void dispatch(const MeshMessage& m, detect::FindingSink& sink);
  void publish_counters();
  // Notes the event `m` from worker `from` in store slot `slot` as waiting.
  void hold(unsigned from, std::uint32_t slot, const MeshMessage& m);
  // Hands the events [first, last), in time order, to the detectors.
  void hand_over(std::vector<Pending>::iterator first, std::vector<Pending>::iterator last,
                 detect::FindingSink& sink);

  std::vector<Shard> shards_;
  // The shards that want each kind of event, in shards_ order: an event
  // visits only those (most detectors want one kind).
  std::vector<detect::DetectorShard*> flow_shards_, dns_query_shards_, dns_response_shards_, name_shards_;
  std::unique_ptr<PublishedCounters[]> counters_;  // one per shard
  std::vector<core::Nanos> watermark_;  // per worker
  core::Nanos released_to_ = 0;         // every event before this was handed over
  std::deque<core::Nanos> ticks_;       // tick values in order, as worker 0 sent them
  // Events waiting for their tick: tens of MiB at a few hundred thousand
  // packets/s, so in chunks of huge pages that never move (event_store.hpp).
  EventStore<MeshMessage> store_;
  // Waiting events per sending worker, in arrival order; merged when released.
  std::vector<std::vector<Pending>> pending_;
  std::size_t pending_count_ = 0;
  std::vector<Pending> batch_, merged_;  // reused by release_before
  std::uint32_t own_slot_ = 0;    // claimed by claim_own()
  std::uint64_t max_pending_ = 0;
  bool finished_ = false;
  // Input of the last flow / DNS event dispatched: names findings raised on a
  // tick (flow-record and log inputs; 0 = packets).
  std::uint8_t last_flow_source_ = 0, last_dns_source_ = 0;
};

}  // namespace picket::pipeline

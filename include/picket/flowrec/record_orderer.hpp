#pragma once
// RecordOrderer: turns exported records, which arrive in no particular time
// order and one direction at a time, into FlowRecords and DnsEvents in
// nondecreasing logical time, the order the detector shards need.
//
// Each record waits until the newest record time seen is `window` past its
// own end (the lateness window). While it waits, the record of the opposite
// direction of the same conversation is folded into it, so a TCP connection
// exported as two unidirectional records becomes one FlowRecord with an
// initiator and a responder, as the packet path makes. A record released
// after a later one (it came more than `window` late) is given the later
// time and counted as late; nothing is dropped. At most `max_pending` records
// wait; past that the oldest is released early (counted).
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/detect/events.hpp"
#include "picket/flow/flow_key.hpp"
#include "picket/flowrec/uniflow.hpp"

namespace picket::flowrec {

struct OrdererStats {
  std::uint64_t flows_in = 0;      // unidirectional records added
  std::uint64_t stitched = 0;      // of those, folded into their reverse
  std::uint64_t flows_out = 0;     // FlowRecords released
  std::uint64_t dns_in = 0;
  std::uint64_t late = 0;          // released with a later logical time than their own
  std::uint64_t early = 0;         // released before their window passed: max_pending reached
  std::uint64_t max_pending = 0;
};

class OrderedSink {
 public:
  virtual ~OrderedSink() = default;
  // `rec.end_time` is the logical time; it never decreases between calls.
  virtual void on_flow_record(const flow::FlowRecord& rec) = 0;
  virtual void on_dns_event(const detect::DnsEvent& ev) = 0;
};

class RecordOrderer {
 public:
  RecordOrderer(core::Nanos window, std::size_t max_pending);

  void add_flow(const UniFlow& u, OrderedSink& out);
  void add_dns(const detect::DnsEvent& e, OrderedSink& out);
  // Releases what the window allows (newest time seen - window).
  void release(OrderedSink& out) { release_before(newest_ > window_ ? newest_ - window_ + 1 : 0, out); }
  // Releases every record whose time is < t (a live collector calls this as wall time passes).
  void release_before(core::Nanos t, OrderedSink& out);
  // End of input: releases everything.
  void flush(OrderedSink& out) { release_before(core::kNanosMax, out); }

  std::size_t pending() const { return heap_.size(); }
  core::Nanos last_released() const { return clock_; }
  const OrdererStats& stats() const { return stats_; }

 private:
  struct Pending {
    core::Nanos time;
    std::uint64_t seq;  // arrival order: ties release in the order read
    std::uint32_t slot;
    bool dns;
  };
  struct FlowSlot {
    flow::FlowRecord rec;
    bool merged = false;  // both directions are in: paired, or one RFC 5103 biflow record
  };
  struct KeyHash {
    std::size_t operator()(const flow::FlowKey& k) const { return static_cast<std::size_t>(k.hash()); }
  };
  static bool later(const Pending& a, const Pending& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
  void push(core::Nanos time, std::uint32_t slot, bool dns, OrderedSink& out);
  void pop_one(OrderedSink& out);

  core::Nanos window_;
  std::size_t max_pending_;
  core::Nanos newest_ = 0, clock_ = 0;
  std::uint64_t seq_ = 0;
  std::vector<Pending> heap_;
  std::vector<FlowSlot> flows_;
  std::vector<std::uint32_t> free_flows_;
  std::vector<detect::DnsEvent> dns_;
  std::vector<std::uint32_t> free_dns_;
  std::unordered_map<flow::FlowKey, std::uint32_t, KeyHash> open_;  // key -> slot awaiting its reverse
  OrdererStats stats_;
};

}  // namespace picket::flowrec

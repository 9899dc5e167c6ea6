#pragma once
// Per-core flow table: open addressing (linear probing, backward-shift
// deletion) over a preallocated pool of flows, so the packet path never
// allocates. Flows sit on one idle list per timeout class, each ordered by
// last activity, and on one list ordered by segment start for the active
// timeout; expiry pops list heads instead of scanning the table.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/flow/flow_record.hpp"
#include "picket/net/packet.hpp"

namespace picket::flow {

struct FlowTimeouts {
  core::Nanos tcp_new = core::seconds(30);           // handshake never completed
  core::Nanos tcp_established = core::seconds(300);  // Zeek's tcp_inactivity_timeout
  core::Nanos tcp_closed = core::seconds(5);         // after FIN both ways or RST
  core::Nanos udp = core::seconds(60);               // Zeek's udp_inactivity_timeout
  core::Nanos other = core::seconds(60);             // ICMP and other protocols
  core::Nanos active = core::seconds(1800);          // long flows reported every 30 min
};

struct FlowTableStats {
  std::uint64_t created = 0;
  std::uint64_t ended = 0;
  std::uint64_t evicted = 0;         // ended early because the table was full
  std::uint64_t active_segments = 0; // records emitted by the active timeout
  std::uint64_t active = 0;          // flows in the table now
  std::uint64_t peak = 0;
  std::uint64_t lookups = 0;
  std::uint64_t probe_steps = 0;     // extra slots probed: a measure of clustering
};

// Receives every finished flow record. Called on the worker thread.
class FlowEndSink {
 public:
  virtual ~FlowEndSink() = default;
  virtual void on_flow_end(const FlowRecord& rec) = 0;
};

class FlowTable {
 public:
  FlowTable(std::size_t max_flows, const FlowTimeouts& timeouts);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Accounts one packet. Returns the flow's record (valid until the next call)
  // and whether this packet opened the flow. A previous flow with the same key
  // that has logically expired is ended first; if the table is full the
  // least recently active flow is evicted.
  FlowRecord& update(const net::PacketView& p, std::uint64_t hash, FlowEndSink& sink, bool& created,
                     bool& from_initiator);

  // Starts loading the index slot a packet with this hash will probe, so that
  // a burst's cache misses overlap (VPP's prefetch-ahead).
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(&slots_[hash & slot_mask_]); }

  // Ends every flow whose logical end time is <= now.
  void expire(core::Nanos now, FlowEndSink& sink);
  // Ends every flow, each at its natural end time (end of input), in the
  // order of those times.
  void flush(FlowEndSink& sink);

  std::size_t size() const { return stats_.active; }
  std::size_t capacity() const { return capacity_; }
  const FlowTableStats& stats() const { return stats_; }
  const FlowTimeouts& timeouts() const { return timeouts_; }

  static std::size_t bytes_per_flow();

 private:
  static constexpr std::uint32_t kNil = 0xffffffffu;
  enum Timeout : std::uint8_t { kTcpNew, kTcpEstablished, kTcpClosed, kUdp, kOther, kClasses };

  struct Link {
    std::uint32_t prev = kNil, next = kNil;
  };
  struct List {
    std::uint32_t head = kNil, tail = kNil;
  };
  struct Entry {
    FlowRecord rec;
    std::uint64_t hash = 0;
    Link idle, active;
    core::Nanos segment_start = 0;
    std::uint8_t timeout_class = kOther;
    bool in_use = false;
  };

  std::uint32_t find(const FlowKey& key, std::uint64_t hash) const;
  std::uint32_t create(const net::PacketView& p, const FlowKey& key, bool src_is_lo, std::uint64_t hash,
                       FlowEndSink& sink);
  void end_flow(std::uint32_t idx, FlowEndReason reason, core::Nanos end_time, FlowEndSink& sink);
  void index_erase(std::uint32_t idx);
  core::Nanos idle_deadline(const Entry& e) const;
  Timeout classify(const FlowRecord& r) const;
  void link_idle(std::uint32_t idx);
  void unlink_idle(std::uint32_t idx);
  void link_active(std::uint32_t idx);
  void unlink_active(std::uint32_t idx);
  std::uint32_t oldest_idle() const;

  FlowTimeouts timeouts_;
  core::Nanos class_timeout_[kClasses];
  // Pool and index come from calloc: the kernel maps zero pages lazily, so a
  // large memory cap costs nothing until flows actually use it.
  Entry* pool_ = nullptr;
  std::size_t capacity_ = 0;
  std::uint32_t never_used_ = 0;      // pool entries past this one were never handed out
  std::vector<std::uint32_t> free_;   // returned pool indexes
  std::uint32_t* slots_ = nullptr;    // index: pool index + 1, 0 = empty
  std::size_t slot_mask_ = 0;
  List idle_[kClasses];
  List active_;
  FlowTableStats stats_;
};

}  // namespace picket::flow

#include "picket/flow/flow_table.hpp"

#include "picket/core/huge_pages.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace picket::flow {

namespace {
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

std::size_t next_pow2(std::size_t v) {
  std::size_t p = 16;
  while (p < v) p <<= 1;
  return p;
}

// Payload bytes as declared by the IP header, so that a capture with a short
// snap length still counts what was sent, not what was kept.
std::uint64_t declared_payload(const net::PacketView& p) {
  const std::uint32_t headers = p.payload_offset >= p.l3_offset ? p.payload_offset - p.l3_offset : 0;
  if (p.ip_len > headers) return p.ip_len - headers;
  return p.payload_len;
}
}  // namespace

const char* flow_state_name(FlowState s) {
  switch (s) {
    case FlowState::kNew: return "new";
    case FlowState::kReplied: return "replied";
    case FlowState::kEstablished: return "established";
    case FlowState::kClosing: return "closing";
    case FlowState::kClosed: return "closed";
  }
  return "unknown";
}

const char* flow_end_reason_name(FlowEndReason r) {
  switch (r) {
    case FlowEndReason::kIdleTimeout: return "timeout";
    case FlowEndReason::kTcpClosed: return "closed";
    case FlowEndReason::kActiveTimeout: return "active_timeout";
    case FlowEndReason::kEvicted: return "evicted";
    case FlowEndReason::kShutdown: return "shutdown";
  }
  return "unknown";
}

const char* app_proto_name(AppProto a) {
  switch (a) {
    case AppProto::kUnknown: return "";
    case AppProto::kDns: return "dns";
    case AppProto::kTls: return "tls";
    case AppProto::kHttp: return "http";
    case AppProto::kSsh: return "ssh";
    case AppProto::kRdp: return "rdp";
    case AppProto::kSmtp: return "smtp";
    case AppProto::kMining: return "mining";
  }
  return "";
}

std::size_t FlowTable::bytes_per_flow() {
  // Pool entry, two index slots (load factor <= 0.5) and a free-list word.
  return sizeof(Entry) + 3 * sizeof(std::uint32_t);
}

FlowTable::FlowTable(std::size_t max_flows, const FlowTimeouts& timeouts) : timeouts_(timeouts) {
  capacity_ = std::clamp<std::size_t>(max_flows, 16, 0x7fffffff);
  // Zeroed and in huge pages (core::map_zeroed_table): the pool fills as
  // flows arrive and the index is read at random, so 2 MiB pages save most
  // of the page faults of a filling table and the TLB misses of the index.
  pool_ = static_cast<Entry*>(core::map_zeroed_table(capacity_ * sizeof(Entry)));
  const std::size_t nslots = next_pow2(capacity_ * 2);
  slots_ = static_cast<std::uint32_t*>(core::map_zeroed_table(nslots * sizeof(std::uint32_t)));
  if (!pool_ || !slots_) {
    core::unmap_table(pool_, capacity_ * sizeof(Entry));
    core::unmap_table(slots_, nslots * sizeof(std::uint32_t));
    throw std::bad_alloc();
  }
  slot_mask_ = nslots - 1;
  free_.reserve(std::min<std::size_t>(capacity_, 1 << 16));
  class_timeout_[kTcpNew] = timeouts.tcp_new;
  class_timeout_[kTcpEstablished] = timeouts.tcp_established;
  class_timeout_[kTcpClosed] = timeouts.tcp_closed;
  class_timeout_[kUdp] = timeouts.udp;
  class_timeout_[kOther] = timeouts.other;
}

std::uint32_t FlowTable::find(const FlowKey& key, std::uint64_t hash) const {
  for (std::size_t i = hash & slot_mask_;; i = (i + 1) & slot_mask_) {
    const std::uint32_t s = slots_[i];
    if (s == 0) return kNil;
    const Entry& e = pool_[s - 1];
    if (e.hash == hash && e.rec.key == key) return s - 1;
  }
}

FlowTable::Timeout FlowTable::classify(const FlowRecord& r) const {
  if (r.key.proto == 6) {
    if (r.state == FlowState::kClosed) return kTcpClosed;
    if (r.state == FlowState::kEstablished || r.state == FlowState::kClosing) return kTcpEstablished;
    return kTcpNew;
  }
  return r.key.proto == 17 ? kUdp : kOther;
}

core::Nanos FlowTable::idle_deadline(const Entry& e) const {
  return e.rec.last_seen + class_timeout_[e.timeout_class];
}

FlowTable::~FlowTable() {
  core::unmap_table(pool_, capacity_ * sizeof(Entry));
  core::unmap_table(slots_, (slot_mask_ + 1) * sizeof(std::uint32_t));
}

void FlowTable::link_idle(std::uint32_t idx) {
  Entry& e = pool_[idx];
  List& l = idle_[e.timeout_class];
  e.idle.prev = l.tail;
  e.idle.next = kNil;
  if (l.tail != kNil) pool_[l.tail].idle.next = idx; else l.head = idx;
  l.tail = idx;
}

void FlowTable::unlink_idle(std::uint32_t idx) {
  Entry& e = pool_[idx];
  List& l = idle_[e.timeout_class];
  if (e.idle.prev != kNil) pool_[e.idle.prev].idle.next = e.idle.next; else l.head = e.idle.next;
  if (e.idle.next != kNil) pool_[e.idle.next].idle.prev = e.idle.prev; else l.tail = e.idle.prev;
  e.idle = Link{};
}

void FlowTable::link_active(std::uint32_t idx) {
  Entry& e = pool_[idx];
  e.active.prev = active_.tail;
  e.active.next = kNil;
  if (active_.tail != kNil) pool_[active_.tail].active.next = idx; else active_.head = idx;
  active_.tail = idx;
}

void FlowTable::unlink_active(std::uint32_t idx) {
  Entry& e = pool_[idx];
  if (e.active.prev != kNil) pool_[e.active.prev].active.next = e.active.next; else active_.head = e.active.next;
  if (e.active.next != kNil) pool_[e.active.next].active.prev = e.active.prev; else active_.tail = e.active.prev;
  e.active = Link{};
}

std::uint32_t FlowTable::oldest_idle() const {
  std::uint32_t best = kNil;
  for (const List& l : idle_) {
    if (l.head == kNil) continue;
    if (best == kNil || pool_[l.head].rec.last_seen < pool_[best].rec.last_seen) best = l.head;
  }
  return best;
}

void FlowTable::index_erase(std::uint32_t idx) {
  std::size_t j = pool_[idx].hash & slot_mask_;
  while (slots_[j] != idx + 1) j = (j + 1) & slot_mask_;
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  for (std::size_t k = (j + 1) & slot_mask_; slots_[k] != 0; k = (k + 1) & slot_mask_) {
    const std::size_t home = pool_[slots_[k] - 1].hash & slot_mask_;
    if (((k - home) & slot_mask_) >= ((k - j) & slot_mask_)) {
      slots_[j] = slots_[k];
      j = k;
    }
  }
  slots_[j] = 0;
}

void FlowTable::end_flow(std::uint32_t idx, FlowEndReason reason, core::Nanos end_time, FlowEndSink& sink) {
  Entry& e = pool_[idx];
  e.rec.end_reason = reason;
  e.rec.end_time = end_time;
  // A long flow's last active-timeout segment may have seen no packet since.
  if (e.rec.packets[kToResponder] + e.rec.packets[kToInitiator] != 0) sink.on_flow_end(e.rec);
  unlink_idle(idx);
  unlink_active(idx);
  index_erase(idx);
  e.in_use = false;
  free_.push_back(idx);
  --stats_.active;
  ++stats_.ended;
}

std::uint32_t FlowTable::create(const net::PacketView& p, const FlowKey& key, bool src_is_lo, std::uint64_t hash,
                                FlowEndSink& sink) {
  if (free_.empty() && never_used_ == capacity_) {
    ++stats_.evicted;
    end_flow(oldest_idle(), FlowEndReason::kEvicted, p.ts, sink);
  }
  std::uint32_t idx;
  if (!free_.empty()) {
    idx = free_.back();
    free_.pop_back();
  } else {
    idx = never_used_++;
  }
  Entry& e = pool_[idx];
  e.rec = FlowRecord{};
  e.rec.key = key;
  // A SYN-ACK opening a flow means its handshake started before we looked:
  // the receiver of the SYN-ACK is the initiator.
  const bool synack = p.l4_proto == 6 && (p.tcp_flags & (kSyn | kAck)) == (kSyn | kAck);
  e.rec.initiator_is_lo = synack ? !src_is_lo : src_is_lo;
  e.rec.first_seen = p.ts;
  e.rec.last_seen = p.ts;
  if (p.l4_proto == 1 || p.l4_proto == 58) e.rec.icmp_type = p.icmp_type;
  e.hash = hash;
  e.segment_start = p.ts;
  e.in_use = true;
  e.timeout_class = classify(e.rec);
  std::size_t i = hash & slot_mask_;
  while (slots_[i] != 0) {
    i = (i + 1) & slot_mask_;
    ++stats_.probe_steps;
  }
  slots_[i] = idx + 1;
  link_idle(idx);
  link_active(idx);
  ++stats_.created;
  stats_.peak = std::max<std::uint64_t>(stats_.peak, ++stats_.active);
  return idx;
}

FlowRecord& FlowTable::update(const net::PacketView& p, std::uint64_t hash, FlowEndSink& sink, bool& created,
                              bool& from_initiator) {
  ++stats_.lookups;
  bool src_is_lo = true;
  const FlowKey key = FlowKey::from_packet(p, src_is_lo);
  std::uint32_t idx = find(key, hash);
  if (idx != kNil && idle_deadline(pool_[idx]) <= p.ts) {
    // Logically over before this packet: end it at its deadline, start anew.
    const Entry& old = pool_[idx];
    end_flow(idx, old.timeout_class == kTcpClosed ? FlowEndReason::kTcpClosed : FlowEndReason::kIdleTimeout,
             idle_deadline(old), sink);
    idx = kNil;
  }
  created = idx == kNil;
  if (created) idx = create(p, key, src_is_lo, hash, sink);

  Entry& e = pool_[idx];
  FlowRecord& r = e.rec;
  from_initiator = src_is_lo == r.initiator_is_lo;
  const int dir = from_initiator ? kToResponder : kToInitiator;
  ++r.packets[dir];
  r.bytes[dir] += p.ip_len ? p.ip_len : p.wirelen;
  r.payload_bytes[dir] += declared_payload(p);
  if (p.ts > r.last_seen) r.last_seen = p.ts;

  if (p.l4_proto == 6) {
    const std::uint8_t f = p.tcp_flags;
    r.tcp_flags[dir] |= f;
    if (f & kRst) {
      r.state = FlowState::kClosed;
    } else if ((r.tcp_flags[0] & kFin) && (r.tcp_flags[1] & kFin)) {
      r.state = FlowState::kClosed;
    } else if (f & kFin) {
      if (r.state != FlowState::kClosed) r.state = FlowState::kClosing;
    } else if (dir == kToInitiator && (f & (kSyn | kAck)) == (kSyn | kAck) && r.state == FlowState::kNew) {
      r.state = FlowState::kReplied;
    } else if (dir == kToResponder && (f & kAck) && !(f & kSyn) && r.state == FlowState::kReplied) {
      r.state = FlowState::kEstablished;
    } else if (r.state == FlowState::kNew && r.packets[0] && r.packets[1] && !(r.tcp_flags[0] & kSyn)) {
      // Picked up mid-stream: both sides talk without a handshake we saw.
      r.state = FlowState::kEstablished;
    }
  } else if (dir == kToInitiator && r.state == FlowState::kNew) {
    r.state = FlowState::kReplied;
  }

  const std::uint8_t cls = classify(r);
  unlink_idle(idx);
  e.timeout_class = cls;
  link_idle(idx);
  return r;
}

void FlowTable::expire(core::Nanos now, FlowEndSink& sink) {
  for (int c = 0; c < kClasses; ++c) {
    while (idle_[c].head != kNil) {
      const std::uint32_t idx = idle_[c].head;
      const core::Nanos deadline = idle_deadline(pool_[idx]);
      if (deadline > now) break;
      end_flow(idx, c == kTcpClosed ? FlowEndReason::kTcpClosed : FlowEndReason::kIdleTimeout, deadline, sink);
    }
  }
  // Long flows: report a segment and keep tracking, so that a connection open
  // for days is still seen by the detectors.
  while (active_.head != kNil) {
    const std::uint32_t idx = active_.head;
    Entry& e = pool_[idx];
    const core::Nanos deadline = e.segment_start + timeouts_.active;
    if (deadline > now) break;
    e.rec.end_reason = FlowEndReason::kActiveTimeout;
    e.rec.end_time = deadline;
    // A segment in which no packet arrived says nothing: do not report it.
    if (e.rec.packets[kToResponder] + e.rec.packets[kToInitiator] != 0) {
      sink.on_flow_end(e.rec);
      ++stats_.active_segments;
    }
    FlowRecord& r = e.rec;
    r.first_seen = deadline;
    for (int d = 0; d < 2; ++d) r.packets[d] = r.bytes[d] = r.payload_bytes[d] = 0;
    e.segment_start = deadline;
    unlink_active(idx);
    link_active(idx);
  }
}

void FlowTable::flush(FlowEndSink& sink) {
  // In deadline order across the classes (each class's list is in deadline
  // order already): the flows leave in the order of their end times, so the
  // sink can promise each end time as it goes (the pipeline's watermarks)
  // instead of holding every flow until the last.
  core::Nanos head_deadline[kClasses] = {};
  const auto note_head = [&](int c) {
    if (idle_[c].head != kNil) head_deadline[c] = idle_deadline(pool_[idle_[c].head]);
  };
  for (int c = 0; c < kClasses; ++c) note_head(c);
  for (;;) {
    int first = -1;
    for (int c = 0; c < kClasses; ++c)
      if (idle_[c].head != kNil && (first < 0 || head_deadline[c] < head_deadline[first])) first = c;
    if (first < 0) return;
    end_flow(idle_[first].head, FlowEndReason::kShutdown, head_deadline[first], sink);
    note_head(first);
  }
}

}  // namespace picket::flow

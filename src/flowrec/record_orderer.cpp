#include "picket/flowrec/record_orderer.hpp"

#include <algorithm>

namespace picket::flowrec {

RecordOrderer::RecordOrderer(core::Nanos window, std::size_t max_pending)
    : window_(window), max_pending_(std::max<std::size_t>(max_pending, 1)) {
  heap_.reserve(std::min<std::size_t>(max_pending_, 1 << 16));
}

void RecordOrderer::push(core::Nanos time, std::uint32_t slot, bool dns, OrderedSink& out) {
  heap_.push_back({time, seq_++, slot, dns});
  std::push_heap(heap_.begin(), heap_.end(), later);
  newest_ = std::max(newest_, time);
  stats_.max_pending = std::max<std::uint64_t>(stats_.max_pending, heap_.size());
  while (heap_.size() > max_pending_) {
    ++stats_.early;
    pop_one(out);
  }
}

void RecordOrderer::add_flow(const UniFlow& u, OrderedSink& out) {
  ++stats_.flows_in;
  flow::FlowRecord rec = make_flow_record(u);
  auto it = open_.find(rec.key);
  if (it != open_.end()) {
    FlowSlot& s = flows_[it->second];
    // The reverse direction of a waiting record, overlapping it in time
    // (give or take the window): the same conversation.
    if (!s.merged && is_reverse_of(s.rec, u) && u.first <= s.rec.last_seen + window_ &&
        s.rec.first_seen <= std::max(u.first, u.last) + window_) {
      add_reverse(s.rec, u);
      s.merged = true;
      ++stats_.stitched;
      return;
    }
  }
  std::uint32_t slot;
  if (!free_flows_.empty()) {
    slot = free_flows_.back();
    free_flows_.pop_back();
    flows_[slot] = FlowSlot{rec, u.has_reverse};
  } else {
    slot = static_cast<std::uint32_t>(flows_.size());
    flows_.push_back(FlowSlot{rec, u.has_reverse});
  }
  open_[rec.key] = slot;
  push(rec.end_time, slot, false, out);
}

void RecordOrderer::add_dns(const detect::DnsEvent& e, OrderedSink& out) {
  ++stats_.dns_in;
  std::uint32_t slot;
  if (!free_dns_.empty()) {
    slot = free_dns_.back();
    free_dns_.pop_back();
    dns_[slot] = e;
  } else {
    slot = static_cast<std::uint32_t>(dns_.size());
    dns_.push_back(e);
  }
  push(e.ts, slot, true, out);
}

void RecordOrderer::pop_one(OrderedSink& out) {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Pending p = heap_.back();
  heap_.pop_back();
  // Logical time only moves forward; a record that came too late takes the current time.
  if (p.time < clock_) ++stats_.late;
  clock_ = std::max(clock_, p.time);
  if (p.dns) {
    detect::DnsEvent& e = dns_[p.slot];
    e.ts = clock_;
    out.on_dns_event(e);
    free_dns_.push_back(p.slot);
    return;
  }
  FlowSlot& s = flows_[p.slot];
  auto it = open_.find(s.rec.key);
  if (it != open_.end() && it->second == p.slot) open_.erase(it);
  finish_flow_record(s.rec, s.merged);
  s.rec.end_time = clock_;
  ++stats_.flows_out;
  out.on_flow_record(s.rec);
  free_flows_.push_back(p.slot);
}

void RecordOrderer::release_before(core::Nanos t, OrderedSink& out) {
  while (!heap_.empty() && (t == core::kNanosMax || heap_.front().time < t)) pop_one(out);
}

}  // namespace picket::flowrec

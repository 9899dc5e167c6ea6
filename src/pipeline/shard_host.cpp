#include "shard_host.hpp"

#include <algorithm>
#include <cstring>

#include "nearly_sorted.hpp"
#include "picket/core/hash.hpp"

namespace picket::pipeline {

namespace {

// Hash of the fields that identify an event (never of padding bytes).
std::uint64_t content_hash(const detect::FlowEvent& e) {
  const auto& r = e.rec;
  std::uint64_t h = r.key.hash();
  h = core::hash_bytes(&r.first_seen, sizeof(r.first_seen), h);
  const std::uint8_t init = r.initiator_is_lo;
  return core::hash_bytes(&init, 1, h);
}

std::uint64_t content_hash(const detect::DnsEvent& e) {
  std::uint64_t h = core::hash_bytes(e.client.bytes.data(), 16, e.ts);
  h = core::hash_bytes(e.server.bytes.data(), 16, h);
  const std::uint64_t fields = (std::uint64_t{e.client_port} << 48) | (std::uint64_t{e.server_port} << 32) |
                               (std::uint64_t{e.id} << 16) | (std::uint64_t{e.qtype}) |
                               (e.is_response ? 1ULL << 63 : 0);
  h = core::hash_bytes(&fields, sizeof(fields), h);
  return core::hash_bytes(e.qname, e.qname_len, h);
}

std::uint64_t content_hash(const detect::ServerNameEvent& e) {
  std::uint64_t h = core::hash_bytes(e.client.bytes.data(), 16, e.ts);
  h = core::hash_bytes(e.server.bytes.data(), 16, h);
  const std::uint64_t fields = (std::uint64_t{e.client_port} << 32) | (std::uint64_t{e.server_port} << 16) |
                               static_cast<std::uint64_t>(e.kind);
  h = core::hash_bytes(&fields, sizeof(fields), h);
  h = core::hash_bytes(e.target, e.target_len, h);
  return core::hash_bytes(e.name, e.name_len, h);
}

std::uint64_t content_hash(const MeshMessage& m) {
  if (const auto* f = std::get_if<detect::FlowEvent>(&m)) return content_hash(*f);
  if (const auto* d = std::get_if<detect::DnsEvent>(&m)) return content_hash(*d);
  if (const auto* n = std::get_if<detect::ServerNameEvent>(&m)) return content_hash(*n);
  return 0;
}

// Findings name the input of the events that raised them (Finding::source).
class SourceStamp final : public detect::FindingSink {
 public:
  SourceStamp(detect::FindingSink& inner, std::uint8_t flow_source, std::uint8_t dns_source)
      : inner_(inner), flow_(flow_source), dns_(dns_source) {}
  void emit(const detect::Finding& f) override {
    const bool dns = detect::finding_type_info(f.type).action == detect::ActionType::kDnsRequest;
    const std::uint8_t source = dns ? dns_ : flow_;
    if (source == 0 || f.source != 0) return inner_.emit(f);
    detect::Finding stamped = f;
    stamped.source = source;
    inner_.emit(stamped);
  }

 private:
  detect::FindingSink& inner_;
  std::uint8_t flow_, dns_;
};

// Copies a shard's counters into its published slots. Only the worker thread
// writes them; a shard reports the same names in the same order every time.
class CounterPublisher final : public detect::CounterSink {
 public:
  explicit CounterPublisher(ShardHost::PublishedCounters& p) : p_(p), used_(p.used.load(std::memory_order_relaxed)) {}
  void count(const char* name, std::uint64_t value) override {
    if (next_ >= ShardHost::kMaxShardCounters) return;  // tests keep every detector within the slots
    if (next_ >= used_) p_.names[next_] = name;
    p_.values[next_].store(value, std::memory_order_relaxed);
    if (++next_ > used_) p_.used.store(used_ = next_, std::memory_order_release);
  }

 private:
  ShardHost::PublishedCounters& p_;
  std::uint32_t used_, next_ = 0;
};

}  // namespace

ShardHost::ShardHost(unsigned workers, std::vector<Shard> shards)
    : shards_(std::move(shards)),
      counters_(std::make_unique<PublishedCounters[]>(shards_.size())),
      watermark_(workers, 0),
      pending_(workers) {
  for (auto& v : pending_) v.reserve(4096);
  for (auto& s : shards_) {
    if (s.wants_flows) flow_shards_.push_back(s.shard.get());
    if (s.wants_dns && s.dns_messages != detect::DnsMessages::kResponses) dns_query_shards_.push_back(s.shard.get());
    if (s.wants_dns && s.dns_messages != detect::DnsMessages::kQueries) dns_response_shards_.push_back(s.shard.get());
    if (s.wants_server_names) name_shards_.push_back(s.shard.get());
  }
}

void ShardHost::receive(unsigned from, const MeshMessage& m) {
  if (const auto* w = std::get_if<Watermark>(&m)) {
    watermark_[from] = w->time;
    if (from == 0 && w->tick) ticks_.push_back(w->time);
    return;
  }
  // Copies the event's own bytes (a flow event is a quarter of a message).
  const std::uint32_t slot = store_.claim();
  MeshMessage& stored = store_.at(slot);
  if (const auto* f = std::get_if<detect::FlowEvent>(&m)) {
    stored.emplace<detect::FlowEvent>(*f);
  } else if (const auto* d = std::get_if<detect::DnsEvent>(&m)) {
    stored.emplace<detect::DnsEvent>(*d);
  } else if (const auto* n = std::get_if<detect::ServerNameEvent>(&m)) {
    stored.emplace<detect::ServerNameEvent>(*n);
  }
  hold(from, slot, stored);
}

void ShardHost::commit_own(unsigned from) {
  const MeshMessage& m = store_.at(own_slot_);
  if (std::holds_alternative<Watermark>(m)) {
    receive(from, m);
    store_.release(own_slot_);
    return;
  }
  hold(from, own_slot_, m);
}

void ShardHost::hold(unsigned from, std::uint32_t slot, const MeshMessage& m) {
  core::Nanos time = 0;
  if (const auto* f = std::get_if<detect::FlowEvent>(&m)) {
    time = f->rec.end_time;
  } else if (const auto* d = std::get_if<detect::DnsEvent>(&m)) {
    time = d->ts;
  } else if (const auto* n = std::get_if<detect::ServerNameEvent>(&m)) {
    time = n->ts;
  }
  pending_[from].push_back(Pending{time, 0, slot});
  if (++pending_count_ > max_pending_) max_pending_ = pending_count_;
}

void ShardHost::dispatch(const MeshMessage& m, detect::FindingSink& out) {
  if (const auto* f = std::get_if<detect::FlowEvent>(&m)) {
    last_flow_source_ = f->rec.source;
    SourceStamp sink(out, f->rec.source, f->rec.source);
    for (auto* s : flow_shards_) s->on_flow(*f, sink);
  } else if (const auto* d = std::get_if<detect::DnsEvent>(&m)) {
    last_dns_source_ = d->source;
    SourceStamp sink(out, d->source, d->source);
    for (auto* s : d->is_response ? dns_response_shards_ : dns_query_shards_) s->on_dns(*d, sink);
  } else if (const auto* n = std::get_if<detect::ServerNameEvent>(&m)) {
    for (auto* s : name_shards_) s->on_server_name(*n, out);
  }
}

void ShardHost::process(detect::FindingSink& out) {
  if (finished_) return;
  const core::Nanos safe = *std::min_element(watermark_.begin(), watermark_.end());
  if (safe == released_to_ && (ticks_.empty() || ticks_.front() > safe)) return;  // nothing new
  // Every worker sends the same tick values in the same order; step through
  // them one by one so that detectors see identical clocks in every run.
  while (!ticks_.empty() && ticks_.front() <= safe) {
    const core::Nanos tick = ticks_.front();
    ticks_.pop_front();
    release_before(tick, out);
    SourceStamp sink(out, last_flow_source_, last_dns_source_);
    if (tick == core::kNanosMax) {
      for (auto& s : shards_) s.shard->on_flush(sink);
      publish_counters();
      finished_ = true;
      return;
    }
    for (auto& s : shards_) s.shard->on_tick(tick, sink);
    publish_counters();
  }
  // Between ticks (watermarks that are no tick): the events before the
  // slowest worker's promise come before the next tick too, which is at
  // least worker 0's watermark. Handing them over now keeps few waiting.
  release_before(safe, out);
}

void ShardHost::release_before(core::Nanos limit, detect::FindingSink& out) {
  released_to_ = limit;
  const auto earlier_time = [](const Pending& a, const Pending& b) { return a.time < b.time; };
  // The events before `limit`, in (time, content) order. Each worker's
  // events come nearly in time order (nearly_sorted.hpp), so each worker's
  // are sorted apart and then merged, rather than sorting them all at once.
  const auto due_part = [&](std::vector<Pending>& v) {
    const auto due = limit == core::kNanosMax
                         ? v.end()
                         : std::partition(v.begin(), v.end(), [limit](const Pending& p) { return p.time < limit; });
    sort_nearly_sorted(v.begin(), due, earlier_time);
    return due;
  };
  if (pending_.size() == 1) {
    auto& v = pending_[0];
    const auto due = due_part(v);
    hand_over(v.begin(), due, out);
    pending_count_ -= static_cast<std::size_t>(due - v.begin());
    v.erase(v.begin(), due);
    return;
  }
  batch_.clear();
  for (auto& v : pending_) {
    const auto due = due_part(v);
    if (batch_.empty()) {
      batch_.assign(v.begin(), due);
    } else if (due != v.begin()) {
      merged_.clear();
      std::merge(batch_.begin(), batch_.end(), v.begin(), due, std::back_inserter(merged_), earlier_time);
      batch_.swap(merged_);
    }
    pending_count_ -= static_cast<std::size_t>(due - v.begin());
    v.erase(v.begin(), due);
  }
  hand_over(batch_.begin(), batch_.end(), out);
}

void ShardHost::hand_over(std::vector<Pending>::iterator first, std::vector<Pending>::iterator last,
                          detect::FindingSink& out) {
  // Events of equal time are put in the order of their content's hash,
  // which does not depend on which worker sent them or when. Few events
  // share a time, so only those are hashed.
  for (auto run = first; run != last;) {
    auto end = run + 1;
    while (end != last && end->time == run->time) ++end;
    if (end - run > 1) {
      for (auto it = run; it != end; ++it) it->tie = content_hash(store_.at(it->slot));
      std::sort(run, end, Earlier{});
    }
    run = end;
  }
  for (auto it = first; it != last; ++it) {
    dispatch(store_.at(it->slot), out);
    store_.release(it->slot);
  }
}

void ShardHost::publish_counters() {
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    CounterPublisher publisher(counters_[i]);
    shards_[i].shard->counters(publisher);
  }
}

}  // namespace picket::pipeline

#include "picket/export/aggregator.hpp"

#include <algorithm>

namespace picket::exporter {

const FindingRecord& Aggregator::add(const detect::Finding& f, Outcome& outcome) {
  const Key key{f.identity[0], f.identity[1]};
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  FindingRecord& r = e.rec;
  if (inserted) {
    r.f = f;
    r.count = f.count;
    r.created_at = f.last_seen;
    r.updated_at = f.last_seen;
    e.last_report = f.last_seen;
    r.top_actors.add(finding_actor(f), f.count, f.last_seen);
    r.top_targets.add(finding_target(f), f.count, f.last_seen);
    outcome = Outcome::kNew;
    return r;
  }
  outcome = Outcome::kChanged;
  const core::Nanos first = std::min(r.f.first_seen, f.first_seen);
  const core::Nanos last = std::max(r.f.last_seen, f.last_seen);
  if (!f.update) r.count += f.count;
  // An update repeats an occurrence already counted: it refreshes, adds nothing.
  const std::uint64_t weight = f.update ? 0 : f.count;
  r.top_actors.add(finding_actor(f), weight, f.last_seen);
  r.top_targets.add(finding_target(f), weight, f.last_seen);
  // The newest figures describe the activity. On equal last-seen times the
  // later report wins: a detector's update can add values without a newer probe.
  if (f.last_seen >= r.f.last_seen) r.f = f;
  r.f.first_seen = first;
  r.f.last_seen = last;
  r.updated_at = std::max(r.updated_at, f.last_seen);
  e.dirty = true;
  return r;
}

std::vector<const FindingRecord*> Aggregator::records() const {
  std::vector<std::pair<Key, const FindingRecord*>> v;
  v.reserve(entries_.size());
  for (const auto& [k, e] : entries_) v.emplace_back(k, &e.rec);
  std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) {
    return x.first.a != y.first.a ? x.first.a < y.first.a : x.first.b < y.first.b;
  });
  std::vector<const FindingRecord*> out;
  for (const auto& p : v) out.push_back(p.second);
  return out;
}

}  // namespace picket::exporter

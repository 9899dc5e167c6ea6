#include "distinct_tracker.hpp"

#include <algorithm>

#include "picket/core/hash.hpp"

namespace picket::detect::scan {

std::size_t TrackerKeyHash::operator()(const TrackerKey& k) const {
  return core::hash_bytes(&k, sizeof(k));
}

const Episode* DistinctTracker::add(const TrackerKey& key, std::uint64_t value, const core::IpAddr& host,
                                    core::Nanos ts) {
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= limits_.max_keys) {
      // A flood of distinct sources must not exhaust memory: new keys are
      // refused (and counted) until quiet keys age out.
      ++dropped_keys_;
      return nullptr;
    }
    it = keys_.emplace(key, Episode{}).first;
    it->second.first_seen = ts;
  }
  Episode& ep = it->second;
  ep.first_seen = std::min(ep.first_seen, ts);
  ep.last_seen = std::max(ep.last_seen, ts);
  ++ep.probes;

  // Sliding window: forget values not probed within the window before ts.
  const core::Nanos horizon = ts > limits_.window ? ts - limits_.window : 0;
  std::erase_if(ep.values, [&](const TrackedValue& v) { return v.last_seen < horizon; });

  auto v = std::find_if(ep.values.begin(), ep.values.end(), [&](const TrackedValue& t) { return t.value == value && t.host == host; });
  if (v != ep.values.end()) {
    v->last_seen = std::max(v->last_seen, ts);
  } else {
    ++ep.distinct_seen;
    if (ep.values.size() < limits_.max_values) ep.values.push_back({value, ts, host});
  }
  if (!ep.fired && ep.values.size() >= limits_.threshold) {
    ep.fired = true;
    ep.reported_distinct = ep.distinct_seen;
    ep.last_report = ts;
    return &ep;
  }
  return nullptr;
}

}  // namespace picket::detect::scan

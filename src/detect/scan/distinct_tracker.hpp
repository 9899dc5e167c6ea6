#pragma once
// DistinctTracker: per key, the distinct values (ports or hosts) probed in a
// sliding window, with the episode bookkeeping the scan detectors share:
// fire once when the distinct count reaches the threshold, then report growth
// at most once per report interval, and close the episode when the key has
// been quiet for a whole window.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::detect::scan {

struct TrackerKey {
  core::IpAddr actor;
  core::IpAddr target;  // zero when the key is (actor, port)
  std::uint32_t extra = 0;  // protocol << 16 | port, when keyed by port
  bool operator==(const TrackerKey&) const = default;
};

struct TrackerKeyHash {
  std::size_t operator()(const TrackerKey& k) const;
};

struct TrackedValue {
  std::uint64_t value;
  core::Nanos last_seen;
  core::IpAddr host;  // the host, when values are hosts (for evidence)
};

struct Episode {
  core::Nanos first_seen = 0, last_seen = 0;
  std::vector<TrackedValue> values;  // distinct values in the window, each with its last probe time
  std::uint64_t probes = 0;          // probe flows in this episode
  std::uint64_t distinct_seen = 0;   // values new to the window, summed over the episode
  bool fired = false;
  std::uint64_t reported_distinct = 0;
  core::Nanos last_report = 0;
};

struct TrackerLimits {
  core::Nanos window = core::seconds(300);
  std::size_t threshold = 15;
  core::Nanos report_interval = core::seconds(60);
  std::size_t max_keys = 100000;  // per shard: bounds memory under floods of sources
  std::size_t max_values = 4096;  // per key: beyond it new values are counted, not stored
};

class DistinctTracker {
 public:
  explicit DistinctTracker(const TrackerLimits& limits) : limits_(limits) {}

  // Records one probe. Returns the episode when this probe makes it cross the
  // threshold (report it as a new finding), nullptr otherwise.
  const Episode* add(const TrackerKey& key, std::uint64_t value, const core::IpAddr& host, core::Nanos ts);

  // Walks all keys: a fired episode that found new values since its last
  // report is passed to `report` once its report interval has passed, when it
  // ends (quiet for a whole window) or when `final`; ended keys are dropped.
  template <typename F>
  void sweep(core::Nanos now, bool final, F&& report) {
    for (auto it = keys_.begin(); it != keys_.end();) {
      Episode& ep = it->second;
      const bool over = final || ep.last_seen + limits_.window <= now;
      if (ep.fired && ep.distinct_seen > ep.reported_distinct &&
          (over || now >= ep.last_report + limits_.report_interval)) {
        report(it->first, static_cast<const Episode&>(ep));
        ep.reported_distinct = ep.distinct_seen;
        ep.last_report = now;
      }
      if (over) it = keys_.erase(it); else ++it;
    }
  }

  std::size_t keys() const { return keys_.size(); }
  std::uint64_t dropped_keys() const { return dropped_keys_; }

 private:
  TrackerLimits limits_;
  std::unordered_map<TrackerKey, Episode, TrackerKeyHash> keys_;
  std::uint64_t dropped_keys_ = 0;
};

}  // namespace picket::detect::scan

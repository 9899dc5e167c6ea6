#pragma once
// RepeatLimiter: for detectors that fire on single answers (metadata
// rebinding, sinkholed names). The first answer for a key is reported at once;
// repeats within `interval` are folded and reported with the next report
// (as its count), or at the end of input.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "picket/core/clock.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::dns {

class RepeatLimiter {
 public:
  RepeatLimiter(core::Nanos interval, std::size_t max_keys) : interval_(interval), max_keys_(max_keys) {}

  // nullopt: folded into the key's next report. Otherwise report now, with
  // count 1 + the returned number of answers folded since the last report.
  std::optional<std::uint32_t> admit(const std::string& key, core::Nanos ts) {
    auto it = seen_.find(key);
    if (it != seen_.end() && ts < it->second.last_report + interval_) {
      ++it->second.pending;
      it->second.last.last_seen = ts;
      return std::nullopt;
    }
    if (it != seen_.end()) return it->second.pending;
    // Bounded: the smallest key goes first, the same in every run.
    if (seen_.size() >= max_keys_) {
      seen_.erase(seen_.begin());
      ++evicted_;
    }
    seen_.emplace(key, Seen{});
    return 0;
  }

  // Records the finding just reported for `key` (after admit() said so).
  void reported(const std::string& key, const Finding& f) { seen_[key] = Seen{f.last_seen, 0, f}; }

  std::uint64_t evicted() const { return evicted_; }  // keys dropped for room (their folded repeats with them)

  // End of input: folded answers are reported as one more occurrence each key.
  void flush(FindingSink& sink) {
    for (auto& [key, s] : seen_) {
      if (!s.pending) continue;
      Finding f = s.last;
      f.count = s.pending;
      sink.emit(f);
    }
  }

 private:
  struct Seen {
    core::Nanos last_report = 0;
    std::uint32_t pending = 0;  // answers since the last report
    Finding last;
  };
  core::Nanos interval_;
  std::size_t max_keys_;
  std::map<std::string, Seen> seen_;
  std::uint64_t evicted_ = 0;
};

}  // namespace picket::detect::dns

#pragma once
// Folds repeats of the same activity into one finding, as GuardDuty does:
// one stable id, a count, first and last seen. New findings are reported at
// once; changes to known ones at most once per update interval (capture time).
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "picket/export/finding_json.hpp"

namespace picket::exporter {

class Aggregator {
 public:
  explicit Aggregator(core::Nanos update_interval) : update_interval_(update_interval) {}

  enum class Outcome { kNew, kChanged };
  // Folds `f` in; returns the record and whether it is new (report now).
  const FindingRecord& add(const detect::Finding& f, Outcome& outcome);

  // Records changed since their last report whose interval has passed.
  template <typename F>
  void due(core::Nanos now, F&& report) {
    for (auto& [id, e] : entries_) {
      if (e.dirty && now >= e.last_report + update_interval_) {
        report(e.rec);
        e.dirty = false;
        e.last_report = now;
      }
    }
  }
  // Every record changed since its last report (shutdown).
  template <typename F>
  void flush(F&& report) {
    for (auto& [id, e] : entries_) {
      if (e.dirty) report(e.rec);
      e.dirty = false;
    }
  }

  std::size_t size() const { return entries_.size(); }
  // All records, ordered by id (for summaries and deterministic dumps).
  std::vector<const FindingRecord*> records() const;

 private:
  struct Key {
    std::uint64_t a, b;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return k.a ^ (k.b * 0x9E3779B97F4A7C15ULL); }
  };
  struct Entry {
    FindingRecord rec;
    core::Nanos last_report = 0;
    bool dirty = false;
  };

  core::Nanos update_interval_;
  std::unordered_map<Key, Entry, KeyHash> entries_;
};

}  // namespace picket::exporter

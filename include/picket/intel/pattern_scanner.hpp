#pragma once
// PatternScanner: one thread's Hyperscan scratch for the domain patterns of
// the current snapshot. The scratch is remade (off the per-event path, once
// per reload) when the snapshot it was made for is replaced.
#include <cstdint>
#include <memory>
#include <string_view>

#include "picket/intel/snapshot.hpp"

namespace picket::intel {

class PatternScanner {
 public:
  PatternScanner();
  ~PatternScanner();
  PatternScanner(PatternScanner&&) noexcept;
  PatternScanner& operator=(PatternScanner&&) noexcept;

  // Calls f(entry index) for each pattern of `snap` matching `name` (whole
  // name, case-insensitive). Returns the number of matches.
  template <typename F>
  unsigned scan(const Snapshot& snap, std::string_view name, F&& f) {
    if (!snap.patterns) return 0;
    unsigned ids[kMaxMatches];
    const unsigned n = scan_ids(snap, name, ids);
    for (unsigned i = 0; i < n; ++i) f(snap.pattern_entry[ids[i]]);
    return n;
  }

  static constexpr unsigned kMaxMatches = 16;

 private:
  unsigned scan_ids(const Snapshot& snap, std::string_view name, unsigned* ids);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace picket::intel

// Domain patterns (wildcards and regexes of the threat lists) through one
// Hyperscan database per snapshot (src/match).
#include <algorithm>

#include "patterns.hpp"
#include "picket/intel/pattern_scanner.hpp"
#include "picket/match/pattern_set.hpp"

namespace picket::intel {

namespace {

std::vector<match::Pattern> to_patterns(const Snapshot& snap, const std::vector<std::uint32_t>& ids) {
  std::vector<match::Pattern> out;
  for (const auto i : ids) {
    match::Pattern p;
    p.name = std::to_string(i);
    p.regex = snap.pattern_text[i];
    p.flags = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

void compile_patterns(Snapshot& snap, const std::string& cache_dir, BuildReport& report) {
  if (snap.pattern_text.empty()) return;
  std::vector<std::uint32_t> ids(snap.pattern_text.size());
  for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  std::string error;
  auto db = match::Database::compile(to_patterns(snap, ids), cache_dir, error);
  if (!db) {
    // Find the patterns Hyperscan rejects (one compile each, only on this
    // failure path), report them, and compile the rest.
    std::vector<std::uint32_t> good;
    for (const auto i : ids) {
      std::string e1;
      if (match::Database::compile(to_patterns(snap, {i}), "", e1)) {
        good.push_back(i);
        continue;
      }
      const auto entry = snap.pattern_entry[i];
      const ListInfo& list = snap.list_of(entry);
      report.errors.push_back(list.path + ":" + std::to_string(snap.entries[entry].line) + ": pattern /" +
                              snap.pattern_text[i] + "/: " + e1);
      ++snap.lists[snap.entries[entry].list].errors;
    }
    std::vector<std::uint32_t> entries;
    std::vector<std::string> texts;
    for (const auto i : good) {
      entries.push_back(snap.pattern_entry[i]);
      texts.push_back(snap.pattern_text[i]);
    }
    snap.pattern_entry = std::move(entries);
    snap.pattern_text = std::move(texts);
    if (snap.pattern_text.empty()) return;
    ids.resize(snap.pattern_text.size());
    for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
    db = match::Database::compile(to_patterns(snap, ids), cache_dir, error);
    if (!db) {
      report.errors.push_back("domain patterns: " + error);
      return;
    }
  }
  snap.patterns = std::move(db);
}

struct PatternScanner::Impl {
  std::uint64_t generation = 0;
  const match::Database* db = nullptr;
  std::unique_ptr<match::Scratch> scratch;
};

PatternScanner::PatternScanner() : impl_(std::make_unique<Impl>()) {}
PatternScanner::~PatternScanner() = default;
PatternScanner::PatternScanner(PatternScanner&&) noexcept = default;
PatternScanner& PatternScanner::operator=(PatternScanner&&) noexcept = default;

unsigned PatternScanner::scan_ids(const Snapshot& snap, std::string_view name, unsigned* ids) {
  Impl& m = *impl_;
  if (m.db != snap.patterns.get() || m.generation != snap.generation) {
    m.scratch = std::make_unique<match::Scratch>(*snap.patterns);
    m.db = snap.patterns.get();
    m.generation = snap.generation;
  }
  unsigned n = 0;
  m.scratch->scan(*snap.patterns, name.data(), name.size(), [&](unsigned id) {
    if (n < kMaxMatches) ids[n++] = id;
  });
  return n;
}

}  // namespace picket::intel

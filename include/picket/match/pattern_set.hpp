#pragma once
// Hyperscan wrapper: a rules-file loader, an immutable compiled database that
// every thread shares read-only (compiled off the data path, cached on disk),
// and a per-thread scratch that scans without allocating.
// Contract: /work/briefs/match-api.md (written with the intel module, its other user).
#include <hs/hs.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace picket::match {

struct Pattern {
  std::string name;   // rule name, unique in a set
  std::string regex;  // Hyperscan/PCRE syntax
  unsigned flags = 0; // HS_FLAG_*; compile() always adds HS_FLAG_SINGLEMATCH
  std::map<std::string, std::string> meta;  // key=value metadata from the rule line
};

// Rules file format (rules/*.rules), one rule per line, '#' comments, blank lines ignored:
//   <name> [key=value ...] /<regex>/[ism]
// The regex runs from the first '/' after the metadata to the last '/' of the line,
// so it may contain '/' and spaces. A malformed line (no regex, unknown flag, a
// duplicate name, a regex Hyperscan rejects) is reported as "FILE:LINE: reason" in
// `errors` and skipped; the other lines are still loaded. Returns false when the
// file cannot be read or any line was bad.
bool load_rules_file(const std::string& path, std::vector<Pattern>& out, std::vector<std::string>& errors);

// The same, from text already in memory; `origin` names it in errors.
bool parse_rules(const std::string& text, const std::string& origin, std::vector<Pattern>& out,
                 std::vector<std::string>& errors);

// Immutable compiled database (HS_MODE_BLOCK), shared read-only by every thread.
class Database {
 public:
  // Compiles `patterns` (pattern id = index in the vector). When cache_dir is
  // non-empty the serialized database is kept there as
  // <cache_dir>/<xxh3-128 of (hyperscan version + mode + every pattern's regex and flags)>.hsdb
  // and reused when present and valid; a corrupt or foreign file is ignored and
  // rewritten. Returns null with `error` set when a pattern does not compile.
  // An empty pattern list gives a database that matches nothing.
  static std::shared_ptr<const Database> compile(std::vector<Pattern> patterns, const std::string& cache_dir,
                                                 std::string& error);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::size_t size() const { return patterns_.size(); }
  const Pattern& pattern(unsigned id) const { return patterns_[id]; }
  bool loaded_from_cache() const { return from_cache_; }
  // Why the cache was not used or not written ("" when all went well); never fatal.
  const std::string& cache_note() const { return cache_note_; }
  // The cache file name for these patterns (without the directory).
  const std::string& cache_key() const { return cache_key_; }

  const hs_database_t* raw() const { return db_; }
  const hs_scratch_t* prototype_scratch() const { return proto_scratch_; }

 private:
  Database() = default;
  std::vector<Pattern> patterns_;
  hs_database_t* db_ = nullptr;
  hs_scratch_t* proto_scratch_ = nullptr;  // cloned by each Scratch, never scanned with
  bool from_cache_ = false;
  std::string cache_note_;
  std::string cache_key_;
};

// Per-thread scratch (hs_clone_scratch of the database's prototype); never
// shared between threads. Allocates once, at construction.
class Scratch {
 public:
  explicit Scratch(const Database& db);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  bool ok() const { return scratch_ != nullptr || db_ == nullptr; }
  // Scans failed for a Hyperscan error (a scratch used with another database).
  std::uint64_t errors() const { return errors_; }

  // Scans data; calls on_match(id) once per matching pattern (SINGLEMATCH).
  // Returns the number of patterns that matched. No allocation.
  template <typename F>
  unsigned scan(const Database& db, const void* data, std::size_t len, F&& on_match) {
    if (db.raw() == nullptr || scratch_ == nullptr || len == 0) return 0;
    struct Ctx {
      F* f;
      unsigned count;
    } ctx{&on_match, 0};
    auto trampoline = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* c) -> int {
      auto* x = static_cast<Ctx*>(c);
      ++x->count;
      (*x->f)(id);
      return 0;
    };
    const hs_error_t rc = hs_scan(db.raw(), static_cast<const char*>(data), static_cast<unsigned>(len), 0,
                                  scratch_, trampoline, &ctx);
    if (rc != HS_SUCCESS) ++errors_;
    return ctx.count;
  }

 private:
  const hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
  std::uint64_t errors_ = 0;
};

}  // namespace picket::match

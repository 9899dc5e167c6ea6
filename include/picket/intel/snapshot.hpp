#pragma once
// Snapshot: every threat and trusted list, compiled into lookup structures.
// Immutable once built; shared by all threads through IntelStore and
// replaced as a whole on reload.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "picket/intel/domain_set.hpp"
#include "picket/intel/ip_set.hpp"
#include "picket/intel/lists.hpp"
#include "picket/intel/url_set.hpp"

namespace picket::match {
class Database;
}

namespace picket::intel {

struct ListInfo {
  std::string name;
  std::string path;
  std::string source;
  Category category = Category::kCustom;
  ListFormat format = ListFormat::kAuto;
  bool trusted = false;
  std::size_t addresses = 0, domains = 0, patterns = 0, urls = 0, unsupported = 0, errors = 0;
  std::size_t entries_loaded() const { return addresses + domains + patterns + urls; }
};

// One indicator of one list.
struct EntryInfo {
  std::uint16_t list = 0;
  std::uint16_t desc_len = 0;
  std::uint32_t desc_offset = 0;  // into Snapshot::descriptions
  std::uint32_t line = 0;
  std::uint32_t pattern = 0xffffffffu;  // kDomainPattern: index into pattern_text
};

// What to load.
struct IntelConfig {
  std::vector<ListSpec> threat_lists;
  std::vector<ListSpec> trusted_lists;
  bool default_lists = true;
  std::string default_dir;     // "" = default_lists_dir()
  std::string pattern_cache;   // Hyperscan database cache directory ("" = none)
};

// rules/intel of this installation: $PICKET_RULES_DIR/intel when set, else
// the directory compiled in (the source tree's rules/).
std::string default_lists_dir();
// The *.txt files of `dir`, sorted (empty when it does not exist).
std::vector<std::string> default_list_files(const std::string& dir);

struct BuildReport {
  std::vector<ListReport> lists;
  std::vector<std::string> errors;  // every list's errors, then the build's own
  std::size_t entries = 0;
  double seconds = 0;
};

class Snapshot {
 public:
  std::vector<ListInfo> lists;
  std::vector<EntryInfo> entries;
  std::string descriptions;
  IpSet ips;              // threat lists: value = entry index
  DomainSet domains;      // threat lists: value = entry index
  IpSet trusted_ips;      // value = entry index
  DomainSet trusted_domains;
  // URLs with a path of the threat lists (matched against HTTP requests);
  // value = entry index. Trusted lists hold none: trust the host instead.
  UrlSet urls;
  // Domain patterns (wildcards, regexes) of the threat lists, compiled into
  // one Hyperscan database; pattern id -> entry index.
  std::shared_ptr<const match::Database> patterns;
  std::vector<std::uint32_t> pattern_entry;
  std::vector<std::string> pattern_text;
  std::uint32_t categories = 0;  // bit per Category present in a threat list
  std::uint64_t generation = 0;  // set by IntelStore::publish

  bool has(Category c) const { return categories & (1u << static_cast<unsigned>(c)); }
  const ListInfo& list_of(std::uint32_t entry) const { return lists[entries[entry].list]; }
  std::string_view description(std::uint32_t entry) const {
    return {descriptions.data() + entries[entry].desc_offset, entries[entry].desc_len};
  }
  std::size_t entry_count() const { return entries.size(); }
  std::size_t memory_bytes() const;

  // Whether an address / a name is on a trusted list.
  bool trusted(const core::IpAddr& a) const { return trusted_ips.lookup(a) != kNoPrefix; }
  bool trusted(std::string_view name) const { return trusted_domains.lookup(name) != nullptr; }
};

// Loads every list of `config` (the bundled defaults first, unless turned
// off) and compiles the lookup structures. Errors in lists are reported and
// skipped; the snapshot holds everything that loaded.
std::unique_ptr<Snapshot> build_snapshot(const IntelConfig& config, BuildReport& report);

}  // namespace picket::intel

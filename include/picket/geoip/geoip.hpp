#pragma once
// GeoIP and ASN enrichment of findings' remote addresses: the databases given
// with --geoip-db (City, Country, ASN, ISP; in that order of precedence per
// field as given on the command line) behind one LRU cache. Used by the
// exporter thread only, once per report it renders; never on the packet path.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picket/geoip/database.hpp"
#include "picket/geoip/lookup_cache.hpp"

namespace picket::geoip {

inline constexpr std::size_t kDefaultCacheEntries = 16384;

struct DatabaseInfo {
  std::string path, type;
  DatabaseKind kind;
};

struct GeoIpStats {
  std::uint64_t lookups = 0;      // addresses asked for
  std::uint64_t cache_hits = 0;   // answered from the cache
  std::uint64_t cache_misses = 0; // looked up in the databases
  std::uint64_t found = 0;        // misses some database knew something of
  std::uint64_t not_found = 0;    // misses no database knew
  std::uint64_t errors = 0;       // lookups a database failed (corrupt data)
  std::uint64_t evictions = 0;    // cache entries replaced
  std::uint64_t cache_entries = 0, cache_capacity = 0;
  std::vector<DatabaseInfo> databases;
};

class GeoIp {
 public:
  explicit GeoIp(std::size_t cache_entries = kDefaultCacheEntries) : cache_(cache_entries) {}

  // Opens one more database; "" or an error naming the file.
  std::string add_database(const std::string& path);
  std::size_t databases() const { return dbs_.size(); }

  // What the databases know of `a`; null when nothing (or `a` is zero).
  std::shared_ptr<const GeoInfo> lookup(const core::IpAddr& a);

  // Readable from any thread.
  GeoIpStats stats() const;

 private:
  std::vector<std::unique_ptr<Database>> dbs_;
  LookupCache cache_;
  std::atomic<std::uint64_t> lookups_{0}, hits_{0}, misses_{0}, found_{0}, not_found_{0}, errors_{0};
  std::atomic<std::uint64_t> evictions_{0}, entries_{0};
};

}  // namespace picket::geoip

#pragma once
// One MaxMind-format (MMDB) database opened with libmaxminddb. Its kind is
// read from the metadata's database_type, so City, Country, ASN and ISP
// databases can be given in any order and mixed: MaxMind's GeoIP2/GeoLite2,
// DB-IP's lite databases, and ip-location-db's (flat `country_code`,
// `city`, `latitude` records) are all read.
#include <cstdint>
#include <memory>
#include <string>

#include "picket/core/ip_addr.hpp"
#include "picket/geoip/geo_info.hpp"

struct MMDB_s;

namespace picket::geoip {

enum class DatabaseKind : std::uint8_t { kCity, kCountry, kAsn, kIsp };
const char* kind_name(DatabaseKind k);

// The kind a database_type names (case-insensitive: "City" before "ISP"
// before "ASN" before "Country"); false when it names none of them.
bool kind_of_type(std::string_view database_type, DatabaseKind& out);

enum class LookupStatus : std::uint8_t { kFound, kNotFound, kError };

class Database {
 public:
  // Opens and checks `path`; null and an error naming the file otherwise
  // (missing, unreadable, not an MMDB file, a kind picket does not read).
  static std::unique_ptr<Database> open(const std::string& path, std::string& error);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  DatabaseKind kind() const { return kind_; }
  const std::string& type() const { return type_; }
  std::uint64_t build_epoch() const { return build_epoch_; }

  // Fills the fields of `out` this database knows and `out` has not got yet
  // (so earlier databases win). kError for a corrupt file: counted by the
  // caller, never fatal.
  LookupStatus lookup(const core::IpAddr& addr, GeoInfo& out) const;

 private:
  Database() = default;
  std::string path_, type_;
  DatabaseKind kind_ = DatabaseKind::kCountry;
  std::uint64_t build_epoch_ = 0;
  std::unique_ptr<MMDB_s> mmdb_;
};

}  // namespace picket::geoip

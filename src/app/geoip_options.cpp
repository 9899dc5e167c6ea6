// The command-line options of GeoIP/ASN enrichment, shared by every command
// that delivers findings (replay, sample-findings, run).
#include "commands.hpp"

namespace picket::app {

void add_geoip_options(CLI::App& c, exporter::DeliveryArgs& a) {
  c.add_option("--geoip-db", a.geoip_dbs,
               "Fill remoteIpDetails (country, city, geoLocation, organization) from a MaxMind-format database: "
               "City, Country, ASN or ISP, told apart by its metadata; repeatable, the first database that "
               "knows a field wins (scripts/fetch-geoip gets openly licensed ones)")
      ->type_name("MMDB");
  c.add_option("--geoip-cache", a.geoip_cache, "Addresses whose GeoIP answers are kept (least recently used go)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24));
}

}  // namespace picket::app

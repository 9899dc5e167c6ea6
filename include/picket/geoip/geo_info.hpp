#pragma once
// What the GeoIP/ASN databases say about one address, in the terms of
// GuardDuty's remoteIpDetails (country, city, geoLocation, organization).
#include <cstdint>
#include <string>
#include <string_view>

namespace picket::geoip {

struct GeoInfo {
  std::string country_code;  // ISO 3166-1 alpha-2, e.g. "JP"
  std::string country_name;  // English, e.g. "Japan"
  std::string city_name;
  bool has_location = false;
  double latitude = 0, longitude = 0;
  std::uint32_t asn = 0;     // 0: unknown (AS 0 is reserved, RFC 7607)
  std::string asn_org;       // organization that registered the AS
  std::string isp, org;      // ISP databases only

  bool has_country() const { return !country_code.empty() || !country_name.empty(); }
  bool has_organization() const { return asn != 0 || !asn_org.empty() || !isp.empty() || !org.empty(); }
  bool empty() const { return !has_country() && city_name.empty() && !has_location && !has_organization(); }
};

// English short name of an ISO 3166-1 alpha-2 code ("" when unknown), for
// databases that carry only the code (ip-location-db's country databases).
std::string_view country_name(std::string_view alpha2);

}  // namespace picket::geoip

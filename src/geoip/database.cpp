#include "picket/geoip/database.hpp"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "country_names.hpp"

namespace picket::geoip {

const char* kind_name(DatabaseKind k) {
  switch (k) {
    case DatabaseKind::kCity: return "City";
    case DatabaseKind::kCountry: return "Country";
    case DatabaseKind::kAsn: return "ASN";
    case DatabaseKind::kIsp: return "ISP";
  }
  return "?";
}

namespace {

bool contains_nocase(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? a + 32 : a) == (b >= 'A' && b <= 'Z' ? b + 32 : b);
         }) != text.end();
}

// The value at `path` when it is a string; empty otherwise.
std::string string_at(MMDB_entry_s& entry, const char* const* path, bool& error) {
  MMDB_entry_data_s d;
  const int st = MMDB_aget_value(&entry, &d, path);
  if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return {};
  if (st != MMDB_SUCCESS) {
    error = true;
    return {};
  }
  if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return std::string(d.utf8_string, d.data_size);
}

// The value at `path` when it is a number.
bool number_at(MMDB_entry_s& entry, const char* const* path, double& out, bool& error) {
  MMDB_entry_data_s d;
  const int st = MMDB_aget_value(&entry, &d, path);
  if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return false;
  if (st != MMDB_SUCCESS) {
    error = true;
    return false;
  }
  if (!d.has_data) return false;
  switch (d.type) {
    case MMDB_DATA_TYPE_DOUBLE: out = d.double_value; return true;
    case MMDB_DATA_TYPE_FLOAT: out = d.float_value; return true;
    case MMDB_DATA_TYPE_UINT16: out = d.uint16; return true;
    case MMDB_DATA_TYPE_UINT32: out = d.uint32; return true;
    case MMDB_DATA_TYPE_INT32: out = d.int32; return true;
    case MMDB_DATA_TYPE_UINT64: out = static_cast<double>(d.uint64); return true;
    default: return false;
  }
}

// Each field as MaxMind's GeoIP2 schema nests it, then as ip-location-db's
// flat records name it.
const char* const kCountryIso[] = {"country", "iso_code", nullptr};
const char* const kCountryCodeFlat[] = {"country_code", nullptr};
const char* const kCountryNameEn[] = {"country", "names", "en", nullptr};
const char* const kCityNameEn[] = {"city", "names", "en", nullptr};
const char* const kCityFlat[] = {"city", nullptr};
const char* const kLatitude[] = {"location", "latitude", nullptr};
const char* const kLongitude[] = {"location", "longitude", nullptr};
const char* const kLatitudeFlat[] = {"latitude", nullptr};
const char* const kLongitudeFlat[] = {"longitude", nullptr};
const char* const kAsn[] = {"autonomous_system_number", nullptr};
const char* const kAsnOrg[] = {"autonomous_system_organization", nullptr};
const char* const kIsp[] = {"isp", nullptr};
const char* const kOrganization[] = {"organization", nullptr};

void fill_country(MMDB_entry_s& e, GeoInfo& out, bool& error) {
  if (!out.country_code.empty()) return;
  out.country_code = string_at(e, kCountryIso, error);
  if (out.country_code.empty()) out.country_code = string_at(e, kCountryCodeFlat, error);
  if (out.country_name.empty()) out.country_name = string_at(e, kCountryNameEn, error);
  if (out.country_name.empty() && !out.country_code.empty()) out.country_name = country_name(out.country_code);
}

void fill_city(MMDB_entry_s& e, GeoInfo& out, bool& error) {
  if (out.city_name.empty()) {
    out.city_name = string_at(e, kCityNameEn, error);
    if (out.city_name.empty()) out.city_name = string_at(e, kCityFlat, error);
  }
  if (!out.has_location) {
    double lat = 0, lon = 0;
    if ((number_at(e, kLatitude, lat, error) && number_at(e, kLongitude, lon, error)) ||
        (number_at(e, kLatitudeFlat, lat, error) && number_at(e, kLongitudeFlat, lon, error))) {
      out.has_location = true;
      out.latitude = lat;
      out.longitude = lon;
    }
  }
}

void fill_asn(MMDB_entry_s& e, GeoInfo& out, bool& error) {
  if (out.asn == 0) {
    double asn = 0;
    if (number_at(e, kAsn, asn, error) && asn > 0 && asn <= 4294967295.0) out.asn = static_cast<std::uint32_t>(asn);
  }
  if (out.asn_org.empty()) out.asn_org = string_at(e, kAsnOrg, error);
}

void fill_isp(MMDB_entry_s& e, GeoInfo& out, bool& error) {
  fill_asn(e, out, error);
  if (out.isp.empty()) out.isp = string_at(e, kIsp, error);
  if (out.org.empty()) out.org = string_at(e, kOrganization, error);
}

}  // namespace

std::string_view country_name(std::string_view code) {
  if (code.size() != 2) return {};
  const CountryName* end = kCountryNames + kCountryNameCount;
  const CountryName* it = std::lower_bound(kCountryNames, end, code, [](const CountryName& c, std::string_view k) {
    return std::string_view(c.code, 2) < k;
  });
  if (it == end || std::string_view(it->code, 2) != code) return {};
  return it->name;
}

bool kind_of_type(std::string_view type, DatabaseKind& out) {
  // City databases carry the country too; ISP databases carry the ASN too.
  if (contains_nocase(type, "city")) out = DatabaseKind::kCity;
  else if (contains_nocase(type, "isp")) out = DatabaseKind::kIsp;
  else if (contains_nocase(type, "asn")) out = DatabaseKind::kAsn;
  else if (contains_nocase(type, "country")) out = DatabaseKind::kCountry;
  else return false;
  return true;
}

Database::~Database() {
  if (mmdb_) MMDB_close(mmdb_.get());
}

std::unique_ptr<Database> Database::open(const std::string& path, std::string& error) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  struct stat st_buf {};
  if (::stat(path.c_str(), &st_buf) == 0 && !S_ISREG(st_buf.st_mode)) {
    error = path + ": not a regular file";
    return nullptr;
  }
  auto m = std::make_unique<MMDB_s>();
  const int st = MMDB_open(path.c_str(), MMDB_MODE_MMAP, m.get());
  if (st != MMDB_SUCCESS) {
    error = path + ": ";
    if (st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR) error += std::string("cannot read: ") + std::strerror(errno);
    else if (st == MMDB_INVALID_METADATA_ERROR || st == MMDB_UNKNOWN_DATABASE_FORMAT_ERROR)
      error += std::string("not a MaxMind DB (MMDB) file: ") + MMDB_strerror(st);
    else error += MMDB_strerror(st);
    return nullptr;
  }
  db->mmdb_ = std::move(m);  // closed by ~Database from here on
  const char* type = db->mmdb_->metadata.database_type;
  db->type_ = type ? type : "";
  db->build_epoch_ = db->mmdb_->metadata.build_epoch;
  if (!kind_of_type(db->type_, db->kind_)) {
    error = path + ": database type '" + db->type_ +
            "' is not a City, Country, ASN or ISP database (its metadata database_type must name one)";
    return nullptr;
  }
  return db;
}

LookupStatus Database::lookup(const core::IpAddr& addr, GeoInfo& out) const {
  sockaddr_storage ss{};
  if (addr.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, addr.bytes.data() + 12, 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, addr.bytes.data(), 16);
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s r = MMDB_lookup_sockaddr(mmdb_.get(), reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
  // An IPv6 address asked of an IPv4-only database is simply not in it.
  if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return LookupStatus::kNotFound;
  if (mmdb_error != MMDB_SUCCESS) return LookupStatus::kError;
  if (!r.found_entry) return LookupStatus::kNotFound;
  bool error = false;
  switch (kind_) {
    case DatabaseKind::kCity:
      fill_country(r.entry, out, error);
      fill_city(r.entry, out, error);
      break;
    case DatabaseKind::kCountry: fill_country(r.entry, out, error); break;
    case DatabaseKind::kAsn: fill_asn(r.entry, out, error); break;
    case DatabaseKind::kIsp: fill_isp(r.entry, out, error); break;
  }
  return error ? LookupStatus::kError : LookupStatus::kFound;
}

}  // namespace picket::geoip

// src/geoip: database kinds, field extraction from both schemas (GeoIP2's
// nested records and ip-location-db's flat ones), precedence between
// databases, the LRU cache, and broken files. Expected values are those
// make_test_mmdb.pl writes (and tests/e2e/geoip checks with mmdblookup).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mmdb_dir.hpp"
#include "picket/geoip/database.hpp"
#include "picket/geoip/geoip.hpp"
#include "picket/geoip/lookup_cache.hpp"

using picket::core::IpAddr;
using namespace picket::geoip;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

std::unique_ptr<Database> open_ok(const char* name) {
  std::string err;
  auto db = Database::open(test_mmdb(name), err);
  EXPECT_TRUE(db) << err;
  EXPECT_EQ(err, "");
  return db;
}

std::string open_error(const std::string& path) {
  std::string err;
  auto db = Database::open(path, err);
  EXPECT_FALSE(db);
  return err;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(GeoipDatabase, KindFromMetadataType) {
  DatabaseKind k;
  ASSERT_TRUE(kind_of_type("GeoLite2-City", k));
  EXPECT_EQ(k, DatabaseKind::kCity);
  ASSERT_TRUE(kind_of_type("DBIP-City-Lite", k));
  EXPECT_EQ(k, DatabaseKind::kCity);
  ASSERT_TRUE(kind_of_type("GeoLite2-Country", k));
  EXPECT_EQ(k, DatabaseKind::kCountry);
  ASSERT_TRUE(kind_of_type("country ipvAll", k));  // ip-location-db
  EXPECT_EQ(k, DatabaseKind::kCountry);
  ASSERT_TRUE(kind_of_type("GeoLite2-ASN", k));
  EXPECT_EQ(k, DatabaseKind::kAsn);
  ASSERT_TRUE(kind_of_type("GeoIP2-ISP", k));
  EXPECT_EQ(k, DatabaseKind::kIsp);
  EXPECT_FALSE(kind_of_type("GeoIP2-Anonymous-IP", k));
  EXPECT_FALSE(kind_of_type("", k));

  EXPECT_EQ(open_ok("test-city.mmdb")->kind(), DatabaseKind::kCity);
  EXPECT_EQ(open_ok("test-country.mmdb")->kind(), DatabaseKind::kCountry);
  EXPECT_EQ(open_ok("test-asn.mmdb")->kind(), DatabaseKind::kAsn);
  auto isp = open_ok("test-isp.mmdb");
  EXPECT_EQ(isp->kind(), DatabaseKind::kIsp);
  EXPECT_EQ(isp->type(), "GeoIP2-ISP");
  EXPECT_GT(isp->build_epoch(), 1500000000u);
}

TEST(GeoipDatabase, BadFilesAreClearErrors) {
  const std::string missing = open_error(test_mmdb("no-such.mmdb"));
  EXPECT_NE(missing.find("no-such.mmdb: cannot read"), std::string::npos) << missing;
  const std::string anon = open_error(test_mmdb("test-anon.mmdb"));
  EXPECT_NE(anon.find("GeoIP2-Anonymous-IP"), std::string::npos) << anon;
  std::string junk(4096, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 131 + 7);
  const std::string junk_err = open_error(write_file("junk.mmdb", junk));
  EXPECT_NE(junk_err.find("not a MaxMind DB"), std::string::npos) << junk_err;
  EXPECT_NE(open_error(write_file("empty.mmdb", "")).find("empty.mmdb"), std::string::npos);
  // The front half of a real file: its metadata (at the end) is gone.
  const std::string city = read_file(test_mmdb("test-city.mmdb"));
  ASSERT_GT(city.size(), 200u);
  EXPECT_NE(open_error(write_file("half.mmdb", city.substr(0, city.size() / 2))).find("not a MaxMind DB"),
            std::string::npos);
  EXPECT_NE(open_error(::testing::TempDir()).find("not a regular file"), std::string::npos);
}

TEST(GeoipDatabase, CityRecordsInGeoIp2Schema) {
  auto db = open_ok("test-city.mmdb");
  GeoInfo g;
  ASSERT_EQ(db->lookup(ip("203.0.113.10"), g), LookupStatus::kFound);
  EXPECT_EQ(g.country_code, "JP");
  EXPECT_EQ(g.country_name, "Japan");
  EXPECT_EQ(g.city_name, "Tokyo");
  ASSERT_TRUE(g.has_location);
  EXPECT_DOUBLE_EQ(g.latitude, 35.6895);
  EXPECT_DOUBLE_EQ(g.longitude, 139.6917);
  EXPECT_EQ(g.asn, 0u);

  GeoInfo v6;
  ASSERT_EQ(db->lookup(ip("2001:db8:1::7"), v6), LookupStatus::kFound);
  EXPECT_EQ(v6.country_code, "FR");
  EXPECT_EQ(v6.city_name, "Paris");

  GeoInfo none;
  EXPECT_EQ(db->lookup(ip("192.0.2.1"), none), LookupStatus::kNotFound);  // TEST-NET-1: not in it
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(db->lookup(ip("2001:db9::1"), none), LookupStatus::kNotFound);
  EXPECT_EQ(db->lookup(ip("198.51.101.0"), none), LookupStatus::kNotFound);  // just past the /24
}

TEST(GeoipDatabase, FlatCountryCodeGetsIsoName) {
  auto db = open_ok("test-country.mmdb");
  GeoInfo g;
  ASSERT_EQ(db->lookup(ip("198.51.100.200"), g), LookupStatus::kFound);
  EXPECT_EQ(g.country_code, "DE");
  EXPECT_EQ(g.country_name, "Germany");  // from the ISO 3166-1 table, not the database
  EXPECT_TRUE(g.city_name.empty());
  EXPECT_FALSE(g.has_location);
}

TEST(GeoipDatabase, AsnLongestPrefixAndIsp) {
  auto asn = open_ok("test-asn.mmdb");
  GeoInfo a, b, c;
  ASSERT_EQ(asn->lookup(ip("203.0.113.10"), a), LookupStatus::kFound);
  EXPECT_EQ(a.asn, 64501u);
  EXPECT_EQ(a.asn_org, "Documentation Net B");
  ASSERT_EQ(asn->lookup(ip("203.0.113.200"), b), LookupStatus::kFound);  // inside 203.0.113.128/25
  EXPECT_EQ(b.asn, 64503u);
  EXPECT_EQ(b.asn_org, "Documentation Net D");
  ASSERT_EQ(asn->lookup(ip("2001:db8::1"), c), LookupStatus::kFound);
  EXPECT_EQ(c.asn, 64502u);
  EXPECT_TRUE(c.country_code.empty());  // an ASN database says nothing of countries

  auto isp = open_ok("test-isp.mmdb");
  GeoInfo d;
  ASSERT_EQ(isp->lookup(ip("203.0.113.10"), d), LookupStatus::kFound);
  EXPECT_EQ(d.asn, 64501u);
  EXPECT_EQ(d.isp, "Example Transit ISP");
  EXPECT_EQ(d.org, "Example Hosting Org");
}

TEST(GeoipDatabase, CountryNames) {
  EXPECT_EQ(country_name("US"), "United States");
  EXPECT_EQ(country_name("JP"), "Japan");
  EXPECT_EQ(country_name("AD"), "Andorra");  // first of the table
  EXPECT_EQ(country_name("ZW"), "Zimbabwe"); // last
  EXPECT_EQ(country_name("XX"), "");
  EXPECT_EQ(country_name("usa"), "");
  EXPECT_EQ(country_name(""), "");
}

TEST(GeoipDatabase, CorruptSearchTreeIsCountedNotFatal) {
  // Keep the metadata (so the file opens) and overwrite the search tree with
  // pointers far beyond the data section.
  std::string bytes = read_file(test_mmdb("test-asn.mmdb"));
  ASSERT_GT(bytes.size(), 600u);
  for (std::size_t i = 0; i < 600; ++i) bytes[i] = static_cast<char>(0xfe);
  const std::string path = write_file("corrupt-tree.mmdb", bytes);
  GeoIp g;
  ASSERT_EQ(g.add_database(path), "");
  for (const char* a : {"203.0.113.10", "198.51.100.1", "2001:db8::1", "8.8.8.8"}) {
    auto v = g.lookup(ip(a));
    EXPECT_FALSE(v) << a;
  }
  const GeoIpStats s = g.stats();
  EXPECT_EQ(s.lookups, 4u);
  EXPECT_EQ(s.errors, 4u);
  EXPECT_EQ(s.found, 0u);
}

TEST(GeoIp, MergesDatabasesFirstWins) {
  GeoIp g;
  ASSERT_EQ(g.add_database(test_mmdb("test-country.mmdb")), "");
  ASSERT_EQ(g.add_database(test_mmdb("test-city.mmdb")), "");
  ASSERT_EQ(g.add_database(test_mmdb("test-asn.mmdb")), "");
  ASSERT_EQ(g.add_database(test_mmdb("test-isp.mmdb")), "");
  EXPECT_EQ(g.databases(), 4u);
  auto v = g.lookup(ip("203.0.113.200"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->country_code, "JP");
  EXPECT_EQ(v->city_name, "Tokyo");
  EXPECT_EQ(v->asn, 64503u);                        // the ASN database came before the ISP one
  EXPECT_EQ(v->asn_org, "Documentation Net D");
  EXPECT_EQ(v->isp, "Example Transit ISP");        // only the ISP database has it
  auto v6 = g.lookup(ip("2001:db8:ffff::1"));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->country_name, "France");
  EXPECT_EQ(v6->asn, 64502u);
  EXPECT_FALSE(g.lookup(ip("192.0.2.55")));
  EXPECT_FALSE(g.lookup(IpAddr{}));  // zero: not even counted
  const GeoIpStats s = g.stats();
  EXPECT_EQ(s.lookups, 3u);
  EXPECT_EQ(s.found, 2u);
  EXPECT_EQ(s.not_found, 1u);
  EXPECT_EQ(s.errors, 0u);
  ASSERT_EQ(s.databases.size(), 4u);
  EXPECT_EQ(s.databases[1].kind, DatabaseKind::kCity);
}

TEST(GeoIp, CacheCountsHitsAndMisses) {
  GeoIp g(2);
  ASSERT_EQ(g.add_database(test_mmdb("test-city.mmdb")), "");
  auto a1 = g.lookup(ip("203.0.113.10"));
  auto a2 = g.lookup(ip("203.0.113.10"));
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1.get(), a2.get());  // the cached answer itself
  EXPECT_FALSE(g.lookup(ip("192.0.2.1")));
  EXPECT_FALSE(g.lookup(ip("192.0.2.1")));  // a cached "nothing known"
  GeoIpStats s = g.stats();
  EXPECT_EQ(s.lookups, 4u);
  EXPECT_EQ(s.cache_hits, 2u);
  EXPECT_EQ(s.cache_misses, 2u);
  EXPECT_EQ(s.not_found, 1u);  // counted once, when it was looked up
  EXPECT_EQ(s.cache_entries, 2u);
  EXPECT_EQ(s.cache_capacity, 2u);
  g.lookup(ip("198.51.100.1"));  // evicts the least recently used: 203.0.113.10
  g.lookup(ip("192.0.2.1"));     // still cached
  g.lookup(ip("203.0.113.10"));  // looked up again
  s = g.stats();
  EXPECT_EQ(s.cache_hits, 3u);
  EXPECT_EQ(s.cache_misses, 4u);
  EXPECT_EQ(s.evictions, 2u);
}

TEST(GeoIp, NoCache) {
  GeoIp g(0);
  ASSERT_EQ(g.add_database(test_mmdb("test-asn.mmdb")), "");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(g.lookup(ip("198.51.100.9")));
  const GeoIpStats s = g.stats();
  EXPECT_EQ(s.cache_hits, 0u);
  EXPECT_EQ(s.cache_misses, 3u);
  EXPECT_EQ(s.found, 3u);
}

TEST(LookupCache, EvictsLeastRecentlyUsed) {
  LookupCache c(3);
  auto val = [](std::uint32_t asn) {
    auto g = std::make_shared<GeoInfo>();
    g->asn = asn;
    return LookupCache::Value(g);
  };
  const IpAddr a = ip("10.0.0.1"), b = ip("10.0.0.2"), d = ip("10.0.0.3"), e = ip("2001:db8::1");
  c.insert(a, val(1));
  c.insert(b, val(2));
  c.insert(d, val(3));
  LookupCache::Value out;
  ASSERT_TRUE(c.find(a, out));  // a is now the most recent; b the least
  EXPECT_EQ(out->asn, 1u);
  c.insert(e, val(4));
  EXPECT_FALSE(c.find(b, out));
  EXPECT_TRUE(c.find(d, out));
  EXPECT_TRUE(c.find(a, out));
  ASSERT_TRUE(c.find(e, out));
  EXPECT_EQ(out->asn, 4u);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.evictions(), 1u);
}

TEST(LookupCache, ManyKeysStayConsistent) {
  // Against a reference model: a list in recency order.
  constexpr std::size_t kCap = 64;
  LookupCache c(kCap);
  std::vector<std::uint32_t> model;  // most recent first
  std::uint32_t seed = 12345;
  for (int step = 0; step < 20000; ++step) {
    seed = seed * 1103515245u + 12345u;
    const std::uint32_t key = (seed >> 16) % 200;
    const IpAddr a = IpAddr::from_v4(0xC6336400u + key);
    LookupCache::Value out;
    const bool hit = c.find(a, out);
    auto it = std::find(model.begin(), model.end(), key);
    ASSERT_EQ(hit, it != model.end()) << "step " << step;
    if (hit) {
      ASSERT_EQ(out->asn, key);
      model.erase(it);
      model.insert(model.begin(), key);
    } else {
      auto g = std::make_shared<GeoInfo>();
      g->asn = key;
      c.insert(a, g);
      model.insert(model.begin(), key);
      if (model.size() > kCap) model.pop_back();
    }
    ASSERT_EQ(c.size(), model.size());
  }
}

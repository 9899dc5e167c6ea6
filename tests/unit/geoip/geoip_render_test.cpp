// GeoIP enrichment through Delivery: remoteIpDetails of network-connection
// and port-probe findings carry GuardDuty's country, city, geoLocation and
// organization objects; DNS findings (which have no remoteIpDetails in
// GuardDuty) and addresses no database knows stay as they were.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../export/json_check.hpp"
#include "mmdb_dir.hpp"
#include "picket/export/delivery.hpp"

namespace detect = picket::detect;
namespace exporter = picket::exporter;
using picket::core::IpAddr;

namespace {

class CaptureSink final : public exporter::Sink {
 public:
  std::vector<std::string>* lines;
  explicit CaptureSink(std::vector<std::string>* l) : lines(l) {}
  std::string name() const override { return "capture"; }
  void deliver(const exporter::FindingRecord&, std::string_view json, exporter::ReportKind) override {
    lines->emplace_back(json);
  }
};

exporter::FindingRecord record(detect::FindingType t, const char* remote) {
  exporter::FindingRecord r;
  r.f.type = t;
  r.f.severity = 5;
  r.f.protocol = 6;
  r.f.local = *IpAddr::parse("10.0.0.5");
  r.f.remote = *IpAddr::parse(remote);
  r.f.local_port = 22;
  r.f.ports[0] = 22;
  r.f.ports[1] = 23;
  r.f.port_count = 2;
  std::strcpy(r.f.domain, "example.com");
  r.count = 1;
  return r;
}

struct Fixture {
  std::vector<std::string> lines;
  exporter::Delivery d{exporter::RenderOptions{}};
  std::shared_ptr<picket::geoip::GeoIp> geo = std::make_shared<picket::geoip::GeoIp>();
  Fixture() {
    EXPECT_EQ(geo->add_database(test_mmdb("test-city.mmdb")), "");
    EXPECT_EQ(geo->add_database(test_mmdb("test-asn.mmdb")), "");
    d.add_sink(std::make_unique<CaptureSink>(&lines));
    d.set_geoip(geo);
  }
};

// The remoteIpDetails object GuardDuty would write for 203.0.113.10 in the test databases.
const char* const kTokyo =
    "\"remoteIpDetails\":{\"ipAddressV4\":\"203.0.113.10\","
    "\"organization\":{\"asn\":\"64501\",\"asnOrg\":\"Documentation Net B\"},"
    "\"country\":{\"countryCode\":\"JP\",\"countryName\":\"Japan\"},"
    "\"city\":{\"cityName\":\"Tokyo\"},"
    "\"geoLocation\":{\"lat\":35.6895,\"lon\":139.6917}}";

}  // namespace

TEST(GeoipRender, NetworkConnectionRemoteIsEnriched) {
  Fixture fx;
  fx.d.publish(record(detect::FindingType::kReconPortscan, "203.0.113.10"), exporter::ReportKind::kNew);
  ASSERT_EQ(fx.lines.size(), 1u);
  const std::string& js = fx.lines[0];
  EXPECT_EQ(jsoncheck::Checker(js).run(), "");
  EXPECT_NE(js.find(std::string("\"networkConnectionAction\":{\"connectionDirection\":\"UNKNOWN\",") + kTokyo),
            std::string::npos)
      << js;
  // The local address is ours: never enriched.
  EXPECT_NE(js.find("\"localIpDetails\":{\"ipAddressV4\":\"10.0.0.5\"}"), std::string::npos) << js;
}

TEST(GeoipRender, EveryPortProbeEntryIsEnriched) {
  Fixture fx;
  fx.d.publish(record(detect::FindingType::kReconInboundPortscan, "203.0.113.10"), exporter::ReportKind::kNew);
  ASSERT_EQ(fx.lines.size(), 1u);
  const std::string& js = fx.lines[0];
  EXPECT_EQ(jsoncheck::Checker(js).run(), "");
  std::size_t n = 0;
  for (std::size_t p = js.find(kTokyo); p != std::string::npos; p = js.find(kTokyo, p + 1)) ++n;
  EXPECT_EQ(n, 2u) << js;  // one per probed port
  // The second report of the same address comes from the cache.
  fx.d.publish(record(detect::FindingType::kReconInboundPortscan, "203.0.113.10"), exporter::ReportKind::kUpdate);
  const auto s = fx.d.stats();
  ASSERT_TRUE(s.geoip);
  EXPECT_EQ(s.geoip->lookups, 2u);
  EXPECT_EQ(s.geoip->cache_hits, 1u);
  EXPECT_NE(exporter::format_delivery_json(s).find("\"geoip\":{\"lookups\":2,\"cache_hits\":1,"), std::string::npos);
  EXPECT_NE(exporter::format_delivery_summary(s).find("geoip: 2 lookups, 1 cache hits"), std::string::npos);
}

TEST(GeoipRender, Ipv6AndUnknownAddresses) {
  Fixture fx;
  fx.d.publish(record(detect::FindingType::kReconPortscan, "2001:db8::99"), exporter::ReportKind::kNew);
  fx.d.publish(record(detect::FindingType::kReconPortscan, "192.0.2.1"), exporter::ReportKind::kNew);
  ASSERT_EQ(fx.lines.size(), 2u);
  EXPECT_NE(fx.lines[0].find("\"remoteIpDetails\":{\"ipAddressV6\":\"2001:db8::99\",\"organization\":{\"asn\":"
                             "\"64502\",\"asnOrg\":\"Documentation Net C\"},\"country\":{\"countryCode\":\"FR\","
                             "\"countryName\":\"France\"},\"city\":{\"cityName\":\"Paris\"},\"geoLocation\":"
                             "{\"lat\":48.8566,\"lon\":2.3522}}"),
            std::string::npos)
      << fx.lines[0];
  EXPECT_NE(fx.lines[1].find("\"remoteIpDetails\":{\"ipAddressV4\":\"192.0.2.1\"}"), std::string::npos) << fx.lines[1];
}

TEST(GeoipRender, DnsFindingsHaveNoRemoteIpDetails) {
  Fixture fx;
  fx.d.publish(record(detect::FindingType::kTrojanDgaDomainRequest, "203.0.113.10"), exporter::ReportKind::kNew);
  ASSERT_EQ(fx.lines.size(), 1u);
  EXPECT_EQ(fx.lines[0].find("remoteIpDetails"), std::string::npos) << fx.lines[0];
  EXPECT_EQ(fx.lines[0].find("Tokyo"), std::string::npos);
  EXPECT_EQ(fx.d.stats().geoip->lookups, 0u);  // not even looked up
}

TEST(GeoipRender, WithoutGeoipNothingChanges) {
  std::vector<std::string> lines;
  exporter::Delivery d{exporter::RenderOptions{}};
  d.add_sink(std::make_unique<CaptureSink>(&lines));
  d.publish(record(detect::FindingType::kReconPortscan, "203.0.113.10"), exporter::ReportKind::kNew);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"remoteIpDetails\":{\"ipAddressV4\":\"203.0.113.10\"}"), std::string::npos);
  EXPECT_FALSE(d.stats().geoip);
}

TEST(GeoipRender, SuppressionRulesSeeTheEnrichedFields) {
  // The rules match after enrichment: GuardDuty's filter on remoteIpDetails.country.
  Fixture fx;
  fx.lines.clear();
  exporter::RuleSet rules;
  exporter::Rule by_country{"japan", "test:1", {}};
  exporter::Criterion c;
  ASSERT_EQ(exporter::RuleSet::make_criterion(
                "service.action.networkConnectionAction.remoteIpDetails.country.countryName", "equals", {"Japan"}, c),
            "");
  by_country.criteria.push_back(c);
  rules.add(by_country);
  exporter::Rule by_asn{"as64502", "test:2", {}};
  exporter::Criterion a;
  ASSERT_EQ(exporter::RuleSet::make_criterion(
                "service.action.portProbeAction.portProbeDetails.remoteIpDetails.organization.asn", "equals",
                {"64502"}, a),
            "");
  by_asn.criteria.push_back(a);
  rules.add(by_asn);
  fx.d.set_rules(std::move(rules));
  fx.d.publish(record(detect::FindingType::kReconPortscan, "203.0.113.10"), exporter::ReportKind::kNew);  // JP
  fx.d.publish(record(detect::FindingType::kReconPortscan, "198.51.100.1"), exporter::ReportKind::kNew);  // DE
  fx.d.publish(record(detect::FindingType::kReconInboundPortscan, "2001:db8::5"), exporter::ReportKind::kNew);
  fx.d.publish(record(detect::FindingType::kReconPortscan, "2001:db8::5"), exporter::ReportKind::kNew);  // not a probe
  ASSERT_EQ(fx.lines.size(), 2u);  // the capture sink takes no archived findings
  EXPECT_NE(fx.lines[0].find("198.51.100.1"), std::string::npos);
  EXPECT_NE(fx.lines[1].find("2001:db8::5"), std::string::npos);
  EXPECT_NE(fx.lines[1].find("networkConnectionAction"), std::string::npos);
  const auto s = fx.d.stats();
  EXPECT_EQ(s.suppressed, 2u);
  ASSERT_EQ(s.rule_hits.size(), 2u);
  EXPECT_EQ(s.rule_hits[0].second, 1u);
  EXPECT_EQ(s.rule_hits[1].second, 1u);
}

TEST(GeoipRender, GeoFieldsAreAbsentWithoutGeoip) {
  exporter::FindingRecord r = record(detect::FindingType::kReconPortscan, "203.0.113.10");
  exporter::Criterion eq, neq;
  const char* f = "service.action.networkConnectionAction.remoteIpDetails.country.countryCode";
  ASSERT_EQ(exporter::RuleSet::make_criterion(f, "equals", {"JP"}, eq), "");
  ASSERT_EQ(exporter::RuleSet::make_criterion(f, "notEquals", {"JP"}, neq), "");
  EXPECT_FALSE(exporter::criterion_holds(eq, r));
  EXPECT_TRUE(exporter::criterion_holds(neq, r));  // an absent field is not JP
}

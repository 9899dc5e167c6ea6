// render_finding_json, finding_id, names, severity bands, and the Aggregator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "json_check.hpp"
#include "picket/export/aggregator.hpp"
#include "picket/export/finding_json.hpp"

namespace detect = picket::detect;
namespace exporter = picket::exporter;
using detect::Finding;
using detect::FindingType;
using exporter::Aggregator;
using exporter::FindingRecord;
using picket::core::IpAddr;
using picket::core::Nanos;
using picket::core::seconds;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

constexpr Nanos kT0 = seconds(1'700'000'000);  // 2023-11-14T22:13:20Z

Finding portscan_finding() {
  Finding f;
  f.type = FindingType::kReconPortscan;
  f.severity = 5.0;
  f.direction = detect::Direction::kOutbound;
  f.protocol = 6;
  f.local = ip("10.0.0.5");
  f.remote = ip("203.0.113.9");
  f.remote_port = 22;
  f.first_seen = kT0 + 123'000'000;
  f.last_seen = kT0 + seconds(75) + 456'000'000;
  std::strcpy(f.detector, "portscan");
  f.add_metric("distinctPorts", 15);
  f.add_metric("threshold", 15);
  f.add_metric("durationSeconds", 75.333);
  f.ports[0] = 22;
  f.ports[1] = 80;
  f.ports[2] = 3389;
  f.port_count = 3;
  f.set_identity(f.local, f.remote, 6);
  return f;
}

std::string render(const FindingRecord& rec, const exporter::RenderOptions& opt = {}) {
  std::string out;
  exporter::render_finding_json(rec, opt, out);
  return out;
}

FindingRecord record(const Finding& f, std::uint64_t count = 1) {
  FindingRecord r;
  r.f = f;
  r.count = count;
  r.created_at = kT0 + seconds(14);
  r.updated_at = kT0 + seconds(75) + 456'000'000;
  return r;
}

#define EXPECT_HAS(hay, needle) EXPECT_NE((hay).find(needle), std::string::npos) << "missing: " << (needle) << "\nin: " << (hay)

TEST(FindingId, Is32LowercaseHexOfIdentity) {
  Finding f = portscan_finding();
  f.identity[0] = 0x0123456789abcdefULL;
  f.identity[1] = 0xfedcba9876543210ULL;
  EXPECT_EQ(exporter::finding_id(f), "0123456789abcdeffedcba9876543210");
  f.identity[0] = 0;
  f.identity[1] = 1;
  EXPECT_EQ(exporter::finding_id(f), "00000000000000000000000000000001");
}

TEST(FindingJson, PortscanHasGuardDutyShape) {
  const Finding f = portscan_finding();
  const FindingRecord rec = record(f, 3);
  const std::string js = render(rec);
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  const std::string id = exporter::finding_id(f);
  ASSERT_EQ(id.size(), 32u);
  EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  EXPECT_EQ(js.rfind(R"({"schemaVersion":"2.0","accountId":"000000000000","region":"local","partition":"aws","id":")" + id +
                         "\",",
                     0),
            0u)
      << js;
  EXPECT_HAS(js, "\"arn\":\"arn:aws:guardduty:local:000000000000:detector/picket/finding/" + id + "\"");
  EXPECT_HAS(js, R"("type":"Recon:EC2/Portscan")");
  EXPECT_HAS(js, R"("resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"host-10.0.0.5",)"
                 R"("networkInterfaces":[{"privateIpAddress":"10.0.0.5","privateIpAddresses":[{"privateIpAddress":"10.0.0.5"}],)"
                 R"("ipv6Addresses":[]}]}})");
  EXPECT_HAS(js, R"("service":{"serviceName":"picket","detectorId":"picket","action":{"actionType":"NETWORK_CONNECTION",)"
                 R"("networkConnectionAction":{"connectionDirection":"OUTBOUND","remoteIpDetails":{"ipAddressV4":"203.0.113.9"},)"
                 R"("remotePortDetails":{"port":22,"portName":"SSH"},"localPortDetails":{"port":0,"portName":"Unknown"},)"
                 R"("localIpDetails":{"ipAddressV4":"10.0.0.5"},"protocol":"TCP","blocked":false}})");
  EXPECT_HAS(js, R"("resourceRole":"ACTOR")");
  EXPECT_HAS(js, R"("evidence":{"detector":"portscan","distinctPorts":15.0,"threshold":15.0,"durationSeconds":75.333,)"
                 R"("samplePorts":[22,80,3389]})");
  EXPECT_HAS(js, R"("archived":false,"count":3,"eventFirstSeen":"2023-11-14T22:13:20.123Z",)"
                 R"("eventLastSeen":"2023-11-14T22:14:35.456Z"})");
  EXPECT_HAS(js, R"("severity":5.0,"createdAt":"2023-11-14T22:13:34.000Z","updatedAt":"2023-11-14T22:14:35.456Z")");
  EXPECT_HAS(js, R"("title":"Unusual outbound port scan from 10.0.0.5.")");
  EXPECT_HAS(js, R"("description":"Host 10.0.0.5 is performing outbound port scans against remote host 203.0.113.9."})");
  EXPECT_EQ(js.back(), '}');
  EXPECT_EQ(js.find("PORT_PROBE"), std::string::npos);
  // Same activity, same id and bytes, render after render.
  EXPECT_EQ(render(rec), js);
  Finding again = portscan_finding();
  again.add_metric("extra", 1);
  EXPECT_EQ(exporter::finding_id(again), id);
}

TEST(FindingJson, RenderOptionsReachIdFieldsAndArn) {
  exporter::RenderOptions opt;
  opt.account_id = "123456789012";
  opt.region = "eu-west-1";
  opt.detector_id = "sensor7";
  const Finding f = portscan_finding();
  const std::string js = render(record(f), opt);
  const std::string id = exporter::finding_id(f);
  EXPECT_HAS(js, R"("accountId":"123456789012","region":"eu-west-1")");
  EXPECT_HAS(js, "\"arn\":\"arn:aws:guardduty:eu-west-1:123456789012:detector/sensor7/finding/" + id + "\"");
  EXPECT_HAS(js, R"("detectorId":"sensor7")");
}

TEST(FindingJson, PortSweepTitleNamesPortAndProtocol) {
  Finding f;
  f.type = FindingType::kImpactPortSweep;
  f.severity = 8.0;
  f.direction = detect::Direction::kOutbound;
  f.protocol = 17;
  f.local = ip("192.168.1.20");
  f.remote = ip("198.51.100.1");
  f.remote_port = 161;
  f.hosts[0] = ip("198.51.100.1");
  f.hosts[1] = ip("198.51.100.2");
  f.host_count = 2;
  f.set_identity(f.local, {}, (17u << 16) | 161);
  const std::string js = render(record(f));
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  EXPECT_HAS(js, R"("type":"Impact:EC2/PortSweep")");
  EXPECT_HAS(js, R"("severity":8.0)");
  EXPECT_HAS(js, R"("remotePortDetails":{"port":161,"portName":"SNMP"})");
  EXPECT_HAS(js, R"("protocol":"UDP")");
  EXPECT_HAS(js, R"("sampleHosts":["198.51.100.1","198.51.100.2"])");
  EXPECT_HAS(js, R"("title":"Host 192.168.1.20 is sweeping port 161/UDP on many hosts.")");
  EXPECT_HAS(js, R"("description":"Host 192.168.1.20 is probing port 161/UDP on a large number of IP addresses.")");
}

TEST(FindingJson, IcmpSweepTitleSaysIcmpEcho) {
  Finding f;
  f.type = FindingType::kImpactPortSweep;
  f.severity = 8.0;
  f.protocol = 1;
  f.local = ip("10.0.0.5");
  f.add_metric("icmpType", 8);
  const std::string js = render(record(f));
  EXPECT_HAS(js, R"("title":"Host 10.0.0.5 is sweeping ICMP echo on many hosts.")");
  EXPECT_HAS(js, R"("protocol":"ICMP")");
  EXPECT_HAS(js, R"("icmpType":8.0)");
  EXPECT_HAS(js, R"("connectionDirection":"UNKNOWN")");
}

TEST(FindingJson, InboundPortProbeListsProbedPorts) {
  Finding f;
  f.type = FindingType::kReconInboundPortscan;
  f.severity = 2.0;
  f.direction = detect::Direction::kInbound;
  f.protocol = 6;
  f.local = ip("10.0.0.5");
  f.remote = ip("203.0.113.9");
  f.ports[0] = 22;
  f.ports[1] = 445;
  f.port_count = 2;
  f.local_port = 22;
  const std::string js = render(record(f));
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  EXPECT_HAS(js, R"("action":{"actionType":"PORT_PROBE","portProbeAction":{"blocked":false,"portProbeDetails":[)"
                 R"({"localPortDetails":{"port":22,"portName":"SSH"},"localIpDetails":{"ipAddressV4":"10.0.0.5"},)"
                 R"("remoteIpDetails":{"ipAddressV4":"203.0.113.9"}},)"
                 R"({"localPortDetails":{"port":445,"portName":"SMB"},"localIpDetails":{"ipAddressV4":"10.0.0.5"},)"
                 R"("remoteIpDetails":{"ipAddressV4":"203.0.113.9"}}]}})");
  EXPECT_HAS(js, R"("resourceRole":"TARGET")");
  EXPECT_HAS(js, R"("severity":2.0)");
  EXPECT_HAS(js, R"("title":"Inbound port scan from 203.0.113.9.")");
  EXPECT_HAS(js, R"("description":"Remote host 203.0.113.9 is probing many ports or many hosts of the home network, 10.0.0.5 among them.")");
  EXPECT_EQ(js.find("NETWORK_CONNECTION"), std::string::npos);
}

TEST(FindingJson, InboundPortProbeAcrossHostsListsHosts) {
  Finding f;
  f.type = FindingType::kReconInboundPortscan;
  f.severity = 2.0;
  f.protocol = 6;
  f.local = ip("10.0.0.1");
  f.remote = ip("203.0.113.9");
  f.local_port = 3389;
  f.hosts[0] = ip("10.0.0.1");
  f.hosts[1] = ip("10.0.0.2");
  f.hosts[2] = ip("10.0.0.3");
  f.host_count = 3;
  f.ports[0] = 3389;
  f.port_count = 1;
  const std::string js = render(record(f));
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  for (const char* h : {"10.0.0.1", "10.0.0.2", "10.0.0.3"})
    EXPECT_HAS(js, std::string(R"({"localPortDetails":{"port":3389,"portName":"RDP"},"localIpDetails":{"ipAddressV4":")") + h +
                       R"("},"remoteIpDetails":{"ipAddressV4":"203.0.113.9"}})");
}

TEST(FindingJson, Ipv6LocalHasNoPrivateIpv4) {
  Finding f = portscan_finding();
  f.local = ip("fd00::5");
  f.remote = ip("2001:db8::9");
  const std::string js = render(record(f));
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  EXPECT_HAS(js, R"("networkInterfaces":[{"privateIpAddresses":[],"ipv6Addresses":["fd00::5"]}])");
  EXPECT_HAS(js, R"("instanceId":"host-fd00::5")");
  EXPECT_HAS(js, R"("remoteIpDetails":{"ipAddressV6":"2001:db8::9"})");
  EXPECT_HAS(js, R"("localIpDetails":{"ipAddressV6":"fd00::5"})");
  EXPECT_EQ(js.find("\"privateIpAddress\""), std::string::npos);
  EXPECT_HAS(js, R"("title":"Unusual outbound port scan from fd00::5.")");
}

TEST(FindingJson, NonFiniteMetricsStayValidJson) {
  Finding f = portscan_finding();
  f.add_metric("bad", std::numeric_limits<double>::quiet_NaN());
  const std::string js = render(record(f));
  EXPECT_EQ(jsoncheck::check(js), "") << js;
  EXPECT_HAS(js, R"("bad":null)");
}

struct Band {
  double s;
  const char* label;
};
class SeverityLabel : public ::testing::TestWithParam<Band> {};
TEST_P(SeverityLabel, Bands) { EXPECT_STREQ(detect::severity_label(GetParam().s), GetParam().label) << GetParam().s; }
INSTANTIATE_TEST_SUITE_P(Export, SeverityLabel,
                         ::testing::Values(Band{1.0, "Low"}, Band{2.0, "Low"}, Band{3.9, "Low"}, Band{4.0, "Medium"},
                                           Band{5.0, "Medium"}, Band{6.9, "Medium"}, Band{7.0, "High"},
                                           Band{8.0, "High"}, Band{8.9, "High"}, Band{9.0, "Critical"},
                                           Band{10.0, "Critical"}));

TEST(Names, PortsAndProtocols) {
  EXPECT_STREQ(exporter::port_name(22), "SSH");
  EXPECT_STREQ(exporter::port_name(443), "HTTPS");
  EXPECT_STREQ(exporter::port_name(3389), "RDP");
  EXPECT_STREQ(exporter::port_name(0), "Unknown");
  EXPECT_STREQ(exporter::port_name(65535), "Unknown");
  EXPECT_STREQ(exporter::protocol_name(6), "TCP");
  EXPECT_STREQ(exporter::protocol_name(17), "UDP");
  EXPECT_STREQ(exporter::protocol_name(1), "ICMP");
  EXPECT_STREQ(exporter::protocol_name(58), "ICMPV6");
  EXPECT_STREQ(exporter::protocol_name(47), "Unknown");
}

// ----------------------------------------------------------------- Aggregator

Finding occurrence(Nanos first, Nanos last, double distinct, bool update = false) {
  Finding f = portscan_finding();
  f.first_seen = first;
  f.last_seen = last;
  f.metrics[0].value = distinct;
  f.update = update;
  return f;
}

TEST(Aggregator, NewThenRepeatThenUpdate) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  const FindingRecord& r1 = agg.add(occurrence(kT0, kT0 + seconds(10), 15), o);
  EXPECT_EQ(o, Aggregator::Outcome::kNew);
  EXPECT_EQ(r1.count, 1u);
  EXPECT_EQ(r1.created_at, kT0 + seconds(10));
  EXPECT_EQ(r1.updated_at, kT0 + seconds(10));
  EXPECT_EQ(agg.size(), 1u);

  const FindingRecord& r2 = agg.add(occurrence(kT0 + seconds(500), kT0 + seconds(520), 16), o);
  EXPECT_EQ(o, Aggregator::Outcome::kChanged);
  EXPECT_EQ(&r2, &r1);
  EXPECT_EQ(r2.count, 2u);
  EXPECT_EQ(r2.f.metrics[0].value, 16.0);
  EXPECT_EQ(r2.f.first_seen, kT0);
  EXPECT_EQ(r2.f.last_seen, kT0 + seconds(520));
  EXPECT_EQ(r2.created_at, kT0 + seconds(10));
  EXPECT_EQ(r2.updated_at, kT0 + seconds(520));

  const FindingRecord& r3 = agg.add(occurrence(kT0 + seconds(500), kT0 + seconds(580), 40, true), o);
  EXPECT_EQ(o, Aggregator::Outcome::kChanged);
  EXPECT_EQ(r3.count, 2u) << "an update must not count as an occurrence";
  EXPECT_EQ(r3.f.metrics[0].value, 40.0) << "an update replaces the evidence";
  EXPECT_EQ(r3.f.last_seen, kT0 + seconds(580));
  EXPECT_EQ(r3.f.first_seen, kT0);
  EXPECT_EQ(agg.size(), 1u);
}

TEST(Aggregator, CountAddsFindingCount) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  Finding f = occurrence(kT0, kT0, 15);
  f.count = 4;
  agg.add(f, o);
  f.count = 3;
  f.last_seen = kT0 + 1;
  EXPECT_EQ(agg.add(f, o).count, 7u);
}

TEST(Aggregator, FirstAndLastSeenAreMinAndMax) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  agg.add(occurrence(kT0 + seconds(100), kT0 + seconds(200), 15), o);
  // Older occurrence arriving late: extends first_seen, keeps newer evidence.
  const FindingRecord& r = agg.add(occurrence(kT0 + seconds(50), kT0 + seconds(150), 99), o);
  EXPECT_EQ(r.f.first_seen, kT0 + seconds(50));
  EXPECT_EQ(r.f.last_seen, kT0 + seconds(200));
  EXPECT_EQ(r.f.metrics[0].value, 15.0);
  EXPECT_EQ(r.updated_at, kT0 + seconds(200));
  agg.add(occurrence(kT0 + seconds(120), kT0 + seconds(300), 17), o);
  EXPECT_EQ(r.f.first_seen, kT0 + seconds(50));
  EXPECT_EQ(r.f.last_seen, kT0 + seconds(300));
  EXPECT_EQ(r.f.metrics[0].value, 17.0);
  EXPECT_EQ(r.count, 3u);
}

// The source says "ties keep what came first" (src/export/aggregator.cpp) but
// compares with >=, so on equal last_seen the later arrival replaces the
// evidence. See report: one of the two should change.
// A detector's update can add values without a newer probe (same last-seen),
// so on equal last-seen times the later report's evidence is kept.
TEST(Aggregator, EqualLastSeenLaterReportWins) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  agg.add(occurrence(kT0, kT0 + seconds(10), 15), o);
  const FindingRecord& r = agg.add(occurrence(kT0, kT0 + seconds(10), 16), o);
  EXPECT_EQ(r.f.metrics[0].value, 16.0);
}

TEST(Aggregator, DueRespectsIntervalAndReportsOnce) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  int reports = 0;
  std::vector<double> seen;
  auto report = [&](const FindingRecord& r) {
    ++reports;
    seen.push_back(r.f.metrics[0].value);
  };
  agg.add(occurrence(kT0, kT0 + seconds(10), 15), o);  // new: reported by the caller, not dirty
  agg.due(kT0 + seconds(1000), report);
  EXPECT_EQ(reports, 0);
  agg.add(occurrence(kT0, kT0 + seconds(20), 20, true), o);
  agg.due(kT0 + seconds(69), report);  // last report was at 10 s
  EXPECT_EQ(reports, 0);
  agg.due(kT0 + seconds(70), report);
  EXPECT_EQ(reports, 1);
  agg.due(kT0 + seconds(500), report);
  EXPECT_EQ(reports, 1) << "not dirty any more";
  agg.add(occurrence(kT0, kT0 + seconds(30), 25, true), o);
  agg.due(kT0 + seconds(129), report);  // last report at 70 s
  EXPECT_EQ(reports, 1);
  agg.due(kT0 + seconds(130), report);
  EXPECT_EQ(reports, 2);
  EXPECT_EQ(seen, (std::vector<double>{20, 25}));
}

TEST(Aggregator, FlushReportsOnlyDirtyRecords) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  Finding a = occurrence(kT0, kT0, 15);
  Finding b = occurrence(kT0, kT0, 15);
  b.set_identity(ip("10.0.0.6"), ip("203.0.113.9"), 6);
  Finding c = occurrence(kT0, kT0, 15);
  c.set_identity(ip("10.0.0.7"), ip("203.0.113.9"), 6);
  agg.add(a, o);
  agg.add(b, o);
  agg.add(c, o);
  b.last_seen = kT0 + 5;
  agg.add(b, o);
  std::vector<std::string> flushed;
  agg.flush([&](const FindingRecord& r) { flushed.push_back(exporter::finding_id(r.f)); });
  EXPECT_EQ(flushed, std::vector<std::string>{exporter::finding_id(b)});
  flushed.clear();
  agg.flush([&](const FindingRecord& r) { flushed.push_back(exporter::finding_id(r.f)); });
  EXPECT_TRUE(flushed.empty());
  EXPECT_EQ(agg.size(), 3u);
}

TEST(Aggregator, RecordsAreSortedById) {
  Aggregator agg(seconds(60));
  Aggregator::Outcome o;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    Finding f = occurrence(kT0, kT0 + i, 15);
    f.identity[0] = rng() % 4;  // many equal first words: the second one decides
    f.identity[1] = rng();
    agg.add(f, o);
  }
  const auto recs = agg.records();
  ASSERT_EQ(recs.size(), agg.size());
  ASSERT_EQ(recs.size(), 200u);
  for (std::size_t i = 1; i < recs.size(); ++i)
    EXPECT_LT(exporter::finding_id(recs[i - 1]->f), exporter::finding_id(recs[i]->f)) << i;
}

}  // namespace

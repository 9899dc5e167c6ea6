// VPC Flow Log and Route 53 Resolver query log samples (tests/data/flowrec,
// written by make_samples.py, whose comments state the expected figures).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "picket/flowrec/log_input.hpp"
#include "picket/flowrec/resolver_log.hpp"
#include "picket/flowrec/source.hpp"
#include "picket/flowrec/vpc_flow_log.hpp"

namespace picket::flowrec {
namespace {

const std::string kData = std::string(PICKET_SOURCE_ROOT) + "/tests/data/flowrec/";
constexpr core::Nanos kT = 1'700'000'000ULL * core::kNanosPerSecond;
constexpr core::Nanos kSec = core::kNanosPerSecond;

struct Collect : RecordSink {
  std::vector<UniFlow> flows;
  std::vector<detect::DnsEvent> dns;
  void on_flow(const UniFlow& f) override { flows.push_back(f); }
  void on_dns(const detect::DnsEvent& e) override { dns.push_back(e); }
};

LogInputStats read_all(LogKind kind, const std::vector<std::string>& paths, Collect& out) {
  LogFileInput in(kind);
  std::string err;
  EXPECT_TRUE(in.add_paths(paths, err)) << err;
  while (in.step(out, 7)) {
  }
  return in.stats();
}

core::IpAddr ip(const char* s) { return *core::IpAddr::parse(s); }

TEST(VpcFlowLog, DefaultVersion2Format) {
  Collect out;
  const auto st = read_all(LogKind::kVpcFlowLog, {kData + "vpc_v2_default.log"}, out);
  EXPECT_EQ(st.lines, 8u);
  EXPECT_EQ(st.records, 6u);
  EXPECT_EQ(st.accepted, 4u);
  EXPECT_EQ(st.rejected, 2u);
  EXPECT_EQ(st.nodata, 1u);
  EXPECT_EQ(st.skipdata, 1u);
  EXPECT_EQ(st.errors, 0u);
  ASSERT_EQ(out.flows.size(), 6u);
  const UniFlow& a = out.flows[0];
  EXPECT_EQ(a.src, ip("10.0.1.5"));
  EXPECT_EQ(a.dst, ip("10.0.2.9"));
  EXPECT_EQ(a.sport, 49152);
  EXPECT_EQ(a.dport, 22);
  EXPECT_EQ(a.proto, 6);
  EXPECT_EQ(a.packets, 20u);
  EXPECT_EQ(a.bytes, 4249u);
  EXPECT_EQ(a.first, kT);
  EXPECT_EQ(a.last, kT + 60 * kSec);
  EXPECT_FALSE(a.tcp_flags_known);
  EXPECT_EQ(a.source, static_cast<std::uint8_t>(Source::kVpcFlowLog));
  EXPECT_EQ(out.flows[3].src, ip("2001:db8::10"));
  EXPECT_EQ(out.flows[4].proto, 1);
  EXPECT_EQ(out.flows[4].icmp_type, 8);
}

TEST(VpcFlowLog, GzipWithHeaderGivesTheSameRecords) {
  Collect plain, gz;
  read_all(LogKind::kVpcFlowLog, {kData + "vpc_v2_default.log"}, plain);
  const auto st = read_all(LogKind::kVpcFlowLog, {kData + "vpc_v2_header.log.gz"}, gz);
  EXPECT_EQ(st.headers, 1u);
  EXPECT_EQ(st.truncated_files, 0u);
  ASSERT_EQ(gz.flows.size(), plain.flows.size());
  for (std::size_t i = 0; i < gz.flows.size(); ++i) {
    EXPECT_EQ(gz.flows[i].src, plain.flows[i].src);
    EXPECT_EQ(gz.flows[i].bytes, plain.flows[i].bytes);
  }
}

TEST(VpcFlowLog, CustomVersion5Format) {
  Collect out;
  const auto st = read_all(LogKind::kVpcFlowLog, {kData + "vpc_v5_custom.log"}, out);
  EXPECT_EQ(st.headers, 1u);
  EXPECT_EQ(st.errors, 0u);
  ASSERT_EQ(out.flows.size(), 3u);
  EXPECT_EQ(out.flows[0].src, ip("192.0.2.44"));  // pkt-srcaddr, not the NAT gateway's 10.0.3.3
  EXPECT_EQ(out.flows[0].tcp_flags, 2);
  EXPECT_TRUE(out.flows[0].tcp_flags_known);
  EXPECT_EQ(out.flows[0].bytes, 60u);
  EXPECT_EQ(out.flows[0].packets, 1u);
  EXPECT_EQ(out.flows[1].dst, ip("192.0.2.44"));
  EXPECT_EQ(out.flows[2].tcp_flags, 27);
  EXPECT_FALSE(out.flows[2].src.is_v4());
}

TEST(VpcFlowLog, BrokenLinesAreCountedWithFileAndLine) {
  Collect out;
  const auto st = read_all(LogKind::kVpcFlowLog, {kData + "vpc_broken.log"}, out);
  EXPECT_EQ(st.records, 2u);
  EXPECT_EQ(st.errors, 6u);
  EXPECT_EQ(st.blank, 1u);
  ASSERT_EQ(st.warnings.kept.size(), 6u);
  const std::string f = kData + "vpc_broken.log:";
  EXPECT_EQ(st.warnings.kept[0], f + "2: field count differs from the format");
  EXPECT_EQ(st.warnings.kept[1], f + "3: bad or missing address");
  EXPECT_EQ(st.warnings.kept[2], f + "4: bad dstport");
  EXPECT_EQ(st.warnings.kept[3], f + "5: time out of range");
  EXPECT_EQ(st.warnings.kept[4], f + "6: bad action");
  EXPECT_EQ(st.warnings.kept[5], f + "8: bad tcp-flags");
}

TEST(VpcFlowLog, TruncatedGzipIsReportedAndItsCompleteLinesKept) {
  Collect out;
  const auto st = read_all(LogKind::kVpcFlowLog, {kData + "vpc_truncated.log.gz"}, out);
  EXPECT_EQ(st.truncated_files, 1u);
  EXPECT_EQ(st.errors, 0u);  // the cut-off fragment is not taken for a line
  // zcat (and Python's zlib) recover 196 complete lines from this file.
  EXPECT_EQ(st.records, 196u);
  ASSERT_FALSE(st.warnings.kept.empty());
  EXPECT_NE(st.warnings.kept.back().find("truncated gzip"), std::string::npos);
}

TEST(VpcFlowLog, WarningListIsBounded) {
  const auto path = std::filesystem::temp_directory_path() / "picket_vpc_many_bad.log";
  {
    std::ofstream f(path);
    for (int i = 0; i < 1000; ++i) f << "2 garbage\n";
  }
  Collect out;
  const auto st = read_all(LogKind::kVpcFlowLog, {path.string()}, out);
  EXPECT_EQ(st.errors, 1000u);
  EXPECT_EQ(st.warnings.total, 1000u);
  EXPECT_EQ(st.warnings.kept.size(), LineWarnings::kMaxKept);
  std::filesystem::remove(path);
}

TEST(VpcFlowLog, DirectoryIsReadInPathOrderAndMissingPathIsAnError) {
  LogFileInput in(LogKind::kVpcFlowLog);
  std::string err;
  EXPECT_FALSE(in.add_paths({kData + "no-such-file.log"}, err));
  EXPECT_NE(err.find("no-such-file.log"), std::string::npos);
  std::vector<std::string> files;
  ASSERT_TRUE(expand_paths({kData}, files, err));
  ASSERT_GE(files.size(), 9u);
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
}

TEST(VpcFlowLog, RealSamplesWhenPresent) {
  const std::string dir = std::string(PICKET_SOURCE_ROOT) + "/../shared/pcaps/flows/";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " absent";
  Collect out;
  // Elastic's v2 examples: 7 lines of which 1 NODATA and 1 SKIPDATA (MANIFEST.md).
  auto st = read_all(LogKind::kVpcFlowLog, {dir + "vpc/elastic_vpcflow_v2_examples.log"}, out);
  EXPECT_EQ(st.lines, 7u);
  EXPECT_EQ(st.nodata + st.skipdata, 2u);
  EXPECT_EQ(st.records, 5u);
  // Derived from a real SYN scan: 2002 records (MANIFEST.md).
  Collect scan;
  st = read_all(LogKind::kVpcFlowLog, {dir + "derived/vpc_synscan.log"}, scan);
  EXPECT_EQ(st.records, 2002u);
  EXPECT_EQ(st.errors, 0u);
}

TEST(ResolverLog, Entries) {
  Collect out;
  const auto st = read_all(LogKind::kResolverLog, {kData + "resolver.log"}, out);
  EXPECT_EQ(st.records, 5u);
  EXPECT_EQ(st.errors, 0u);
  // Each entry: the query, then its answer.
  ASSERT_EQ(out.dns.size(), 10u);
  EXPECT_FALSE(out.dns[0].is_response);
  EXPECT_EQ(out.dns[0].addr_count, 0);
  EXPECT_EQ(std::string(out.dns[0].qname), "example.com");
  std::vector<detect::DnsEvent> answers;
  for (const auto& e : out.dns)
    if (e.is_response) answers.push_back(e);
  out.dns = answers;
  ASSERT_EQ(out.dns.size(), 5u);
  const auto& a = out.dns[0];
  EXPECT_EQ(std::string(a.qname), "example.com");  // lower case, no trailing dot
  EXPECT_EQ(a.qname_len, 11u);
  EXPECT_EQ(a.qtype, 1);
  EXPECT_EQ(a.rcode, 0);
  EXPECT_TRUE(a.is_response);
  EXPECT_EQ(a.client, ip("10.0.1.5"));
  EXPECT_EQ(a.client_port, 55123);
  EXPECT_EQ(a.server, ip("169.254.169.253"));
  EXPECT_EQ(a.addr_count, 2);
  EXPECT_EQ(a.addrs[1], ip("93.184.216.35"));
  EXPECT_EQ(a.ts, kT);
  EXPECT_EQ(a.source, static_cast<std::uint8_t>(Source::kResolverLog));
  EXPECT_EQ(out.dns[1].qtype, 28);
  EXPECT_EQ(out.dns[1].addrs[0], ip("2606:2800:220:1::1"));
  EXPECT_EQ(out.dns[2].rcode, 3);
  EXPECT_EQ(out.dns[2].answer_count, 0);
  EXPECT_EQ(out.dns[2].ts, kT + 2 * kSec + 250'000'000ULL);
  EXPECT_EQ(out.dns[3].answer_count, 2);
  EXPECT_EQ(out.dns[3].addr_count, 1);
  EXPECT_EQ(out.dns[4].transport, 6);
  EXPECT_EQ(out.dns[4].qtype, 16);
}

TEST(ResolverLog, GzipBrokenAndTruncated) {
  Collect gz;
  auto st = read_all(LogKind::kResolverLog, {kData + "resolver.log.gz"}, gz);
  EXPECT_EQ(st.records, 5u);
  Collect broken;
  st = read_all(LogKind::kResolverLog, {kData + "resolver_broken.log"}, broken);
  EXPECT_EQ(st.records, 1u);
  EXPECT_EQ(st.errors, 4u);
  EXPECT_EQ(st.blank, 1u);
  ASSERT_EQ(st.warnings.kept.size(), 4u);
  EXPECT_NE(st.warnings.kept[0].find("resolver_broken.log:2: not a JSON object"), std::string::npos);
  EXPECT_NE(st.warnings.kept[1].find(":3: malformed"), std::string::npos);
  EXPECT_NE(st.warnings.kept[2].find(":4: unknown rcode"), std::string::npos);
  EXPECT_NE(st.warnings.kept[3].find(":5: bad query_timestamp"), std::string::npos);
  Collect cut;
  st = read_all(LogKind::kResolverLog, {kData + "resolver_truncated.log.gz"}, cut);
  EXPECT_EQ(st.truncated_files, 1u);
  EXPECT_EQ(st.records, 97u);  // zcat and Python's zlib recover 97 complete lines
  EXPECT_EQ(st.errors, 0u);
}

TEST(ResolverLog, Helpers) {
  EXPECT_EQ(dns_type_from_name("MX"), 15);
  EXPECT_EQ(dns_type_from_name("TYPE65"), 65);
  EXPECT_EQ(dns_type_from_name("BOGUS"), 0);
  EXPECT_EQ(dns_rcode_from_name("SERVFAIL"), 2);
  EXPECT_EQ(parse_iso8601("2023-11-14T22:13:20Z"), kT);
  EXPECT_EQ(parse_iso8601("2023-11-14T23:13:20+01:00"), kT);
  EXPECT_EQ(parse_iso8601("2023-11-14T22:13:20.5Z"), kT + 500'000'000ULL);
  EXPECT_EQ(parse_iso8601("2023-13-14T22:13:20Z"), 0u);
  EXPECT_EQ(parse_iso8601("2023-11-14"), 0u);
  const char* err = nullptr;
  detect::DnsEvent e;
  EXPECT_FALSE(parse_resolver_line("{\"query_name\":\"a\",\"answers\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]", e, err));
  EXPECT_FALSE(parse_resolver_line("{\"query_name\":\"a\\u00", e, err));
  EXPECT_FALSE(parse_resolver_line("", e, err));
}

TEST(DirectoryTail, TakesNewFilesOnceSettled) {
  const auto dir = std::filesystem::temp_directory_path() / "picket_tail_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "old.log") << "x\n"; }
  DirectoryTail tail(dir.string(), 2 * kSec);
  EXPECT_TRUE(tail.poll(100 * kSec, /*skip_existing=*/true).empty());
  { std::ofstream(dir / "b.log") << "x\n"; }
  { std::ofstream(dir / "a.log") << "x\n"; }
  EXPECT_TRUE(tail.poll(101 * kSec).empty());  // just seen
  EXPECT_TRUE(tail.poll(102 * kSec).empty());  // not settled for 2 s yet
  const auto got = tail.poll(103 * kSec);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::filesystem::path(got[0]).filename(), "a.log");
  EXPECT_TRUE(tail.poll(110 * kSec).empty());  // taken once
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace picket::flowrec

// Unit tests of findings delivery: suppression criteria, message formats,
// top parties, configuration errors, hooks with hostile finding contents.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "../../../src/export/transport.hpp"
#include "picket/export/aggregator.hpp"
#include "picket/export/config.hpp"
#include "picket/export/formats.hpp"
#include "picket/export/sinks.hpp"
#include "picket/export/suppression.hpp"

using namespace picket;
using namespace picket::exporter;

namespace {

FindingRecord portscan(const char* local, const char* remote, double severity = 5.0, std::uint64_t count = 1) {
  FindingRecord r;
  r.f.type = detect::FindingType::kReconPortscan;
  r.f.severity = severity;
  r.f.direction = detect::Direction::kOutbound;
  r.f.protocol = 6;
  r.f.local = *core::IpAddr::parse(local);
  r.f.remote = *core::IpAddr::parse(remote);
  r.f.remote_port = 22;
  r.f.set_identity(r.f.local, r.f.remote, 0);
  r.count = count;
  return r;
}

bool holds(const char* field, const char* op, std::vector<std::string> values, const FindingRecord& r) {
  Criterion c;
  const std::string err = RuleSet::make_criterion(field, op, values, c);
  EXPECT_EQ(err, "") << field << " " << op;
  return criterion_holds(c, r);
}

const char* kRemote4 = "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4";

}  // namespace

TEST(Wildcard, Matches) {
  EXPECT_TRUE(wildcard_match("Recon:*", "Recon:EC2/Portscan"));
  EXPECT_TRUE(wildcard_match("*Port?can", "Recon:EC2/Portscan"));
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_FALSE(wildcard_match("?", ""));
  EXPECT_FALSE(wildcard_match("Recon:*x", "Recon:EC2/Portscan"));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXbYbZ"));
  // Pathological patterns stay fast.
  EXPECT_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST(Suppression, EveryOperator) {
  const auto r = portscan("10.0.0.5", "198.51.100.7", 5.0, 4);
  EXPECT_TRUE(holds("type", "equals", {"Impact:EC2/PortSweep", "Recon:EC2/Portscan"}, r));
  EXPECT_FALSE(holds("type", "equals", {"Impact:EC2/PortSweep"}, r));
  EXPECT_TRUE(holds("type", "notEquals", {"Impact:EC2/PortSweep"}, r));
  EXPECT_FALSE(holds("type", "notEquals", {"Impact:EC2/PortSweep", "Recon:EC2/Portscan"}, r));
  EXPECT_TRUE(holds("severity", "greaterThan", {"4.9"}, r));
  EXPECT_FALSE(holds("severity", "greaterThan", {"5"}, r));
  EXPECT_TRUE(holds("severity", "greaterThanOrEqual", {"5"}, r));
  EXPECT_FALSE(holds("severity", "lessThan", {"5"}, r));
  EXPECT_TRUE(holds("severity", "lessThanOrEqual", {"5"}, r));
  EXPECT_TRUE(holds("service.count", "gt", {"3"}, r));
  EXPECT_TRUE(holds("type", "matches", {"Impact:*", "Recon:*"}, r));
  EXPECT_FALSE(holds("type", "notMatches", {"*scan"}, r));
  EXPECT_TRUE(holds(kRemote4, "equals", {"198.51.100.0/24"}, r));
  EXPECT_TRUE(holds(kRemote4, "equals", {"198.51.100.7"}, r));
  EXPECT_FALSE(holds(kRemote4, "equals", {"198.51.100.8", "203.0.113.0/24"}, r));
  EXPECT_TRUE(holds(kRemote4, "notEquals", {"203.0.113.0/24"}, r));
  EXPECT_TRUE(holds(kRemote4, "matches", {"198.51.100.*"}, r));
  EXPECT_TRUE(holds("service.additionalInfo.sample", "equals", {"false"}, r));
  // A field the finding does not have: positive operators fail, negative ones hold.
  EXPECT_FALSE(holds("service.action.dnsRequestAction.domain", "matches", {"*"}, r));
  EXPECT_TRUE(holds("service.action.dnsRequestAction.domain", "notMatches", {"*"}, r));
  EXPECT_FALSE(holds("service.action.networkConnectionAction.remoteIpDetails.ipAddressV6", "equals", {"::/0"}, r));
}

TEST(Suppression, RejectsBadCriteria) {
  Criterion c;
  EXPECT_NE(RuleSet::make_criterion("service.nope", "equals", {"x"}, c), "");
  EXPECT_NE(RuleSet::make_criterion("type", "biggerThan", {"x"}, c), "");
  EXPECT_NE(RuleSet::make_criterion("type", "greaterThan", {"1"}, c), "");  // not numeric
  EXPECT_NE(RuleSet::make_criterion("severity", "equals", {"high"}, c), "");
  EXPECT_NE(RuleSet::make_criterion(kRemote4, "equals", {"300.1.1.1"}, c), "");
  EXPECT_NE(RuleSet::make_criterion("severity", "lessThan", {}, c), "");
}

TEST(Suppression, RulesAndCriteria) {
  RuleSet rs;
  Rule r;
  r.name = "both";
  Criterion a, b;
  ASSERT_EQ(RuleSet::make_criterion("type", "equals", {"Recon:EC2/Portscan"}, a), "");
  ASSERT_EQ(RuleSet::make_criterion("severity", "lessThan", {"4"}, b), "");
  r.criteria = {a, b};
  rs.add(r);
  EXPECT_EQ(rs.match(portscan("10.0.0.5", "198.51.100.7", 5.0)), -1);  // AND: severity fails
  EXPECT_EQ(rs.match(portscan("10.0.0.5", "198.51.100.7", 3.0)), 0);
  EXPECT_EQ(rs.hits()[0], 1u);
}

TEST(Delivery, SuppressedFindingsReachOnlyArchiveSinks) {
  const std::string dir = ::testing::TempDir();
  Delivery d(RenderOptions{});
  FileSink::Options all;
  all.path = dir + "/all.json";
  FileSink::Options plain;
  plain.path = dir + "/plain.json";
  auto s1 = std::make_unique<FileSink>(all);
  ASSERT_EQ(s1->open(), "");
  s1->filter.archived = true;
  auto s2 = std::make_unique<FileSink>(plain);
  ASSERT_EQ(s2->open(), "");
  d.add_sink(std::move(s1));
  d.add_sink(std::move(s2));
  RuleSet rs;
  Rule r;
  r.name = "doc";
  Criterion c;
  ASSERT_EQ(RuleSet::make_criterion(kRemote4, "equals", {"203.0.113.0/24"}, c), "");
  r.criteria = {c};
  rs.add(r);
  d.set_rules(std::move(rs));
  d.publish(portscan("10.0.0.5", "203.0.113.9"), ReportKind::kNew);
  d.publish(portscan("10.0.0.5", "198.51.100.7"), ReportKind::kNew);
  d.close();
  std::ifstream a(all.path), p(plain.path);
  std::string l1, l2, l3;
  std::getline(a, l1);
  std::getline(a, l2);
  EXPECT_NE(l1.find("\"archived\":true"), std::string::npos);
  EXPECT_NE(l2.find("\"archived\":false"), std::string::npos);
  std::getline(p, l3);
  EXPECT_NE(l3.find("198.51.100.7"), std::string::npos);
  EXPECT_FALSE(std::getline(p, l3));
  const auto st = d.stats();
  EXPECT_EQ(st.suppressed, 1u);
  EXPECT_EQ(st.sinks[1].archived, 1u);
}

TEST(TopParties, SpaceSaving) {
  TopParties t;
  for (int i = 0; i < 5; ++i) t.add(core::IpAddr::from_v4(0x0A000001u + static_cast<unsigned>(i)), 10, i);
  t.add(core::IpAddr::from_v4(0x0A000001u), 5, 9);  // existing: count grows
  EXPECT_EQ(t.n, 5);
  EXPECT_EQ(t.e[0].count, 15u);
  t.add(core::IpAddr::from_v4(0x0B000001u), 1, 10);  // newcomer replaces a least-counted entry
  EXPECT_EQ(t.n, 5);
  bool found = false;
  for (int i = 0; i < t.n; ++i)
    if (t.e[i].addr == core::IpAddr::from_v4(0x0B000001u)) found = t.e[i].count == 11;
  EXPECT_TRUE(found);
  EXPECT_EQ(t.e[0].count, 15u);  // the heavy hitter stays
}

TEST(Aggregator, KeepsTopActors) {
  Aggregator agg(core::seconds(300));
  detect::Finding f = portscan("10.0.0.5", "198.51.100.7").f;
  Aggregator::Outcome o;
  agg.add(f, o);
  f.last_seen = 5;
  const FindingRecord& r = agg.add(f, o);
  EXPECT_EQ(r.top_actors.n, 1);
  EXPECT_EQ(r.top_actors.e[0].count, 2u);
  EXPECT_EQ(r.top_actors.e[0].addr, f.local);
  std::string js;
  render_finding_json(r, RenderOptions{}, js);
  EXPECT_NE(js.find("\"topActors\":[{\"ipAddress\":\"10.0.0.5\",\"count\":2"), std::string::npos);
}

TEST(Formats, Rfc5424EscapesStructuredData) {
  auto r = portscan("10.0.0.5", "198.51.100.7", 9.5);
  SyslogFormat fmt;
  fmt.hostname = "host name";  // a space is not allowed in HOSTNAME
  fmt.procid = "42";
  const std::string m = format_rfc5424(r, "{\"a\":\"]\\\"\"}", ReportKind::kUpdate, fmt, 1700000000123456789);
  EXPECT_EQ(m.rfind("<130>1 2023-11-14T22:13:20.123456Z hostname picket 42 UPDATE [finding@32473 id=\"", 0), 0u) << m;
  EXPECT_NE(m.find("severity=\"9.5\""), std::string::npos);
  EXPECT_NE(m.find("] {\"a\":\"]\\\"\"}"), std::string::npos);  // MSG is untouched
  EXPECT_EQ(syslog_severity(9.0), 2);
  EXPECT_EQ(syslog_severity(8.9), 3);
  EXPECT_EQ(syslog_severity(4.0), 4);
  EXPECT_EQ(syslog_severity(3.9), 5);
}

TEST(Formats, CefEscapes) {
  auto r = portscan("10.0.0.5", "198.51.100.7");
  const std::string c = format_cef(r, ReportKind::kNew, RenderOptions{});
  EXPECT_EQ(c.rfind("CEF:0|picket|picket|", 0), 0u);
  EXPECT_NE(c.find("|Recon:EC2/Portscan|"), std::string::npos);
  EXPECT_NE(c.find(" src=10.0.0.5"), std::string::npos);
  EXPECT_NE(c.find(" dst=198.51.100.7"), std::string::npos);
  EXPECT_NE(c.find(" dpt=22"), std::string::npos);
}

TEST(Transport, ParsesUrls) {
  Url u;
  EXPECT_EQ(parse_url("tls://siem.example:6514", u), "");
  EXPECT_EQ(u.host, "siem.example");
  EXPECT_EQ(u.port, "6514");
  EXPECT_EQ(parse_url("udp://[::1]", u), "");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "514");
  EXPECT_EQ(parse_url("unix:///dev/log", u), "");
  EXPECT_EQ(u.path, "/dev/log");
  EXPECT_EQ(parse_url("http://127.0.0.1/a/b?c", u), "");
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.path, "/a/b?c");
  EXPECT_NE(parse_url("ftp://x", u), "");
  EXPECT_NE(parse_url("tcp://x:port", u), "");
}

TEST(Config, ErrorsNameFileLineKey) {
  const std::string path = ::testing::TempDir() + "/bad.toml";
  {
    std::ofstream f(path);
    f << "# comment\n[[suppress]]\nname = \"x\"\n[suppress.criteria]\nseverity = { lessThan = \"abc\" }\n";
  }
  DeliveryConfig cfg;
  const std::string err = load_delivery_config(path, cfg);
  EXPECT_NE(err.find(path + ":5:"), std::string::npos) << err;
  EXPECT_NE(err.find("criteria.\"severity\".lessThan"), std::string::npos) << err;
  {
    std::ofstream f(path);
    f << "[[hook]]\ncommand = [\"/bin/true\", \"x\"]\ntimeout = 3\ntypes = [\"Recon:*\", \"Impact:*\"]\n";
  }
  DeliveryConfig ok;
  EXPECT_EQ(load_delivery_config(path, ok), "");
  ASSERT_EQ(ok.sinks.size(), 1u);
  EXPECT_EQ(ok.sinks[0].target, "/bin/true");
  EXPECT_EQ(ok.sinks[0].argv, std::vector<std::string>{"x"});
  EXPECT_EQ(ok.sinks[0].settings[1].value, "Recon:*,Impact:*");
}

TEST(Hook, HostileFindingContentsStayData) {
  const std::string dir = ::testing::TempDir() + "/hook" + std::to_string(getpid());
  mkdir(dir.c_str(), 0700);
  const std::string script = dir + "/hook.sh";
  {
    std::ofstream f(script);
    // Saves its stdin and argument count; nothing here evaluates the input.
    f << "#!/bin/sh\ncat > \"$OUT/stdin\"\necho \"$#\" > \"$OUT/argc\"\n";
  }
  chmod(script.c_str(), 0755);
  setenv("OUT", dir.c_str(), 1);
  HookOptions o;
  o.argv = {script};
  o.timeout = 10;
  auto sink = make_hook_sink(o);
  const std::string pwned = dir + "/pwned";
  // A title and domain a hostile network could make picket repeat.
  const std::string hostile = "{\"title\":\"x'; touch " + pwned + "; echo '\\\"$(touch " + pwned + ")`touch " + pwned +
                              "`\\nrm -rf /\",\"domain\":\"a$(id).example\"}";
  auto r = portscan("10.0.0.5", "198.51.100.7");
  sink->deliver(r, hostile, ReportKind::kNew);
  sink->close();
  std::ifstream in(dir + "/stdin");
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), hostile + "\n");
  std::ifstream argc(dir + "/argc");
  std::string n;
  argc >> n;
  EXPECT_EQ(n, "0");
  EXPECT_NE(access(pwned.c_str(), F_OK), 0);
  EXPECT_EQ(sink->stats().delivered, 1u);
}

TEST(Hook, TimeoutAndExitStatusCounted) {
  HookOptions o;
  o.argv = {"/bin/sh", "-c", "exit 7"};
  auto sink = make_hook_sink(o);
  auto r = portscan("10.0.0.5", "198.51.100.7");
  sink->deliver(r, "{}", ReportKind::kNew);
  sink->close();
  auto st = sink->stats();
  EXPECT_EQ(st.errors, 1u);
  EXPECT_EQ(st.delivered, 0u);
  HookOptions t;
  t.argv = {"/bin/sleep", "10"};
  t.timeout = 0.2;
  auto slow = make_hook_sink(t);
  const auto t0 = std::chrono::steady_clock::now();
  slow->deliver(r, "{}", ReportKind::kNew);
  slow->close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  bool timed_out = false;
  for (const auto& [k, v] : slow->stats().extra)
    if (k == "timeouts") timed_out = v == 1;
  EXPECT_TRUE(timed_out);
}

namespace {

// A sink whose receiver refuses every other message and then accepts it on
// retry, as a UDP sink to a closed port does (the ICMP error of one send
// fails the next).
class FlappingSink final : public QueuedSink {
 public:
  FlappingSink() : QueuedSink(fast()) { start(); }
  ~FlappingSink() override { stop(); }
  std::string name() const override { return "flapping"; }

 protected:
  std::string format(const FindingRecord&, std::string_view json, ReportKind) override { return std::string(json); }
  SendResult send(const std::string&) override {
    const bool fail = (calls_++ % 2) == 0;
    log_state(!fail, fail ? "refused (retrying)" : "delivering");
    return fail ? SendResult::kRetry : SendResult::kSent;
  }

 private:
  static QueueOptions fast() {
    QueueOptions q;
    q.backoff_min = q.backoff_max = 0.001;
    return q;
  }
  unsigned calls_ = 0;
};

}  // namespace

TEST(QueuedSink, FlappingStateIsLoggedTwicePerWindow) {
  ::testing::internal::CaptureStderr();
  {
    FlappingSink s;
    for (int i = 0; i < 20; ++i) s.deliver(portscan("10.0.0.5", "203.0.113.9"), "{}", ReportKind::kNew);
    s.close();
    EXPECT_EQ(s.stats().delivered, 20u);
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  // 40 state changes within well under 30 s: "refused" and "delivering" once each.
  std::istringstream lines(err);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 2u) << err;
  EXPECT_NE(got[0].find("flapping: refused"), std::string::npos);
  EXPECT_NE(got[1].find("flapping: delivering"), std::string::npos);
}

TEST(CheckSink, FindsErrorsWithoutSideEffects) {
  const std::string dir = ::testing::TempDir();
  SinkContext ctx;
  const std::string file = dir + "/check-sink-never.json";
  EXPECT_EQ(check_sink(parse_sink_arg("output", file, "--output"), ctx), "");
  struct stat st;
  EXPECT_NE(stat(file.c_str(), &st), 0) << "check_sink must not create the output file";
  EXPECT_NE(check_sink(parse_sink_arg("output", file + "?keep=-1", "--output"), ctx), "");
  EXPECT_NE(check_sink(parse_sink_arg("syslog", "bogus://x", "--syslog"), ctx).find("bogus"), std::string::npos);
  // Nothing listens there: a check does not connect, so it passes.
  EXPECT_EQ(check_sink(parse_sink_arg("syslog", "tcp://127.0.0.1:1", "--syslog"), ctx), "");
  EXPECT_NE(check_sink(parse_sink_arg("syslog", "tls://127.0.0.1:1?ca=/nonexistent.pem", "--syslog"), ctx)
                .find("key 'ca'"),
            std::string::npos);
  EXPECT_NE(check_sink(parse_sink_arg("webhook", "udp://127.0.0.1:1", "--webhook"), ctx), "");
  EXPECT_NE(check_sink(parse_sink_arg("hook", "/nonexistent/program", "--hook"), ctx), "");
  EXPECT_EQ(check_sink(parse_sink_arg("hook", "/bin/true", "--hook"), ctx), "");
}

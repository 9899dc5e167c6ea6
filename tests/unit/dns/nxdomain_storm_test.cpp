#include "dns_fixture.hpp"

namespace picket::detect::dns::test {
namespace {

constexpr auto kStorm = FindingType::kTrojanNxdomainStorm;

TEST(NxdomainStorm, ManyFailedNamesFire) {
  Harness h(make_nxdomain_storm_detector());
  for (int i = 0; i < 150; ++i)
    h.feed(response("10.1.0.90", "host" + std::to_string(i) + ".corp.example.com", 3, sec(i)));
  h.flush();
  ASSERT_EQ(h.sink.count(kStorm), 1u);
  const Finding& f = h.sink.all.front();
  EXPECT_STREQ(f.domain, "example.com");
  EXPECT_EQ(f.severity, 5.0);
  EXPECT_EQ(h.sink.metric(f, "nxNamesInWindow"), 100);  // reported the moment it crossed
  EXPECT_EQ(h.sink.metric(h.sink.all.back(), "nxNamesInWindow"), 150);  // final figures
}

TEST(NxdomainStorm, BelowTheThresholdAndSlowFailuresStaySilent) {
  Harness h(make_nxdomain_storm_detector());
  for (int i = 0; i < 99; ++i) h.feed(response("10.1.0.91", std::string("n").append(std::to_string(i)).append(".example.com"), 3, sec(i)));
  for (int i = 0; i < 300; ++i) {  // one failure every 4 s: 75 per window
    h.feed(response("10.1.0.92", std::string("m").append(std::to_string(i)).append(".example.com"), 3, sec(i * 4.0)));
    h.tick(sec(i * 4.0 + 1));
  }
  for (int i = 0; i < 500; ++i) h.feed(response("10.1.0.93", "same.example.com", 3, sec(i)));  // one name
  h.flush();
  EXPECT_EQ(h.sink.count(kStorm), 0u);
}

TEST(NxdomainStorm, DnsblAndReverseLookupsStaySilent) {
  Harness h(make_nxdomain_storm_detector());
  for (int i = 0; i < 1000; ++i) {
    const std::string rev = std::to_string(i % 250) + "." + std::to_string(i / 250) + ".113.203";
    h.feed(response("10.1.0.94", rev + ".zen.spamhaus.org", 3, sec(i * 0.1)));
    h.feed(response("10.1.0.94", rev + ".dnsbl.example.net", 3, sec(i * 0.1)));
    h.feed(response("10.1.0.94", rev + ".in-addr.arpa", 3, sec(i * 0.1)));
  }
  h.flush();
  EXPECT_EQ(h.sink.count(kStorm), 0u);
}

}  // namespace
}  // namespace picket::detect::dns::test

#include "dns_fixture.hpp"

namespace picket::detect::dns::test {
namespace {

constexpr auto kSink = FindingType::kTrojanBlackholeTrafficDns;

TEST(Sinkhole, AnswerInTheTableFires) {
  Harness h(make_sinkhole_detector());
  h.feed(response("10.1.0.110", "ads.example.com", 0, sec(0), {"0.0.0.0"}));
  h.feed(response("10.1.0.110", "c2.seized-example.com", 0, sec(1), {"199.2.137.33"}));
  h.feed(response("10.1.0.110", "www.c2.seized-example.com", 0, sec(2), {"199.2.137.33"}));  // folded
  h.feed(response("10.1.0.111", "x.blocked-example.org", 0, sec(3), {"146.112.61.106"}));
  h.flush();
  ASSERT_EQ(h.sink.count(kSink), 3u);
  EXPECT_STREQ(h.sink.all[0].domain, "seized-example.com");
  EXPECT_EQ(h.sink.all[0].severity, 5.0);
  EXPECT_EQ(h.sink.all[0].hosts[0], ip("199.2.137.33"));
  EXPECT_EQ(h.sink.metric(h.sink.all[0], "nullAnswersFromHost"), 1);
  EXPECT_EQ(h.sink.all[0].identity[0], h.sink.all.back().identity[0]);  // the repeat, folded and flushed
}

TEST(Sinkhole, NullAnswersAloneAndOrdinaryAnswersStaySilent) {
  Harness h(make_sinkhole_detector());
  for (int i = 0; i < 100; ++i) {
    h.feed(response("10.1.0.112", "tracker" + std::to_string(i) + ".example.com", 0, sec(i), {"0.0.0.0"}));
    h.feed(response("10.1.0.112", "ads" + std::to_string(i) + ".example.com", 0, sec(i), {"127.0.0.1"}));
    h.feed(response("10.1.0.112", "www.example.com", 0, sec(i), {"203.0.113.7"}));
    h.feed(response("10.1.0.112", "near.example.com", 0, sec(i), {"199.2.138.1"}));
  }
  h.flush();
  EXPECT_EQ(h.sink.count(kSink), 0u);
}

}  // namespace
}  // namespace picket::detect::dns::test

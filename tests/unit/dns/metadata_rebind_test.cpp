#include "dns_fixture.hpp"

namespace picket::detect::dns::test {
namespace {

constexpr auto kRebind = FindingType::kUnauthorizedMetadataDnsRebind;

TEST(MetadataRebind, AnswerToTheMetadataAddressFires) {
  Harness h(make_metadata_rebind_detector());
  h.feed(response("10.1.0.100", "rbnd.attacker-example.com", 0, sec(1), {"169.254.169.254"}));
  h.feed(response("10.1.0.101", "v6.attacker-example.com", 0, sec(2), {"fd00:ec2::254"}, 28));
  h.flush();
  ASSERT_EQ(h.sink.count(kRebind), 2u);
  EXPECT_STREQ(h.sink.all[0].domain, "rbnd.attacker-example.com");
  EXPECT_EQ(h.sink.all[0].severity, 8.0);
  EXPECT_EQ(h.sink.all[0].hosts[0], ip("169.254.169.254"));
}

TEST(MetadataRebind, RepeatsFoldAndOtherAnswersStaySilent) {
  Harness h(make_metadata_rebind_detector());
  for (int i = 0; i < 10; ++i)
    h.feed(response("10.1.0.102", "r.attacker-example.com", 0, sec(i), {"203.0.113.9", "169.254.169.254"}));
  h.feed(response("10.1.0.103", "instance-data.ec2.internal", 0, sec(1), {"169.254.169.254"}));
  h.feed(response("10.1.0.103", "metadata.google.internal", 0, sec(1), {"169.254.169.254"}));
  h.feed(response("10.1.0.103", "instance-data", 0, sec(1), {"169.254.169.254"}));
  h.feed(response("10.1.0.103", "near.example.com", 0, sec(1), {"169.254.169.253"}));
  DnsEvent q = query("10.1.0.103", "x.example.com", 1, sec(2));  // a query has no answers
  h.feed(q);
  h.flush();
  ASSERT_EQ(h.sink.count(kRebind), 2u);  // first report + the 9 folded repeats at the end
  std::uint32_t total = 0;
  for (const auto& f : h.sink.all) total += f.count;
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(h.sink.all[0].identity[0], h.sink.all[1].identity[0]);
}

TEST(MetadataRebind, InternalNamesFireWhenNotAllowed) {
  Harness h(make_metadata_rebind_detector(), {{"allow_internal", 0}});
  h.feed(response("10.1.0.104", "instance-data.ec2.internal", 0, sec(1), {"169.254.169.254"}));
  h.flush();
  EXPECT_EQ(h.sink.count(kRebind), 1u);
}

}  // namespace
}  // namespace picket::detect::dns::test

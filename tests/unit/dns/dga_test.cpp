#include <random>

#include "dns_fixture.hpp"

namespace picket::detect::dns::test {
namespace {

constexpr auto kDga = FindingType::kTrojanDgaDomainRequest;

std::string random_label(std::mt19937& rng, int len, const char* alphabet = "abcdefghijklmnopqrstuvwxyz") {
  std::string s;
  const std::size_t n = std::strlen(alphabet);
  for (int i = 0; i < len; ++i) s += alphabet[rng() % n];
  return s;
}

TEST(Dga, BurstOfRandomNxDomainsFires) {
  Harness h(make_dga_detector());
  std::mt19937 rng(1);
  for (int i = 0; i < 20; ++i) h.feed(response("10.1.0.80", random_label(rng, 12) + ".com", 3, sec(i * 2)));
  h.flush();
  ASSERT_EQ(h.sink.count(kDga), 1u);
  const Finding& f = h.sink.all.front();
  EXPECT_EQ(f.severity, 8.0);
  EXPECT_GE(h.sink.metric(f, "nxDomainsInWindow"), 5);
  EXPECT_GE(h.sink.metric(f, "scoreSum"), 8);
  EXPECT_TRUE(std::string(f.domain).ends_with(".com"));
}

TEST(Dga, HexAndConsonantStylesFire) {
  for (const char* alphabet : {"0123456789abcdef", "bcdfghjklmnpqrstvwxz0123456789"}) {
    Harness h(make_dga_detector());
    std::mt19937 rng(2);
    for (int i = 0; i < 15; ++i) h.feed(response("10.1.0.81", random_label(rng, 16, alphabet) + ".net", 3, sec(i)));
    h.flush();
    EXPECT_EQ(h.sink.count(kDga), 1u) << alphabet;
  }
}

TEST(Dga, FewNamesStaySilent) {
  Harness h(make_dga_detector());
  std::mt19937 rng(3);
  for (int i = 0; i < 4; ++i) h.feed(response("10.1.0.82", random_label(rng, 14) + ".com", 3, sec(i)));
  h.flush();
  EXPECT_EQ(h.sink.count(kDga), 0u);
}

TEST(Dga, SpreadOverMoreThanTheWindowStaysSilent) {
  Harness h(make_dga_detector());
  std::mt19937 rng(4);
  for (int i = 0; i < 40; ++i) {
    h.feed(response("10.1.0.83", random_label(rng, 14) + ".com", 3, sec(i * 200.0)));  // 3 per 600 s
    h.tick(sec(i * 200.0 + 1));
  }
  h.flush();
  EXPECT_EQ(h.sink.count(kDga), 0u);
}

TEST(Dga, WordLikeTyposStaySilent) {
  Harness h(make_dga_detector());
  const char* words[] = {"garden", "window", "coffee", "mountain", "bluefern", "orbitcart", "weather", "travel",
                         "kitchen", "library", "summer", "shopping", "music", "sports", "family", "health",
                         "pebblebay", "quillstone", "maplegrid", "harborlight"};
  int i = 0;
  for (const char* w : words)
    for (const char* tld : {".com", ".org"}) h.feed(response("10.1.0.84", std::string(w) + tld, 3, sec(i++)));
  h.flush();
  EXPECT_EQ(h.sink.count(kDga), 0u);
}

TEST(Dga, PrivateSuffixesSingleLabelsAndAnswersStaySilent) {
  Harness h(make_dga_detector());
  std::mt19937 rng(5);
  for (int i = 0; i < 50; ++i) {
    h.feed(response("10.1.0.85", random_label(rng, 12), 3, sec(i)));           // Chrome's probes
    h.feed(response("10.1.0.85", random_label(rng, 12) + ".local", 3, sec(i)));
    h.feed(response("10.1.0.85", random_label(rng, 12) + ".corp", 3, sec(i)));
    h.feed(response("10.1.0.86", random_label(rng, 12) + ".com", 0, sec(i), {"203.0.113.5"}));
  }
  h.flush();
  EXPECT_EQ(h.sink.count(kDga), 0u);
}

TEST(Dga, ManySubdomainsOfOneDomainCountOnce) {
  Harness h(make_dga_detector());
  std::mt19937 rng(6);
  for (int i = 0; i < 100; ++i) h.feed(response("10.1.0.87", random_label(rng, 12) + ".qzxkvwjt.com", 3, sec(i)));
  h.flush();
  EXPECT_EQ(h.sink.count(kDga), 0u);
}

}  // namespace
}  // namespace picket::detect::dns::test

// NameMissCache against its plain definition (a set of names found on no
// list in the current generation), and the threat_intel detector's use of
// it: what it reports must not depend on what the cache remembers.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "intel_detectors.hpp"
#include "intel_test_util.hpp"
#include "name_miss_cache.hpp"
#include "picket/intel/store.hpp"

using namespace picket;
using detect::intel::NameMissCache;

namespace {

std::vector<std::string> name_pool(std::mt19937_64& rng) {
  std::vector<std::string> pool;
  const std::string chars = "abcdefghijklmnopqrstuvwxyz0123456789-._";
  for (int i = 0; i < 3000; ++i) {
    std::string s(1 + rng() % 70, 'a');  // some longer than kMaxName
    for (auto& c : s) c = chars[rng() % chars.size()];
    pool.push_back(s);
  }
  // Names that differ only in their length (a trailing NUL), their last
  // kept byte, or their case: each is its own name.
  pool.push_back("ab");
  pool.push_back(std::string("ab\0", 3));
  pool.push_back(std::string(62, 'x'));
  pool.push_back(std::string(61, 'x') + "y");
  pool.push_back(std::string(61, 'x'));
  pool.push_back(std::string(63, 'x'));
  pool.push_back("Www.Example.com");
  pool.push_back("www.example.com");
  return pool;
}

}  // namespace

TEST(NameMissCache, NeverClaimsANameItWasNotGivenInThisGeneration) {
  std::mt19937_64 rng(42);
  const auto pool = name_pool(rng);
  auto cache = std::make_unique<NameMissCache>();
  std::set<std::string> model;  // every miss inserted in this generation
  std::uint64_t generation = 1;
  cache->use_generation(generation);
  std::size_t hits = 0, lookups = 0;
  for (int step = 0; step < 200000; ++step) {
    if (rng() % 20000 == 0) {
      cache->use_generation(++generation);
      model.clear();
    }
    // Skewed choice, as real names are: a few are asked most of the time.
    const std::size_t i = rng() % 4 == 0 ? rng() % pool.size() : rng() % 64 + pool.size() - 64;
    const std::string& name = pool[i];
    NameMissCache::Key key;
    bool hit;
    if (step % 2) {
      hit = cache->contains(name, key);
    } else {  // from a fixed buffer with garbage after the name, as events hold it
      char buf[256];
      for (auto& c : buf) c = static_cast<char>(rng());
      std::memcpy(buf, name.data(), std::min(name.size(), sizeof(buf)));
      hit = cache->contains_padded(buf, name.size(), key);
    }
    ++lookups;
    if (hit) {
      ++hits;
      ASSERT_TRUE(model.count(name)) << "claimed a miss never inserted: " << name;
      ASSERT_LE(name.size(), NameMissCache::kMaxName);
      continue;
    }
    if (rng() % 2) {  // half of the looked-up names miss and are inserted
      cache->insert(key);
      model.insert(name);
      NameMissCache::Key again;
      if (!name.empty() && name.size() <= NameMissCache::kMaxName) {
        ASSERT_TRUE(cache->contains(name, again)) << name;
      } else {
        ASSERT_FALSE(cache->contains(name, again)) << name;
      }
    }
  }
  EXPECT_GT(hits, lookups / 4);  // the skewed names do get remembered
  // The same generation keeps its entries; another drops them.
  NameMissCache::Key key;
  cache->contains("kept.example", key);
  cache->insert(key);
  cache->use_generation(generation);
  EXPECT_TRUE(cache->contains("kept.example", key));
  cache->use_generation(generation + 1);
  EXPECT_FALSE(cache->contains("kept.example", key));
  EXPECT_FALSE(cache->contains("", key));
}

namespace {

using inteltest::snapshot_with;

struct Sink : detect::FindingSink {
  std::vector<detect::Finding> got;
  void emit(const detect::Finding& f) override { got.push_back(f); }
};

detect::DnsEvent query(const char* name, core::Nanos t, bool response = false) {
  detect::DnsEvent e;
  e.ts = t;
  e.client = *core::IpAddr::parse("10.1.0.5");
  e.server = *core::IpAddr::parse("10.0.0.53");
  e.client_local = true;
  e.is_response = response;
  e.qname_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(e.qname, name, e.qname_len);
  if (response) e.addrs[e.addr_count++] = *core::IpAddr::parse("198.51.100.23");
  return e;
}

}  // namespace

TEST(NameMissCache, ThreatIntelSeesANameListedByAReloadAfterItMissed) {
  intel::IntelStore store(snapshot_with("miss_before.txt", "#! category: c2\nother.example\n"));
  auto det = detect::intel::make_threat_intel_detector();
  detect::HomeNet home = detect::HomeNet::defaults();
  detect::DetectorContext ctx;
  ctx.home = &home;
  ctx.intel = &store;
  for (const auto& p : det->params()) ctx.params.push_back(p.default_value);
  auto shard = det->make_shard(ctx);
  Sink sink;
  // Missed, twice (the second time from the cache), query and answer.
  for (int i = 0; i < 2; ++i) {
    shard->on_dns(query("www.late.example", core::seconds(1 + i)), sink);
    shard->on_dns(query("www.late.example", core::seconds(1 + i), true), sink);
  }
  EXPECT_TRUE(sink.got.empty());
  store.publish(snapshot_with("miss_after.txt", "#! category: c2\n#! name: late\nlate.example\n"));
  shard->on_dns(query("www.late.example", core::seconds(10)), sink);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_STREQ(sink.got[0].threat_name, "late.example");
  // The answer of a listed name is remembered (not cached as a miss): a
  // connection to its address names the domain.
  shard->on_dns(query("www.late.example", core::seconds(11), true), sink);
  detect::FlowEvent f;
  auto& r = f.rec;
  const auto a = *core::IpAddr::parse("10.1.0.5"), b = *core::IpAddr::parse("198.51.100.23");
  r.initiator_is_lo = a < b;
  r.key.lo = r.initiator_is_lo ? a : b;
  r.key.hi = r.initiator_is_lo ? b : a;
  r.key.lo_port = r.initiator_is_lo ? 40000 : 443;
  r.key.hi_port = r.initiator_is_lo ? 443 : 40000;
  r.key.proto = 6;
  r.first_seen = r.last_seen = r.end_time = core::seconds(12);
  r.packets[0] = r.packets[1] = 1;
  f.initiator_local = true;
  shard->on_flow(f, sink);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_STREQ(sink.got[1].domain, "www.late.example");
}

// beacon::SampleRing (first samples inside the pair, then a heap buffer)
// against the plain definition it replaced: a std::vector filled by
// push_back up to max, then overwritten at a rotating `next` index.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "beacon/sample_ring.hpp"

namespace {

using picket::detect::beacon::BeaconSample;
using picket::detect::beacon::SampleRing;

struct VectorRingModel {
  std::vector<BeaconSample> samples;
  std::uint32_t next = 0;
  void add(const BeaconSample& s, std::size_t max) {
    if (samples.size() < max) {
      samples.push_back(s);
    } else {
      samples[next] = s;
      next = static_cast<std::uint32_t>((next + 1) % max);
    }
  }
};

void expect_same(const SampleRing& ring, const VectorRingModel& model) {
  const auto got = ring.samples();
  ASSERT_EQ(got.size(), model.samples.size());
  ASSERT_EQ(ring.size(), model.samples.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].start, model.samples[i].start) << i;
    EXPECT_EQ(got[i].size, model.samples[i].size) << i;
  }
}

TEST(SampleRing, MatchesTheVectorRingForEveryCapAndLength) {
  std::mt19937_64 rng(5);
  for (std::size_t max : {std::size_t{4}, std::size_t{5}, std::size_t{7}, std::size_t{8}, std::size_t{9},
                          std::size_t{16}, std::size_t{20}, std::size_t{64}, std::size_t{100}}) {
    SampleRing ring;
    VectorRingModel model;
    for (int i = 0; i < 300; ++i) {
      const BeaconSample s{static_cast<picket::core::Nanos>(rng() % 1000000), static_cast<std::uint32_t>(rng())};
      ring.add(s, max);
      model.add(s, max);
      SCOPED_TRACE(testing::Message() << "max " << max << " after " << i + 1);
      expect_same(ring, model);
      if (HasFailure()) return;
    }
  }
}

TEST(SampleRing, ARecycledRingIsLikeANewOne) {
  std::mt19937_64 rng(6);
  for (std::size_t max : {std::size_t{4}, std::size_t{9}, std::size_t{64}}) {
    SampleRing ring;
    for (int round = 0; round < 4; ++round) {
      VectorRingModel model;
      const int n = round % 2 ? 3 : 150;  // small and spilled rings, in turn
      for (int i = 0; i < n; ++i) {
        const BeaconSample s{static_cast<picket::core::Nanos>(rng() % 1000000), static_cast<std::uint32_t>(rng())};
        ring.add(s, max);
        model.add(s, max);
      }
      SCOPED_TRACE(testing::Message() << "max " << max << " round " << round);
      expect_same(ring, model);
      ring.recycle();
      EXPECT_EQ(ring.size(), 0u);
      EXPECT_TRUE(ring.samples().empty());
    }
  }
}

TEST(SampleRing, SmallPairsUseNoHeap) {
  EXPECT_EQ(SampleRing::heap_bytes(1), 0u);
  EXPECT_EQ(SampleRing::heap_bytes(SampleRing::kInline), 0u);
  EXPECT_EQ(SampleRing::heap_bytes(SampleRing::kInline + 1), 2 * SampleRing::kInline * sizeof(BeaconSample));
  EXPECT_EQ(SampleRing::heap_bytes(64), 64 * sizeof(BeaconSample));
  EXPECT_EQ(SampleRing::heap_bytes(20), 32 * sizeof(BeaconSample));
}

}  // namespace

// sort_nearly_sorted gives what std::stable_sort gives on keys, whether the
// input is sorted, has a few late elements (the insertion path), has late
// elements at the very front or far back, is a few long sorted runs or is
// jumbled (both give up the insertion sort for std::sort part way).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "../../../src/pipeline/nearly_sorted.hpp"

namespace {

struct Item {
  std::uint64_t time;
  std::uint32_t id;
};

std::vector<std::uint64_t> times(const std::vector<Item>& v) {
  std::vector<std::uint64_t> t;
  for (const Item& i : v) t.push_back(i.time);
  return t;
}

void check(std::vector<Item> v) {
  std::vector<Item> want = v;
  std::stable_sort(want.begin(), want.end(), [](const Item& a, const Item& b) { return a.time < b.time; });
  picket::pipeline::sort_nearly_sorted(v.begin(), v.end(), [](const Item& a, const Item& b) { return a.time < b.time; });
  ASSERT_EQ(times(v), times(want));
  // A permutation: every id still there once.
  std::vector<std::uint32_t> ids;
  for (const Item& i : v) ids.push_back(i.id);
  std::sort(ids.begin(), ids.end());
  for (std::uint32_t k = 0; k < ids.size(); ++k) ASSERT_EQ(ids[k], k);
}

TEST(SortNearlySorted, MatchesAFullSortForEveryShapeOfDisorder) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = rng() % 300;
    std::vector<Item> v;
    std::uint64_t t = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      t += rng() % 3;  // repeated times too
      v.push_back({t, i});
    }
    const int shape = round % 5;
    if (shape == 1 || shape == 2) {
      // A few late elements: moved from their place to somewhere later
      // (shape 2: from the very front to the very back and back again).
      const std::size_t moves = 1 + rng() % (shape == 1 ? 8 : 3);
      for (std::size_t m = 0; m < moves && n > 1; ++m) {
        const std::size_t from = shape == 2 ? 0 : rng() % n;
        const std::size_t to = shape == 2 ? n - 1 : from + rng() % (n - from);
        std::rotate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(from) + 1,
                    v.begin() + static_cast<long>(to) + 1);
      }
    } else if (shape == 3) {
      std::shuffle(v.begin(), v.end(), rng);
    } else if (shape == 4) {
      // A few long sorted runs one after another (a flush ending flows
      // class by class): few steps back, many moves.
      const std::size_t runs = 2 + rng() % 3;
      std::vector<std::vector<Item>> parts(runs);
      for (const Item& i : v) parts[rng() % runs].push_back(i);
      v.clear();
      for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
    }
    check(v);
  }
}

TEST(SortNearlySorted, EmptyAndSingle) {
  check({});
  check({{7, 0}});
  check({{7, 1}, {3, 0}});
}

}  // namespace

#pragma once
// sort_nearly_sorted: std::sort for input that is mostly in order already.
//
// A detector host's waiting events arrive nearly in time order: each worker
// sends its DNS and name events as it reads packets, and ends flows at
// watermarks in deadline order. On bench_mix, 245 of 280,106 events came
// after a later one. std::sort pays n log n whatever the order; an insertion
// sort pays n plus the distance each late element moves back, so it is used
// until that distance exceeds a few moves per element; then a range of a few
// long sorted runs (the flush at end of input) is merged, and anything else
// goes to std::sort.
#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <utility>

namespace picket::pipeline {

// A range that is a few sorted runs one after another (the flows a flush
// ends, class by class, each class in deadline order) is merged run by run,
// n log(runs) instead of n log(n); any other std::sort sorts.
template <typename It, typename Less>
void merge_runs_or_sort(It first, It last, Less less) {
  constexpr std::size_t kMaxRuns = 32;
  std::array<It, kMaxRuns + 1> bounds;  // run r is [bounds[r], bounds[r + 1])
  std::size_t runs = 0;
  bounds[0] = first;
  for (It it = first; it != last; ++it) {
    if (it == first || !less(*it, *std::prev(it))) continue;
    if (++runs == kMaxRuns) {
      std::sort(first, last, less);
      return;
    }
    bounds[runs] = it;
  }
  bounds[++runs] = last;
  while (runs > 1) {  // merge neighbours pairwise, halving the runs each round
    std::size_t kept = 0;
    for (std::size_t r = 0; r < runs; r += 2) {
      if (r + 1 < runs) std::inplace_merge(bounds[r], bounds[r + 1], bounds[r + 2], less);
      bounds[kept++] = bounds[r];
    }
    bounds[kept] = last;
    runs = kept;
  }
}

template <typename It, typename Less>
void sort_nearly_sorted(It first, It last, Less less) {
  const auto n = static_cast<std::size_t>(std::distance(first, last));
  // Insertion sort while it stays cheap: a few sorted runs of thousands
  // (the flows a flush ends, class by class) are few steps back but many
  // moves, and go to std::sort as soon as the moves exceed a few per element.
  const std::size_t budget = 4 * n + 64;
  std::size_t moves = 0;
  for (It it = first; it != last; ++it) {
    if (it == first || !less(*it, *std::prev(it))) continue;
    auto late = std::move(*it);
    It hole = it;
    do {
      *hole = std::move(*std::prev(hole));
      --hole;
      ++moves;
    } while (hole != first && less(late, *std::prev(hole)));
    *hole = std::move(late);
    if (moves > budget) {
      // Still a permutation of the input: sort it all.
      merge_runs_or_sort(first, last, less);
      return;
    }
  }
}

}  // namespace picket::pipeline

#pragma once
// Regularity score of one (local host, remote host, remote port) pair's
// connections, in the manner of RITA's published beacon scoring: a timing
// half (Bowley skew of the intervals, their median absolute deviation, and
// how well the connection count covers the observed span at the median
// interval) and a data-size half (Bowley skew of the sizes, their median
// absolute deviation, and smallness). Every component is in [0, 1], 1 being
// perfectly regular. Pure function: the detector and the benchmark share it.
#include <cstdint>
#include <span>
#include <vector>

#include "picket/core/clock.hpp"

namespace picket::detect::beacon {

struct BeaconSample {
  core::Nanos start = 0;   // connection start (first packet)
  std::uint32_t size = 0;  // bytes the initiator sent (IP bytes)
};

struct ScoreParams {
  // Interval MAD as a fraction of the median interval at which the
  // dispersion component reaches 0: the jitter tolerance.
  double jitter_tolerance = 0.3;
  // Size MAD in bytes at which the size-dispersion component reaches 0 (RITA: 32).
  double size_mad_cutoff = 32;
  // Weight of the timing half against the data-size half (score =
  // (w * ts + ds) / (w + 1)).
  double timing_weight = 2;
};

struct BeaconScore {
  double score = 0;  // combined, 0-1
  double ts_score = 0, ds_score = 0;
  double ts_skew = 0, ts_madm = 0, ts_count = 0;  // timing components
  double ds_skew = 0, ds_madm = 0, ds_small = 0;  // data-size components
  double median_interval_s = 0, interval_mad_s = 0;
  double median_size = 0, size_mad = 0;
  double span_s = 0;
  std::size_t connections = 0;
};

// Scores `samples` (any order; at least 3 needed, else all zero). `scratch`
// is reused between calls so that scoring does not allocate once warm.
BeaconScore score_beacon(std::span<const BeaconSample> samples, const ScoreParams& p, std::vector<double>& scratch);

// Linear-interpolated quantile q of sorted values (q in [0, 1]).
double quantile_sorted(std::span<const double> sorted, double q);
// Bowley (quartile) skewness; 0 when the quartiles leave it undefined
// (Q3 == Q1, or the median equal to either quartile), as RITA does.
double bowley_skew(double q1, double q2, double q3);

}  // namespace picket::detect::beacon

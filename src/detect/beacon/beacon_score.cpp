#include "beacon_score.hpp"

#include <algorithm>
#include <cmath>

namespace picket::detect::beacon {

double quantile_sorted(std::span<const double> v, double q) {
  if (v.empty()) return 0;
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double bowley_skew(double q1, double q2, double q3) {
  if (q3 == q1 || q2 == q1 || q2 == q3) return 0;
  return (q1 + q3 - 2 * q2) / (q3 - q1);
}

namespace {

double clamp01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

struct Spread {
  double q1, q2, q3, mad;
};

// Sorts `v` in place; the median absolute deviation is computed in `tmp`.
Spread spread(std::span<double> v, std::span<double> tmp) {
  std::sort(v.begin(), v.end());
  Spread s;
  s.q1 = quantile_sorted(v, 0.25);
  s.q2 = quantile_sorted(v, 0.5);
  s.q3 = quantile_sorted(v, 0.75);
  for (std::size_t i = 0; i < v.size(); ++i) tmp[i] = std::fabs(v[i] - s.q2);
  std::sort(tmp.begin(), tmp.end());
  s.mad = quantile_sorted(tmp, 0.5);
  return s;
}

}  // namespace

BeaconScore score_beacon(std::span<const BeaconSample> samples, const ScoreParams& p, std::vector<double>& scratch) {
  BeaconScore r;
  const std::size_t n = samples.size();
  r.connections = n;
  if (n < 3) return r;
  // Layout of scratch: [0, n) start times, then n-1 intervals, n sizes, n temporaries.
  scratch.resize(4 * n);
  double* starts = scratch.data();
  double* intervals = starts + n;
  double* sizes = intervals + (n - 1);
  double* tmp = sizes + n;
  core::Nanos t0 = samples[0].start;
  for (const auto& s : samples) t0 = std::min(t0, s.start);
  for (std::size_t i = 0; i < n; ++i) {
    starts[i] = static_cast<double>(samples[i].start - t0) / 1e9;
    sizes[i] = samples[i].size;
  }
  std::sort(starts, starts + n);
  for (std::size_t i = 0; i + 1 < n; ++i) intervals[i] = starts[i + 1] - starts[i];
  r.span_s = starts[n - 1] - starts[0];

  const Spread ts = spread({intervals, n - 1}, {tmp, n - 1});
  r.median_interval_s = ts.q2;
  r.interval_mad_s = ts.mad;
  r.ts_skew = 1 - std::fabs(bowley_skew(ts.q1, ts.q2, ts.q3));
  if (ts.q2 > 0) {
    r.ts_madm = clamp01(1 - ts.mad / (p.jitter_tolerance * ts.q2));
    // Connections seen against those expected over the span at the median
    // interval: gaps (sessions with long pauses) lower it.
    r.ts_count = clamp01(static_cast<double>(n) / (r.span_s / ts.q2 + 1));
  }

  const Spread ds = spread({sizes, n}, {tmp, n});
  r.median_size = ds.q2;
  r.size_mad = ds.mad;
  r.ds_skew = 1 - std::fabs(bowley_skew(ds.q1, ds.q2, ds.q3));
  r.ds_madm = clamp01(1 - ds.mad / p.size_mad_cutoff);
  r.ds_small = clamp01(1 - ds.q2 / 65535.0);

  r.ts_score = (r.ts_skew + r.ts_madm + r.ts_count) / 3;
  r.ds_score = (r.ds_skew + r.ds_madm + r.ds_small) / 3;
  r.score = (p.timing_weight * r.ts_score + r.ds_score) / (p.timing_weight + 1);
  return r;
}

}  // namespace picket::detect::beacon

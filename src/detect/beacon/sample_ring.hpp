#pragma once
// The most recent connections of one beacon pair: at most `max` samples, the
// oldest overwritten once full (a ring; `samples()` is in slot order, which
// score_beacon accepts). Most pairs see one or two connections, so the first
// kInline samples are kept in the pair itself: a new pair allocates nothing,
// and only a pair past kInline connections moves them to a heap buffer (which
// grows by doubling, as a vector's would, up to `max`; recycle() keeps it for
// the next pair, which then fills it only after kInline samples, as before).
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "beacon_score.hpp"

namespace picket::detect::beacon {

class SampleRing {
 public:
  static constexpr std::size_t kInline = 4;

  // Adds `s`; when `max` samples are kept already, it replaces the oldest.
  // `max` must be the same on every call.
  void add(const BeaconSample& s, std::size_t max) {
    if (count_ < max) {
      if (heap_.empty()) {
        if (count_ < kInline) {
          inline_[count_++] = s;
          return;
        }
        heap_.reserve(max < 2 * kInline ? max : 2 * kInline);
        heap_.assign(inline_, inline_ + count_);
      }
      heap_.push_back(s);
      ++count_;
      return;
    }
    BeaconSample* slots = heap_.empty() ? inline_ : heap_.data();
    slots[next_] = s;
    next_ = static_cast<std::uint32_t>((next_ + 1) % max);
  }

  // Empty again, keeping the heap buffer for the next pair.
  void recycle() {
    std::vector<BeaconSample> keep = std::move(heap_);
    keep.clear();
    *this = SampleRing{};
    heap_ = std::move(keep);
  }

  std::size_t size() const { return count_; }
  std::span<const BeaconSample> samples() const {
    return heap_.empty() ? std::span<const BeaconSample>(inline_, count_) : std::span<const BeaconSample>(heap_);
  }

  // Heap bytes a ring holding `n` samples has allocated (the buffer's
  // capacity; nothing up to kInline).
  static std::size_t heap_bytes(std::size_t n) {
    if (n <= kInline) return 0;
    std::size_t cap = 2 * kInline;
    while (cap < n) cap *= 2;
    return cap * sizeof(BeaconSample);
  }

 private:
  BeaconSample inline_[kInline];
  std::vector<BeaconSample> heap_;
  std::uint32_t count_ = 0;
  std::uint32_t next_ = 0;  // oldest slot once full
};

}  // namespace picket::detect::beacon

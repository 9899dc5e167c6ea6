#pragma once
// Keys and finding helpers shared by the behaviour detectors.
//
// Worker invariance: flow events reach the shard of their *initiator*, so a
// key must contain the initiator (and never merge flows of the same two
// hosts initiated from either end): then every flow of a key meets in one
// shard whatever the number of workers.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "key_hash.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/detector.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::common {

struct PairKey {
  core::IpAddr initiator, responder;
  std::uint32_t extra = 0;  // a port, a type, ... as the detector needs
  bool operator==(const PairKey&) const = default;
};

static_assert(sizeof(PairKey) == 36, "PairKey must have no padding (hashed as bytes)");

struct PairKeyHash {
  std::size_t operator()(const PairKey& k) const {
    return static_cast<std::size_t>(hash_pair(k.initiator, k.responder, k.extra));
  }
};

// Reads parameter i of a detector context, with a default when absent (tests
// may build shards with fewer values).
inline double param(const DetectorContext& ctx, std::size_t i, double fallback) {
  return i < ctx.params.size() ? ctx.params[i] : fallback;
}

inline core::Nanos seconds_param(const DetectorContext& ctx, std::size_t i, double fallback) {
  return static_cast<core::Nanos>(param(ctx, i, fallback) * 1e9);
}

inline double to_seconds(core::Nanos n) { return static_cast<double>(n) / 1e9; }

// A finding's two hosts from a pair: the home host is the initiator when
// `local_initiator`, and `service_port` (the responder's port) is put on the
// responder's side, whichever host that is.
inline void set_pair_hosts(Finding& f, const PairKey& k, bool local_initiator, std::uint16_t service_port) {
  f.local = local_initiator ? k.initiator : k.responder;
  f.remote = local_initiator ? k.responder : k.initiator;
  if (local_initiator) {
    f.remote_port = service_port;
  } else {
    f.local_port = service_port;
  }
}

}  // namespace picket::detect::common

#pragma once
#include <cstddef>
#include <cstdint>
#include <xxhash.h>

namespace picket::core {

inline std::uint64_t hash_bytes(const void* p, std::size_t n, std::uint64_t seed = 0) {
  return XXH3_64bits_withSeed(p, n, seed);
}

}  // namespace picket::core

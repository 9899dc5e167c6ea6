#pragma once
// Time in picket is capture time: nanoseconds since the Unix epoch taken from
// packet timestamps, so that a replay is deterministic and runs at any speed.
#include <cstddef>
#include <cstdint>
#include <string>

namespace picket::core {

using Nanos = std::uint64_t;
inline constexpr Nanos kNanosPerSecond = 1'000'000'000ULL;
inline constexpr Nanos kNanosMax = ~Nanos{0};

constexpr Nanos seconds(double s) { return static_cast<Nanos>(s * 1e9); }

// ISO 8601 UTC with milliseconds, e.g. 2017-10-31T23:16:23.123Z (GuardDuty's form).
std::size_t format_iso8601(Nanos t, char* out, std::size_t cap);
std::string iso8601(Nanos t);

// Monotonic wall clock for progress reports and rates (never for detection).
Nanos wall_now();

}  // namespace picket::core

#include "picket/core/clock.hpp"

#include <ctime>
#include <cstdio>

namespace picket::core {

std::size_t format_iso8601(Nanos t, char* out, std::size_t cap) {
  std::time_t secs = static_cast<std::time_t>(t / kNanosPerSecond);
  unsigned millis = static_cast<unsigned>((t % kNanosPerSecond) / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  int n = std::snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return n < 0 ? 0 : static_cast<std::size_t>(n) < cap ? static_cast<std::size_t>(n) : cap - 1;
}

std::string iso8601(Nanos t) {
  char buf[40];
  std::size_t n = format_iso8601(t, buf, sizeof(buf));
  return std::string(buf, n);
}

Nanos wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNanosPerSecond + static_cast<Nanos>(ts.tv_nsec);
}

}  // namespace picket::core

#pragma once
// Where tests/unit/geoip/meson.build had make_test_mmdb.pl write the test
// databases.
#include <cstdlib>
#include <string>

inline std::string test_mmdb(const char* name) {
  // The environment (meson test, bench) first; the build directory when the
  // test binary is run by hand.
  const char* dir = std::getenv("PICKET_TEST_MMDB_DIR");
  return std::string(dir ? dir : PICKET_TEST_MMDB_BUILD_DIR) + "/" + name;
}

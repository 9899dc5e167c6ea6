#pragma once
// Where tests/unit/geoip/meson.build had make_test_mmdb.pl write the test
// databases.
#include <cstdlib>
#include <string>

inline std::string test_mmdb(const char* name) {
  const char* dir = std::getenv("PICKET_TEST_MMDB_DIR");
  return std::string(dir ? dir : ".") + "/" + name;
}

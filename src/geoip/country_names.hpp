#pragma once
#include <cstddef>

namespace picket::geoip {

struct CountryName {
  char code[3];
  const char* name;
};
extern const CountryName kCountryNames[];
extern const std::size_t kCountryNameCount;

}  // namespace picket::geoip

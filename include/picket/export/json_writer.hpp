#pragma once
// A minimal streaming JSON writer into a std::string. Commas are placed
// automatically; strings are escaped so that any bytes (DNS labels may carry
// raw binary) come out as valid JSON: bytes that are not valid UTF-8 are
// written as \u00XX of the byte value.
#include <cstdint>
#include <string>
#include <string_view>

#include "picket/core/ip_addr.hpp"

namespace picket::exporter {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& value(const core::IpAddr& a);
  JsonWriter& null();
  // Writes pre-rendered JSON as a value.
  JsonWriter& raw(std::string_view json);

  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  static void escape(std::string& out, std::string_view s);

 private:
  void separator();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace picket::exporter

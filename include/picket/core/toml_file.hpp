#pragma once
// Reading one TOML configuration file, with the error every config loader
// reports the same way. Header-only: only the modules that read configuration
// (intel, export, app) include it, and they depend on toml++.
#include <exception>
#include <string>

#include <toml++/toml.h>

namespace picket::core {

// Parses `path` into `out`. "" on success; otherwise "FILE:LINE: what" for a
// syntax error, "FILE: what" when the file cannot be read.
inline std::string parse_toml_file(const std::string& path, toml::table& out) {
  try {
    out = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description());
  } catch (const std::exception& e) {
    return path + ": " + e.what();
  }
  return "";
}

// "FILE:LINE" of a node, the start of every configuration error message.
inline std::string toml_where(const std::string& path, const toml::node& n) {
  return path + ":" + std::to_string(n.source().begin.line);
}

}  // namespace picket::core

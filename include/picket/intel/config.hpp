#pragma once
// The [intel] table of picket's configuration file (TOML):
//
//   [intel]
//   default_lists = true                       # load rules/intel/*.txt
//   threat_lists = ["c2:my-c2=lists/c2.txt",   # --threat-list syntax, or
//                   { path = "otx.csv", category = "custom", name = "otx", format = "csv" }]
//   trusted_lists = ["trusted.txt"]            # paths, or { path = ..., format = ... }
//
// Relative paths are relative to the configuration file. Errors name the
// file, the line and the key.
#include <string>

#include "picket/intel/snapshot.hpp"

namespace picket::intel {

// Reads the [intel] table of `path` (other tables are ignored) into `out`,
// appending to its lists. Returns "" or "FILE:LINE: key 'intel.X': message".
std::string load_intel_config(const std::string& path, IntelConfig& out);

}  // namespace picket::intel

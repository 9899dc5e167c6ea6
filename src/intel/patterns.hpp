#pragma once
// Compiling a snapshot's domain patterns (internal to src/intel).
#include <string>

#include "picket/intel/snapshot.hpp"

namespace picket::intel {

// Compiles snap.pattern_text into snap.patterns (Hyperscan, caseless). A
// pattern Hyperscan rejects is reported with its file and line and left out.
void compile_patterns(Snapshot& snap, const std::string& cache_dir, BuildReport& report);

}  // namespace picket::intel

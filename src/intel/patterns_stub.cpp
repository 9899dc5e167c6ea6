// Stand-in until src/match is merged: domain patterns are reported, not matched.
#include "patterns.hpp"
#include "picket/intel/pattern_scanner.hpp"

namespace picket::intel {

void compile_patterns(Snapshot& snap, const std::string&, BuildReport& report) {
  if (!snap.pattern_text.empty()) report.errors.push_back("domain patterns are not supported in this build");
}
struct PatternScanner::Impl {};
PatternScanner::PatternScanner() : impl_(std::make_unique<Impl>()) {}
PatternScanner::~PatternScanner() = default;
PatternScanner::PatternScanner(PatternScanner&&) noexcept = default;
PatternScanner& PatternScanner::operator=(PatternScanner&&) noexcept = default;
unsigned PatternScanner::scan_ids(const Snapshot&, std::string_view, unsigned*) { return 0; }

}  // namespace picket::intel

#pragma once
// Which finding type a threat-list hit raises, by the list's category and
// what matched (src/detect/intel/README.md has the table).
#include <optional>
#include <string_view>

#include "picket/detect/finding.hpp"
#include "picket/intel/lists.hpp"

namespace picket::detect::intel {

// A connection to (outbound) a listed address, or to an address a listed
// domain resolved to. nullopt: the category has no connection finding
// (phishing, driveby, dga: GuardDuty names only their DNS form; tor and
// scanner have their own rules; sinkhole is the sinkhole detector's).
std::optional<FindingType> outbound_address_type(picket::intel::Category c);
// A query, TLS SNI or HTTP Host naming a listed domain (the `!DNS` types).
std::optional<FindingType> domain_type(picket::intel::Category c);
// The canary names `<category>.canary.picket.invalid` raise a finding for
// every category, those without a DNS form included, so that one lookup
// tests the whole path from list to finding.
std::optional<FindingType> canary_type(picket::intel::Category c);
inline constexpr std::string_view kCanarySuffix = ".canary.picket.invalid";

}  // namespace picket::detect::intel

#include "category_types.hpp"

namespace picket::detect::intel {

using picket::intel::Category;

std::optional<FindingType> outbound_address_type(Category c) {
  switch (c) {
    case Category::kC2: return FindingType::kBackdoorCcActivityB;
    case Category::kMining: return FindingType::kCryptoBitcoinToolB;
    case Category::kBlackhole: return FindingType::kTrojanBlackholeTraffic;
    case Category::kDropPoint: return FindingType::kTrojanDropPoint;
    case Category::kCustom: return FindingType::kUnauthorizedMaliciousIpCallerCustom;
    default: return std::nullopt;
  }
}

std::optional<FindingType> domain_type(Category c) {
  switch (c) {
    case Category::kC2: return FindingType::kBackdoorCcActivityBDns;
    case Category::kMining: return FindingType::kCryptoBitcoinToolBDns;
    case Category::kBlackhole: return FindingType::kTrojanBlackholeTrafficDns;
    case Category::kDropPoint: return FindingType::kTrojanDropPointDns;
    case Category::kPhishing: return FindingType::kTrojanPhishingDomainRequestDns;
    case Category::kDriveBy: return FindingType::kTrojanDriveBySourceTrafficDns;
    case Category::kDga: return FindingType::kTrojanDgaDomainRequestCDns;
    case Category::kCustom: return FindingType::kImpactMaliciousDomainRequestCustom;
    default: return std::nullopt;
  }
}

std::optional<FindingType> canary_type(Category c) {
  if (auto t = domain_type(c)) return t;
  switch (c) {
    case Category::kTor: return FindingType::kUnauthorizedTorClient;
    case Category::kScanner: return FindingType::kReconPortProbeUnprotectedPort;
    case Category::kSinkhole: return FindingType::kTrojanBlackholeTrafficDns;
    default: return std::nullopt;
  }
}

}  // namespace picket::detect::intel

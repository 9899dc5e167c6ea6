#pragma once
// The crypto-mining protocol rules (rules/mining.rules, compiled into the
// binary) as one Hyperscan database. Workers scan the first payload bytes of
// each flow with it and record the matching rule in FlowRecord::app_rule; the
// BitcoinTool.B detector names the rule in its evidence.
#include <string>

#include "picket/match/pattern_set.hpp"

namespace picket::detect {

// Compiled on first call (a few milliseconds; call it at pipeline start, off
// the data path), then shared read-only. Never null: if the bundled rules
// failed to compile (a build defect, caught by the unit tests) it matches
// nothing and mining_rules_error() says why.
const match::Database& mining_database();
const std::string& mining_rules_error();

// The rule behind FlowRecord::app_rule (rule id + 1; 0 = none): its name and
// its `proto` metadata, or "" when out of range.
const char* mining_rule_name(unsigned app_rule);
const char* mining_rule_protocol(unsigned app_rule);

}  // namespace picket::detect

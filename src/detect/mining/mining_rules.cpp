// The bundled mining rules: text embedded at build time from rules/mining.rules.
#include "picket/detect/mining_rules.hpp"

#include <vector>

namespace picket::detect {

namespace {

const char kMiningRulesText[] =
#include "mining_rules.inc"
    ;

struct MiningRules {
  std::shared_ptr<const match::Database> db;
  std::string error;

  MiningRules() {
    std::vector<match::Pattern> patterns;
    std::vector<std::string> errors;
    if (!match::parse_rules(kMiningRulesText, "rules/mining.rules", patterns, errors)) {
      for (const auto& e : errors) error += (error.empty() ? "" : "; ") + e;
    }
    std::string compile_error;
    db = match::Database::compile(std::move(patterns), "", compile_error);
    if (!db) {
      error += (error.empty() ? "" : "; ") + compile_error;
      db = match::Database::compile({}, "", compile_error);
    }
  }
};

const MiningRules& rules() {
  static const MiningRules r;  // thread-safe one-time initialisation
  return r;
}

}  // namespace

const match::Database& mining_database() { return *rules().db; }
const std::string& mining_rules_error() { return rules().error; }

const char* mining_rule_name(unsigned app_rule) {
  const auto& db = mining_database();
  if (app_rule == 0 || app_rule > db.size()) return "";
  return db.pattern(app_rule - 1).name.c_str();
}

const char* mining_rule_protocol(unsigned app_rule) {
  const auto& db = mining_database();
  if (app_rule == 0 || app_rule > db.size()) return "";
  const auto& meta = db.pattern(app_rule - 1).meta;
  const auto it = meta.find("proto");
  return it == meta.end() ? "" : it->second.c_str();
}

}  // namespace picket::detect

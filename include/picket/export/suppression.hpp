#pragma once
// Suppression rules with GuardDuty's filter criteria. A rule is a list of
// criteria on fields of the finding JSON, all of which must hold (AND); a
// criterion lists values of which any may match (OR). A finding that matches
// a rule is archived: `archived: true`, written only to sinks that keep
// archived findings, never sent to syslog, hooks or webhooks.
//
// Fields are resolved once, when the rules are loaded, to accessors on the
// finding record, so a typo in a field path is an error at load time and
// matching costs a few comparisons (no JSON is rendered or parsed).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/export/finding_json.hpp"

namespace picket::exporter {

enum class FieldKind : std::uint8_t { kString, kNumber, kAddress };

enum class Operator : std::uint8_t {
  kEquals, kNotEquals, kGreaterThan, kGreaterThanOrEqual, kLessThan, kLessThanOrEqual, kMatches, kNotMatches
};
// "equals" (also "eq"), "notEquals" ("neq"), "greaterThan" ("gt"), "greaterThanOrEqual" ("gte"),
// "lessThan" ("lt"), "lessThanOrEqual" ("lte"), "matches", "notMatches".
std::optional<Operator> parse_operator(std::string_view name);
const char* operator_name(Operator op);

// Shell-style wildcards: `*` any run of characters (also none), `?` any one.
bool wildcard_match(std::string_view pattern, std::string_view text);

struct FieldInfo {
  const char* path;
  FieldKind kind;
  const char* help;
};
// Every field path a criterion may name.
const std::vector<FieldInfo>& filter_fields();

struct Criterion {
  std::string field;
  int field_index = -1;  // into filter_fields()
  Operator op = Operator::kEquals;
  // Parsed values, by the field's kind.
  std::vector<std::string> strings;      // kString, and patterns of matches/notMatches
  std::vector<double> numbers;           // kNumber
  std::vector<core::Cidr> cidrs;         // kAddress (an address is a /32 or /128)
};

struct Rule {
  std::string name;
  std::string origin;  // "FILE:LINE"
  std::vector<Criterion> criteria;
};

class RuleSet {
 public:
  // Adds a criterion to `rule`, checking the field, operator and values.
  // Returns "" or an error message (without location).
  static std::string make_criterion(std::string_view field, std::string_view op,
                                    const std::vector<std::string>& values, Criterion& out);
  void add(Rule r) { rules_.push_back(std::move(r)); hits_.push_back(0); }
  // Index of the first rule that `rec` matches, or -1. Counts the hit.
  int match(const FindingRecord& rec);
  bool empty() const { return rules_.empty(); }
  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<std::uint64_t>& hits() const { return hits_; }

 private:
  std::vector<Rule> rules_;
  std::vector<std::uint64_t> hits_;
};

// Whether `rec` satisfies one criterion (exposed for tests).
bool criterion_holds(const Criterion& c, const FindingRecord& rec);

}  // namespace picket::exporter

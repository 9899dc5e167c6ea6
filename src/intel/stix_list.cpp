// STIX 2.1 JSON bundles: indicators whose pattern compares ipv4-addr,
// ipv6-addr, domain-name or url values. A pattern that ORs several
// comparisons gives one entry each; `=` gives a literal, and MATCHES / LIKE
// on domain-name give a domain pattern. Patterns picket cannot evaluate on
// one connection or name (AND, FOLLOWEDBY, qualifiers, other objects) are
// reported, not guessed at.
#include <simdjson.h>

#include <algorithm>

#include "picket/intel/lists.hpp"

namespace picket::intel {

namespace {

struct Comparison {
  std::string object;  // "ipv4-addr", ...
  std::string op;      // "=", "MATCHES", "LIKE"
  std::string value;   // unescaped
};

void skip_space(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

// Parses "[a:value = 'x' OR b:value MATCHES 'y'] OR [...]" into comparisons.
// Returns "" or why the pattern is not one picket evaluates.
std::string parse_pattern(std::string_view p, std::vector<Comparison>& out) {
  out.clear();
  std::size_t i = 0;
  int depth = 0;
  bool expect_comparison = true;
  while (true) {
    skip_space(p, i);
    if (i >= p.size()) break;
    const char c = p[i];
    if (c == '[' || c == '(') {
      ++depth;
      ++i;
      continue;
    }
    if (c == ']' || c == ')') {
      if (--depth < 0) return "unbalanced brackets";
      ++i;
      continue;
    }
    if (!expect_comparison) {
      std::size_t j = i;
      while (j < p.size() && std::isalpha(static_cast<unsigned char>(p[j]))) ++j;
      const std::string_view word = p.substr(i, j - i);
      if (word == "OR") {
        i = j;
        expect_comparison = true;
        continue;
      }
      std::string msg = word.empty() ? std::string("unexpected '") + c : std::string("'").append(word);
      return msg.append(word.empty() ? "'" : "' is not supported (only OR of comparisons)");
    }
    // object:path op 'value'
    std::size_t j = i;
    while (j < p.size() && p[j] != ' ' && p[j] != '=' && p[j] != '!' && p[j] != '<' && p[j] != '>') ++j;
    const std::string_view lhs = p.substr(i, j - i);
    const auto colon = lhs.find(':');
    if (colon == std::string_view::npos) return "expected OBJECT:PROPERTY, got '" + std::string(lhs) + "'";
    Comparison cmp;
    cmp.object = std::string(lhs.substr(0, colon));
    const std::string_view prop = lhs.substr(colon + 1);
    i = j;
    skip_space(p, i);
    std::size_t k = i;
    while (k < p.size() && p[k] != ' ' && p[k] != '\'') ++k;
    cmp.op = std::string(p.substr(i, k - i));
    i = k;
    skip_space(p, i);
    if (i >= p.size() || p[i] != '\'') return "expected a quoted value after '" + std::string(lhs) + " " + cmp.op + "'";
    ++i;
    while (i < p.size() && p[i] != '\'') {
      if (p[i] == '\\' && i + 1 < p.size()) ++i;
      cmp.value.push_back(p[i++]);
    }
    if (i >= p.size()) return "unterminated string";
    ++i;
    if (prop != "value") return "property '" + std::string(prop) + "' is not supported (only :value)";
    out.push_back(std::move(cmp));
    expect_comparison = false;
  }
  if (depth != 0) return "unbalanced brackets";
  if (out.empty()) return "no comparison";
  return "";
}

// SQL LIKE ('%' any run, '_' one character) as an anchored regex.
std::string like_regex(std::string_view like) {
  std::string r = "^";
  for (char c : like) {
    if (c == '%') r += ".*";
    else if (c == '_') r += '.';
    else if (std::string_view("\\^$.|+()[]{}/*?").find(c) != std::string_view::npos) {
      r += '\\';
      r += c;
    } else r += c;
  }
  return r + "$";
}

unsigned line_of(std::string_view text, std::string_view needle) {
  const auto at = needle.empty() ? std::string_view::npos : text.find(needle);
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<unsigned>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

void parse_stix_bundle(std::string_view text, const std::string& path, const IndicatorSink& sink,
                       ListReport& report) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    report.errors.push_back(path + ": not valid JSON: " + std::string(simdjson::error_message(err)));
    return;
  }
  simdjson::dom::array objects;
  if (root["objects"].get_array().get(objects)) {
    report.errors.push_back(path + ": not a STIX bundle (no \"objects\" array)");
    return;
  }
  std::vector<Comparison> cmps;
  std::string scratch;
  for (simdjson::dom::element obj : objects) {
    std::string_view type, id, pattern, ptype = "stix", name;
    if (obj["type"].get_string().get(type) || type != "indicator") continue;
    if (obj["id"].get_string().get(id)) {}  // optional member
    const unsigned line = line_of(text, id);
    const std::string where = path + ":" + std::to_string(line) + ": indicator " + std::string(id) + ": ";
    bool revoked = false;
    if (obj["revoked"].get_bool().get(revoked)) {}  // optional member
    if (revoked) continue;
    if (obj["pattern_type"].get_string().get(ptype)) {}  // optional member
    if (ptype != "stix") {
      ++report.unsupported;
      continue;
    }
    if (obj["pattern"].get_string().get(pattern)) {
      report.errors.push_back(where + "no pattern");
      continue;
    }
    if (obj["name"].get_string().get(name)) {}  // optional member
    if (auto err = parse_pattern(pattern, cmps); !err.empty()) {
      report.errors.push_back(where + err);
      continue;
    }
    for (const auto& c : cmps) {
      Indicator ind;
      ind.line = line;
      ind.description = name;
      std::string err;
      const bool addr_obj = c.object == "ipv4-addr" || c.object == "ipv6-addr";
      if (c.object != "domain-name" && c.object != "url" && !addr_obj) {
        ++report.unsupported;  // file hashes, e-mail addresses, ...
        continue;
      }
      if (c.op == "=") {
        std::string token = c.value;
        if (c.object == "url" && token.find("://") == std::string::npos) token = "http://" + token;
        if (c.object == "domain-name" && (token.find('/') != std::string::npos || token.find('*') != std::string::npos)) {
          err = "'" + token + "' is not a domain name";
        } else {
          err = classify_token(token, ind, scratch);
        }
        if (err.empty() && addr_obj && ind.kind != IndicatorKind::kAddress) err = "'" + token + "' is not an address";
        if (err.empty() && c.object == "domain-name" && ind.kind != IndicatorKind::kDomain)
          err = "'" + token + "' is not a domain name";
      } else if ((c.op == "MATCHES" || c.op == "LIKE") && c.object == "domain-name") {
        scratch = c.op == "LIKE" ? like_regex(c.value) : c.value;
        ind.kind = IndicatorKind::kDomainPattern;
        ind.text = scratch;
      } else if (c.op == "ISSUBSET" && addr_obj) {
        err = classify_token(c.value, ind, scratch);
        if (err.empty() && ind.kind != IndicatorKind::kAddress) err = "'" + c.value + "' is not a CIDR";
      } else {
        err = "operator '" + c.op + "' on " + c.object + " is not supported";
      }
      if (err == "unsupported") {
        ++report.unsupported;
        continue;
      }
      if (!err.empty()) {
        report.errors.push_back(where + err);
        continue;
      }
      sink(ind);
      report.count(ind.kind);
    }
  }
}

}  // namespace picket::intel

// Rules-file loader: "<name> [key=value ...] /<regex>/[ism]" per line.
#include <hs/hs.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "picket/match/pattern_set.hpp"

namespace picket::match {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Parses one non-comment line into `p`; returns "" or the reason it is bad.
std::string parse_line(const std::string& line, Pattern& p) {
  std::size_t i = 0;
  const std::size_t n = line.size();
  auto skip_space = [&] {
    while (i < n && is_space(line[i])) ++i;
  };
  auto token = [&] {
    const std::size_t b = i;
    while (i < n && !is_space(line[i])) ++i;
    return line.substr(b, i - b);
  };
  skip_space();
  p.name = token();
  if (p.name.front() == '/') return "missing rule name before the regex";
  if (!valid_name(p.name)) return "bad rule name '" + p.name + "' (letters, digits, _ - . : only)";
  for (;;) {
    skip_space();
    if (i >= n) return "missing /regex/";
    if (line[i] == '/') break;
    const std::string kv = token();
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return "expected key=value or /regex/, got '" + kv + "'";
    const std::string key = kv.substr(0, eq);
    if (p.meta.count(key)) return "duplicate key '" + key + "'";
    p.meta[key] = kv.substr(eq + 1);
  }
  std::size_t end = n;
  while (end > i && is_space(line[end - 1])) --end;
  const std::size_t close = line.rfind('/', end - 1);
  if (close == std::string::npos || close <= i) return "regex not closed with '/'";
  p.regex = line.substr(i + 1, close - i - 1);
  if (p.regex.empty()) return "empty regex";
  for (std::size_t k = close + 1; k < end; ++k) {
    switch (line[k]) {
      case 'i': p.flags |= HS_FLAG_CASELESS; break;
      case 's': p.flags |= HS_FLAG_DOTALL; break;
      case 'm': p.flags |= HS_FLAG_MULTILINE; break;
      default: return std::string("unknown regex flag '") + line[k] + "' (i, s, m only)";
    }
  }
  p.flags |= HS_FLAG_SINGLEMATCH;
  // Let Hyperscan judge the expression now, so a bad one is reported at its line.
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(p.regex.c_str(), p.flags, &info, &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "rejected by Hyperscan";
    hs_free_compile_error(err);
    return "bad regex: " + why;
  }
  std::free(info);  // allocated by hs_misc_alloc, the default allocator (malloc)
  return "";
}

}  // namespace

bool parse_rules(const std::string& text, const std::string& origin, std::vector<Pattern>& out,
                 std::vector<std::string>& errors) {
  std::set<std::string> names;
  for (const auto& p : out) names.insert(p.name);
  std::istringstream in(text);
  std::string line;
  unsigned lineno = 0;
  bool ok = true;
  while (std::getline(in, line)) {
    ++lineno;
    std::size_t b = 0;
    while (b < line.size() && is_space(line[b])) ++b;
    if (b == line.size() || line[b] == '#') continue;
    Pattern p;
    std::string why = parse_line(line, p);
    if (why.empty() && !names.insert(p.name).second) why = "duplicate rule name '" + p.name + "'";
    if (!why.empty()) {
      errors.push_back(origin + ":" + std::to_string(lineno) + ": " + why);
      ok = false;
      continue;
    }
    out.push_back(std::move(p));
  }
  return ok;
}

bool load_rules_file(const std::string& path, std::vector<Pattern>& out, std::vector<std::string>& errors) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    errors.push_back(path + ": cannot open rules file");
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) {
    errors.push_back(path + ": read error");
    return false;
  }
  return parse_rules(ss.str(), path, out, errors);
}

}  // namespace picket::match

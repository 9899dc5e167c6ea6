// Plain-text lists (one indicator per line, '#' comments, `#! key: value`
// metadata) and maltrail trail files (the same, plus `# Aliases:` naming the
// threat of the entries that follow).
#include <cctype>

#include "list_lines.hpp"
#include "picket/intel/lists.hpp"

namespace picket::intel {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string where(const std::string& path, unsigned line) { return path + ":" + std::to_string(line) + ": "; }

// `#! key: value` at any line. Returns "" or an error.
std::string metadata(std::string_view body, ListReport& report) {
  const auto colon = body.find(':');
  if (colon == std::string_view::npos) return "metadata needs 'key: value'";
  const std::string key = lower(trim(body.substr(0, colon)));
  const std::string_view value = trim(body.substr(colon + 1));
  if (value.empty()) return "metadata '" + key + "' has no value";
  if (key == "name") report.name = std::string(value);
  else if (key == "source") report.source = std::string(value);
  else if (key == "category") {
    const auto c = parse_category(value);
    if (!c) return "unknown category '" + std::string(value) + "' (" + category_choices() + ")";
    report.category = c;
  } else {
    return "unknown metadata key '" + key + "' (name, category, source)";
  }
  return "";
}

}  // namespace

void parse_text_list(std::string_view text, const std::string& path, bool maltrail, const IndicatorSink& sink,
                     ListReport& report) {
  std::string alias, scratch, desc;
  ListLines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const unsigned line_no = lines.number();
    line = trim(line);
    if (line.empty()) continue;
    if (line.starts_with("#!")) {
      if (auto err = metadata(line.substr(2), report); !err.empty()) report.errors.push_back(where(path, line_no) + err);
      continue;
    }
    if (line.front() == '#') {
      if (maltrail) {
        const std::string_view body = trim(line.substr(1));
        if (lower(body.substr(0, 8)) == "aliases:") alias = std::string(trim(body.substr(8)));
      }
      continue;
    }
    // Inline comment: '#' after whitespace.
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '#' && std::isspace(static_cast<unsigned char>(line[i - 1]))) {
        line = trim(line.substr(0, i));
        break;
      }
    }
    std::size_t sp = 0;
    while (sp < line.size() && !std::isspace(static_cast<unsigned char>(line[sp]))) ++sp;
    std::string_view token = line.substr(0, sp);
    std::string_view rest = trim(line.substr(sp));
    // hosts-file lines: "0.0.0.0 evil.example" blocks the name, not the address.
    if ((token == "0.0.0.0" || token == "127.0.0.1" || token == "::" || token == "::1") && !rest.empty()) {
      std::size_t e = 0;
      while (e < rest.size() && !std::isspace(static_cast<unsigned char>(rest[e]))) ++e;
      token = rest.substr(0, e);
      rest = trim(rest.substr(e));
    }
    // maltrail's path-only trails ("/ringin/merge/": that path on any host)
    // are not matched; in a trail file "/.../" is such a path, not a regex.
    if (maltrail && token.front() == '/') {
      ++report.unsupported;
      continue;
    }
    Indicator ind;
    const std::string err = classify_token(token, ind, scratch);
    if (err == "unsupported") {
      ++report.unsupported;
      continue;
    }
    if (!err.empty()) {
      report.errors.push_back(where(path, line_no) + err);
      continue;
    }
    desc = rest.empty() ? alias : std::string(rest);
    ind.description = desc;
    ind.line = line_no;
    sink(ind);
    report.count(ind.kind);
  }
}

}  // namespace picket::intel

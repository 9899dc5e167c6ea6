// Reading a list file and telling its format.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "picket/intel/lists.hpp"

namespace picket::intel {

ListFormat detect_format(const std::string& path, std::string_view text) {
  std::size_t i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i < text.size() && text[i] == '{') return ListFormat::kStix;
  auto ends_with = [&](const char* ext) {
    const std::size_t n = std::strlen(ext);
    if (path.size() < n) return false;
    for (std::size_t k = 0; k < n; ++k)
      if (std::tolower(static_cast<unsigned char>(path[path.size() - n + k])) != ext[k]) return false;
    return true;
  };
  if (ends_with(".csv")) return ListFormat::kCsv;
  if (ends_with(".json")) return ListFormat::kStix;
  // A file that opens with picket's "#!" headers is picket's own format,
  // whatever its comments mention (a list may cite maltrail as a source).
  if (text.substr(i).starts_with("#!")) return ListFormat::kText;
  // Maltrail's trail files name their authors in the comment block they
  // open with ("# Copyright (c) 2014-... Maltrail developers").
  std::string lower;
  for (std::size_t k = i; k < text.size() && k < i + 512; ++k) {
    const std::size_t eol = text.find('\n', k);
    const std::string_view line = text.substr(k, eol == std::string_view::npos ? text.size() - k : eol - k);
    if (!line.empty() && line.front() != '#') break;  // end of the opening comment block
    for (char c : line) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    lower.push_back('\n');
    if (eol == std::string_view::npos) break;
    k = eol;
  }
  if (lower.find("maltrail") != std::string::npos) return ListFormat::kMaltrail;
  return ListFormat::kText;
}

bool load_list_file(const std::string& path, ListFormat format, const IndicatorSink& sink, ListReport& report) {
  report.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    report.errors.push_back(path + ": cannot read: " + std::strerror(errno));
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    report.errors.push_back(path + ": read error");
    return false;
  }
  const std::string text = buf.str();
  if (format == ListFormat::kAuto) format = detect_format(path, text);
  report.format = format;
  switch (format) {
    case ListFormat::kCsv: parse_csv_list(text, path, sink, report); break;
    case ListFormat::kStix: parse_stix_bundle(text, path, sink, report); break;
    case ListFormat::kMaltrail: parse_text_list(text, path, true, sink, report); break;
    default: parse_text_list(text, path, false, sink, report); break;
  }
  return true;
}

}  // namespace picket::intel

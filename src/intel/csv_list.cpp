// CSV lists: an indicator column and optional type and description columns,
// as AlienVault OTX exports them ("Indicator type,Indicator,Description").
// Without a header row the columns are indicator[,type[,description]].
#include <cctype>

#include "list_lines.hpp"
#include "picket/intel/lists.hpp"

namespace picket::intel {

namespace {

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Splits one CSV record (RFC 4180 quoting within the line). false on an
// unterminated quote.
bool split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '"' && trimmed(cur).empty()) {
      cur.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(was_quoted ? cur : trimmed(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur.push_back(c);
    }
  }
  if (quoted) return false;
  fields.push_back(was_quoted ? cur : trimmed(cur));
  return true;
}

enum class TypeClass { kAny, kAddress, kCidr, kDomain, kHostname, kUrl, kUnsupported, kUnknown };

TypeClass type_class(const std::string& t) {
  if (t.empty()) return TypeClass::kAny;
  if (t == "ipv4" || t == "ipv6" || t == "ip" || t == "ip address" || t == "ip-dst" || t == "ip-src" ||
      t == "ipv4-addr" || t == "ipv6-addr")
    return TypeClass::kAddress;
  if (t == "cidr" || t == "ip-range" || t == "netblock") return TypeClass::kCidr;
  if (t == "domain" || t == "domain-name") return TypeClass::kDomain;
  if (t == "hostname" || t == "host" || t == "fqdn") return TypeClass::kHostname;
  if (t == "url" || t == "uri") return TypeClass::kUrl;
  // OTX's other indicator types: nothing picket can see on the wire.
  if (t.starts_with("filehash") || t == "email" || t == "mutex" || t == "cve" || t == "yara" || t == "ja3" ||
      t == "filepath" || t == "bitcoinaddress" || t == "sslcertfingerprint" || t == "md5" || t == "sha1" ||
      t == "sha256" || t == "imphash" || t == "pehash")
    return TypeClass::kUnsupported;
  return TypeClass::kUnknown;
}

}  // namespace

void parse_csv_list(std::string_view text, const std::string& path, const IndicatorSink& sink, ListReport& report) {
  std::vector<std::string> fields;
  int col_ind = 0, col_type = 1, col_desc = 2;
  bool header_seen = false;
  std::string scratch, token;
  ListLines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const unsigned line_no = lines.number();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (lower_trim(line).empty() || line.front() == '#') continue;
    if (!split_csv(line, fields)) {
      report.errors.push_back(path + ":" + std::to_string(line_no) + ": unterminated quoted field");
      continue;
    }
    if (!header_seen) {
      header_seen = true;
      int ind = -1, type = -1, desc = -1;
      for (int i = 0; i < static_cast<int>(fields.size()); ++i) {
        const std::string h = lower_trim(fields[i]);
        if (h == "indicator" || h == "value" || h == "ioc" || h == "observable") ind = i;
        else if (h == "type" || h == "indicator type" || h == "indicator_type" || h == "ioc_type") type = i;
        else if (h == "description" || h == "title" || h == "name" || h == "comment" || h == "threat") desc = i;
      }
      if (ind >= 0) {
        col_ind = ind;
        col_type = type;
        col_desc = desc;
        continue;
      }
      // No header: indicator first; the second column is a type only if it reads like one.
      col_type = fields.size() > 1 && type_class(lower_trim(fields[1])) != TypeClass::kUnknown ? 1 : -1;
      col_desc = col_type >= 0 ? 2 : 1;
    }
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (col_ind >= static_cast<int>(fields.size()) || fields[col_ind].empty()) {
      report.errors.push_back(where + "no indicator in column " + std::to_string(col_ind + 1));
      continue;
    }
    token = fields[col_ind];
    const std::string type = col_type >= 0 && col_type < static_cast<int>(fields.size()) ? lower_trim(fields[col_type]) : "";
    const TypeClass tc = type_class(type);
    if (tc == TypeClass::kUnsupported) {
      ++report.unsupported;
      continue;
    }
    if (tc == TypeClass::kUnknown) {
      report.errors.push_back(where + "unknown indicator type '" + type + "'");
      continue;
    }
    if (tc == TypeClass::kUrl && token.find("://") == std::string::npos) token = "http://" + token;
    Indicator ind;
    const std::string err = classify_token(token, ind, scratch);
    if (err == "unsupported") {
      ++report.unsupported;
      continue;
    }
    if (!err.empty()) {
      report.errors.push_back(where + err);
      continue;
    }
    const bool want_addr = tc == TypeClass::kAddress || tc == TypeClass::kCidr;
    const bool want_name = tc == TypeClass::kDomain || tc == TypeClass::kHostname;
    if ((want_addr && ind.kind != IndicatorKind::kAddress) ||
        (want_name && (ind.kind == IndicatorKind::kAddress || ind.kind == IndicatorKind::kUrl))) {
      report.errors.push_back(where + "'" + token + "' is not a " + type);
      continue;
    }
    if (tc == TypeClass::kAddress && ind.cidr.prefix_bits != 128) {
      report.errors.push_back(where + "'" + token + "' is a CIDR, not a single " + type + " address");
      continue;
    }
    if (tc == TypeClass::kHostname && ind.kind == IndicatorKind::kDomain) ind.match = DomainMatch::kExact;
    if (col_desc >= 0 && col_desc < static_cast<int>(fields.size())) ind.description = fields[col_desc];
    ind.line = line_no;
    sink(ind);
    report.count(ind.kind);
  }
}

}  // namespace picket::intel

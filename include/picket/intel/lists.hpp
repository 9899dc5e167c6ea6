#pragma once
// Threat and trusted lists: categories, list files and their formats.
//
// A list file is read into indicators (an address or CIDR, a domain with its
// match mode, a domain pattern, or a URL with a path), handed one by one to a sink so that a
// million-entry list never exists as a million small strings. Malformed
// lines are reported as "FILE:LINE: reason" and skipped; the rest loads.
// Formats (src/intel/README.md): plain text, CSV (AlienVault OTX exports),
// STIX 2.1 JSON bundles and maltrail trail files.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/ip_addr.hpp"
#include "picket/intel/domain_set.hpp"

namespace picket::intel {

// What a list is about. Decides the finding type of a hit
// (src/detect/intel/README.md). kTrusted is for trusted lists only.
enum class Category : std::uint8_t {
  kC2 = 0,
  kMining,
  kBlackhole,
  kDropPoint,
  kPhishing,
  kDriveBy,
  kDga,
  kTor,
  kScanner,
  kSinkhole,
  kCustom,
  kTrusted,
  kCount
};
const char* category_name(Category c);
std::optional<Category> parse_category(std::string_view text);
// "c2|mining|...|custom": the names a user may give.
std::string category_choices();

enum class ListFormat : std::uint8_t { kAuto = 0, kText, kCsv, kStix, kMaltrail };
const char* format_name(ListFormat f);
std::optional<ListFormat> parse_format(std::string_view text);

// One list to load, as given on the command line or in the configuration.
struct ListSpec {
  std::string path;
  std::string name;                  // "" = the file's `#! name:` or its file name
  std::optional<Category> category;  // nullopt = the file's `#! category:` or custom
  ListFormat format = ListFormat::kAuto;
  bool trusted = false;
  std::string origin;  // where the spec came from, for messages ("--threat-list", "FILE:LINE")
};

// "[CATEGORY:NAME=]PATH" (--threat-list). Returns "" or an error message.
std::string parse_threat_list_arg(std::string_view text, ListSpec& out);

// kUrl: a URL with a path, matched against plain-HTTP requests (url_set.hpp).
enum class IndicatorKind : std::uint8_t { kAddress, kDomain, kDomainPattern, kUrl };

// One indicator as read; the views are valid during the sink call only.
struct Indicator {
  IndicatorKind kind = IndicatorKind::kAddress;
  core::Cidr cidr;                          // kAddress
  std::string_view text;                    // kDomain: the name; kDomainPattern: a regex (Hyperscan syntax);
                                            // kUrl: the key normalise_url gives ("host/path?query")
  DomainMatch match = DomainMatch::kSuffix;  // kDomain
  std::string_view description;             // threat name or comment, may be empty
  unsigned line = 0;
};

// What a file declared about itself and what reading it gave.
struct ListReport {
  std::string path;
  ListFormat format = ListFormat::kAuto;
  std::string name, source;              // from `#! name:` / `#! source:` (or the STIX bundle)
  std::optional<Category> category;      // from `#! category:`
  std::size_t addresses = 0, domains = 0, patterns = 0, urls = 0;
  std::size_t unsupported = 0;           // indicators of kinds picket does not match (hashes, ftp:// URLs, ...)
  std::vector<std::string> errors;       // "FILE:LINE: reason"
  std::size_t entries() const { return addresses + domains + patterns + urls; }
  void count(IndicatorKind k) {
    (k == IndicatorKind::kAddress ? addresses
     : k == IndicatorKind::kDomain ? domains
     : k == IndicatorKind::kUrl    ? urls
                                   : patterns)++;
  }
};

using IndicatorSink = std::function<void(const Indicator&)>;

// Reads the file, detecting its format unless `format` says it; returns false
// when the file could not be read at all (the reason is in report.errors).
bool load_list_file(const std::string& path, ListFormat format, const IndicatorSink& sink, ListReport& report);

// Parsers over text in memory (`path` only names the source in messages).
void parse_text_list(std::string_view text, const std::string& path, bool maltrail, const IndicatorSink& sink,
                     ListReport& report);
void parse_csv_list(std::string_view text, const std::string& path, const IndicatorSink& sink, ListReport& report);
void parse_stix_bundle(std::string_view text, const std::string& path, const IndicatorSink& sink,
                       ListReport& report);
ListFormat detect_format(const std::string& path, std::string_view text);

// Classifies one token of a plain-text or trail list (an address, CIDR,
// IP:port, domain, *.domain, =exact.domain, wildcard, /regex/, URL, or a
// maltrail URL trail host/path). Returns "" (and fills `out`, whose text may
// point into `scratch`), "unsupported" for what picket cannot match (a URL
// with a path and a scheme other than http/https), or an error message.
std::string classify_token(std::string_view token, Indicator& out, std::string& scratch);

}  // namespace picket::intel

// Category and format names, and the --threat-list argument.
#include <cctype>

#include "picket/intel/lists.hpp"

namespace picket::intel {

namespace {
const char* const kCategoryNames[] = {"c2",      "mining", "blackhole", "droppoint", "phishing", "driveby",
                                      "dga",     "tor",    "scanner",   "sinkhole",  "custom",   "trusted"};
static_assert(sizeof(kCategoryNames) / sizeof(kCategoryNames[0]) == static_cast<std::size_t>(Category::kCount));
const char* const kFormatNames[] = {"auto", "text", "csv", "stix", "maltrail"};
}  // namespace

const char* category_name(Category c) { return kCategoryNames[static_cast<int>(c)]; }

std::optional<Category> parse_category(std::string_view text) {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  // Spellings GuardDuty and feeds use for the same thing.
  if (lower == "cc" || lower == "c&c" || lower == "c2c") return Category::kC2;
  if (lower == "drop-point" || lower == "drop_point") return Category::kDropPoint;
  if (lower == "drive-by" || lower == "drive_by") return Category::kDriveBy;
  for (int i = 0; i < static_cast<int>(Category::kTrusted); ++i)
    if (lower == kCategoryNames[i]) return static_cast<Category>(i);
  return std::nullopt;
}

std::string category_choices() {
  std::string s;
  for (int i = 0; i < static_cast<int>(Category::kTrusted); ++i) {
    if (i) s.push_back('|');
    s.append(kCategoryNames[i]);
  }
  return s;
}

const char* format_name(ListFormat f) { return kFormatNames[static_cast<int>(f)]; }

std::optional<ListFormat> parse_format(std::string_view text) {
  for (int i = 0; i < 5; ++i)
    if (text == kFormatNames[i]) return static_cast<ListFormat>(i);
  if (text == "txt" || text == "plain") return ListFormat::kText;
  if (text == "json" || text == "stix2") return ListFormat::kStix;
  return std::nullopt;
}

std::string parse_threat_list_arg(std::string_view text, ListSpec& out) {
  out = ListSpec{};
  out.origin = "--threat-list " + std::string(text);
  // CATEGORY:NAME=PATH when the part before the first ':' is a category
  // name and an '=' follows; anything else is a plain path.
  const auto colon = text.find(':');
  const auto eq = text.find('=');
  if (colon != std::string_view::npos && eq != std::string_view::npos && colon < eq) {
    const std::string_view cat = text.substr(0, colon);
    bool word = !cat.empty();
    for (char c : cat) word = word && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '&');
    if (word) {
      const auto c = parse_category(cat);
      if (!c) return "unknown category '" + std::string(cat) + "' (" + category_choices() + ")";
      out.category = c;
      out.name = std::string(text.substr(colon + 1, eq - colon - 1));
      out.path = std::string(text.substr(eq + 1));
      if (out.path.empty()) return "no path after '=' in '" + std::string(text) + "'";
      return "";
    }
  }
  if (text.empty()) return "empty list path";
  out.path = std::string(text);
  return "";
}

}  // namespace picket::intel

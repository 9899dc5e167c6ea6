#include "picket/intel/config.hpp"

#include <filesystem>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "picket/core/toml_file.hpp"

namespace picket::intel {

namespace {

std::string where(const std::string& path, const toml::node& n) { return core::toml_where(path, n); }

std::string resolve(const std::string& config_path, const std::string& p) {
  if (p.empty() || p.front() == '/') return p;
  const auto dir = std::filesystem::path(config_path).parent_path();
  return dir.empty() ? p : (dir / p).string();
}

std::string list_entry(const std::string& path, const std::string& key, const toml::node& n, bool trusted,
                       ListSpec& spec) {
  const std::string full = "intel." + key;
  if (auto s = n.as_string()) {
    if (trusted) {
      spec = ListSpec{};
      spec.path = s->get();
    } else if (auto e = parse_threat_list_arg(s->get(), spec); !e.empty()) {
      return where(path, n) + ": key '" + full + "': " + e;
    }
  } else if (auto t = n.as_table()) {
    spec = ListSpec{};
    for (const auto& [k, v] : *t) {
      const std::string name(k.str());
      const auto* str = v.as_string();
      if (!str) return where(path, v) + ": key '" + full + "." + name + "': expected a string";
      const std::string value = str->get();
      if (name == "path") spec.path = value;
      else if (name == "name" && !trusted) spec.name = value;
      else if (name == "category" && !trusted) {
        spec.category = parse_category(value);
        if (!spec.category)
          return where(path, v) + ": key '" + full + ".category': unknown category '" + value + "' (" +
                 category_choices() + ")";
      } else if (name == "format") {
        const auto f = parse_format(value);
        if (!f) return where(path, v) + ": key '" + full + ".format': unknown format '" + value + "' (auto, text, csv, stix, maltrail)";
        spec.format = *f;
      } else {
        return where(path, v) + ": key '" + full + "." + name + "': unknown (" +
               (trusted ? "path, format" : "path, name, category, format") + ")";
      }
    }
    if (spec.path.empty()) return where(path, n) + ": key '" + full + "': needs 'path'";
  } else {
    return where(path, n) + ": key '" + full + "': expected a string or a table { path = ... }";
  }
  spec.path = resolve(path, spec.path);
  spec.trusted = trusted;
  spec.origin = where(path, n);
  return "";
}

}  // namespace

std::string load_intel_config(const std::string& path, IntelConfig& out) {
  toml::table root;
  if (auto e = core::parse_toml_file(path, root); !e.empty()) return e;
  const toml::node* node = root.get("intel");
  if (!node) return "";
  const toml::table* intel = node->as_table();
  if (!intel) return where(path, *node) + ": key 'intel': expected a table, written [intel]";
  for (const auto& [k, v] : *intel) {
    const std::string key(k.str());
    if (key == "default_lists") {
      const auto* b = v.as_boolean();
      if (!b) return where(path, v) + ": key 'intel.default_lists': expected true or false";
      out.default_lists = b->get();
    } else if (key == "threat_lists" || key == "trusted_lists") {
      const bool trusted = key == "trusted_lists";
      auto add = [&](const toml::node& n) {
        ListSpec spec;
        if (auto e = list_entry(path, key, n, trusted, spec); !e.empty()) return e;
        (trusted ? out.trusted_lists : out.threat_lists).push_back(std::move(spec));
        return std::string();
      };
      if (const auto* arr = v.as_array()) {
        for (const auto& e : *arr)
          if (auto err = add(e); !err.empty()) return err;
      } else if (auto err = add(v); !err.empty()) {
        return err;
      }
    } else if (key == "pattern_cache") {
      const auto* s = v.as_string();
      if (!s) return where(path, v) + ": key 'intel.pattern_cache': expected a directory path";
      out.pattern_cache = resolve(path, s->get());
    } else {
      return where(path, v) + ": key 'intel." + key +
             "': unknown (default_lists, threat_lists, trusted_lists, pattern_cache)";
    }
  }
  return "";
}

}  // namespace picket::intel

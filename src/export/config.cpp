#include "picket/export/config.hpp"

#include <set>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "picket/core/toml_file.hpp"

namespace picket::exporter {

namespace {

std::string where(const std::string& path, const toml::node& n) { return core::toml_where(path, n); }

// A scalar as text (strings as they are, numbers and booleans as written in TOML).
bool scalar_text(const toml::node& n, std::string& out) {
  if (auto s = n.as_string()) out = s->get();
  else if (auto i = n.as_integer()) out = std::to_string(i->get());
  else if (auto f = n.as_floating_point()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", f->get());
    out = buf;
  } else if (auto b = n.as_boolean()) out = b->get() ? "true" : "false";
  else return false;
  return true;
}

// One value or an array of them.
std::string values_of(const std::string& path, const std::string& key, const toml::node& n,
                      std::vector<std::string>& out) {
  std::string v;
  if (auto arr = n.as_array()) {
    for (const auto& e : *arr) {
      if (!scalar_text(e, v)) return where(path, e) + ": key '" + key + "': values must be strings or numbers";
      out.push_back(v);
    }
    return "";
  }
  if (!scalar_text(n, v)) return where(path, n) + ": key '" + key + "': expected a value or an array of values";
  out.push_back(v);
  return "";
}

std::string load_rule(const std::string& path, const toml::table& t, std::size_t index, DeliveryConfig& out) {
  Rule r;
  r.origin = where(path, t);
  r.name = "rule" + std::to_string(index + 1);
  bool have_criteria = false;
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name") {
      if (!v.as_string()) return where(path, v) + ": key 'name': expected a string";
      r.name = v.as_string()->get();
    } else if (key == "description") {
      if (!v.as_string()) return where(path, v) + ": key 'description': expected a string";
    } else if (key == "criteria") {
      const toml::table* crit = v.as_table();
      if (!crit) return where(path, v) + ": key 'criteria': expected a table of FIELD = { OPERATOR = VALUES }";
      for (const auto& [fk, fv] : *crit) {
        const std::string field(fk.str());
        const toml::table* ops = fv.as_table();
        if (!ops)
          return where(path, fv) + ": key 'criteria.\"" + field +
                 "\"': expected { OPERATOR = VALUE or [VALUES] }, e.g. { equals = [\"...\"] }";
        for (const auto& [ok, ov] : *ops) {
          const std::string op(ok.str());
          const std::string full = "criteria.\"" + field + "\"." + op;
          std::vector<std::string> values;
          if (auto e = values_of(path, full, ov, values); !e.empty()) return e;
          Criterion c;
          if (auto e = RuleSet::make_criterion(field, op, values, c); !e.empty())
            return where(path, ov) + ": key '" + full + "': " + e;
          r.criteria.push_back(std::move(c));
          have_criteria = true;
        }
      }
    } else {
      return where(path, v) + ": key '" + key + "': unknown in [[suppress]] (name, description, criteria)";
    }
  }
  if (!have_criteria) return r.origin + ": [[suppress]] " + r.name + " has no criteria (it would archive everything)";
  out.rules.add(std::move(r));
  return "";
}

std::string load_sink(const std::string& path, const std::string& kind, const toml::table& t, DeliveryConfig& out) {
  SinkSpec s;
  s.kind = kind;
  s.origin = where(path, t);
  const char* target_key = kind == "output" ? "path" : kind == "hook" ? "command" : "url";
  bool have_target = false;
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == target_key) {
      if (kind == "hook" && v.as_array()) {
        std::vector<std::string> argv;
        for (const auto& e : *v.as_array()) {
          if (!e.as_string()) return where(path, e) + ": key 'command': expected an array of strings";
          argv.push_back(e.as_string()->get());
        }
        if (argv.empty()) return where(path, v) + ": key 'command': empty";
        s.target = argv[0];
        s.argv.assign(argv.begin() + 1, argv.end());
      } else if (v.as_string()) {
        s.target = v.as_string()->get();
      } else {
        return where(path, v) + ": key '" + key + "': expected a string" + (kind == "hook" ? " or an array of strings" : "");
      }
      have_target = true;
      continue;
    }
    std::string text;
    if (auto arr = v.as_array()) {
      std::vector<std::string> vals;
      if (auto e = values_of(path, key, v, vals); !e.empty()) return e;
      for (const auto& x : vals) text += (text.empty() ? "" : ",") + x;
      (void)arr;
    } else if (!scalar_text(v, text)) {
      return where(path, v) + ": key '" + key + "': expected a value";
    }
    s.settings.push_back({key, text, where(path, v)});
  }
  if (!have_target) return s.origin + ": [[" + kind + "]] needs '" + target_key + "'";
  out.sinks.push_back(std::move(s));
  return "";
}

}  // namespace

const std::set<std::string>& daemon_sections() {
  static const std::set<std::string> kSections = {"capture", "daemon",   "network", "flow_table",
                                                   "findings", "detectors", "intel",   "flows"};
  return kSections;
}

std::string daemon_section_list() {
  std::string out;
  for (const auto& s : daemon_sections()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string load_delivery_config(const std::string& path, DeliveryConfig& out) {
  toml::table root;
  if (auto e = core::parse_toml_file(path, root); !e.empty()) return e;
  static const std::set<std::string> kSinks = {"output", "syslog", "hook", "webhook"};
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    // The daemon's sections (picket run --config) are read by their own
    // parsers (src/app/run_config.cpp, and the modules that own [intel]
    // and [flows]); delivery ignores them.
    if (daemon_sections().count(key)) continue;
    if (key != "suppress" && !kSinks.count(key)) {
      // Anything else is most likely a typo.
      return where(path, v) + ": key '" + key + "': unknown (suppress, output, syslog, hook, webhook, " +
             daemon_section_list() + ")";
    }
    const toml::array* arr = v.as_array();
    if (!arr || !arr->is_array_of_tables())
      return where(path, v) + ": key '" + key + "': expected an array of tables, written [[" + key + "]]";
    std::size_t i = 0;
    for (const auto& e : *arr) {
      const toml::table& t = *e.as_table();
      const std::string err = key == "suppress" ? load_rule(path, t, i, out) : load_sink(path, key, t, out);
      if (!err.empty()) return err;
      ++i;
    }
  }
  return "";
}

}  // namespace picket::exporter

// The daemon configuration file. Every error is collected (not only the
// first) and names the file, the line and the key, so that one run of
// `picket check-config` shows everything to fix.
#include "run_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "picket/core/toml_file.hpp"
#include "picket/detect/detector.hpp"
#include "picket/export/config.hpp"
#include "picket/export/sinks.hpp"

namespace picket::app {

namespace {

struct Checks {
  std::mutex mu;
  std::vector<std::pair<std::string, std::function<ConfigErrors(const std::string&)>>> list;
};
Checks& checks() {
  static Checks c;
  return c;
}

class Reader {
 public:
  Reader(const std::string& path, ConfigErrors& errors, const std::function<bool(const std::string&)>& given)
      : path_(path), errors_(errors), given_(given) {}

  void error(const toml::node& n, const std::string& key, const std::string& msg) {
    errors_.push_back(core::toml_where(path_, n) + ": key '" + key + "': " + msg);
  }

  // Checks that `t` holds only `allowed` keys; returns false if `t` is not a table.
  bool table(const toml::node& n, const std::string& name, const std::set<std::string>& allowed) {
    const toml::table* t = n.as_table();
    if (!t) {
      error(n, name, "expected a table, written [" + name + "]");
      return false;
    }
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      if (allowed.count(key)) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      error(v, name + "." + key, "unknown in [" + name + "] (" + list + ")");
    }
    return true;
  }

  // The value at section.key, or null if absent or set on the command line.
  const toml::node* at(const toml::table& t, const std::string& section, const std::string& key) {
    const toml::node* n = t.get(key);
    if (!n || given_(section + "." + key)) return nullptr;
    return n;
  }

  void str(const toml::table& t, const std::string& sec, const std::string& key, std::string& out) {
    if (const auto* n = at(t, sec, key)) {
      if (auto s = n->as_string()) out = s->get();
      else error(*n, sec + "." + key, "expected a string");
    }
  }
  void boolean(const toml::table& t, const std::string& sec, const std::string& key, bool& out) {
    if (const auto* n = at(t, sec, key)) {
      if (auto b = n->as_boolean()) out = b->get();
      else error(*n, sec + "." + key, "expected true or false");
    }
  }
  template <typename T>
  void number(const toml::table& t, const std::string& sec, const std::string& key, T& out, double lo, double hi) {
    const auto* n = at(t, sec, key);
    if (!n) return;
    double v;
    if (auto i = n->as_integer()) v = static_cast<double>(i->get());
    else if (auto f = n->as_floating_point(); f && std::is_floating_point_v<T>) v = f->get();
    else {
      error(*n, sec + "." + key, std::is_floating_point_v<T> ? "expected a number" : "expected an integer");
      return;
    }
    if (v < lo || v > hi) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "%g is out of range [%g, %g]", v, lo, hi);
      error(*n, sec + "." + key, buf);
      return;
    }
    out = static_cast<T>(v);
  }
  void strings(const toml::table& t, const std::string& sec, const std::string& key, std::vector<std::string>& out) {
    const auto* n = at(t, sec, key);
    if (!n) return;
    std::vector<std::string> vals;
    if (auto s = n->as_string()) {
      vals.push_back(s->get());
    } else if (auto arr = n->as_array()) {
      for (const auto& e : *arr) {
        if (auto s = e.as_string()) vals.push_back(s->get());
        else error(e, sec + "." + key, "expected strings");
      }
    } else {
      error(*n, sec + "." + key, "expected a string or an array of strings");
      return;
    }
    out = vals;
  }

 private:
  const std::string& path_;
  ConfigErrors& errors_;
  const std::function<bool(const std::string&)>& given_;
};

void read_capture(Reader& r, const toml::table& t, RunSettings& o) {
  const std::string s = "capture";
  r.strings(t, s, "interfaces", o.interfaces);
  r.str(t, s, "dpdk_args", o.dpdk_args);
  r.number(t, s, "dpdk_port", o.dpdk.port, 0, 1023);
  r.number(t, s, "dpdk_rx_descriptors", o.dpdk.rx_descriptors, 32, 32768);
  r.number(t, s, "dpdk_mbufs", o.dpdk.mbufs, 1023, 16777215);
  r.number(t, s, "workers", o.common.workers, 1, 256);
  r.number(t, s, "snaplen", o.pcap.snaplen, 64, 262144);
  r.number(t, s, "buffer_mib", o.pcap.buffer_mib, 1, 4096);
  r.str(t, s, "filter", o.pcap.filter);
  bool promisc = !o.no_promisc, immediate = !o.no_immediate;
  r.boolean(t, s, "promiscuous", promisc);
  r.boolean(t, s, "immediate", immediate);
  o.no_promisc = !promisc;
  o.no_immediate = !immediate;
  if (!o.interfaces.empty() && !o.dpdk_args.empty())
    r.error(t, "capture", "set either 'interfaces' (libpcap) or 'dpdk_args' (DPDK), not both");
}

void read_daemon(Reader& r, const toml::table& t, RunSettings& o) {
  const std::string s = "daemon";
  r.str(t, s, "user", o.user);
  r.number(t, s, "stats_interval", o.stats_interval, 0, 86400);
  r.str(t, s, "stats_json", o.common.stats_json);
  r.str(t, s, "prometheus", o.prometheus);
}

void read_network(Reader& r, const toml::table& t, RunSettings& o) {
  r.strings(t, "network", "home", o.common.home_nets);
  if (const auto* n = t.get("home")) {
    detect::HomeNet probe;
    for (const auto& cidr : o.common.home_nets)
      if (auto err = probe.add(cidr); !err.empty()) r.error(*n, "network.home", err);
  }
}

void read_flow_table(Reader& r, const toml::table& t, RunSettings& o) {
  r.number(t, "flow_table", "memcap_mib", o.common.flow_memcap_mb, 1, 1048576);
  const auto* n = t.get("timeouts");
  if (!n) return;
  const toml::table* tt = n->as_table();
  if (!tt) {
    r.error(*n, "flow_table.timeouts", "expected a table, e.g. { tcp_established = 300, udp = 60 }");
    return;
  }
  flow::FlowTimeouts probe;
  std::vector<std::string> timeouts;
  for (const auto& [k, v] : *tt) {
    const std::string cls(k.str());
    double secs = 0;
    if (auto i = v.as_integer()) secs = static_cast<double>(i->get());
    else if (auto f = v.as_floating_point()) secs = f->get();
    else {
      r.error(v, "flow_table.timeouts." + cls, "expected a number of seconds");
      continue;
    }
    const std::string assignment = cls + "=" + std::to_string(secs);
    if (auto err = set_flow_timeout(probe, assignment); !err.empty()) r.error(v, "flow_table.timeouts." + cls, err);
    else timeouts.push_back(assignment);
  }
  // Ahead of the command line's, which are applied later and so win.
  o.common.flow_timeouts.insert(o.common.flow_timeouts.begin(), timeouts.begin(), timeouts.end());
}

void read_findings(Reader& r, const toml::table& t, RunSettings& o) {
  const std::string s = "findings";
  r.number(t, s, "update_interval", o.common.update_interval, 0, 86400.0 * 365);
  r.str(t, s, "account_id", o.common.account_id);
  r.str(t, s, "region", o.common.region);
  r.str(t, s, "sensor_name", o.common.sensor);
  r.str(t, s, "events", o.common.events);
}

// [detectors.NAME]: enabled = bool, PARAM = number. Written as --param and
// --disable ahead of the command line's, which therefore win.
void read_detectors(Reader& r, const toml::table& t, RunSettings& o) {
  const auto detectors = detect::make_all_detectors();
  detect::DetectorConfig probe(detectors);
  std::vector<std::string> params, disabled;
  for (const auto& [k, v] : t) {
    const std::string name(k.str());
    const toml::table* dt = v.as_table();
    if (!dt) {
      r.error(v, "detectors." + name, "expected a table, written [detectors." + name + "]");
      continue;
    }
    bool known = false;
    for (const auto& d : detectors) known = known || name == d->name();
    if (!known) {
      std::string list;
      for (const auto& d : detectors) list += (list.empty() ? "" : ", ") + std::string(d->name());
      r.error(v, "detectors." + name, "no such detector (" + list + ")");
      continue;
    }
    for (const auto& [pk, pv] : *dt) {
      const std::string param(pk.str());
      const std::string key = "detectors." + name + "." + param;
      if (param == "enabled") {
        if (auto b = pv.as_boolean()) {
          if (!b->get()) disabled.push_back(name);
        } else {
          r.error(pv, key, "expected true or false");
        }
        continue;
      }
      double value;
      if (auto i = pv.as_integer()) value = static_cast<double>(i->get());
      else if (auto f = pv.as_floating_point()) value = f->get();
      else {
        r.error(pv, key, "expected a number");
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", value);
      const std::string assignment = name + "." + param + "=" + buf;
      if (auto err = probe.set(assignment); !err.empty()) r.error(pv, key, err);
      else params.push_back(assignment);
    }
  }
  o.common.params.insert(o.common.params.begin(), params.begin(), params.end());
  o.common.disabled.insert(o.common.disabled.begin(), disabled.begin(), disabled.end());
}

}  // namespace

ConfigErrors load_run_config(const std::string& path, RunSettings& out,
                             const std::function<bool(const std::string&)>& given) {
  ConfigErrors errors;
  toml::table root;
  if (auto e = core::parse_toml_file(path, root); !e.empty()) {
    errors.push_back(std::move(e));
    return errors;
  }
  Reader r(path, errors, given);
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"capture",
       {"interfaces", "dpdk_args", "dpdk_port", "dpdk_rx_descriptors", "dpdk_mbufs", "workers", "snaplen",
        "buffer_mib", "filter", "promiscuous", "immediate"}},
      {"daemon", {"user", "stats_interval", "stats_json", "prometheus"}},
      {"network", {"home"}},
      {"flow_table", {"memcap_mib", "timeouts"}},
      {"findings", {"update_interval", "account_id", "region", "sensor_name", "events"}},
  };
  for (const auto& [k, v] : root) {
    const std::string section(k.str());
    if (auto it = kKeys.find(section); it != kKeys.end()) {
      if (!r.table(v, section, it->second)) continue;
      const toml::table& t = *v.as_table();
      if (section == "capture") read_capture(r, t, out);
      else if (section == "daemon") read_daemon(r, t, out);
      else if (section == "network") read_network(r, t, out);
      else if (section == "flow_table") read_flow_table(r, t, out);
      else if (section == "findings") read_findings(r, t, out);
    } else if (section == "detectors") {
      if (const toml::table* t = v.as_table()) read_detectors(r, *t, out);
      else r.error(v, section, "expected a table of [detectors.NAME] tables");
    }
    // Delivery tables and the reserved [intel] / [flows] are checked by their owners.
  }
  return errors;
}

void register_config_check(std::string section, std::function<ConfigErrors(const std::string&)> check) {
  Checks& c = checks();
  std::lock_guard<std::mutex> lock(c.mu);
  c.list.emplace_back(std::move(section), std::move(check));
}

ConfigErrors check_config(const std::string& path) {
  RunSettings scratch;
  ConfigErrors errors = load_run_config(path, scratch, [](const std::string&) { return false; });
  // A syntax error is reported once, by the first parser.
  if (errors.size() == 1 && errors[0].find("key '") == std::string::npos) return errors;
  exporter::DeliveryConfig delivery;
  if (auto e = exporter::load_delivery_config(path, delivery); !e.empty()) errors.push_back(e);
  // Each sink's settings as `run` would build it, without opening or connecting.
  for (const auto& spec : delivery.sinks)
    if (auto e = exporter::check_sink(spec, exporter::SinkContext{}); !e.empty()) errors.push_back(std::move(e));
  Checks& c = checks();
  std::lock_guard<std::mutex> lock(c.mu);
  for (const auto& [section, fn] : c.list) {
    for (auto& e : fn(path)) errors.push_back(std::move(e));
  }
  // In file order: "FILE:LINE: ..." sorted by the line number.
  auto line_of = [&path](const std::string& e) {
    return e.compare(0, path.size() + 1, path + ":") == 0 ? std::strtol(e.c_str() + path.size() + 1, nullptr, 10) : 0;
  };
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const std::string& a, const std::string& b) { return line_of(a) < line_of(b); });
  return errors;
}

}  // namespace picket::app

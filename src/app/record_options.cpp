// picket replay/run with flow-record and log inputs.
#include "record_options.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "run_config.hpp"
#include "picket/core/toml_file.hpp"
#include "picket/pipeline/pipeline.hpp"

namespace picket::app {

namespace {

void log_line(const std::string& s) { std::fprintf(stderr, "picket: %s\n", s.c_str()); }

flowrec::OrderingLimits ordering(const RecordOptions& o) {
  flowrec::OrderingLimits l;
  l.window = core::seconds(o.window);
  return l;
}

std::string progress_line(const pipeline::PipelineStats& s) {
  char buf[192];
  std::snprintf(buf, sizeof(buf), "stats: %.0f s, records read %llu, flow records %llu, dns entries %llu, findings %llu",
                s.wall_seconds, static_cast<unsigned long long>(s.input.packets),
                static_cast<unsigned long long>(s.records_dispatched),
                static_cast<unsigned long long>(s.dns_entries_dispatched),
                static_cast<unsigned long long>(s.findings_new));
  const std::string full = pipeline::format_detector_counters(s);
  return full.empty() ? std::string(buf) : std::string(buf) + "; detector state full: " + full;
}

}  // namespace

std::string load_flows_config(const std::string& path, RecordOptions& o) {
  toml::table root;
  if (auto e = core::parse_toml_file(path, root); !e.empty()) return e;
  const toml::node* node = root.get("flows");
  if (!node) return "";
  const auto where = [&](const toml::node& n) { return core::toml_where(path, n); };
  const toml::table* t = node->as_table();
  if (!t) return where(*node) + ": key 'flows': expected a table, written [flows]";
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    const std::string at = where(v) + ": key 'flows." + key + "'";
    if (key == "listen") {
      const toml::array* arr = v.as_array();
      if (!arr) return at + ": expected an array of \"[ADDR:]PORT\" strings";
      for (const auto& e : *arr) {
        if (auto s = e.value<std::string>()) {
          o.flow_listen.push_back(*s);
        } else if (auto n = e.value<std::int64_t>()) {
          o.flow_listen.push_back(std::to_string(*n));
        } else {
          return at + ": expected \"[ADDR:]PORT\" strings";
        }
      }
    } else if (key == "vpc_flow_logs_dir" || key == "resolver_logs_dir") {
      auto s = v.value<std::string>();
      if (!s) return at + ": expected a directory path";
      (key == "vpc_flow_logs_dir" ? o.vpc_follow_dir : o.resolver_follow_dir) = *s;
    } else if (key == "follow_existing") {
      auto b = v.value<bool>();
      if (!b) return at + ": expected true or false";
      o.follow_existing = *b;
    } else if (key == "window") {
      auto d = v.value<double>();
      if (!d || *d < 0 || *d > 86400) return at + ": expected seconds in [0, 86400]";
      o.window = *d;
    } else if (key == "max_exporters" || key == "max_templates") {
      auto n = v.value<std::int64_t>();
      if (!n || *n < 1 || *n > (1 << 22)) return at + ": expected a count in [1, 4194304]";
      (key == "max_exporters" ? o.max_exporters : o.max_templates) = static_cast<std::size_t>(*n);
    } else {
      return at + ": unknown (listen, vpc_flow_logs_dir, resolver_logs_dir, follow_existing, window, "
                  "max_exporters, max_templates)";
    }
  }
  return "";
}

void add_record_replay_options(CLI::App& c, RecordOptions& o) {
  c.add_option("--vpc-flow-logs", o.vpc_flow_logs,
               "AWS VPC Flow Log files or directories (plain or .gz, default or header-declared format)")
      ->type_name("PATH...");
  c.add_option("--resolver-logs", o.resolver_logs, "Route 53 Resolver query log files or directories (JSON lines, plain or .gz)")
      ->type_name("PATH...");
  c.add_option("--record-window", o.window,
               "Flow records wait this many seconds (record time) for late ones and for their reverse direction")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
}

void add_record_run_options(CLI::App& c, RecordOptions& o) {
  // `picket check-config` checks the [flows] table too.
  static const bool registered = [] {
    register_config_check("flows", [](const std::string& path) {
      RecordOptions scratch;
      const std::string err = load_flows_config(path, scratch);
      return err.empty() ? ConfigErrors{} : ConfigErrors{err};
    });
    return true;
  }();
  (void)registered;
  c.add_option("--flow-listen", o.flow_listen,
               "Collect NetFlow v5/v9 and IPFIX on UDP [ADDR:]PORT (repeatable; [v6addr]:PORT for IPv6)")
      ->type_name("[ADDR:]PORT");
  c.add_option("--vpc-flow-logs-dir", o.vpc_follow_dir, "Follow a directory for new VPC Flow Log files")
      ->type_name("DIR");
  c.add_option("--resolver-logs-dir", o.resolver_follow_dir, "Follow a directory for new Resolver query log files")
      ->type_name("DIR");
  c.add_flag("--follow-existing", o.follow_existing, "Also read the files already in the followed directories");
  c.add_option("--record-window", o.window,
               "Flow records wait this many seconds (record time) for late ones and for their reverse direction")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  c.add_option("--max-exporters", o.max_exporters, "Flow exporters tracked at once (more are counted and refused)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  c.add_option("--max-templates", o.max_templates, "NetFlow v9/IPFIX templates cached in all")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 22));
}

int run_records(const PipelineOptions& common, const RecordOptions& o, const char* command, bool live,
                double stats_interval) {
  PreparedPipeline prep;
  if (const int rc = prepare_pipeline(common, command, prep); rc != 0) return rc;
  pipeline::PipelineConfig& cfg = prep.config;
  const std::atomic<bool>& stop = install_signal_handlers();
  cfg.stop = &stop;
  std::string error;
  std::unique_ptr<flowrec::RecordInput> input;
  if (!live) {
    auto files = std::make_unique<flowrec::FileRecordInput>(ordering(o));
    if ((!o.vpc_flow_logs.empty() && !files->add(flowrec::LogKind::kVpcFlowLog, o.vpc_flow_logs, error)) ||
        (!o.resolver_logs.empty() && !files->add(flowrec::LogKind::kResolverLog, o.resolver_logs, error))) {
      std::fprintf(stderr, "picket %s: %s\n", command, error.c_str());
      return 1;
    }
    input = std::move(files);
  } else if (!o.flow_listen.empty()) {
    if (!o.vpc_follow_dir.empty() || !o.resolver_follow_dir.empty()) {
      std::fprintf(stderr, "picket %s: --flow-listen and the *-logs-dir options need separate picket processes\n", command);
      return 2;
    }
    flowrec::CollectorLimits limits;
    limits.max_exporters = o.max_exporters;
    limits.max_templates = o.max_templates;
    limits.max_templates_per_exporter = std::max<std::size_t>(16, o.max_templates / 16);
    input = flowrec::CollectorInput::open(o.flow_listen, ordering(o), limits, &stop, error);
    if (!input) {
      std::fprintf(stderr, "picket %s: --flow-listen %s\n", command, error.c_str());
      return 1;
    }
    if (!common.quiet) {
      std::string ports;
      for (auto p : static_cast<flowrec::CollectorInput&>(*input).bound_ports())
        ports += (ports.empty() ? "" : ", ") + std::to_string(p);
      log_line("collecting NetFlow/IPFIX on UDP port(s) " + ports);
    }
  } else {
    auto files = std::make_unique<flowrec::FileRecordInput>(ordering(o));
    if ((!o.vpc_follow_dir.empty() &&
         !files->follow(flowrec::LogKind::kVpcFlowLog, o.vpc_follow_dir, !o.follow_existing, &stop, error)) ||
        (!o.resolver_follow_dir.empty() &&
         !files->follow(flowrec::LogKind::kResolverLog, o.resolver_follow_dir, !o.follow_existing, &stop, error))) {
      std::fprintf(stderr, "picket %s: %s\n", command, error.c_str());
      return 1;
    }
    if (!common.quiet) log_line("following " + o.vpc_follow_dir + (o.vpc_follow_dir.empty() ? "" : " ") + o.resolver_follow_dir);
    input = std::move(files);
  }
  std::shared_ptr<exporter::Delivery> delivery = prep.delivery;
  if (live) {
    cfg.housekeeping = [] { run_reloads_if_requested(log_line); };
    cfg.progress_interval = core::seconds(stats_interval > 0 ? stats_interval : 86400.0 * 365);
    const PipelineOptions* c = &common;
    cfg.progress = [=](const pipeline::PipelineStats& s) {
      if (!c->quiet) log_line(progress_line(s));
      write_stats_json(*c, "run", s, delivery->stats(), true);
    };
  } else if (!common.quiet) {
    cfg.progress = [](const pipeline::PipelineStats& s) { log_line(progress_line(s)); };
  }

  pipeline::Pipeline pipe(std::move(cfg), prep.detectors, *prep.detector_config);
  const pipeline::PipelineStats stats = pipe.run_records(*input);
  const exporter::DeliveryStats dstats = delivery->stats();
  if (!common.quiet) {
    std::fputs(pipeline::format_summary(stats).c_str(), stderr);
    std::fputs(exporter::format_delivery_summary(dstats).c_str(), stderr);
  }
  return write_stats_json(common, command, stats, dstats, live);
}

}  // namespace picket::app

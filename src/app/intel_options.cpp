// Threat-list options shared by the commands that run the pipeline (replay,
// and run when it comes), and `picket intel check`.
#include <cstdio>

#include "commands.hpp"
#include "intel_options.hpp"
#include "picket/intel/config.hpp"
#include "picket/intel/reloader.hpp"
#include "run_config.hpp"

namespace picket::app {

void add_intel_options(CLI::App& c, IntelArgs& args) {
  // `picket check-config` checks the [intel] table and that its lists can be opened.
  static const bool registered = [] {
    register_config_check("intel", [](const std::string& path) {
      intel::IntelConfig cfg;
      if (auto e = intel::load_intel_config(path, cfg); !e.empty()) return ConfigErrors{e};
      ConfigErrors errors;
      for (const auto* lists : {&cfg.threat_lists, &cfg.trusted_lists})
        for (const auto& l : *lists)
          if (std::FILE* f = std::fopen(l.path.c_str(), "rb")) std::fclose(f);
          else errors.push_back(l.origin + ": cannot open " + l.path);
      return errors;
    });
    return true;
  }();
  (void)registered;
  c.add_option("--threat-list", args.threat_lists,
               "A threat list to load, repeatable; CATEGORY is one of " + intel::category_choices() +
                   " (default: the file's '#! category:', else custom); formats: text, CSV, STIX 2.1 JSON, "
                   "maltrail (src/intel/README.md)")
      ->type_name("[CATEGORY:NAME=]PATH");
  c.add_option("--trusted-list", args.trusted_lists,
               "Addresses, CIDRs and domains never reported (as actor or target, DNS included), repeatable")
      ->type_name("PATH");
  c.add_flag("--no-default-lists", args.no_default_lists, "Do not load the bundled lists (rules/intel/*.txt)");
}

std::string make_intel_config(const IntelArgs& args, const std::string& config_path, intel::IntelConfig& out) {
  out = intel::IntelConfig{};
  if (!config_path.empty())
    if (auto e = intel::load_intel_config(config_path, out); !e.empty()) return e;
  if (args.no_default_lists) out.default_lists = false;
  for (const auto& t : args.threat_lists) {
    intel::ListSpec spec;
    if (auto e = intel::parse_threat_list_arg(t, spec); !e.empty()) return "--threat-list: " + e;
    out.threat_lists.push_back(std::move(spec));
  }
  for (const auto& t : args.trusted_lists) {
    intel::ListSpec spec;
    spec.path = t;
    spec.trusted = true;
    spec.origin = "--trusted-list " + t;
    out.trusted_lists.push_back(std::move(spec));
  }
  return "";
}

void print_intel_report(const intel::BuildReport& r, const char* who, bool verbose) {
  std::size_t errors = r.errors.size();
  const std::size_t shown = errors > 20 && !verbose ? 20 : errors;
  for (std::size_t i = 0; i < shown; ++i) std::fprintf(stderr, "%s: %s\n", who, r.errors[i].c_str());
  if (shown < errors) std::fprintf(stderr, "%s: ... and %zu more errors (picket intel check shows all)\n", who, errors - shown);
  if (!r.lists.empty())
    std::fprintf(stderr, "%s: threat intel: %zu entries from %zu lists in %.2f s, %zu errors\n", who, r.entries,
                 r.lists.size(), r.seconds, errors);
}

std::shared_ptr<intel::IntelStore> start_intel(const intel::IntelConfig& cfg, const char* who, bool quiet) {
  intel::BuildReport report;
  auto snap = intel::build_snapshot(cfg, report);
  if (!quiet || !report.errors.empty()) print_intel_report(report, who, false);
  return std::make_shared<intel::IntelStore>(std::move(snap));
}

namespace {

// How both reload paths rebuild the lists and report the outcome; the
// decision to publish or keep the old lists is Reloader::reload_now's.
intel::Reloader::Build make_intel_build(IntelArgs args, std::string config_path) {
  return [args = std::move(args), config_path = std::move(config_path)](
             intel::BuildReport& report) -> std::unique_ptr<intel::Snapshot> {
    intel::IntelConfig cfg;
    if (auto e = make_intel_config(args, config_path, cfg); !e.empty()) {
      report.errors.push_back(e);
      return nullptr;
    }
    return intel::build_snapshot(cfg, report);
  };
}

intel::Reloader::Log make_intel_log(const char* who) {
  return [who](const intel::BuildReport& r, bool published) {
    print_intel_report(r, who, false);
    std::fprintf(stderr, "%s: threat intel reload %s\n", who, published ? "published" : "failed: old lists kept");
  };
}

}  // namespace

std::string reload_intel(std::shared_ptr<intel::IntelStore> store, const IntelArgs& args,
                         const std::string& config_path, const char* who) {
  intel::Reloader once(std::move(store), make_intel_build(args, config_path), nullptr, make_intel_log(who));
  return once.reload_now() ? "" : "no list could be read: old lists kept";
}

std::unique_ptr<intel::Reloader> start_intel_reloader(std::shared_ptr<intel::IntelStore> store, IntelArgs args,
                                                      std::string config_path, const std::atomic<unsigned>* trigger,
                                                      const char* who) {
  return std::make_unique<intel::Reloader>(std::move(store), make_intel_build(std::move(args), std::move(config_path)),
                                           trigger, make_intel_log(who));
}

namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  std::vector<std::string> trusted;
  bool quiet = false;
};

int run_check(const CheckOptions& o) {
  intel::IntelConfig cfg;
  cfg.default_lists = false;
  for (const auto& p : o.paths) {
    intel::ListSpec spec;
    if (auto e = intel::parse_threat_list_arg(p, spec); !e.empty()) {
      std::fprintf(stderr, "picket intel check: %s\n", e.c_str());
      return 2;
    }
    cfg.threat_lists.push_back(spec);
  }
  for (const auto& p : o.trusted) {
    intel::ListSpec spec;
    spec.path = p;
    cfg.trusted_lists.push_back(spec);
  }
  intel::BuildReport report;
  const auto snap = intel::build_snapshot(cfg, report);
  for (const auto& e : report.errors) std::printf("error: %s\n", e.c_str());
  for (std::size_t i = 0; i < snap->lists.size(); ++i) {
    const auto& l = snap->lists[i];
    std::printf("%s: list '%s', category %s, format %s: %zu addresses, %zu domains, %zu patterns, %zu urls, "
                "%zu unsupported, %zu errors\n",
                l.path.c_str(), l.name.c_str(), intel::category_name(l.category), intel::format_name(l.format),
                l.addresses, l.domains, l.patterns, l.urls, l.unsupported, l.errors);
  }
  std::printf("total: %zu entries in %zu lists, %zu errors (%.3f s, %.1f MiB)\n", report.entries, snap->lists.size(),
              report.errors.size(), report.seconds, static_cast<double>(snap->memory_bytes()) / (1 << 20));
  return report.errors.empty() ? 0 : 1;
}

}  // namespace

Action add_intel_command(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  auto* intel = app.add_subcommand("intel", "Threat and trusted lists");
  intel->require_subcommand(1);
  auto* check = intel->add_subcommand("check", "Validate list files: entries per list, and every malformed line");
  check->footer("Exit status 0 when every line loaded, 1 when a line or a file has an error.");
  check->add_option("list", o->paths, "List files, as for --threat-list")->type_name("[CATEGORY:NAME=]PATH")->required();
  check->add_option("--trusted", o->trusted, "Check a trusted list, repeatable")->type_name("PATH");
  return [o] { return run_check(*o); };
}

}  // namespace picket::app

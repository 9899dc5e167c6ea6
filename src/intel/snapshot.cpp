#include "picket/intel/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "patterns.hpp"

#ifndef PICKET_RULES_DIR
#define PICKET_RULES_DIR "rules"
#endif

namespace picket::intel {

std::string default_lists_dir() {
  if (const char* env = std::getenv("PICKET_RULES_DIR"); env && *env) return std::string(env) + "/intel";
  return std::string(PICKET_RULES_DIR) + "/intel";
}

std::vector<std::string> default_list_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && e.path().extension() == ".txt") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t Snapshot::memory_bytes() const {
  std::size_t n = entries.capacity() * sizeof(EntryInfo) + descriptions.capacity() + ips.memory_bytes() +
                  domains.memory_bytes() + trusted_ips.memory_bytes() + trusted_domains.memory_bytes() +
                  urls.memory_bytes();
  for (const auto& p : pattern_text) n += p.capacity() + sizeof(p);
  return n;
}

namespace {

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

class Loader {
 public:
  Loader(Snapshot& s, BuildReport& r) : s_(s), r_(r) {}

  void load(const ListSpec& spec) {
    const auto list = static_cast<std::uint16_t>(s_.lists.size());
    s_.lists.emplace_back();
    ListReport rep;
    std::size_t rejected_domains = 0, rejected_patterns = 0, rejected_urls = 0;
    const auto sink = [&](const Indicator& ind) {
      const auto entry = static_cast<std::uint32_t>(s_.entries.size());
      EntryInfo e;
      e.list = list;
      e.line = ind.line;
      set_description(e, ind.description);
      switch (ind.kind) {
        case IndicatorKind::kAddress:
          (spec.trusted ? trusted_ips_ : ips_).add(ind.cidr, entry);
          break;
        case IndicatorKind::kDomain:
          if (!(spec.trusted ? trusted_domains_ : domains_).add(ind.text, ind.match, entry)) {
            ++rejected_domains;
            return;
          }
          break;
        case IndicatorKind::kDomainPattern:
          if (spec.trusted) {
            rep.errors.push_back(spec.path + ":" + std::to_string(ind.line) +
                                 ": wildcards and regexes are not supported in trusted lists");
            ++rejected_patterns;
            return;
          }
          e.pattern = static_cast<std::uint32_t>(s_.pattern_text.size());
          s_.pattern_text.emplace_back(ind.text);
          s_.pattern_entry.push_back(entry);
          break;
        case IndicatorKind::kUrl:
          if (spec.trusted) {
            // Trusting one URL of a host while its other paths stay suspect
            // is not a distinction the trusted lists make: they trust names
            // and addresses, and a trusted host already silences its URLs.
            rep.errors.push_back(spec.path + ":" + std::to_string(ind.line) +
                                 ": URLs are not supported in trusted lists (trust the host instead)");
            ++rejected_urls;
            return;
          }
          urls_.add(ind.text, entry);
          break;
      }
      s_.entries.push_back(e);
    };
    load_list_file(spec.path, spec.format, sink, rep);
    ListInfo& info = s_.lists[list];
    info.path = spec.path;
    info.trusted = spec.trusted;
    info.name = !spec.name.empty() ? spec.name : !rep.name.empty() ? rep.name : stem(spec.path);
    info.source = rep.source;
    info.format = rep.format;
    info.category = spec.trusted ? Category::kTrusted
                    : spec.category ? *spec.category
                    : rep.category  ? *rep.category
                                    : Category::kCustom;
    if (spec.trusted && rep.category && *rep.category != Category::kTrusted) {
      // A threat list given as trusted (or the reverse) is a likely mistake; say so but obey.
      rep.errors.push_back(spec.path + ": declares category " + category_name(*rep.category) +
                           " but is loaded as a trusted list");
    }
    info.addresses = rep.addresses;
    info.domains = rep.domains - std::min(rep.domains, rejected_domains);
    info.patterns = rep.patterns - std::min(rep.patterns, rejected_patterns);
    info.urls = rep.urls - std::min(rep.urls, rejected_urls);
    info.unsupported = rep.unsupported;
    info.errors = rep.errors.size();
    if (!spec.trusted && info.entries_loaded() > 0) s_.categories |= 1u << static_cast<unsigned>(info.category);
    r_.entries += info.entries_loaded();
    for (const auto& e : rep.errors) r_.errors.push_back(e);
    r_.lists.push_back(std::move(rep));
  }

  void finish() {
    s_.ips = ips_.build();
    s_.domains = domains_.build();
    s_.trusted_ips = trusted_ips_.build();
    s_.trusted_domains = trusted_domains_.build();
    s_.urls = urls_.build();
  }

 private:
  void set_description(EntryInfo& e, std::string_view d) {
    if (d.size() > 0xffff) d = d.substr(0, 0xffff);
    // Trail files give one threat name to long runs of entries: store it once per run.
    if (d != std::string_view(s_.descriptions).substr(last_offset_, last_len_)) {
      last_offset_ = static_cast<std::uint32_t>(s_.descriptions.size());
      last_len_ = static_cast<std::uint16_t>(d.size());
      s_.descriptions.append(d);
    }
    e.desc_offset = last_offset_;
    e.desc_len = last_len_;
  }

  Snapshot& s_;
  BuildReport& r_;
  IpSet::Builder ips_, trusted_ips_;
  DomainSet::Builder domains_, trusted_domains_;
  UrlSet::Builder urls_;
  std::uint32_t last_offset_ = 0;
  std::uint16_t last_len_ = 0;
};

}  // namespace

std::unique_ptr<Snapshot> build_snapshot(const IntelConfig& config, BuildReport& report) {
  const auto t0 = std::chrono::steady_clock::now();
  auto snap = std::make_unique<Snapshot>();
  Loader loader(*snap, report);
  if (config.default_lists) {
    const std::string dir = config.default_dir.empty() ? default_lists_dir() : config.default_dir;
    for (const auto& path : default_list_files(dir)) {
      ListSpec spec;
      spec.path = path;
      spec.origin = "default list";
      loader.load(spec);
    }
  }
  for (const auto& spec : config.threat_lists) loader.load(spec);
  for (auto spec : config.trusted_lists) {
    spec.trusted = true;
    loader.load(spec);
  }
  loader.finish();
  compile_patterns(*snap, config.pattern_cache, report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return snap;
}

}  // namespace picket::intel

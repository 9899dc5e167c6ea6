#pragma once
// NoveltyShard: the shard shape shared by the "never used before" baseline
// detectors (port, resolver, DoT, DoH): a NoveltyTable loaded from and saved
// to the state directory, swept on ticks, and a finding builder.
//
// Their first five parameters are common, in this order (kCommonParams).
#include <cstdint>
#include <cstring>
#include <memory>

#include "novelty_table.hpp"
#include "picket/core/hash.hpp"
#include "picket/detect/detector.hpp"
#include "picket/flow/flow_record.hpp"
#include "../common/state_file.hpp"

namespace picket::detect::baseline {

enum CommonParam : std::size_t { kLearningPeriod, kMaxItems, kMaxHosts, kForgetAfter, kSaveInterval, kCommonParams };

// The five common parameter specs; `items_unit` and `items_help` describe the
// per-host set ("ports", ...).
#define PICKET_NOVELTY_COMMON_PARAMS(items_default, items_unit, items_help)                                      \
  {"learning_period", 86400, 0, 31536000, "seconds",                                                             \
   "from a host's first sighting, what it uses is learned silently; a day covers daily jobs (backups, updates) " \
   "and the state file carries it over restarts"},                                                               \
      {"max_items", items_default, 1, 4096, items_unit, items_help},                                             \
      {"max_hosts", 100000, 1, 100000000, "hosts",                                                               \
       "home hosts tracked per shard; beyond it new hosts are not tracked (counted)"},                           \
      {"forget_after", 2592000, 3600, 315360000, "seconds",                                                      \
       "a host not seen for 30 days is forgotten (and learns again when it returns)"},                           \
      {"save_interval", 3600, 0, 31536000, "seconds",                                                            \
       "capture time between saves to --state-dir (0: only at shutdown); an hour bounds what a crash loses"}

// The server answered a connection the home host opened: a SYN-ACK for TCP,
// any reply for UDP. Refused or unanswered attempts are not "using" a port.
inline bool answered(const flow::FlowRecord& r) {
  if (r.key.proto == 6) return (r.tcp_flags[flow::kToInitiator] & 0x12) == 0x12;
  return r.packets[flow::kToInitiator] > 0;
}

inline std::uint64_t addr_item(const core::IpAddr& a) { return core::hash_bytes(a.bytes.data(), 16, 0x5e7ea); }

class NoveltyShard : public DetectorShard {
 public:
  void on_tick(core::Nanos now, FindingSink&) override;
  void on_flush(FindingSink&) override;
  void counters(CounterSink& c) const override { c.count("hosts_refused", table_.stats().hosts_untracked); }

  const NoveltyTable& table() const { return table_; }
  const common::StatePersistence& persistence() const { return persist_; }

 protected:
  NoveltyShard(const DetectorContext& ctx, const char* detector);
  // A finding for `host` using something new, with the baseline's figures
  // (known items before this one, days of history) as evidence.
  Finding novel_finding(FindingType type, const core::IpAddr& host, const core::IpAddr& remote, core::Nanos ts,
                        const char* known_name) const;
  void saw(core::Nanos ts) { now_ = ts > now_ ? ts : now_; }

  NoveltyTable table_;
  common::StatePersistence persist_;
  const char* detector_;

 private:
  core::Nanos now_ = 0, next_sweep_ = 0;
};

}  // namespace picket::detect::baseline

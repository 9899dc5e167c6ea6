#pragma once
// Detector state files: what a per-host detector has learned (the baselines'
// normal, the spam detector's known mail senders), saved so that a restart
// does not forget it.
//
// One file per detector shard, "<dir>/<detector>.shard-<i>-of-<n>.state",
// written to a temporary name and renamed, so a crash mid-save leaves the old
// file. At load a shard reads every file of its detector and keeps only the
// hosts that hash to it: the saved state does not depend on the number of
// workers that wrote it. Format (little endian):
//   "PKTBASE\0" | u32 version | u32 shard index | u32 shard count |
//   u64 saved-at (capture ns) | u16 name length | name |
//   u64 record count | records | u64 XXH3 of everything before it
// record: 16-byte address | u64 first seen | u64 last seen | u32 flags |
//         u32 value count | value count x u64
// A file that is truncated, corrupt (checksum), of another version or another
// detector is reported once on stderr and ignored.
#include <cstdint>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/detector.hpp"

namespace picket::detect::common {

inline constexpr std::uint32_t kStateVersion = 1;

struct HostRecord {
  core::IpAddr host;
  core::Nanos first_seen = 0, last_seen = 0;
  std::uint32_t flags = 0;
  std::vector<std::uint64_t> values;
};

// The detector shard that owns `host`: the pipeline routes flow, DNS and
// server-name events by the same hash of the local host (shard_of in
// src/pipeline/worker.hpp; tests/unit/baseline checks they agree).
unsigned shard_for_host(const core::IpAddr& host, unsigned shard_count);

// Serialises / parses one state file. Errors name the file and what is wrong.
std::string write_state_file(const std::string& path, const std::string& detector, unsigned shard_index,
                             unsigned shard_count, core::Nanos saved_at, const std::vector<HostRecord>& records);
std::string read_state_file(const std::string& path, const std::string& detector, std::vector<HostRecord>& records);

// Where and when one shard saves, and what it loads. Without a state
// directory it does nothing.
class StatePersistence {
 public:
  StatePersistence(const DetectorContext& ctx, std::string detector, double save_interval_s);

  bool enabled() const { return !dir_.empty(); }
  // Every saved host that belongs to this shard (from all files of the
  // detector; the newest record of a host wins).
  std::vector<HostRecord> load();
  // True when capture time `now` has reached the next periodic save.
  bool due(core::Nanos now);
  // Writes this shard's file; errors are reported once on stderr.
  void save(core::Nanos now, const std::vector<HostRecord>& records);
  std::string path() const;
  std::uint64_t saves() const { return saves_; }
  std::uint64_t errors() const { return errors_; }

 private:
  std::string dir_, detector_;
  unsigned index_ = 0, count_ = 1;
  core::Nanos interval_ = 0, next_ = 0;
  bool cleaned_ = false;
  std::uint64_t saves_ = 0, errors_ = 0;
};

// Prints `message` on stderr unless the same message was printed before
// (many shards read the same files).
void report_once(const std::string& message);

}  // namespace picket::detect::common

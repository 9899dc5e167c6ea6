#pragma once
// The detector interface. A detector declares its parameters and the events
// it wants, and makes one shard per detector core. Shards receive events in a
// deterministic order (by logical time) whatever the number of workers, so a
// detector's results depend only on the input.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/detect/events.hpp"
#include "picket/detect/finding.hpp"
#include "picket/detect/home_net.hpp"

namespace picket::intel {
class IntelStore;
}

namespace picket::detect {

// How events reach shards: each detector's state is keyed by one of these,
// and the event goes to shard hash(key) % shards.
enum class Route : std::uint8_t {
  kFlowByInitiator = 0,  // flow events, keyed by the initiator's address
  kDnsByClient,          // DNS events, keyed by the client's address
  kCount
};

struct ParamSpec {
  const char* name;  // short name; full name is "<detector>.<name>"
  double default_value;
  double min_value;
  double max_value;
  const char* unit;  // "ports", "hosts", "seconds", ...
  const char* help;  // why this default
};

struct DetectorContext {
  const HomeNet* home = nullptr;
  // Threat and trusted lists (src/intel), or null when none are loaded.
  picket::intel::IntelStore* intel = nullptr;
  std::vector<double> params;  // in the order of Detector::params()
  // Where detectors keep state across runs (baselines); empty: no persistence.
  std::string state_dir;
  // This shard's place among the detector's shards (events are routed by
  // hash(key) % shard_count), so saved state can be split by key at load.
  unsigned shard_index = 0, shard_count = 1;
};

// Receives a shard's named counters: what it could not keep for lack of room
// (keys refused or evicted at a cap), so that a cap being hit shows in the
// run's statistics instead of being silent loss. Names are string literals in
// snake_case ("keys_refused"); values are totals since the shard started.
class CounterSink {
 public:
  virtual ~CounterSink() = default;
  virtual void count(const char* name, std::uint64_t value) = 0;
};

// Which DNS messages a detector reads: its shards are called for no other,
// which saves a call per message for the many detectors that read only
// queries or only responses.
enum class DnsMessages : std::uint8_t { kAll, kQueries, kResponses };

class DetectorShard {
 public:
  virtual ~DetectorShard() = default;
  virtual void on_flow(const FlowEvent&, FindingSink&) {}
  virtual void on_dns(const DnsEvent&, FindingSink&) {}
  virtual void on_server_name(const ServerNameEvent&, FindingSink&) {}
  // Capture time has advanced to `now`: no event older than it will come.
  virtual void on_tick(core::Nanos /*now*/, FindingSink&) {}
  // End of input: report what is pending.
  virtual void on_flush(FindingSink&) {}
  // Reports the shard's counters, on the shard's own thread (the pipeline
  // publishes them at each tick). Every call reports the same names in the
  // same order, zero or not. Default: none.
  virtual void counters(CounterSink&) const {}
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual const char* name() const = 0;
  virtual const char* summary() const = 0;
  virtual std::span<const ParamSpec> params() const = 0;
  virtual bool wants_flows() const { return false; }
  virtual bool wants_dns() const { return false; }
  virtual bool wants_server_names() const { return false; }
  // With wants_dns(): all DNS messages, or only queries or only responses.
  virtual DnsMessages dns_messages() const { return DnsMessages::kAll; }
  virtual std::unique_ptr<DetectorShard> make_shard(const DetectorContext& ctx) const = 0;
};

// A detector whose shards are ShardT(ctx): name, summary, parameters and the
// events it wants are data. Most detectors need nothing more.
template <typename ShardT>
class DetectorOf final : public Detector {
 public:
  DetectorOf(const char* name, const char* summary, std::span<const ParamSpec> params, bool flows, bool dns,
             bool server_names = false)
      : name_(name), summary_(summary), params_(params), flows_(flows), dns_(dns), names_(server_names) {}
  const char* name() const override { return name_; }
  const char* summary() const override { return summary_; }
  std::span<const ParamSpec> params() const override { return params_; }
  bool wants_flows() const override { return flows_; }
  bool wants_dns() const override { return dns_; }
  bool wants_server_names() const override { return names_; }
  DnsMessages dns_messages() const override { return dns_messages_; }
  std::unique_ptr<DetectorShard> make_shard(const DetectorContext& ctx) const override {
    return std::make_unique<ShardT>(ctx);
  }
  // For a detector whose shards return at once on the other kind of message.
  std::unique_ptr<Detector> only(DnsMessages m) && {
    dns_messages_ = m;
    return std::make_unique<DetectorOf>(std::move(*this));
  }

 private:
  const char* name_;
  const char* summary_;
  std::span<const ParamSpec> params_;
  bool flows_, dns_, names_;
  DnsMessages dns_messages_ = DnsMessages::kAll;
};

// The explicit list of detectors (src/detect/registry.cpp).
std::vector<std::unique_ptr<Detector>> make_all_detectors();

// Resolved parameter values for every detector, with user overrides applied.
class DetectorConfig {
 public:
  explicit DetectorConfig(const std::vector<std::unique_ptr<Detector>>& detectors);
  // "detector.param=value"; returns an error message or "".
  std::string set(const std::string& assignment);
  // "detector" enabled or not: --disable NAME.
  std::string disable(const std::string& name);
  bool enabled(std::size_t detector_index) const { return enabled_[detector_index]; }
  const std::vector<double>& values(std::size_t detector_index) const { return values_[detector_index]; }

 private:
  const std::vector<std::unique_ptr<Detector>>* detectors_;
  std::vector<std::vector<double>> values_;
  std::vector<bool> enabled_;
};

}  // namespace picket::detect

#pragma once
// Delivery: where findings go. The exporter thread hands every report (a new
// finding, or fresher figures of a known one) to Delivery, which applies the
// suppression rules, renders the finding once and passes it to every sink
// whose filter accepts it. Sinks must not block the exporter: those that talk
// to a network or run programs keep a bounded queue and a thread of their own
// (QueuedSink), drop with a counter when it is full, and drain it on close().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "picket/export/finding_json.hpp"
#include "picket/export/suppression.hpp"
#include "picket/geoip/geoip.hpp"

namespace picket::exporter {

enum class ReportKind { kNew, kUpdate };

// Which reports a sink takes.
struct SinkFilter {
  double min_severity = 0;          // severity floor
  std::vector<std::string> types;   // wildcard patterns on the type; empty: all
  bool archived = false;            // also suppressed (archived) findings
  bool updates = true;              // also updates of findings already reported
};

// Figures of one sink, for the run summary and --stats-json.
struct SinkStats {
  std::string name;
  std::uint64_t delivered = 0;  // written/sent/run successfully
  std::uint64_t filtered = 0;   // not for this sink: below its severity floor, other type, update
  std::uint64_t archived = 0;   // suppressed findings withheld from this sink
  std::uint64_t dropped = 0;    // lost: queue full, retries exhausted, shutdown deadline
  std::uint64_t errors = 0;     // failed attempts (connect, write, HTTP status, hook exit status)
  std::uint64_t retries = 0;    // attempts repeated after a failure
  std::uint64_t queued = 0;     // waiting now
  std::uint64_t queue_peak = 0;
  std::vector<std::pair<std::string, std::uint64_t>> extra;  // sink-specific
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string name() const = 0;
  // `json` is the rendered finding (one line, no newline). Called only for
  // reports the filter accepts, from the exporter thread.
  virtual void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) = 0;
  // Shutdown: deliver everything still queued (within the sink's drain
  // deadline), then flush. Called once.
  virtual void close() {}
  virtual SinkStats stats() const;

  SinkFilter filter;
  // Counted by Delivery (exporter thread).
  std::uint64_t filtered_count = 0, archived_count = 0;

 protected:
  std::atomic<std::uint64_t> delivered_{0}, dropped_{0}, errors_{0}, retries_{0};
};

// Set by a SIGHUP handler (logrotate): file sinks reopen their file at their
// next write when it has moved on.
std::atomic<unsigned>& reopen_generation();

// JSON lines (or EventBridge envelopes) to stdout or a file, with optional
// size-based rotation (FILE -> FILE.1 -> ... -> FILE.keep).
class FileSink final : public Sink {
 public:
  enum class Format { kJson, kEventBridge };
  struct Options {
    std::string path = "-";           // "-": stdout
    std::uint64_t max_size = 0;       // bytes; 0: no rotation
    unsigned keep = 5;                // rotated files kept
    Format format = Format::kJson;
    std::string source = "aws.guardduty";  // EventBridge `source`
    bool append = false;              // false: the first open truncates; reopens always append
    RenderOptions render;
  };
  explicit FileSink(Options o);
  ~FileSink() override;
  // Opens the file (append); returns "" or an error.
  std::string open();
  std::string name() const override { return opt_.path == "-" ? "stdout" : opt_.path; }
  void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) override;
  void close() override;
  SinkStats stats() const override;

 private:
  void rotate();
  Options opt_;
  FILE* out_ = nullptr;
  std::uint64_t size_ = 0;
  unsigned generation_ = 0;
  bool opened_once_ = false;
  std::uint64_t rotations_ = 0, reopens_ = 0;
  std::string buf_;
};

// JSON lines to a stdio stream owned by the caller (the pipeline's default sink).
class JsonLinesSink final : public Sink {
 public:
  explicit JsonLinesSink(FILE* out, std::string name = "json") : out_(out), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) override;
  void close() override;

 private:
  FILE* out_;
  std::string name_;
};

// A sink with a bounded queue and a sender thread that retries with
// exponential backoff. Derived classes format a message in the exporter
// thread and send it in the sender thread; they call start() at the end of
// their constructor and stop() at the start of their destructor.
class QueuedSink : public Sink {
 public:
  struct QueueOptions {
    std::size_t capacity = 10000;       // messages waiting; beyond: dropped
    double backoff_min = 0.1, backoff_max = 5.0;  // seconds between attempts
    unsigned max_attempts = 0;          // per message; 0: keep trying (until the queue overflows)
    double drain_timeout = 10.0;        // seconds close() waits for a dead sink
  };
  enum class SendResult { kSent, kRetry, kDrop };

  explicit QueuedSink(QueueOptions q) : q_(q) {}
  void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) final;
  void close() override;
  SinkStats stats() const override;

 protected:
  virtual std::string format(const FindingRecord& rec, std::string_view json, ReportKind kind) = 0;
  virtual SendResult send(const std::string& msg) = 0;
  virtual void disconnect() {}
  virtual void extra_stats(SinkStats&) const {}
  void start();
  void stop();
  // Logs a line on stderr, at most once per state change of the sink
  // ("connection lost" once, not once per attempt), and at most two changes
  // per kStateLogWindow: a receiver that refuses every other message (UDP
  // to a closed port: the ICMP error fails the next send) flips the state
  // per finding. The next line logged says how many changes went unlogged.
  void log_state(bool ok, const std::string& what);
  static constexpr std::chrono::seconds kStateLogWindow{30};

 private:
  void run();
  QueueOptions q_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::size_t peak_ = 0;
  bool closing_ = false, stopped_ = false;
  std::thread thread_;
  std::atomic<bool> healthy_{true};
  // log_state's damping (sender thread only).
  std::chrono::steady_clock::time_point state_window_start_{};
  unsigned state_changes_logged_ = 0;
  std::uint64_t state_changes_unlogged_ = 0;
};

struct DeliveryStats {
  std::uint64_t published = 0, suppressed = 0;
  std::vector<std::pair<std::string, std::uint64_t>> rule_hits;  // rule name, findings it suppressed
  std::vector<SinkStats> sinks;
  std::optional<geoip::GeoIpStats> geoip;  // with --geoip-db
};

class Delivery {
 public:
  explicit Delivery(RenderOptions render) : render_(std::move(render)) {}
  ~Delivery();
  const RenderOptions& render_options() const { return render_; }
  void set_rules(RuleSet rules) { rules_ = std::move(rules); }
  void add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back(std::move(sink)); }
  // Enrich each report's remote address (remoteIpDetails) before the rules
  // see it and before it is rendered.
  void set_geoip(std::shared_ptr<geoip::GeoIp> g) { geoip_ = std::move(g); }
  void publish(const FindingRecord& rec, ReportKind kind);
  // Drains and flushes every sink; later calls do nothing.
  void close();
  std::size_t sinks() const { return sinks_.size(); }
  DeliveryStats stats() const;
  std::vector<SinkStats> sink_stats() const { return stats().sinks; }

 private:
  RenderOptions render_;
  RuleSet rules_;
  std::shared_ptr<geoip::GeoIp> geoip_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::string line_;
  std::uint64_t published_ = 0, suppressed_ = 0;
  bool closed_ = false;
};

// Whether `f` passes a filter (severity floor and types).
bool filter_accepts(const SinkFilter& filter, const FindingRecord& rec, ReportKind kind);

// Human lines for the run summary; a JSON object for --stats-json.
std::string format_delivery_summary(const DeliveryStats& s);
std::string format_delivery_json(const DeliveryStats& s);

}  // namespace picket::exporter

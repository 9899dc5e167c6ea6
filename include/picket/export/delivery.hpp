#pragma once
// Delivery: where rendered findings go. The exporter thread hands every
// report (a new finding, or fresher figures of a known one) to Delivery,
// which renders it once and passes it to each sink. Sinks must not block the
// exporter for long: one that talks to a network keeps its own bounded queue.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "picket/export/finding_json.hpp"

namespace picket::exporter {

enum class ReportKind { kNew, kUpdate };

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string name() const = 0;
  // `json` is the rendered finding (one line, no newline).
  virtual void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) = 0;
  // Shutdown: deliver everything still queued, then flush.
  virtual void close() {}
};

// JSON lines to a stdio stream (stdout or a file opened by the caller).
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

class Delivery {
 public:
  explicit Delivery(RenderOptions render) : render_(std::move(render)) {}
  void add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back(std::move(sink)); }
  void publish(const FindingRecord& rec, ReportKind kind);
  void close();
  std::size_t sinks() const { return sinks_.size(); }

 private:
  RenderOptions render_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::string line_;
};

}  // namespace picket::exporter

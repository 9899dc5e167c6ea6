#pragma once
// RecordInput: what the pipeline's record feed reads. An input reads flow
// records and DNS log entries from its sources, puts them in logical-time
// order (RecordOrderer) and hands them on. Two kinds:
//   FileRecordInput  VPC Flow Log and Resolver query log files (replay), or
//                    directories followed for new files (picket run);
//   CollectorInput   NetFlow v5/v9 and IPFIX over UDP (picket run --flow-listen).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/log_input.hpp"
#include "picket/flowrec/record_orderer.hpp"

namespace picket::flowrec {

// One stats line: a source and its counters (records, templates, errors by reason...).
struct SourceReport {
  std::string name;
  std::vector<std::pair<std::string, std::uint64_t>> counters;
  std::vector<std::string> warnings;
};

struct OrderingLimits {
  // Lateness window: how long (in record time) a record waits for later ones
  // that belong before it and for its reverse direction. VPC Flow Logs
  // aggregate over up to 10 minutes and a file holds several intervals.
  core::Nanos window = core::seconds(120);
  std::size_t max_pending = 1u << 20;  // records waiting at once (about 200 B each)
};

class RecordInput {
 public:
  virtual ~RecordInput() = default;
  // Reads a little, hands what the window allows to `out` (nondecreasing
  // logical time). False once the input has ended and everything was handed on.
  virtual bool pump(OrderedSink& out) = 0;
  virtual std::vector<SourceReport> reports() const = 0;
  virtual std::uint64_t records_read() const = 0;
};

class FileRecordInput final : public RecordInput {
 public:
  explicit FileRecordInput(OrderingLimits limits = {});
  ~FileRecordInput() override;
  // Files or directories (read once, in path order).
  bool add(LogKind kind, const std::vector<std::string>& paths, std::string& error);
  // Follows a directory: files that appear later are read as they settle; the
  // input then ends only when `stop` is set. Files already there are read
  // first unless `skip_existing`.
  bool follow(LogKind kind, const std::string& dir, bool skip_existing, const std::atomic<bool>* stop,
              std::string& error);

  bool pump(OrderedSink& out) override;
  std::vector<SourceReport> reports() const override;
  std::uint64_t records_read() const override;
  const OrdererStats& ordering() const { return orderer_.stats(); }

 private:
  struct Feed;
  struct Tail;
  RecordOrderer orderer_;
  std::vector<std::unique_ptr<Feed>> feeds_;  // one per kind
  std::vector<std::unique_ptr<Tail>> tails_;
  const std::atomic<bool>* stop_ = nullptr;
  core::Nanos next_poll_ = 0;
  int idle_polls_ = 0;
  bool flushed_ = false;
  Feed& feed(LogKind kind);
};

class CollectorInput final : public RecordInput {
 public:
  // Binds one UDP socket per "[ADDR:]PORT" ("[v6addr]:PORT" for IPv6; no
  // address = all IPv4 and IPv6 addresses). Null and `error` on failure.
  static std::unique_ptr<CollectorInput> open(const std::vector<std::string>& listen, OrderingLimits ordering,
                                              CollectorLimits limits, const std::atomic<bool>* stop,
                                              std::string& error);
  ~CollectorInput() override;

  bool pump(OrderedSink& out) override;
  std::vector<SourceReport> reports() const override;
  std::uint64_t records_read() const override;
  // The ports actually bound (port 0 asks the system for one: tests).
  std::vector<std::uint16_t> bound_ports() const;
  // How long after the last datagram everything waiting is handed on.
  void set_idle_flush(core::Nanos wall) { idle_flush_ = wall; }

 private:
  CollectorInput(OrderingLimits ordering, CollectorLimits limits);
  struct Socket;
  std::vector<std::unique_ptr<Socket>> sockets_;
  FlowCollector collector_;
  RecordOrderer orderer_;
  const std::atomic<bool>* stop_ = nullptr;
  std::uint64_t socket_errors_ = 0;
  core::Nanos last_datagram_ = 0, idle_flush_ = core::seconds(2);
};

// "[ADDR:]PORT" -> address text (empty = any) and port; error text when malformed.
bool parse_listen_address(const std::string& text, std::string& addr, std::uint16_t& port, std::string& error);

}  // namespace picket::flowrec

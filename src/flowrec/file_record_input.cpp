// FileRecordInput: VPC Flow Log and Resolver query log files, interleaved by
// time and ordered by a RecordOrderer.
#include <algorithm>

#include "picket/flowrec/record_input.hpp"

namespace picket::flowrec {

namespace {
constexpr std::size_t kLinesPerStep = 4096;
// Waiting records are handed on once a followed directory has had nothing new for this many polls.
constexpr int kIdlePollsBeforeFlush = 2;
}  // namespace

// Records read from files go into the orderer.
struct ToOrderer final : RecordSink {
  RecordOrderer* orderer = nullptr;
  OrderedSink* out = nullptr;
  void on_flow(const UniFlow& f) override { orderer->add_flow(f, *out); }
  void on_dns(const detect::DnsEvent& e) override { orderer->add_dns(e, *out); }
};

struct FileRecordInput::Feed {
  explicit Feed(LogKind k) : kind(k), input(k) {}
  LogKind kind;
  LogFileInput input;
  bool started = false;
};

struct FileRecordInput::Tail {
  Tail(LogKind k, std::string dir) : kind(k), tail(std::move(dir)) {}
  LogKind kind;
  DirectoryTail tail;
};

FileRecordInput::FileRecordInput(OrderingLimits limits) : orderer_(limits.window, limits.max_pending) {}
FileRecordInput::~FileRecordInput() = default;

FileRecordInput::Feed& FileRecordInput::feed(LogKind kind) {
  for (auto& f : feeds_)
    if (f->kind == kind) return *f;
  feeds_.push_back(std::make_unique<Feed>(kind));
  return *feeds_.back();
}

bool FileRecordInput::add(LogKind kind, const std::vector<std::string>& paths, std::string& error) {
  return feed(kind).input.add_paths(paths, error);
}

bool FileRecordInput::follow(LogKind kind, const std::string& dir, bool skip_existing, const std::atomic<bool>* stop,
                             std::string& error) {
  std::vector<std::string> files;
  if (!expand_paths({dir}, files, error)) return false;
  feed(kind);
  tails_.push_back(std::make_unique<Tail>(kind, dir));
  // The files already there are listed now, before the caller says it is
  // following: a file written just after that must count as new, however
  // late the first regular poll comes on a loaded machine.
  tails_.back()->tail.poll(core::wall_now(), skip_existing);
  stop_ = stop;
  return true;
}

bool FileRecordInput::pump(OrderedSink& out) {
  ToOrderer sink;
  sink.orderer = &orderer_;
  sink.out = &out;
  // Step the input that is furthest behind in time, so that the two kinds of
  // log interleave as they happened and the window only has to absorb the
  // disorder inside files.
  Feed* next = nullptr;
  for (auto& f : feeds_) {
    if (f->input.idle()) continue;
    if (!f->started) {
      next = f.get();
      break;
    }
    if (!next || f->input.last_time() < next->input.last_time()) next = f.get();
  }
  if (next) {
    next->started = true;
    next->input.step(sink, kLinesPerStep);
    orderer_.release(out);
    flushed_ = false;
    return true;
  }
  if (tails_.empty() || (stop_ && stop_->load(std::memory_order_relaxed))) {
    orderer_.flush(out);
    return false;
  }
  const core::Nanos now = core::wall_now();
  if (now < next_poll_) return true;
  next_poll_ = now + core::seconds(1);
  bool found = false;
  for (auto& t : tails_) {
    const auto files = t->tail.poll(now, false);
    for (const auto& f : files) feed(t->kind).input.add_file(f);
    found = found || !files.empty();
  }
  idle_polls_ = found ? 0 : idle_polls_ + 1;
  if (idle_polls_ >= kIdlePollsBeforeFlush && !flushed_) {
    // Nothing new for a while: hand on what waits rather than hold findings back.
    orderer_.flush(out);
    flushed_ = true;
  }
  return true;
}

std::uint64_t FileRecordInput::records_read() const {
  std::uint64_t n = 0;
  for (const auto& f : feeds_) n += f->input.stats().records;
  return n;
}

std::vector<SourceReport> FileRecordInput::reports() const {
  std::vector<SourceReport> out;
  for (const auto& f : feeds_) {
    const LogInputStats& s = f->input.stats();
    SourceReport r;
    r.name = log_kind_name(f->kind);
    r.counters = {{"files", s.files}, {"files_unreadable", s.files_failed}, {"truncated_files", s.truncated_files},
                  {"lines", s.lines},  {"records", s.records},              {"errors", s.errors}};
    if (f->kind == LogKind::kVpcFlowLog) {
      r.counters.insert(r.counters.end(), {{"accepted", s.accepted}, {"rejected", s.rejected},
                                           {"nodata", s.nodata}, {"skipdata", s.skipdata}, {"headers", s.headers}});
    }
    r.warnings = s.warnings.kept;
    if (s.warnings.total > s.warnings.kept.size())
      r.warnings.push_back("... and " + std::to_string(s.warnings.total - s.warnings.kept.size()) + " more");
    out.push_back(std::move(r));
  }
  const OrdererStats& o = orderer_.stats();
  out.push_back({"ordering",
                 {{"records_in", o.flows_in}, {"directions_paired", o.stitched}, {"flow_records_out", o.flows_out},
                  {"dns_events", o.dns_in}, {"late", o.late}, {"released_early", o.early}, {"max_pending", o.max_pending}},
                 {}});
  return out;
}

}  // namespace picket::flowrec

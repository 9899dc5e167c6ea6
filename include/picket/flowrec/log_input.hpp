#pragma once
// LogFileInput: reads AWS VPC Flow Log or Route 53 Resolver query log files
// (plain or gzip) one after another and hands their records on; counts
// every line by outcome and keeps a bounded list of "file:line: reason"
// warnings. DirectoryTail finds files that appear in a directory later
// (the tail mode of `picket run`).
#include <cstdint>
#include <deque>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/flowrec/line_reader.hpp"
#include "picket/flowrec/uniflow.hpp"
#include "picket/flowrec/vpc_flow_log.hpp"

namespace picket::flowrec {

enum class LogKind : std::uint8_t { kVpcFlowLog, kResolverLog };
const char* log_kind_name(LogKind k);

struct LogInputStats {
  LogKind kind = LogKind::kVpcFlowLog;
  std::uint64_t files = 0, files_failed = 0, truncated_files = 0, bytes = 0;
  std::uint64_t lines = 0, records = 0, headers = 0, blank = 0, errors = 0;
  std::uint64_t accepted = 0, rejected = 0, nodata = 0, skipdata = 0;  // VPC only
  LineWarnings warnings;
};

class LogFileInput {
 public:
  explicit LogFileInput(LogKind kind);
  ~LogFileInput();

  // Files as given; directories stand for every regular, non-hidden file
  // under them, in path order (S3 key order: by time). False if a path is missing.
  bool add_paths(const std::vector<std::string>& paths, std::string& error);
  void add_file(const std::string& path) { queue_.push_back(path); }
  // Reads up to `max_lines` lines; false when every file queued so far is done.
  bool step(RecordSink& sink, std::size_t max_lines);
  bool idle() const { return !reader_ && queue_.empty(); }
  // Time of the last record read: lets a caller interleave inputs by time.
  core::Nanos last_time() const { return last_time_; }
  const LogInputStats& stats() const { return stats_; }

 private:
  bool open_next();
  void finish_file();
  void on_line(std::string_view line, RecordSink& sink);

  LogKind kind_;
  std::deque<std::string> queue_;
  std::string current_;
  std::unique_ptr<LineReader> reader_;
  VpcFormat format_;
  core::Nanos last_time_ = 0;
  LogInputStats stats_;
};

// Expands files and directories (recursively, sorted). Error names a missing path.
bool expand_paths(const std::vector<std::string>& paths, std::vector<std::string>& files, std::string& error);

class DirectoryTail {
 public:
  // `settle`: a file is taken once its size and mtime have not changed for this long (it is complete).
  explicit DirectoryTail(std::string dir, core::Nanos settle = core::seconds(2));
  // Files that appeared and settled since the last call, in path order.
  // `skip_existing`: the first call only records what is already there.
  std::vector<std::string> poll(core::Nanos wall_now, bool skip_existing = false);

 private:
  struct Seen {
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
    core::Nanos since = 0;
    bool taken = false;
    std::uint64_t generation = 0;  // last poll that saw the file
  };
  std::string dir_;
  std::uint64_t generation_ = 0;
  core::Nanos settle_;
  std::map<std::string, Seen> seen_;
};

}  // namespace picket::flowrec

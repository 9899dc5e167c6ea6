#include "picket/flowrec/log_input.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "picket/flowrec/resolver_log.hpp"

namespace picket::flowrec {

namespace fs = std::filesystem;

const char* log_kind_name(LogKind k) {
  return k == LogKind::kVpcFlowLog ? "vpc-flow-logs" : "route53-resolver-logs";
}

bool expand_paths(const std::vector<std::string>& paths, std::vector<std::string>& files, std::string& error) {
  for (const auto& p : paths) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      error = p + ": no such file or directory";
      return false;
    }
    if (!fs::is_directory(st)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    if (ec) {
      error = p + ": " + ec.message();
      return false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return true;
}

LogFileInput::LogFileInput(LogKind kind) : kind_(kind), format_(VpcFormat::default_v2()) { stats_.kind = kind; }
LogFileInput::~LogFileInput() = default;

bool LogFileInput::add_paths(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::string> files;
  if (!expand_paths(paths, files, error)) return false;
  for (auto& f : files) queue_.push_back(std::move(f));
  return true;
}

bool LogFileInput::open_next() {
  while (!queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    std::string err;
    reader_ = LineReader::open(current_, err);
    if (reader_) {
      ++stats_.files;
      // Each file declares its own format (or has the default one).
      format_ = VpcFormat::default_v2();
      return true;
    }
    ++stats_.files_failed;
    stats_.warnings.add(current_, 0, err);
  }
  return false;
}

void LogFileInput::finish_file() {
  if (!reader_->error().empty()) {
    ++stats_.truncated_files;
    stats_.warnings.add(current_, reader_->line_number(), reader_->error());
  }
  stats_.bytes += reader_->bytes_read();
  reader_.reset();
}

void LogFileInput::on_line(std::string_view line, RecordSink& sink) {
  ++stats_.lines;
  const char* error = nullptr;
  if (reader_->last_line_too_long()) {
    ++stats_.errors;
    stats_.warnings.add(current_, reader_->line_number(), "line longer than 64 KiB");
    return;
  }
  if (kind_ == LogKind::kResolverLog) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++stats_.blank;
      return;
    }
    detect::DnsEvent ev;
    if (!parse_resolver_line(line, ev, error)) {
      ++stats_.errors;
      stats_.warnings.add(current_, reader_->line_number(), error);
      return;
    }
    ++stats_.records;
    last_time_ = ev.ts;
    // An entry is a query and its answer: detectors that look at queries
    // (tunnelling) and those that look at answers (NXDOMAIN, DGA) both see it.
    detect::DnsEvent query = ev;
    query.is_response = false;
    query.rcode = 0;
    query.answer_count = 0;
    query.addr_count = 0;
    sink.on_dns(query);
    sink.on_dns(ev);
    return;
  }
  UniFlow u;
  bool rejected = false;
  switch (parse_vpc_line(line, format_, u, rejected, error)) {
    case VpcLine::kFlow:
      ++stats_.records;
      ++(rejected ? stats_.rejected : stats_.accepted);
      last_time_ = u.last;
      sink.on_flow(u);
      break;
    case VpcLine::kNoData: ++stats_.nodata; break;
    case VpcLine::kSkipData: ++stats_.skipdata; break;
    case VpcLine::kBlank: ++stats_.blank; break;
    case VpcLine::kHeader:
      ++stats_.headers;
      if (error) stats_.warnings.add(current_, reader_->line_number(), error);
      break;
    case VpcLine::kError:
      ++stats_.errors;
      stats_.warnings.add(current_, reader_->line_number(), error ? error : "malformed");
      break;
  }
}

bool LogFileInput::step(RecordSink& sink, std::size_t max_lines) {
  std::size_t n = 0;
  while (n < max_lines) {
    if (!reader_ && !open_next()) return false;
    std::string_view line;
    if (!reader_->next(line)) {
      finish_file();
      continue;
    }
    ++n;
    on_line(line, sink);
  }
  return true;
}

DirectoryTail::DirectoryTail(std::string dir, core::Nanos settle) : dir_(std::move(dir)), settle_(settle) {}

std::vector<std::string> DirectoryTail::poll(core::Nanos wall_now, bool skip_existing) {
  std::vector<std::string> ready;
  std::error_code ec;
  ++generation_;
  for (auto it = fs::recursive_directory_iterator(dir_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || !it->is_regular_file(ec)) continue;
    const std::string path = it->path().string();
    const std::uint64_t size = it->file_size(ec);
    const std::int64_t mtime = it->last_write_time(ec).time_since_epoch().count();
    auto [s, inserted] = seen_.try_emplace(path);
    Seen& seen = s->second;
    seen.generation = generation_;
    if (inserted) {
      seen.size = size, seen.mtime = mtime, seen.since = wall_now;
      seen.taken = skip_existing;
      continue;
    }
    if (seen.taken) continue;
    if (seen.size != size || seen.mtime != mtime) {
      seen.size = size, seen.mtime = mtime, seen.since = wall_now;
      continue;
    }
    if (wall_now - seen.since >= settle_) {
      seen.taken = true;
      ready.push_back(path);
    }
  }
  // Forget files that are gone (rotated away, deleted after use): the list
  // stays as long as the directory, not as long as the run.
  if (!ec) std::erase_if(seen_, [this](const auto& kv) { return kv.second.generation != generation_; });
  std::sort(ready.begin(), ready.end());
  return ready;
}

}  // namespace picket::flowrec

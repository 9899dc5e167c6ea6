#include "picket/export/delivery.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "picket/export/formats.hpp"
#include "picket/export/json_writer.hpp"

namespace picket::exporter {

std::atomic<unsigned>& reopen_generation() {
  static std::atomic<unsigned> g{0};
  return g;
}

SinkStats Sink::stats() const {
  SinkStats s;
  s.name = name();
  s.delivered = delivered_.load();
  s.dropped = dropped_.load();
  s.errors = errors_.load();
  s.retries = retries_.load();
  s.filtered = filtered_count;
  s.archived = archived_count;
  return s;
}

// ---- JsonLinesSink ---------------------------------------------------------

void JsonLinesSink::deliver(const FindingRecord&, std::string_view json, ReportKind) {
  std::fwrite(json.data(), 1, json.size(), out_);
  std::fputc('\n', out_);
  // Findings are rare and wanted at once by whatever tails the file.
  if (std::fflush(out_) == 0) ++delivered_;
  else ++errors_;
}

void JsonLinesSink::close() { std::fflush(out_); }

// ---- FileSink --------------------------------------------------------------

FileSink::FileSink(Options o) : opt_(std::move(o)) {}

FileSink::~FileSink() {
  if (out_ && out_ != stdout) std::fclose(out_);
}

std::string FileSink::open() {
  generation_ = reopen_generation().load();
  if (opt_.path == "-") {
    out_ = stdout;
    return "";
  }
  FILE* f = std::fopen(opt_.path.c_str(), opt_.append || opened_once_ ? "a" : "w");
  if (!f) return opt_.path + ": " + std::strerror(errno);
  if (out_ && out_ != stdout) std::fclose(out_);
  out_ = f;
  opened_once_ = true;
  std::fseek(out_, 0, SEEK_END);
  const long pos = std::ftell(out_);
  size_ = pos > 0 ? static_cast<std::uint64_t>(pos) : 0;
  return "";
}

void FileSink::rotate() {
  std::fclose(out_);
  out_ = nullptr;
  // FILE.(keep-1) -> FILE.keep, ..., FILE -> FILE.1; the oldest is overwritten.
  for (unsigned i = opt_.keep; i >= 1; --i) {
    const std::string from = i == 1 ? opt_.path : opt_.path + "." + std::to_string(i - 1);
    const std::string to = opt_.path + "." + std::to_string(i);
    std::rename(from.c_str(), to.c_str());
  }
  if (opt_.keep == 0) std::remove(opt_.path.c_str());
  ++rotations_;
}

void FileSink::deliver(const FindingRecord& rec, std::string_view json, ReportKind) {
  if (opt_.path != "-") {
    const unsigned gen = reopen_generation().load(std::memory_order_relaxed);
    if (gen != generation_ || !out_) {
      // logrotate moved the file away (SIGHUP): continue in a new one.
      if (out_) ++reopens_;
      if (out_) std::fclose(out_);
      out_ = nullptr;
      if (auto err = open(); !err.empty()) {
        ++errors_;
        ++dropped_;
        std::fprintf(stderr, "picket: output %s\n", err.c_str());
        return;
      }
    }
  }
  buf_.clear();
  if (opt_.format == Format::kEventBridge) render_eventbridge(rec, json, opt_.render, opt_.source, buf_);
  else buf_.append(json);
  buf_.push_back('\n');
  if (opt_.max_size && out_ != stdout && size_ > 0 && size_ + buf_.size() > opt_.max_size) {
    rotate();
    if (auto err = open(); !err.empty()) {
      ++errors_;
      ++dropped_;
      std::fprintf(stderr, "picket: output %s\n", err.c_str());
      return;
    }
  }
  const std::size_t n = std::fwrite(buf_.data(), 1, buf_.size(), out_);
  // Findings are rare and wanted at once by whatever tails the file.
  if (n == buf_.size() && std::fflush(out_) == 0) {
    ++delivered_;
    size_ += n;
  } else {
    ++errors_;
    ++dropped_;
  }
}

void FileSink::close() {
  if (out_) std::fflush(out_);
}

SinkStats FileSink::stats() const {
  SinkStats s = Sink::stats();
  if (opt_.max_size) s.extra.emplace_back("rotations", rotations_);
  if (opt_.path != "-") s.extra.emplace_back("reopens", reopens_);
  return s;
}

// ---- QueuedSink ------------------------------------------------------------

void QueuedSink::start() { thread_ = std::thread([this] { run(); }); }

void QueuedSink::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  close();
}

void QueuedSink::deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) {
  std::string msg = format(rec, json, kind);
  {
    std::lock_guard lk(mu_);
    if (closing_ || queue_.size() >= q_.capacity) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(msg));
    if (queue_.size() > peak_) peak_ = queue_.size();
  }
  cv_.notify_one();
}

void QueuedSink::close() {
  {
    std::lock_guard lk(mu_);
    if (closing_) {
      // Already closing (close() then destructor): just make sure the thread ended.
    }
    closing_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QueuedSink::log_state(bool ok, const std::string& what) {
  if (healthy_.exchange(ok) == ok) return;
  const auto now = std::chrono::steady_clock::now();
  if (state_changes_logged_ == 0 || now - state_window_start_ >= kStateLogWindow) {
    state_window_start_ = now;
    state_changes_logged_ = 0;
  }
  if (state_changes_logged_ >= 2) {
    ++state_changes_unlogged_;
    return;
  }
  ++state_changes_logged_;
  if (state_changes_unlogged_ == 0) {
    std::fprintf(stderr, "picket: %s: %s\n", name().c_str(), what.c_str());
    return;
  }
  std::fprintf(stderr, "picket: %s: %s (%llu earlier state changes not logged)\n", name().c_str(), what.c_str(),
               static_cast<unsigned long long>(state_changes_unlogged_));
  state_changes_unlogged_ = 0;
}

void QueuedSink::run() {
  using clock = std::chrono::steady_clock;
  const auto secs = [](double s) { return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s)); };
  double backoff = q_.backoff_min;
  unsigned attempts = 0;
  clock::time_point deadline = clock::time_point::max();
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return !queue_.empty() || closing_; });
    if (closing_ && deadline == clock::time_point::max()) deadline = clock::now() + secs(q_.drain_timeout);
    if (queue_.empty()) break;
    if (clock::now() >= deadline) {
      // A dead sink at shutdown: what is left is lost, and counted.
      dropped_ += queue_.size();
      std::fprintf(stderr, "picket: %s: %zu findings dropped at shutdown (sink unreachable)\n", name().c_str(),
                   queue_.size());
      queue_.clear();
      break;
    }
    const std::string& msg = queue_.front();  // stays at the front until done; only this thread pops
    lk.unlock();
    const SendResult r = send(msg);
    lk.lock();
    if (r == SendResult::kSent) {
      ++delivered_;
      queue_.pop_front();
      attempts = 0;
      backoff = q_.backoff_min;
      continue;
    }
    ++errors_;
    if (r == SendResult::kDrop || (q_.max_attempts && ++attempts >= q_.max_attempts)) {
      ++dropped_;
      queue_.pop_front();
      attempts = 0;
      continue;
    }
    ++retries_;
    disconnect();
    // Back off; a close() wakes us early only to set the drain deadline.
    const auto until = std::min(clock::now() + secs(backoff), deadline);
    cv_.wait_until(lk, until, [&] { return closing_ && deadline == clock::time_point::max(); });
    if (closing_ && deadline == clock::time_point::max()) {
      deadline = clock::now() + secs(q_.drain_timeout);
      cv_.wait_until(lk, std::min(until, deadline));
    }
    backoff = std::min(backoff * 2, q_.backoff_max);
  }
  lk.unlock();
  disconnect();
}

SinkStats QueuedSink::stats() const {
  SinkStats s = Sink::stats();
  {
    std::lock_guard lk(mu_);
    s.queued = queue_.size();
    s.queue_peak = peak_;
  }
  extra_stats(s);
  return s;
}

// ---- Delivery --------------------------------------------------------------

bool filter_accepts(const SinkFilter& filter, const FindingRecord& rec, ReportKind kind) {
  if (rec.f.severity < filter.min_severity) return false;
  if (!filter.updates && kind == ReportKind::kUpdate) return false;
  if (filter.types.empty()) return true;
  const char* type = detect::finding_type_info(rec.f.type).name;
  for (const auto& p : filter.types)
    if (wildcard_match(p, type)) return true;
  return false;
}

Delivery::~Delivery() { close(); }

void Delivery::publish(const FindingRecord& rec, ReportKind kind) {
  ++published_;
  const FindingRecord* r = &rec;
  FindingRecord copy;  // the report as delivered: enriched, or archived
  // DNS findings have no remoteIpDetails (GuardDuty's dnsRequestAction names the domain only).
  if (geoip_ && !rec.remote_geo &&
      detect::finding_type_info(rec.f.type).action != detect::ActionType::kDnsRequest) {
    copy = rec;
    copy.remote_geo = geoip_->lookup(rec.f.remote);  // cached; the exporter thread's only
    r = &copy;
  }
  if (!rules_.empty() && rules_.match(*r) >= 0) {
    ++suppressed_;
    if (r != &copy) copy = rec;
    copy.archived = true;
    r = &copy;
  }
  line_.clear();
  for (auto& s : sinks_) {
    if (r->archived && !s->filter.archived) {
      ++s->archived_count;
      continue;
    }
    if (!filter_accepts(s->filter, *r, kind)) {
      ++s->filtered_count;
      continue;
    }
    if (line_.empty()) render_finding_json(*r, render_, line_);  // once, and only if some sink wants it
    s->deliver(*r, line_, kind);
  }
}

void Delivery::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& s : sinks_) s->close();
}

DeliveryStats Delivery::stats() const {
  DeliveryStats d;
  d.published = published_;
  d.suppressed = suppressed_;
  for (std::size_t i = 0; i < rules_.rules().size(); ++i) d.rule_hits.emplace_back(rules_.rules()[i].name, rules_.hits()[i]);
  for (const auto& s : sinks_) d.sinks.push_back(s->stats());
  if (geoip_) d.geoip = geoip_->stats();
  return d;
}

std::string format_delivery_summary(const DeliveryStats& d) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "delivery: %llu reports, %llu suppressed (archived)\n",
                static_cast<unsigned long long>(d.published), static_cast<unsigned long long>(d.suppressed));
  out += buf;
  for (const auto& [name, hits] : d.rule_hits) {
    std::snprintf(buf, sizeof(buf), "  rule %s: %llu\n", name.c_str(), static_cast<unsigned long long>(hits));
    out += buf;
  }
  for (const auto& s : d.sinks) {
    std::snprintf(buf, sizeof(buf),
                  "  sink %s: %llu delivered, %llu dropped, %llu errors, %llu retries, %llu filtered, %llu archived "
                  "withheld, %llu queued (peak %llu)",
                  s.name.c_str(), static_cast<unsigned long long>(s.delivered),
                  static_cast<unsigned long long>(s.dropped), static_cast<unsigned long long>(s.errors),
                  static_cast<unsigned long long>(s.retries), static_cast<unsigned long long>(s.filtered),
                  static_cast<unsigned long long>(s.archived), static_cast<unsigned long long>(s.queued),
                  static_cast<unsigned long long>(s.queue_peak));
    out += buf;
    for (const auto& [k, v] : s.extra) out += ", " + std::to_string(v) + " " + k;
    out += "\n";
  }
  if (d.geoip) {
    const geoip::GeoIpStats& g = *d.geoip;
    std::snprintf(buf, sizeof(buf),
                  "geoip: %llu lookups, %llu cache hits, %llu misses (%llu found, %llu unknown), %llu errors, "
                  "%llu evictions, cache %llu/%llu\n",
                  static_cast<unsigned long long>(g.lookups), static_cast<unsigned long long>(g.cache_hits),
                  static_cast<unsigned long long>(g.cache_misses), static_cast<unsigned long long>(g.found),
                  static_cast<unsigned long long>(g.not_found), static_cast<unsigned long long>(g.errors),
                  static_cast<unsigned long long>(g.evictions), static_cast<unsigned long long>(g.cache_entries),
                  static_cast<unsigned long long>(g.cache_capacity));
    out += buf;
  }
  return out;
}

std::string format_delivery_json(const DeliveryStats& d) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("reports", d.published).field("suppressed", d.suppressed);
  w.key("rules").begin_array();
  for (const auto& [name, hits] : d.rule_hits) w.begin_object().field("name", name).field("suppressed", hits).end_object();
  w.end_array();
  w.key("sinks").begin_array();
  for (const auto& s : d.sinks) {
    w.begin_object();
    w.field("name", s.name);
    w.field("delivered", s.delivered).field("dropped", s.dropped).field("errors", s.errors);
    w.field("retries", s.retries).field("filtered", s.filtered).field("archived", s.archived);
    w.field("queued", s.queued).field("queue_peak", s.queue_peak);
    for (const auto& [k, v] : s.extra) w.field(k, v);
    w.end_object();
  }
  w.end_array();
  if (d.geoip) {
    const geoip::GeoIpStats& g = *d.geoip;
    w.key("geoip").begin_object();
    w.field("lookups", g.lookups).field("cache_hits", g.cache_hits).field("cache_misses", g.cache_misses);
    w.field("found", g.found).field("not_found", g.not_found).field("errors", g.errors);
    w.field("evictions", g.evictions).field("cache_entries", g.cache_entries).field("cache_capacity", g.cache_capacity);
    w.key("databases").begin_array();
    for (const auto& db : g.databases)
      w.begin_object().field("path", db.path).field("type", db.type).field("kind", geoip::kind_name(db.kind)).end_object();
    w.end_array();
    w.end_object();
  }
  w.end_object();
  return out;
}

}  // namespace picket::exporter

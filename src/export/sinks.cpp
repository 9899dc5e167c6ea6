#include "picket/export/sinks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include "picket/export/formats.hpp"
#include "transport.hpp"

extern char** environ;

namespace picket::exporter {

SinkSpec parse_sink_arg(std::string kind, const std::string& text, std::string origin) {
  SinkSpec s;
  s.kind = std::move(kind);
  s.origin = std::move(origin);
  const auto q = text.find('?');
  s.target = text.substr(0, q);
  if (q == std::string::npos) return s;
  std::size_t i = q + 1;
  while (i <= text.size()) {
    std::size_t amp = text.find('&', i);
    if (amp == std::string::npos) amp = text.size();
    const std::string item = text.substr(i, amp - i);
    if (!item.empty()) {
      const auto eq = item.find('=');
      s.settings.push_back({item.substr(0, eq), eq == std::string::npos ? "true" : item.substr(eq + 1), s.origin});
    }
    i = amp + 1;
  }
  return s;
}

namespace {

// Reads the settings of one sink, checking each; the first error wins.
class Settings {
 public:
  explicit Settings(const SinkSpec& s) : spec_(s) {}
  bool has(const std::string& key) const { return find(key) != nullptr; }
  std::string str(const std::string& key, std::string def) {
    const SinkSetting* s = find(key);
    return s ? s->value : def;
  }
  double num(const std::string& key, double def, double lo, double hi) {
    const SinkSetting* s = find(key);
    if (!s) return def;
    char* end = nullptr;
    const double v = std::strtod(s->value.c_str(), &end);
    if (s->value.empty() || *end != '\0' || !(v >= lo && v <= hi)) {
      fail(*s, "'" + s->value + "' is not a number in [" + fmt(lo) + ", " + fmt(hi) + "]");
      return def;
    }
    return v;
  }
  bool flag(const std::string& key, bool def) {
    const SinkSetting* s = find(key);
    if (!s) return def;
    if (s->value == "true" || s->value == "1" || s->value == "yes") return true;
    if (s->value == "false" || s->value == "0" || s->value == "no") return false;
    fail(*s, "'" + s->value + "' is not true or false");
    return def;
  }
  // 100, 10K, 100M, 2G (bytes, powers of 1024).
  std::uint64_t size(const std::string& key, std::uint64_t def) {
    const SinkSetting* s = find(key);
    if (!s) return def;
    char* end = nullptr;
    const double v = std::strtod(s->value.c_str(), &end);
    double mult = 1;
    if (*end == 'K' || *end == 'k') mult = 1024, ++end;
    else if (*end == 'M' || *end == 'm') mult = 1024.0 * 1024, ++end;
    else if (*end == 'G' || *end == 'g') mult = 1024.0 * 1024 * 1024, ++end;
    if (s->value.empty() || *end != '\0' || v < 0) {
      fail(*s, "'" + s->value + "' is not a size (bytes, or with K, M, G)");
      return def;
    }
    return static_cast<std::uint64_t>(v * mult);
  }
  std::string choice(const std::string& key, std::string def, std::initializer_list<const char*> allowed) {
    const SinkSetting* s = find(key);
    if (!s) return def;
    std::string list;
    for (const char* a : allowed) {
      if (s->value == a) return s->value;
      list += list.empty() ? a : std::string(", ") + a;
    }
    fail(*s, "'" + s->value + "' is not one of " + list);
    return def;
  }
  std::vector<std::string> list(const std::string& key) {
    std::vector<std::string> out;
    const SinkSetting* s = find(key);
    if (!s) return out;
    std::size_t i = 0;
    while (i <= s->value.size()) {
      std::size_t c = s->value.find(',', i);
      if (c == std::string::npos) c = s->value.size();
      if (c > i) out.push_back(s->value.substr(i, c - i));
      i = c + 1;
    }
    return out;
  }
  double severity(const std::string& key) {
    const SinkSetting* s = find(key);
    if (!s) return 0;
    if (s->value == "Low" || s->value == "low") return 1.0;
    if (s->value == "Medium" || s->value == "medium") return 4.0;
    if (s->value == "High" || s->value == "high") return 7.0;
    if (s->value == "Critical" || s->value == "critical") return 9.0;
    return num(key, 0, 0, 10);
  }
  void fail(const SinkSetting& s, const std::string& msg) {
    if (error_.empty()) error_ = s.origin + ": " + spec_.kind + " setting '" + s.key + "': " + msg;
  }
  void fail(const std::string& msg) {
    if (error_.empty()) error_ = spec_.origin + ": " + spec_.kind + " " + spec_.target + ": " + msg;
  }
  // Errors for any setting no one asked about.
  void check_unused() {
    for (const auto& s : spec_.settings)
      if (!used_.count(s.key)) fail(s, "unknown setting for a " + spec_.kind + " sink");
  }
  const std::string& error() const { return error_; }

 private:
  const SinkSetting* find(const std::string& key) const {
    used_[key] = true;
    const SinkSetting* found = nullptr;
    for (const auto& s : spec_.settings)
      if (s.key == key) found = &s;  // the last one given wins
    return found;
  }
  static std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof(b), "%g", v);
    return b;
  }
  const SinkSpec& spec_;
  mutable std::map<std::string, bool> used_;
  std::string error_;
};

void read_filter(Settings& s, SinkFilter& f, bool archived_default) {
  f.min_severity = s.severity("min_severity");
  f.types = s.list("types");
  f.archived = s.flag("archived", archived_default);
  f.updates = s.flag("updates", true);
}

QueuedSink::QueueOptions read_queue(Settings& s, unsigned max_attempts_default) {
  QueuedSink::QueueOptions q;
  q.capacity = static_cast<std::size_t>(s.num("queue", 10000, 1, 1e8));
  q.backoff_max = s.num("backoff_max", 5, 0.01, 3600);
  q.backoff_min = std::min(0.1, q.backoff_max);
  q.max_attempts = static_cast<unsigned>(s.num("retries", max_attempts_default, 0, 1e6));
  q.drain_timeout = s.num("drain_timeout", 10, 0, 3600);
  return q;
}

TlsOptions read_tls(Settings& s) {
  TlsOptions t;
  t.ca = s.str("ca", "");
  t.cert = s.str("cert", "");
  t.key = s.str("key", "");
  t.server_name = s.str("server_name", "");
  t.verify = s.flag("verify", true);
  return t;
}

// What every network sink (syslog, webhook) reads besides its own settings.
struct NetworkSettings {
  TlsOptions tls;
  double timeout = 10;
  QueuedSink::QueueOptions queue;
  SinkFilter filter;
  std::string source;
};

NetworkSettings read_network(Settings& s, unsigned max_attempts_default) {
  NetworkSettings n;
  n.tls = read_tls(s);
  n.timeout = s.num("timeout", 10, 0.1, 600);
  n.queue = read_queue(s, max_attempts_default);
  read_filter(s, n.filter, false);
  n.source = s.str("source", "aws.guardduty");
  return n;
}

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "-";
  return buf;
}

// ---- syslog ----------------------------------------------------------------

class SyslogSink final : public QueuedSink {
 public:
  enum class Body { kJson, kEventBridge, kCef };
  SyslogSink(std::string name, Url url, TlsOptions tls, double timeout, QueueOptions q, SyslogFormat fmt, bool rfc3164,
             Body body, RenderOptions render, std::string source)
      : QueuedSink(q), name_(std::move(name)), url_(url), conn_(std::move(url), std::move(tls), timeout),
        fmt_(std::move(fmt)), rfc3164_(rfc3164), body_(body), render_(std::move(render)), source_(std::move(source)) {}
  ~SyslogSink() override { stop(); }
  std::string init() {
    if (auto e = conn_.init(); !e.empty()) return e;
    start();
    return "";
  }
  std::string name() const override { return name_; }

 protected:
  std::string format(const FindingRecord& rec, std::string_view json, ReportKind kind) override {
    std::string body;
    if (body_ == Body::kCef) body = format_cef(rec, kind, render_);
    else if (body_ == Body::kEventBridge) render_eventbridge(rec, json, render_, source_, body);
    const std::string_view msg = body_ == Body::kJson ? json : std::string_view(body);
    const core::Nanos now = realtime_now();
    std::string line = rfc3164_ ? format_rfc3164(rec, msg, fmt_, now, url_.scheme != "unix")
                                : format_rfc5424(rec, msg, kind, fmt_, now);
    if (url_.scheme == "tcp" || url_.scheme == "tls") {
      // RFC 6587 octet counting (also RFC 5425 for TLS): "LEN SP MSG".
      line = std::to_string(line.size()) + " " + line;
    }
    return line;
  }
  SendResult send(const std::string& msg) override {
    if (conn_.connected() && conn_.peer_closed()) {
      conn_.close();
      ++reconnects_;
    }
    if (auto e = conn_.connect(); !e.empty()) {
      log_state(false, e + " (buffering, retrying)");
      return SendResult::kRetry;
    }
    if (auto e = conn_.send(msg); !e.empty()) {
      log_state(false, e + " (buffering, retrying)");
      return SendResult::kRetry;
    }
    log_state(true, "delivering");
    return SendResult::kSent;
  }
  void disconnect() override { conn_.close(); }
  void extra_stats(SinkStats& s) const override { s.extra.emplace_back("reconnects", reconnects_.load()); }

 private:
  std::string name_;
  Url url_;
  Connection conn_;
  SyslogFormat fmt_;
  bool rfc3164_;
  Body body_;
  RenderOptions render_;
  std::string source_;
  std::atomic<std::uint64_t> reconnects_{0};
};

// ---- webhook ---------------------------------------------------------------

class WebhookSink final : public QueuedSink {
 public:
  enum class Body { kJson, kEventBridge, kChat };
  WebhookSink(std::string name, Url url, TlsOptions tls, double timeout, QueueOptions q, Body body,
              RenderOptions render, std::string source)
      : QueuedSink(q), name_(std::move(name)), url_(url), conn_(std::move(url), std::move(tls), timeout), body_(body),
        render_(std::move(render)), source_(std::move(source)) {}
  ~WebhookSink() override { stop(); }
  std::string init() {
    if (auto e = conn_.init(); !e.empty()) return e;
    start();
    return "";
  }
  std::string name() const override { return name_; }

 protected:
  std::string format(const FindingRecord& rec, std::string_view json, ReportKind kind) override {
    std::string body;
    if (body_ == Body::kChat) body = format_chat(rec, kind);
    else if (body_ == Body::kEventBridge) render_eventbridge(rec, json, render_, source_, body);
    else body.assign(json);
    const bool default_port = (url_.scheme == "http" && url_.port == "80") || (url_.scheme == "https" && url_.port == "443");
    const std::string host = (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                             (default_port ? "" : ":" + url_.port);
    return "POST " + url_.path + " HTTP/1.1\r\nHost: " + host +
           "\r\nUser-Agent: picket/" PICKET_VERSION "\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }
  SendResult send(const std::string& msg) override {
    conn_.close();
    if (auto e = conn_.connect(); !e.empty()) {
      log_state(false, e + " (retrying)");
      return SendResult::kRetry;
    }
    std::string resp;
    std::string e = conn_.send(msg);
    if (e.empty()) e = conn_.receive(resp, 16384);
    conn_.close();
    if (!e.empty() && resp.empty()) {
      log_state(false, e + " (retrying)");
      return SendResult::kRetry;
    }
    // "HTTP/1.1 200 OK"
    int status = 0;
    if (resp.compare(0, 5, "HTTP/") == 0) {
      const auto sp = resp.find(' ');
      if (sp != std::string::npos) status = std::atoi(resp.c_str() + sp + 1);
    }
    ++by_class_[std::min(status / 100, 5)];
    if (status >= 200 && status < 300) {
      log_state(true, "delivering");
      return SendResult::kSent;
    }
    const std::string what = status ? "HTTP status " + std::to_string(status) : "no HTTP response";
    if (status == 0 || status == 408 || status == 429 || status >= 500) {
      log_state(false, what + " (retrying)");
      return SendResult::kRetry;
    }
    log_state(false, what + " (not retried: the request itself was refused)");
    return SendResult::kDrop;
  }
  void disconnect() override { conn_.close(); }
  void extra_stats(SinkStats& s) const override {
    s.extra.emplace_back("http_2xx", by_class_[2].load());
    s.extra.emplace_back("http_4xx", by_class_[4].load());
    s.extra.emplace_back("http_5xx", by_class_[5].load());
  }

 private:
  std::string name_;
  Url url_;
  Connection conn_;
  Body body_;
  RenderOptions render_;
  std::string source_;
  std::atomic<std::uint64_t> by_class_[6] = {};
};

// ---- hooks -----------------------------------------------------------------

class HookSink final : public Sink {
 public:
  explicit HookSink(HookOptions o) : o_(std::move(o)), tokens_(o_.rate) {
    const auto slash = o_.argv[0].rfind('/');
    name_ = "hook " + o_.argv[0].substr(slash == std::string::npos ? 0 : slash + 1);
    last_refill_ = std::chrono::steady_clock::now();
    dispatcher_ = std::thread([this] { dispatch(); });
  }
  ~HookSink() override { close(); }
  std::string name() const override { return name_; }

  void deliver(const FindingRecord& rec, std::string_view json, ReportKind kind) override {
    Job j;
    if (o_.eventbridge) render_eventbridge(rec, json, o_.render, o_.source, j.input);
    else j.input.assign(json);
    j.input.push_back('\n');
    j.id = finding_id(rec.f);
    j.type = detect::finding_type_info(rec.f.type).name;
    char sev[16];
    std::snprintf(sev, sizeof(sev), "%.1f", rec.f.severity);
    j.severity = sev;
    j.kind = kind == ReportKind::kNew ? "new" : "update";
    {
      std::lock_guard lk(mu_);
      if (closing_ || queue_.size() >= o_.queue) {
        ++dropped_;
        return;
      }
      queue_.push_back(std::move(j));
      peak_ = std::max(peak_, queue_.size());
    }
    cv_.notify_all();
  }

  void close() override {
    {
      std::lock_guard lk(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
  }

  SinkStats stats() const override {
    SinkStats s = Sink::stats();
    std::lock_guard lk(mu_);
    s.queued = queue_.size();
    s.queue_peak = peak_;
    s.extra.emplace_back("exit_nonzero", exit_nonzero_);
    s.extra.emplace_back("timeouts", timeouts_);
    s.extra.emplace_back("rate_limited", rate_limited_);
    s.extra.emplace_back("stderr_lines", stderr_lines_);
    s.extra.emplace_back("spawn_failures", spawn_failures_);
    return s;
  }

 private:
  struct Job {
    std::string input, id, type, severity, kind;
  };

  bool take_token() {
    if (o_.rate <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(o_.rate, tokens_ + std::chrono::duration<double>(now - last_refill_).count() * o_.rate / 60.0);
    last_refill_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  void dispatch() {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return (!queue_.empty() && running_ < o_.concurrency) || (closing_ && queue_.empty()); });
      if (queue_.empty()) break;
      Job j = std::move(queue_.front());
      queue_.pop_front();
      if (!take_token()) {
        ++rate_limited_;
        if (!rate_logged_) {
          std::fprintf(stderr, "picket: %s: rate limit of %g runs per minute reached; skipping (counted)\n",
                       name_.c_str(), o_.rate);
          rate_logged_ = true;
        }
        continue;
      }
      rate_logged_ = false;
      ++running_;
      ++threads_started_;
      std::thread([this, j = std::move(j)]() mutable {
        run_one(j);
        std::lock_guard g(mu_);
        --running_;
        ++threads_done_;
        cv_.notify_all();
      }).detach();
    }
    // Wait for programs still running (each bounded by its timeout).
    cv_.wait(lk, [&] { return running_ == 0 && threads_done_ == threads_started_; });
  }

  void log_output(pid_t pid, const char* stream, std::string& pending, bool final) {
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos || (final && !pending.empty())) {
      const std::string line = nl == std::string::npos ? pending : pending.substr(0, nl);
      pending.erase(0, nl == std::string::npos ? pending.size() : nl + 1);
      // The program's output is data: printed with control characters escaped.
      std::string safe;
      for (unsigned char c : line) {
        if (c < 0x20 || c == 0x7f) {
          char b[8];
          std::snprintf(b, sizeof(b), "\\x%02x", c);
          safe += b;
        } else {
          safe.push_back(static_cast<char>(c));
        }
      }
      std::fprintf(stderr, "picket: %s[%d] %s: %s\n", name_.c_str(), static_cast<int>(pid), stream, safe.c_str());
      if (std::strcmp(stream, "stderr") == 0) {
        std::lock_guard g(mu_);
        ++stderr_lines_;
      }
    }
  }

  void run_one(const Job& j) {
    // Writing to a program that exited must give EPIPE, not kill picket.
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
      std::lock_guard g(mu_);
      ++spawn_failures_;
      ++errors_;
      return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // Own process group: a terminal's ^C reaches picket, which then drains
    // its hooks; a timeout kills the whole group.
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    // argv exactly as configured; finding fields go only to stdin and to
    // environment variables whose values come from fixed sets (hex id, type
    // names, numbers), never into the command line.
    std::vector<char*> argv;
    for (const auto& a : o_.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "PICKET_FINDING_", 15) != 0) env_store.emplace_back(*e);
    env_store.push_back("PICKET_FINDING_ID=" + j.id);
    env_store.push_back("PICKET_FINDING_TYPE=" + j.type);
    env_store.push_back("PICKET_FINDING_SEVERITY=" + j.severity);
    env_store.push_back("PICKET_FINDING_REPORT=" + j.kind);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      ::close(err[0]);
      std::fprintf(stderr, "picket: %s: cannot run %s: %s\n", name_.c_str(), o_.argv[0].c_str(), std::strerror(rc));
      std::lock_guard g(mu_);
      ++spawn_failures_;
      ++errors_;
      return;
    }
    for (int fd : {in[1], out[0], err[0]}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o_.timeout);
    std::size_t written = 0;
    int fds[3] = {in[1], out[0], err[0]};
    std::string pending[2];
    bool timed_out = false;
    while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      pollfd p[3];
      for (int k = 0; k < 3; ++k) p[k] = {fds[k], static_cast<short>(k == 0 ? POLLOUT : POLLIN), 0};
      if (::poll(p, 3, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR) break;
      if (fds[0] >= 0 && p[0].revents) {
        const ssize_t n = ::write(fds[0], j.input.data() + written, j.input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if ((n < 0 && errno != EAGAIN) || written == j.input.size()) {
          ::close(fds[0]);  // EOF: the whole finding was written (or the program closed its input)
          fds[0] = -1;
        }
      }
      for (int k = 1; k < 3; ++k) {
        if (fds[k] < 0 || !p[k].revents) continue;
        char buf[4096];
        const ssize_t n = ::read(fds[k], buf, sizeof(buf));
        if (n > 0) {
          pending[k - 1].append(buf, static_cast<std::size_t>(n));
          if (pending[k - 1].size() > 65536) pending[k - 1].resize(65536);
          log_output(pid, k == 1 ? "stdout" : "stderr", pending[k - 1], false);
        } else if (n == 0 || errno != EAGAIN) {
          ::close(fds[k]);
          fds[k] = -1;
        }
      }
    }
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
    log_output(pid, "stdout", pending[0], true);
    log_output(pid, "stderr", pending[1], true);
    int status = 0;
    if (timed_out) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    } else {
      // Output closed; give the program the rest of its time to exit.
      while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
          timed_out = true;
          ::kill(-pid, SIGKILL);
          ::kill(pid, SIGKILL);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    if (timed_out) ::waitpid(pid, &status, 0);
    // Discard a SIGPIPE that our writes may have raised, then restore the mask.
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);

    std::lock_guard g(mu_);
    if (timed_out) {
      ++timeouts_;
      ++errors_;
      std::fprintf(stderr, "picket: %s[%d]: killed after %g s timeout (finding %s)\n", name_.c_str(),
                   static_cast<int>(pid), o_.timeout, j.id.c_str());
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++delivered_;
    } else {
      ++exit_nonzero_;
      ++errors_;
      if (WIFEXITED(status))
        std::fprintf(stderr, "picket: %s[%d]: exit status %d (finding %s)\n", name_.c_str(), static_cast<int>(pid),
                     WEXITSTATUS(status), j.id.c_str());
      else
        std::fprintf(stderr, "picket: %s[%d]: killed by signal %d (finding %s)\n", name_.c_str(),
                     static_cast<int>(pid), WTERMSIG(status), j.id.c_str());
    }
  }

  HookOptions o_;
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::size_t peak_ = 0;
  unsigned running_ = 0;
  std::uint64_t threads_started_ = 0, threads_done_ = 0;
  bool closing_ = false, rate_logged_ = false;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
  std::uint64_t exit_nonzero_ = 0, timeouts_ = 0, rate_limited_ = 0, stderr_lines_ = 0, spawn_failures_ = 0;
  std::thread dispatcher_;
};

}  // namespace

std::unique_ptr<Sink> make_hook_sink(HookOptions o) { return std::make_unique<HookSink>(std::move(o)); }

namespace {

// A TLS file named in the settings must be readable when the sink starts.
std::string tls_files_error(const SinkSpec& spec, const TlsOptions& tls) {
  const std::pair<const char*, const std::string*> files[] = {{"ca", &tls.ca}, {"cert", &tls.cert}, {"key", &tls.key}};
  for (const auto& [key, path] : files) {
    if (path->empty()) continue;
    if (access(path->c_str(), R_OK) != 0)
      return spec.origin + ": key '" + key + "': " + *path + ": " + std::strerror(errno);
  }
  return "";
}

// make_sink, stopping before anything with a side effect when check_only.
std::unique_ptr<Sink> build_sink(const SinkSpec& spec, const SinkContext& ctx, bool check_only, std::string& error) {
  Settings s(spec);
  std::unique_ptr<Sink> sink;
  const std::string hostname = ctx.hostname.empty() ? local_hostname() : ctx.hostname;
  if (spec.kind == "output") {
    FileSink::Options o;
    o.path = spec.target.empty() ? "-" : spec.target;
    o.max_size = s.size("max_size", 0);
    o.keep = static_cast<unsigned>(s.num("keep", 5, 0, 1000));
    o.append = s.flag("append", false);
    o.format = s.choice("format", "json", {"json", "eventbridge"}) == "eventbridge" ? FileSink::Format::kEventBridge
                                                                                  : FileSink::Format::kJson;
    o.source = s.str("source", "aws.guardduty");
    o.render = ctx.render;
    SinkFilter f;
    read_filter(s, f, false);
    s.check_unused();
    if (!s.error().empty()) {
      error = s.error();
      return nullptr;
    }
    if (check_only) return nullptr;
    auto fs = std::make_unique<FileSink>(o);
    if (auto e = fs->open(); !e.empty()) {
      error = spec.origin + ": " + e;
      return nullptr;
    }
    fs->filter = f;
    sink = std::move(fs);
  } else if (spec.kind == "syslog") {
    Url url;
    if (auto e = parse_url(spec.target, url); !e.empty() || url.scheme == "http" || url.scheme == "https") {
      error = spec.origin + ": syslog " + (e.empty() ? "needs udp://, tcp://, tls:// or unix://" : e);
      return nullptr;
    }
    SyslogFormat fmt;
    fmt.hostname = s.str("hostname", hostname);
    fmt.app_name = s.str("app_name", "picket");
    fmt.procid = std::to_string(getpid());
    fmt.sd_id = s.str("sd_id", fmt.sd_id);
    fmt.bom = s.flag("bom", false);
    const std::string fac = s.str("facility", "local0");
    fmt.facility = syslog_facility(fac);
    if (fmt.facility < 0) s.fail("unknown facility '" + fac + "' (kern, user, ..., auth, authpriv, local0..local7)");
    const bool rfc3164 =
        s.choice("protocol", url.scheme == "unix" ? "rfc3164" : "rfc5424", {"rfc5424", "rfc3164"}) == "rfc3164";
    const std::string body = s.choice("format", "json", {"json", "eventbridge", "cef"});
    const NetworkSettings net = read_network(s, 0);
    s.check_unused();
    if (!s.error().empty()) {
      error = s.error();
      return nullptr;
    }
    if (check_only) {
      error = tls_files_error(spec, net.tls);
      return nullptr;
    }
    auto ss = std::make_unique<SyslogSink>(
        "syslog " + spec.target, url, net.tls, net.timeout, net.queue, fmt, rfc3164,
        body == "cef" ? SyslogSink::Body::kCef : body == "eventbridge" ? SyslogSink::Body::kEventBridge
                                                                       : SyslogSink::Body::kJson,
        ctx.render, net.source);
    if (auto e = ss->init(); !e.empty()) {
      error = spec.origin + ": syslog " + spec.target + ": " + e;
      return nullptr;
    }
    ss->filter = net.filter;
    sink = std::move(ss);
  } else if (spec.kind == "webhook") {
    Url url;
    if (auto e = parse_url(spec.target, url); !e.empty() || (url.scheme != "http" && url.scheme != "https")) {
      error = spec.origin + ": webhook " + (e.empty() ? "needs http:// or https://" : e);
      return nullptr;
    }
    const std::string body = s.choice("format", "json", {"json", "eventbridge", "slack"});
    const NetworkSettings net = read_network(s, 5);
    s.check_unused();
    if (!s.error().empty()) {
      error = s.error();
      return nullptr;
    }
    if (check_only) {
      error = tls_files_error(spec, net.tls);
      return nullptr;
    }
    auto ws = std::make_unique<WebhookSink>(
        "webhook " + url.scheme + "://" + url.host + ":" + url.port + url.path.substr(0, url.path.find('?')), url,
        net.tls, net.timeout, net.queue,
        body == "slack" ? WebhookSink::Body::kChat : body == "eventbridge" ? WebhookSink::Body::kEventBridge
                                                                           : WebhookSink::Body::kJson,
        ctx.render, net.source);
    if (auto e = ws->init(); !e.empty()) {
      error = spec.origin + ": webhook: " + e;
      return nullptr;
    }
    ws->filter = net.filter;
    sink = std::move(ws);
  } else if (spec.kind == "hook") {
    HookOptions o;
    o.argv.push_back(spec.target);
    for (const auto& a : spec.argv) o.argv.push_back(a);
    for (const auto& a : s.list("args")) o.argv.push_back(a);
    o.timeout = s.num("timeout", 30, 0.01, 86400);
    o.concurrency = static_cast<unsigned>(s.num("concurrency", 4, 1, 1024));
    o.rate = s.num("rate", 60, 0, 1e6);
    o.queue = static_cast<std::size_t>(s.num("queue", 1000, 1, 1e7));
    o.eventbridge = s.choice("format", "json", {"json", "eventbridge"}) == "eventbridge";
    o.source = s.str("source", "aws.guardduty");
    o.render = ctx.render;
    SinkFilter f;
    read_filter(s, f, false);
    s.check_unused();
    if (!s.error().empty()) {
      error = s.error();
      return nullptr;
    }
    if (spec.target.empty() || spec.target[0] != '/' ) {
      if (spec.target.find('/') == std::string::npos) {
        error = spec.origin + ": hook '" + spec.target + "': give a path to the program (no PATH search, no shell)";
        return nullptr;
      }
    }
    if (access(spec.target.c_str(), X_OK) != 0) {
      error = spec.origin + ": hook " + spec.target + ": " + std::strerror(errno);
      return nullptr;
    }
    if (check_only) return nullptr;
    auto hs = make_hook_sink(std::move(o));
    hs->filter = f;
    sink = std::move(hs);
  } else {
    error = spec.origin + ": unknown sink kind '" + spec.kind + "'";
    return nullptr;
  }
  return sink;
}

}  // namespace

std::unique_ptr<Sink> make_sink(const SinkSpec& spec, const SinkContext& ctx, std::string& error) {
  return build_sink(spec, ctx, false, error);
}

std::string check_sink(const SinkSpec& spec, const SinkContext& ctx) {
  std::string error;
  build_sink(spec, ctx, true, error);
  return error;
}

}  // namespace picket::exporter

// UnauthorizedAccess:EC2/SSHBruteForce, UnauthorizedAccess:EC2/RDPBruteForce,
// Impact:EC2/WinRMBruteForce: many short authentication sessions from one
// source to one service (host + port) within a window.
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "../common/capped_table.hpp"
#include "../common/pair_key.hpp"
#include "bruteforce_detector.hpp"

namespace picket::detect::bruteforce {
namespace {

using common::PairKey;
using common::PairKeyHash;

const ParamSpec kParams[] = {
    {"min_sessions", 20, 2, 256, "sessions",
     "short sessions to one service within window that make an attack; fail2ban's sshd jail bans after 5 failed "
     "logins in 10 min and OpenSSH allows 6 tries per connection, so 20 connections is far beyond a mistyped "
     "password yet reached in seconds by hydra/ncrack"},
    {"window", 600, 10, 86400, "seconds", "sliding window for counting sessions (fail2ban's default findtime, 10 min)"},
    {"max_session_seconds", 30, 1, 3600, "seconds",
     "a session longer than this is a login that worked or an interactive use, not a guess"},
    {"max_session_bytes", 65536, 1024, 1e9, "bytes",
     "bytes (both directions) above which a session carried real work: a failed SSH login exchanges ~3-8 KB, an "
     "RDP/NLA or WinRM/NTLM attempt ~10-30 KB"},
    {"report_interval", 300, 1, 86400, "seconds", "least time between updates of a running attack's finding"},
    {"max_tracked", 50000, 100, 10000000, "pairs", "per shard (source, service) pairs tracked at once; least recent evicted"},
};

enum class Service : std::uint8_t { kNone, kSsh, kRdp, kWinRm };

// Which authentication service a flow is: by protocol where the payload
// named it (any port), by the well-known port when nothing was recognised.
Service service_of(const flow::FlowRecord& r, bool& by_protocol) {
  by_protocol = true;
  if (r.app == flow::AppProto::kSsh) return Service::kSsh;
  if (r.app == flow::AppProto::kRdp) return Service::kRdp;
  by_protocol = false;
  const std::uint16_t port = r.responder_port();
  // WinRM is HTTP(S) with SOAP on its own ports: the port is what names it.
  if (port == 5985 || port == 5986) return Service::kWinRm;
  if (r.app != flow::AppProto::kUnknown) return Service::kNone;
  if (port == 22) return Service::kSsh;
  if (port == 3389) return Service::kRdp;
  return Service::kNone;
}

FindingType finding_type(Service s) {
  switch (s) {
    case Service::kSsh: return FindingType::kUnauthorizedSshBruteForce;
    case Service::kRdp: return FindingType::kUnauthorizedRdpBruteForce;
    default: return FindingType::kImpactWinRmBruteForce;
  }
}

struct Pair {
  std::vector<core::Nanos> recent;  // start times of the last min_sessions sessions (ring)
  std::size_t head = 0;
  Service service = Service::kNone;
  bool by_protocol = false;
  bool firing = false;
  bool actor_local = false;
  std::uint64_t sessions = 0;      // in this episode
  std::uint64_t reported = 0;      // sessions at the last report
  double session_seconds = 0;      // sum, for the mean
  std::uint64_t in_window = 0;     // sessions within window at the moment it fired
  core::Nanos episode_start = 0, last_session = 0, last_report = 0;

  // For common::CappedTable: a fresh pair that keeps the ring's buffer, so
  // that a new pair in a reused node allocates nothing.
  void recycle() {
    std::vector<core::Nanos> keep = std::move(recent);
    keep.clear();
    *this = Pair{};
    recent = std::move(keep);
  }
};

class BruteForceShard final : public DetectorShard {
 public:
  explicit BruteForceShard(const DetectorContext& ctx)
      : min_sessions_(static_cast<std::size_t>(common::param(ctx, 0, 20))),
        window_(common::seconds_param(ctx, 1, 600)),
        max_session_(common::seconds_param(ctx, 2, 30)),
        max_bytes_(static_cast<std::uint64_t>(common::param(ctx, 3, 65536))),
        report_interval_(common::seconds_param(ctx, 4, 300)),
        pairs_(static_cast<std::size_t>(common::param(ctx, 5, 50000))) {}

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (r.key.proto != 6 || !(e.initiator_local || e.responder_local)) return;
    if (r.payload_bytes[flow::kToResponder] == 0) return;  // a probe, not a login attempt
    if (r.end_reason == flow::FlowEndReason::kActiveTimeout) return;  // a long session
    if (r.last_seen - r.first_seen > max_session_) return;
    if (r.bytes[0] + r.bytes[1] > max_bytes_) return;
    bool by_protocol = false;
    const Service service = service_of(r, by_protocol);
    if (service == Service::kNone) return;

    const PairKey key{r.initiator(), r.responder(), r.responder_port()};
    bool created = false;
    Pair& p = pairs_.touch(key, created);
    if (created) {
      p.recent.assign(min_sessions_, 0);
      p.service = service;
      p.actor_local = e.initiator_local;
    }
    p.by_protocol = p.by_protocol || by_protocol;
    // A quiet spell longer than the window ends the episode.
    if (!created && r.first_seen - p.last_session > window_) end_episode(key, p, sink);
    if (p.sessions == 0) p.episode_start = r.first_seen;
    ++p.sessions;
    p.session_seconds += common::to_seconds(r.last_seen - r.first_seen);
    p.last_session = std::max(p.last_session, r.first_seen);
    p.recent[p.head] = r.first_seen;
    p.head = (p.head + 1) % p.recent.size();
    if (!p.firing) {
      // The ring holds the last min_sessions starts; the oldest is at head.
      const core::Nanos oldest = *std::min_element(p.recent.begin(), p.recent.end());
      if (p.sessions >= min_sessions_ && oldest != 0 && r.first_seen - oldest <= window_) {
        p.firing = true;
        p.in_window = min_sessions_;
        report(key, p, false, sink);
      }
    } else if (r.first_seen - p.last_report >= report_interval_) {
      report(key, p, true, sink);
    }
  }

  void on_tick(core::Nanos now, FindingSink& sink) override {
    if (now < next_sweep_) return;
    next_sweep_ = now + std::min<core::Nanos>(window_, core::seconds(60));
    pairs_.sweep([&](const PairKey& k, Pair& p) {
      if (now - p.last_session <= window_) return false;
      end_episode(k, p, sink);
      return true;
    });
  }

  void counters(CounterSink& c) const override { c.count("pairs_evicted", pairs_.evictions()); }

  void on_flush(FindingSink& sink) override {
    pairs_.drain([&](const PairKey& k, Pair& p) {
      end_episode(k, p, sink);
    });
  }

 private:
  void end_episode(const PairKey& k, Pair& p, FindingSink& sink) {
    if (p.firing && p.sessions != p.reported) report(k, p, true, sink);
    p.firing = false;
    p.sessions = p.reported = 0;
    p.session_seconds = 0;
    std::fill(p.recent.begin(), p.recent.end(), 0);
  }

  void report(const PairKey& k, Pair& p, bool update, FindingSink& sink) {
    Finding f;
    f.type = finding_type(p.service);
    // GuardDuty's rule: Low when the local host is attacked, High when it attacks.
    f.severity = p.actor_local ? 8.0 : 2.0;
    f.direction = p.actor_local ? Direction::kOutbound : Direction::kInbound;
    f.set_role(p.actor_local ? ResourceRole::kActor : ResourceRole::kTarget);
    f.protocol = 6;
    common::set_pair_hosts(f, k, p.actor_local, static_cast<std::uint16_t>(k.extra));
    f.first_seen = p.episode_start;
    f.last_seen = p.last_session;
    f.update = update;
    std::snprintf(f.detector, sizeof f.detector, "bruteforce");
    f.add_metric("sessions", static_cast<double>(p.sessions));
    f.add_metric("sessionsInWindow", static_cast<double>(p.in_window));
    f.add_metric("threshold", static_cast<double>(min_sessions_));
    f.add_metric("windowSeconds", common::to_seconds(window_));
    f.add_metric("meanSessionSeconds", p.sessions ? p.session_seconds / static_cast<double>(p.sessions) : 0);
    f.add_metric("recognisedByProtocol", p.by_protocol ? 1 : 0);
    f.ports[0] = static_cast<std::uint16_t>(k.extra);
    f.port_count = 1;
    f.set_identity(k.initiator, k.responder, k.extra);
    sink.emit(f);
    p.reported = p.sessions;
    p.last_report = p.last_session;
  }

  std::size_t min_sessions_;
  core::Nanos window_, max_session_;
  std::uint64_t max_bytes_;
  core::Nanos report_interval_;
  common::CappedTable<PairKey, Pair, PairKeyHash> pairs_;
  core::Nanos next_sweep_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_bruteforce_detector() {
  return std::make_unique<DetectorOf<BruteForceShard>>(
      "bruteforce",
      "SSHBruteForce / RDPBruteForce / WinRMBruteForce - >= min_sessions short sessions from one source to one "
      "service within window (SSH and RDP recognised by protocol on any port)",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::bruteforce

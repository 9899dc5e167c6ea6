// Backdoor:EC2/Spambot: a home host that has no history of sending mail
// speaks SMTP to many distinct remote mail servers within a window.
//
// "History" here: the detector remembers when it first saw each home host
// speak SMTP (recognised by its EHLO/HELO on any port). A host whose first
// SMTP flow is at least `history` older than the current one is an
// established sender (a mail server, a relay client) and stays quiet; so does
// a host that only ever talks to a few servers (its smarthost). Only a host
// that starts talking to many mail servers soon after it first spoke SMTP fires.
//
// With --state-dir the history (first and last SMTP flow of each host) is
// saved like the baselines' (common/state_file.hpp), so a restart does not
// make a known mail server new again.
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "../common/capped_table.hpp"
#include "../common/key_hash.hpp"
#include "../common/pair_key.hpp"
#include "../common/state_file.hpp"
#include "spam_detector.hpp"

namespace picket::detect::spam {
namespace {

const ParamSpec kParams[] = {
    {"min_servers", 25, 2, 4096, "hosts",
     "distinct remote SMTP servers within window; a workstation or app server relays through one or two, a spam bot "
     "delivers directly to hundreds of MX hosts an hour"},
    {"window", 3600, 60, 604800, "seconds", "window for counting distinct servers"},
    {"history", 86400, 0, 31536000, "seconds",
     "a host first seen speaking SMTP at least this long before is an established sender and never fires "
     "(a day: a mail server shows its history on its first day under the sensor)"},
    {"report_interval", 300, 1, 86400, "seconds", "least time between updates of a running episode's finding"},
    {"max_tracked", 50000, 100, 10000000, "hosts", "per shard home hosts remembered; least recent evicted (and their history forgotten)"},
    {"save_interval", 3600, 0, 31536000, "seconds",
     "capture time between saves of the SMTP history to --state-dir (0: only at shutdown); an hour bounds what a "
     "crash loses"},
};

struct HostKeyHash {
  std::size_t operator()(const core::IpAddr& a) const {
    return static_cast<std::size_t>(common::hash_key_bytes(a.bytes.data(), 16));
  }
};

struct Server {
  core::IpAddr addr;
  core::Nanos last = 0;
};

struct Host {
  core::Nanos first_smtp = 0, last_smtp = 0;  // the history (saved)
  std::vector<Server> servers;  // distinct servers seen within window (at most min_servers kept)
  std::uint64_t flows = 0;      // SMTP flows in this episode
  std::uint64_t distinct = 0;   // distinct servers counted in this episode (new after the window filled)
  std::uint64_t reported = 0;
  core::Nanos episode_start = 0, last = 0, last_report = 0;
  bool firing = false;

  // For common::CappedTable: a fresh host that keeps the server list's
  // buffer, so that a new host in a reused node allocates nothing.
  void recycle() {
    std::vector<Server> keep = std::move(servers);
    keep.clear();
    *this = Host{};
    servers = std::move(keep);
  }
};

class SpambotShard final : public DetectorShard {
 public:
  explicit SpambotShard(const DetectorContext& ctx)
      : min_servers_(static_cast<std::size_t>(common::param(ctx, 0, 25))),
        window_(common::seconds_param(ctx, 1, 3600)),
        history_(common::seconds_param(ctx, 2, 86400)),
        report_interval_(common::seconds_param(ctx, 3, 300)),
        hosts_(static_cast<std::size_t>(common::param(ctx, 4, 50000))),
        persist_(ctx, "spambot", common::param(ctx, 5, 3600)) {
    load();
  }

  void on_flow(const FlowEvent& e, FindingSink& sink) override {
    const auto& r = e.rec;
    if (r.app != flow::AppProto::kSmtp || !e.initiator_local || e.responder_local) return;
    bool created = false;
    Host& h = hosts_.touch(r.initiator(), created);
    if (created) h.first_smtp = r.first_seen;
    h.first_smtp = std::min(h.first_smtp, r.first_seen);
    h.last_smtp = std::max(h.last_smtp, r.first_seen);
    const core::Nanos t = r.first_seen;
    // An established sender: it has been speaking SMTP for longer than
    // `history`, unless it is already in a firing episode.
    if (!h.firing && t - h.first_smtp >= history_) {
      h.servers.clear();
      return;
    }
    if (h.firing && t - h.last > window_) end_episode(r.initiator(), h, sink);
    // Forget servers last seen before the window.
    h.servers.erase(std::remove_if(h.servers.begin(), h.servers.end(),
                                   [&](const Server& s) { return t - s.last > window_; }),
                    h.servers.end());
    if (h.flows == 0) h.episode_start = t;
    ++h.flows;
    h.last = std::max(h.last, t);
    auto it = std::find_if(h.servers.begin(), h.servers.end(), [&](const Server& s) { return s.addr == r.responder(); });
    if (it != h.servers.end()) {
      it->last = std::max(it->last, t);
    } else {
      ++h.distinct;
      // Once firing, the episode counts new servers but keeps only a
      // window's worth of them: memory stays min_servers entries per host.
      if (h.servers.size() < min_servers_) {
        h.servers.push_back({r.responder(), t});
      } else {
        auto oldest = std::min_element(h.servers.begin(), h.servers.end(),
                                       [](const Server& a, const Server& b) { return a.last < b.last; });
        *oldest = {r.responder(), t};
      }
    }
    if (!h.firing) {
      if (h.servers.size() >= min_servers_) {
        h.firing = true;
        h.distinct = h.servers.size();
        report(r.initiator(), h, false, sink);
      }
    } else if (t - h.last_report >= report_interval_) {
      report(r.initiator(), h, true, sink);
    }
  }

  void on_tick(core::Nanos now, FindingSink&) override {
    now_ = std::max(now_, now);
    if (persist_.due(now)) persist_.save(now, snapshot());
  }

  void counters(CounterSink& c) const override { c.count("hosts_evicted", hosts_.evictions()); }

  void on_flush(FindingSink& sink) override {
    if (persist_.enabled()) persist_.save(now_, snapshot());
    hosts_.drain([&](const core::IpAddr& k, Host& h) {
      end_episode(k, h, sink);
    });
  }

 private:
  // Every host's SMTP history as a record (running episodes are not saved:
  // after a restart an episode starts again), sorted by address.
  std::vector<common::HostRecord> snapshot() {
    std::vector<common::HostRecord> out;
    out.reserve(hosts_.size());
    hosts_.sweep([&](const core::IpAddr& k, Host& h) {
      out.push_back({k, h.first_smtp, h.last_smtp, 0, {}});
      return false;
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.host < b.host; });
    return out;
  }

  // The saved history of this shard's hosts, least recently active first so
  // that the table's recency order (and with it eviction) follows the last
  // SMTP flow, as if the hosts had been seen in this run.
  void load() {
    auto records = persist_.load();
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
      return a.last_seen != b.last_seen ? a.last_seen < b.last_seen : a.host < b.host;
    });
    for (const auto& rec : records) {
      bool created = false;
      Host& h = hosts_.touch(rec.host, created);
      h.first_smtp = rec.first_seen;
      h.last_smtp = rec.last_seen;
    }
  }

  void end_episode(const core::IpAddr& k, Host& h, FindingSink& sink) {
    if (h.firing && h.distinct != h.reported) report(k, h, true, sink);
    h.firing = false;
    h.flows = h.distinct = h.reported = 0;
  }

  void report(const core::IpAddr& k, Host& h, bool update, FindingSink& sink) {
    Finding f;
    f.type = FindingType::kBackdoorSpambot;
    f.severity = finding_type_info(f.type).default_severity;
    f.direction = Direction::kOutbound;
    f.protocol = 6;
    f.local = k;
    f.first_seen = h.episode_start;
    f.last_seen = h.last;
    f.update = update;
    std::snprintf(f.detector, sizeof f.detector, "spambot");
    f.add_metric("distinctServers", static_cast<double>(h.distinct));
    f.add_metric("threshold", static_cast<double>(min_servers_));
    f.add_metric("windowSeconds", common::to_seconds(window_));
    f.add_metric("smtpFlows", static_cast<double>(h.flows));
    f.add_metric("smtpHistorySeconds", common::to_seconds(h.last - h.first_smtp));
    // A sample of the servers, in address order so the output is stable.
    std::vector<core::IpAddr> sample;
    for (const auto& s : h.servers) sample.push_back(s.addr);
    std::sort(sample.begin(), sample.end());
    for (const auto& a : sample) {
      if (f.host_count >= kFindingMaxHosts) break;
      f.hosts[f.host_count++] = a;
    }
    f.set_identity(k, core::IpAddr{}, 0);
    sink.emit(f);
    h.reported = h.distinct;
    h.last_report = h.last;
  }

  std::size_t min_servers_;
  core::Nanos window_, history_, report_interval_;
  common::CappedTable<core::IpAddr, Host, HostKeyHash> hosts_;
  common::StatePersistence persist_;
  core::Nanos now_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_spambot_detector() {
  return std::make_unique<DetectorOf<SpambotShard>>(
      "spambot",
      "Backdoor:EC2/Spambot - a home host with no SMTP history speaks SMTP to >= min_servers remote servers within "
      "window",
      kParams, /*flows=*/true, /*dns=*/false);
}

}  // namespace picket::detect::spam

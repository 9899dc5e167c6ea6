// ShardHost: the watermark merge. Whatever the number of workers, the
// interleaving of their messages and the moments process() runs, detectors
// must see the same sequence of on_flow/on_dns/on_tick/on_flush calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../../../src/pipeline/shard_host.hpp"
#include "picket/flow/flow_key.hpp"

namespace detect = picket::detect;
namespace flow = picket::flow;
namespace pipeline = picket::pipeline;
using picket::core::IpAddr;
using picket::core::kNanosMax;
using picket::core::Nanos;
using pipeline::MeshMessage;
using pipeline::ShardHost;
using pipeline::Watermark;

namespace {

using Log = std::vector<std::string>;

// Records every call it receives, tagged with its name.
class RecordingShard final : public detect::DetectorShard {
 public:
  RecordingShard(std::string name, Log& log) : name_(std::move(name)), log_(log) {}
  void on_flow(const detect::FlowEvent& e, detect::FindingSink&) override {
    log_.push_back(name_ + " flow " + e.rec.initiator().to_string() + ":" + std::to_string(e.rec.initiator_port()) +
                   " t=" + std::to_string(e.rec.end_time));
  }
  void on_dns(const detect::DnsEvent& e, detect::FindingSink&) override {
    log_.push_back(name_ + " dns " + std::string(e.qname, e.qname_len) + " t=" + std::to_string(e.ts));
  }
  void on_tick(Nanos now, detect::FindingSink&) override { log_.push_back(name_ + " tick " + std::to_string(now)); }
  void on_flush(detect::FindingSink&) override { log_.push_back(name_ + " flush"); }

 private:
  std::string name_;
  Log& log_;
};

struct NullSink : detect::FindingSink {
  void emit(const detect::Finding&) override {}
};

std::unique_ptr<ShardHost> make_host(unsigned workers, Log& log, bool with_dns_shard = false) {
  std::vector<ShardHost::Shard> shards;
  shards.push_back({std::make_unique<RecordingShard>("F", log), true, false});
  if (with_dns_shard) shards.push_back({std::make_unique<RecordingShard>("D", log), false, true});
  return std::make_unique<ShardHost>(workers, std::move(shards));
}

// A flow event identified by its initiator port; `end_time` is its logical time.
detect::FlowEvent flow_ev(std::uint16_t port, Nanos end_time) {
  picket::net::PacketView p;
  p.src = *IpAddr::parse("10.0.0.1");
  p.dst = *IpAddr::parse("10.0.0.2");
  p.sport = port;
  p.dport = 80;
  p.l4_proto = 6;
  detect::FlowEvent e;
  bool lo = false;
  e.rec.key = flow::FlowKey::from_packet(p, lo);
  e.rec.initiator_is_lo = lo;
  e.rec.first_seen = end_time > 1000 ? end_time - 1000 : 0;
  e.rec.last_seen = e.rec.first_seen;
  e.rec.end_time = end_time;
  e.rec.packets[0] = 1;
  return e;
}

detect::DnsEvent dns_ev(const char* name, Nanos ts) {
  detect::DnsEvent d;
  d.ts = ts;
  d.client = *IpAddr::parse("10.0.0.1");
  d.server = *IpAddr::parse("10.0.0.53");
  d.client_port = 40000;
  d.server_port = 53;
  d.qname_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(d.qname, name, d.qname_len);
  return d;
}

// ----------------------------------------------------------- hand-made cases

TEST(ShardHost, NothingIsDeliveredBeforeEveryWorkerPassesItsTime) {
  Log log;
  auto h = make_host(2, log);
  NullSink sink;
  h->receive(0, flow_ev(1, 5));
  h->receive(0, flow_ev(2, 12));
  h->receive(0, Watermark{10});
  h->process(sink);
  EXPECT_TRUE(log.empty()) << "delivered before worker 1 promised anything";
  EXPECT_EQ(h->pending(), 2u);
  h->receive(1, Watermark{9});
  h->process(sink);
  // Both workers have passed 5: that event may go, but no tick before worker 1 reaches 10.
  EXPECT_EQ(log, (Log{"F flow 10.0.0.1:1 t=5"}));
  h->receive(1, Watermark{10});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F flow 10.0.0.1:1 t=5", "F tick 10"}));
  EXPECT_EQ(h->pending(), 1u) << "the event at 12 must wait for the next tick";
  EXPECT_FALSE(h->finished());
  h->receive(1, flow_ev(3, 11));
  h->receive(1, Watermark{20});
  h->receive(0, Watermark{20});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F flow 10.0.0.1:1 t=5", "F tick 10", "F flow 10.0.0.1:3 t=11", "F flow 10.0.0.1:2 t=12",
                      "F tick 20"}));
  EXPECT_EQ(h->max_pending(), 2u);
}

TEST(ShardHost, TicksFollowWorkerZeroAndWaitForTheSlowest) {
  Log log;
  auto h = make_host(3, log);
  NullSink sink;
  for (Nanos t : {10, 20, 30}) h->receive(0, Watermark{t});
  h->receive(1, Watermark{30});
  h->receive(2, Watermark{20});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F tick 10", "F tick 20"}));
  h->receive(2, Watermark{30});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F tick 10", "F tick 20", "F tick 30"}));
  // Watermarks of other workers do not create ticks.
  h->receive(1, Watermark{40});
  h->receive(2, Watermark{40});
  h->process(sink);
  EXPECT_EQ(log.size(), 3u);
}

TEST(ShardHost, FinalWatermarkFlushesExactlyOnce) {
  Log log;
  auto h = make_host(2, log);
  NullSink sink;
  h->receive(1, flow_ev(7, 500));
  h->receive(1, Watermark{kNanosMax});
  h->receive(0, Watermark{100});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F tick 100"}));
  EXPECT_FALSE(h->finished());
  h->receive(0, flow_ev(8, 400));
  h->receive(0, Watermark{kNanosMax});
  h->process(sink);
  EXPECT_TRUE(h->finished());
  EXPECT_EQ(log, (Log{"F tick 100", "F flow 10.0.0.1:8 t=400", "F flow 10.0.0.1:7 t=500", "F flush"}));
  EXPECT_EQ(h->pending(), 0u);
  h->process(sink);
  h->process(sink);
  EXPECT_EQ(std::count(log.begin(), log.end(), "F flush"), 1);
  EXPECT_EQ(log.size(), 4u);
}

TEST(ShardHost, EqualTimesAreOrderedByContentNotArrival) {
  const std::vector<std::uint16_t> ports = {11, 22, 33, 44, 55};
  Log reference;
  std::vector<std::uint16_t> perm = ports;
  int runs = 0;
  do {
    for (unsigned split = 0; split < 2; ++split) {
      Log log;
      auto h = make_host(2, log);
      NullSink sink;
      for (std::size_t i = 0; i < perm.size(); ++i) h->receive(split ? static_cast<unsigned>(i % 2) : 0, flow_ev(perm[i], 50));
      h->receive(1, Watermark{kNanosMax});
      h->receive(0, Watermark{kNanosMax});
      h->process(sink);
      ASSERT_EQ(log.size(), ports.size() + 1);
      if (reference.empty()) reference = log;
      EXPECT_EQ(log, reference) << "arrival order changed the delivery order";
      ++runs;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_EQ(runs, 240);
}

TEST(ShardHost, FlowsAndDnsGoOnlyToShardsThatWantThem) {
  Log log;
  auto h = make_host(1, log, /*with_dns_shard=*/true);
  NullSink sink;
  h->receive(0, dns_ev("b.test", 20));
  h->receive(0, flow_ev(1, 10));
  h->receive(0, dns_ev("a.test", 5));
  h->receive(0, Watermark{30});
  h->process(sink);
  EXPECT_EQ(log, (Log{"D dns a.test t=5", "F flow 10.0.0.1:1 t=10", "D dns b.test t=20", "F tick 30", "D tick 30"}));
}

// A detector that reads only queries (or only responses) is not called for
// the others; the remaining shards keep their order.
TEST(ShardHost, DnsShardsSeeOnlyTheMessagesTheyRead) {
  Log log;
  std::vector<ShardHost::Shard> shards;
  shards.push_back({std::make_unique<RecordingShard>("A", log), false, true, false, detect::DnsMessages::kAll});
  shards.push_back({std::make_unique<RecordingShard>("Q", log), false, true, false, detect::DnsMessages::kQueries});
  shards.push_back({std::make_unique<RecordingShard>("R", log), false, true, false, detect::DnsMessages::kResponses});
  ShardHost h(1, std::move(shards));
  NullSink sink;
  h.receive(0, dns_ev("q.test", 5));
  detect::DnsEvent answer = dns_ev("r.test", 6);
  answer.is_response = true;
  h.receive(0, answer);
  h.receive(0, Watermark{10});
  h.process(sink);
  EXPECT_EQ(log, (Log{"A dns q.test t=5", "Q dns q.test t=5", "A dns r.test t=6", "R dns r.test t=6", "A tick 10",
                      "Q tick 10", "R tick 10"}));
}

// A watermark promises every event *older* than it: an event stamped exactly
// at a tick may still arrive after that tick, so it waits for the next one.
TEST(ShardHost, OneWorkerDeliversStrictlyBeforeEachWatermark) {
  Log log;
  auto h = make_host(1, log);
  NullSink sink;
  h->receive(0, flow_ev(1, 3));
  h->process(sink);
  EXPECT_TRUE(log.empty());
  h->receive(0, Watermark{3});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F tick 3"}));
  h->receive(0, Watermark{4});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F tick 3", "F flow 10.0.0.1:1 t=3", "F tick 4"}));
}

// A watermark that is no tick (sent between ticks) releases the events before
// it at once, without a tick; the next tick still comes after them.
TEST(ShardHost, WatermarkBetweenTicksReleasesEarlierEventsWithoutATick) {
  Log log;
  auto h = make_host(2, log);
  NullSink sink;
  h->receive(0, flow_ev(1, 5));
  h->receive(1, flow_ev(2, 7));
  h->receive(0, flow_ev(3, 8));
  h->receive(0, Watermark{8, false});
  h->receive(1, Watermark{8, false});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F flow 10.0.0.1:1 t=5", "F flow 10.0.0.1:2 t=7"}));
  EXPECT_EQ(h->pending(), 1u) << "the event at 8 is not older than the watermark";
  h->receive(1, Watermark{10, true});  // ticks come from worker 0 only
  h->receive(0, Watermark{10, true});
  h->process(sink);
  EXPECT_EQ(log, (Log{"F flow 10.0.0.1:1 t=5", "F flow 10.0.0.1:2 t=7", "F flow 10.0.0.1:3 t=8", "F tick 10"}));
}

// ------------------------------------------------------ randomized equivalence

struct Ev {
  std::uint16_t id;  // unique, becomes the initiator port
  Nanos time;
  bool dns;
};

// The events of one run: times on a coarse grid so that many collide.
std::vector<Ev> make_events(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::vector<Ev> ev;
  for (int i = 0; i < n; ++i) ev.push_back({static_cast<std::uint16_t>(1000 + i), 1 + (rng() % 60) * 5, rng() % 4 == 0});
  return ev;
}

MeshMessage to_msg(const Ev& e) {
  if (e.dns) {
    char name[32];
    std::snprintf(name, sizeof(name), "q%u.test", unsigned{e.id});
    return dns_ev(name, e.time);
  }
  return flow_ev(e.id, e.time);
}

// Builds each worker's stream: the same tick values for all workers; every
// event is sent before the first watermark >= its time (sometimes earlier,
// before a smaller watermark, which is allowed); events between two
// watermarks in random order. Then interleaves the streams at random.
// With `between`, every worker also sends the watermarks that are no tick
// (the capture thread's kWatermark), each after the events older than it.
std::vector<std::pair<unsigned, MeshMessage>> schedule(const std::vector<Ev>& events, unsigned workers,
                                                       std::uint32_t seed, bool between = false) {
  std::mt19937 rng(seed);
  const std::vector<Nanos> ticks = between ? std::vector<Nanos>{25, 50, 75, 100, 140, 150, 200, 205, 250, 300, kNanosMax}
                                           : std::vector<Nanos>{50, 100, 150, 200, 250, 300, kNanosMax};
  const auto is_tick = [](Nanos t) { return t % 50 == 0 || t == kNanosMax; };
  std::vector<std::vector<MeshMessage>> streams(workers);
  std::vector<std::vector<std::vector<Ev>>> buckets(workers, std::vector<std::vector<Ev>>(ticks.size()));
  for (const Ev& e : events) {
    const unsigned w = static_cast<unsigned>(rng() % workers);
    std::size_t b = 0;
    while (ticks[b] < e.time) ++b;
    if (b > 0 && rng() % 3 == 0) b -= 1 + rng() % b;  // sent early
    buckets[w][b].push_back(e);
  }
  for (unsigned w = 0; w < workers; ++w) {
    for (std::size_t b = 0; b < ticks.size(); ++b) {
      std::shuffle(buckets[w][b].begin(), buckets[w][b].end(), rng);
      for (const Ev& e : buckets[w][b]) streams[w].push_back(to_msg(e));
      streams[w].push_back(Watermark{ticks[b], is_tick(ticks[b])});
    }
  }
  std::vector<std::pair<unsigned, MeshMessage>> out;
  std::vector<std::size_t> pos(workers, 0);
  for (;;) {
    std::vector<unsigned> open;
    for (unsigned w = 0; w < workers; ++w)
      if (pos[w] < streams[w].size()) open.push_back(w);
    if (open.empty()) break;
    const unsigned w = open[rng() % open.size()];
    const std::size_t burst = 1 + rng() % 4;
    for (std::size_t k = 0; k < burst && pos[w] < streams[w].size(); ++k) out.emplace_back(w, streams[w][pos[w]++]);
  }
  return out;
}

// Delivers with process() called after a random subset of messages.
Log run(const std::vector<std::pair<unsigned, MeshMessage>>& msgs, unsigned workers, std::uint32_t seed,
        bool* finished = nullptr) {
  Log log;
  auto h = make_host(workers, log, true);
  NullSink sink;
  std::mt19937 rng(seed);
  for (const auto& [from, m] : msgs) {
    h->receive(from, m);
    if (rng() % 3 == 0) h->process(sink);
  }
  h->process(sink);
  if (finished) *finished = h->finished();
  return log;
}

class ShardHostEquivalence : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(ShardHostEquivalence, SameCallsForAnyWorkerCountAndInterleaving) {
  const std::uint32_t seed = GetParam();
  const auto events = make_events(seed, 300);
  bool finished = false;
  const Log reference = run(schedule(events, 1, seed + 1), 1, seed + 2, &finished);
  ASSERT_TRUE(finished);
  // Structure of the reference: every event once, times non-decreasing,
  // each event before the first tick >= its time, flush last.
  std::size_t flows = 0, dns = 0;
  Nanos last_time = 0, last_tick = 0;
  for (const std::string& line : reference) {
    if (line.find(" tick ") != std::string::npos) {
      if (line[0] == 'F') last_tick = std::stoull(line.substr(7));
      continue;
    }
    if (line.find(" flush") != std::string::npos) continue;
    const Nanos t = std::stoull(line.substr(line.rfind("t=") + 2));
    EXPECT_GE(t, last_time) << line;
    EXPECT_GT(t, last_tick) << line << " delivered after tick " << last_tick;
    last_time = t;
    (line.find(" dns ") != std::string::npos ? dns : flows)++;
  }
  EXPECT_EQ(flows + dns, events.size());
  EXPECT_EQ(reference.back(), "D flush");
  EXPECT_EQ(reference[reference.size() - 2], "F flush");
  EXPECT_EQ(std::count(reference.begin(), reference.end(), "F tick 300"), 1);

  for (unsigned workers : {1u, 2u, 3u}) {
    for (std::uint32_t variant = 0; variant < 6; ++variant) {
      if (workers == 1 && variant % 2 == 0) continue;  // the reference itself
      // Odd variants add the watermarks between ticks: same calls.
      const auto msgs = schedule(events, workers, seed * 31 + variant, variant % 2 == 1);
      bool fin = false;
      const Log got = run(msgs, workers, seed * 17 + variant, &fin);
      EXPECT_TRUE(fin);
      ASSERT_EQ(got, reference) << workers << " workers, variant " << variant;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Pipeline, ShardHostEquivalence, ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u));

}  // namespace

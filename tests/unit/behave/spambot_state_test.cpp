// The spam detector's SMTP history in --state-dir: a host that sent mail
// before a restart is still an established sender after it; a truncated,
// corrupt or older-version file is reported and ignored (the history is
// learned again); state saved by N shards loads identically into M shards.
#include "../baseline/baseline_fixture.hpp"
#include "common/state_file.hpp"

using namespace baselinetest;
namespace common = picket::detect::common;
using detect::FindingType;

namespace {

// One mail delivery (EHLO seen) from home host `host` to `server`:25 at `start`.
detect::FlowEvent smtp(const std::string& host, const std::string& server, Nanos start) {
  auto e = conn(host, server, 25, start, 3000);
  e.rec.app = flow::AppProto::kSmtp;
  return e;
}

// `host` delivers to `servers` distinct MX hosts, 10 s apart, from `start`.
std::vector<detect::FlowEvent> deliveries(const std::string& host, int servers, Nanos start, int net = 0) {
  std::vector<detect::FlowEvent> v;
  for (int i = 0; i < servers; ++i)
    v.push_back(smtp(host, "198.18." + std::to_string(net) + "." + std::to_string(1 + i), start + seconds(10.0 * i)));
  return v;
}

// Runs `events` through `count` shards routed as the pipeline routes flows
// (by initiator), ticking each shard before each event, then flushes.
std::vector<detect::Finding> run_shards(const std::string& dir, unsigned count, const std::vector<detect::FlowEvent>& events,
                                        const std::vector<std::string>& params = {}) {
  Harness h("spambot", params, dir);
  std::vector<std::unique_ptr<detect::DetectorShard>> shards;
  for (unsigned i = 0; i < count; ++i) shards.push_back(h.make(i, count));
  for (const auto& e : events) {
    for (auto& s : shards) s->on_tick(e.rec.first_seen, h.sink);
    shards[common::shard_for_host(e.rec.initiator(), count)]->on_flow(e, h.sink);
  }
  for (auto& s : shards) s->on_flush(h.sink);
  std::vector<detect::Finding> out;
  for (const auto& f : h.sink.out)
    if (!f.update) out.push_back(f);
  return out;
}

const std::string kHost = "10.1.0.77";
const Nanos kNextDay = at(kDay + kHour);

TEST(SpambotState, SavedHistoryMakesAnEstablishedSenderAfterRestart) {
  TempDir d;
  // Day 1: three mails through three servers; far below the threshold.
  EXPECT_TRUE(run_shards(d.path, 1, deliveries(kHost, 3, at(0))).empty());
  EXPECT_EQ(d.files(), std::vector<std::string>{"spambot.shard-0-of-1.state"});
  std::vector<common::HostRecord> recs;
  ASSERT_EQ(common::read_state_file(d.path + "/spambot.shard-0-of-1.state", "spambot", recs), "");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].host, ip(kHost));
  EXPECT_EQ(recs[0].first_seen, at(0));
  EXPECT_EQ(recs[0].last_seen, at(20));
  // Day 2, after a restart: 40 servers, silent: the host has a day of history.
  EXPECT_TRUE(run_shards(d.path, 1, deliveries(kHost, 40, kNextDay, 1)).empty());
  // The same day 2 on a fresh state directory fires.
  TempDir fresh;
  const auto f = run_shards(fresh.path, 1, deliveries(kHost, 40, kNextDay, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, FindingType::kBackdoorSpambot);
  EXPECT_EQ(f[0].local, ip(kHost));
}

TEST(SpambotState, LoadedHistoryStartsAtTheFirstMailEverSeen) {
  TempDir d;
  run_shards(d.path, 1, deliveries(kHost, 3, at(0)));
  // An hour later (a history of an hour, under the day): it fires, and its
  // evidence counts the history from the first run's first mail.
  const auto f = run_shards(d.path, 1, deliveries(kHost, 30, at(kHour), 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(metric_value(f[0], "smtpHistorySeconds"), kHour + 24 * 10);  // fired at the 25th server
  // The second run's save keeps the first run's first mail and its own last one.
  std::vector<common::HostRecord> recs;
  ASSERT_EQ(common::read_state_file(d.path + "/spambot.shard-0-of-1.state", "spambot", recs), "");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].first_seen, at(0));
  EXPECT_EQ(recs[0].last_seen, at(kHour + 290));
}

TEST(SpambotState, PeriodicSavesByCaptureTime) {
  TempDir d;
  Harness h("spambot", {"save_interval=600"}, d.path);
  auto s = h.make();
  s->on_flow(smtp(kHost, "198.18.0.1", at(0)), h.sink);
  for (int i = 1; i <= 1300; ++i) s->on_tick(at(i), h.sink);
  // Saved at 600 and 1200 s of capture time, before any flush.
  EXPECT_EQ(d.files(), std::vector<std::string>{"spambot.shard-0-of-1.state"});
  std::vector<common::HostRecord> recs;
  EXPECT_EQ(common::read_state_file(d.path + "/spambot.shard-0-of-1.state", "spambot", recs), "");
  EXPECT_EQ(recs.size(), 1u);
  // Without --state-dir nothing is written anywhere.
  Harness none("spambot", {"save_interval=600"});
  auto n = none.make();
  n->on_flow(smtp(kHost, "198.18.0.1", at(0)), none.sink);
  n->on_tick(at(1300), none.sink);
  n->on_flush(none.sink);
}

TEST(SpambotState, BadStateFilesAreReportedAndIgnored) {
  const struct {
    const char* what;
    std::string (*mangle)(std::string);
    const char* message;
  } cases[] = {
      {"truncated", [](std::string b) { return b.substr(0, b.size() / 2); }, "checksum mismatch"},
      {"corrupt", [](std::string b) { b[b.size() - 20] ^= 1; return b; }, "checksum mismatch"},
      {"older version", [](std::string b) { b[8] = 0; return b; }, "format version 0"},
      {"garbage", [](std::string) { return std::string("\0junk\0junk", 10); }, "not a picket state file"},
  };
  TempDir d;
  int n = 0;
  for (const auto& c : cases) {
    // A directory per case: a message is printed once per process.
    const std::string dir = d.path + "/" + std::to_string(n++);
    run_shards(dir, 1, deliveries(kHost, 3, at(0)));
    const std::string file = dir + "/spambot.shard-0-of-1.state";
    write_all(file, c.mangle(read_all(file)));
    testing::internal::CaptureStderr();
    // The file is ignored: the host has no history and fires, as on a fresh start.
    const auto f = run_shards(dir, 1, deliveries(kHost, 40, kNextDay, 1));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(f.size(), 1u) << c.what;
    EXPECT_NE(err.find(file), std::string::npos) << c.what << ": " << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << c.what << ": " << err;
    // The run's own save replaced it with a good file.
    std::vector<common::HostRecord> recs;
    EXPECT_EQ(common::read_state_file(file, "spambot", recs), "") << c.what;
  }
}

TEST(SpambotState, IndependentOfShardCounts) {
  // Day 1: hosts .1-.40 send a few mails. Day 2: they and ten new hosts
  // (.41-.50) each deliver to 30 servers. Only the new ones fire, whatever
  // the shard counts that saved and loaded the history.
  std::vector<detect::FlowEvent> day1, day2;
  for (int h = 1; h <= 40; ++h)
    for (const auto& e : deliveries("10.1.2." + std::to_string(h), 2, at(h * 30))) day1.push_back(e);
  for (int h = 1; h <= 50; ++h)
    for (const auto& e : deliveries("10.1.2." + std::to_string(h), 30, kNextDay + seconds(h), 1)) day2.push_back(e);
  std::sort(day2.begin(), day2.end(), [](const auto& a, const auto& b) { return a.rec.first_seen < b.rec.first_seen; });
  std::vector<std::vector<std::string>> results;
  for (auto [save, load] : {std::pair{1u, 1u}, {1u, 2u}, {2u, 1u}, {4u, 3u}, {3u, 4u}}) {
    TempDir d;
    EXPECT_TRUE(run_shards(d.path, save, day1).empty());
    std::vector<std::string> got;
    for (const auto& f : run_shards(d.path, load, day2)) got.push_back(describe(f));
    std::sort(got.begin(), got.end());
    results.push_back(got);
    EXPECT_EQ(d.files().size(), load) << save << " -> " << load << ": only the loading run's files remain";
  }
  ASSERT_EQ(results[0].size(), 10u);
  for (int h = 41; h <= 50; ++h) {
    const std::string local = "local=10.1.2." + std::to_string(h) + " ";
    EXPECT_EQ(std::count_if(results[0].begin(), results[0].end(),
                            [&](const std::string& s) { return s.find(local) != std::string::npos; }),
              1)
        << h;
  }
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i], results[0]) << "case " << i;
}

TEST(SpambotState, LoadKeepsTheMostRecentSendersWhenOverTheCap) {
  // 150 hosts saved, loaded into a table of 100: the 50 that sent mail least
  // recently are the ones forgotten, as if the table had seen them in order.
  TempDir d;
  std::vector<detect::FlowEvent> day1;
  for (int h = 1; h <= 150; ++h) day1.push_back(smtp("10.1.3." + std::to_string(h), "198.18.0.1", at(h)));
  run_shards(d.path, 1, day1);
  const auto oldest = run_shards(d.path, 1, deliveries("10.1.3.1", 30, kNextDay, 1), {"max_tracked=100"});
  EXPECT_EQ(oldest.size(), 1u) << "10.1.3.1 was the least recent: forgotten";
  TempDir d2;
  run_shards(d2.path, 1, day1);
  const auto newest = run_shards(d2.path, 1, deliveries("10.1.3.150", 30, kNextDay, 1), {"max_tracked=100"});
  EXPECT_TRUE(newest.empty()) << "10.1.3.150 was the most recent: remembered";
}

}  // namespace

// Baseline persistence: save/load round trip, restart keeps learning and
// learned items, corrupt/truncated/old-version/foreign files are reported and
// ignored, and state saved by N shards loads identically into M shards.
#include "../../../src/pipeline/worker.hpp"
#include "baseline/novelty_shard.hpp"
#include "common/state_file.hpp"
#include "baseline/volume_unusual.hpp"
#include "baseline_fixture.hpp"

using namespace baselinetest;
namespace baseline = picket::detect::baseline;
namespace common = picket::detect::common;
using detect::FindingType;

namespace {

std::vector<common::HostRecord> sample_records() {
  std::vector<common::HostRecord> v;
  v.push_back({ip("10.1.0.1"), at(0), at(50), 0, {1, 2, 3}});
  v.push_back({ip("fd00::7"), at(5), at(6), 1, {}});
  v.push_back({ip("192.168.1.9"), at(7), at(9), 0, {0xffffffffffffffffULL}});
  return v;
}

TEST(StateFile, RoundTrip) {
  TempDir d;
  const std::string path = d.path + "/x.state";
  ASSERT_EQ(common::write_state_file(path, "port_unusual", 0, 1, at(60), sample_records()), "");
  std::vector<common::HostRecord> back;
  ASSERT_EQ(common::read_state_file(path, "port_unusual", back), "");
  const auto want = sample_records();
  ASSERT_EQ(back.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(back[i].host, want[i].host);
    EXPECT_EQ(back[i].first_seen, want[i].first_seen);
    EXPECT_EQ(back[i].last_seen, want[i].last_seen);
    EXPECT_EQ(back[i].flags, want[i].flags);
    EXPECT_EQ(back[i].values, want[i].values);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(StateFile, BadFilesAreReportedAndIgnored) {
  TempDir d;
  const std::string path = d.path + "/x.state";
  ASSERT_EQ(common::write_state_file(path, "port_unusual", 0, 1, at(60), sample_records()), "");
  const std::string good = read_all(path);
  std::vector<common::HostRecord> out;
  auto err_of = [&](const std::string& data, const char* det = "port_unusual") {
    write_all(path, data);
    out.clear();
    return common::read_state_file(path, det, out);
  };
  // Every truncation, and a flipped bit in every byte, is caught.
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_NE(err_of(good.substr(0, n)), "") << "truncated to " << n;
    EXPECT_TRUE(out.empty());
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x10;
    EXPECT_NE(err_of(bad), "") << "flipped byte " << i;
    EXPECT_TRUE(out.empty());
  }
  std::string old = good;
  old[8] = 0;  // version 0: an older format
  EXPECT_NE(err_of(old).find("format version 0"), std::string::npos) << err_of(old);
  EXPECT_NE(err_of(good, "dot_unusual").find("written by detector 'port_unusual'"), std::string::npos);
  EXPECT_NE(err_of("not a baseline at all").find("not a picket state file"), std::string::npos);
  EXPECT_NE(err_of("").find("not a picket state file"), std::string::npos);
  EXPECT_EQ(err_of(good), "");
  EXPECT_EQ(out.size(), 3u);
  EXPECT_NE(common::read_state_file(d.path + "/missing.state", "port_unusual", out), "");
}

TEST(StateFile, ShardHashIsThePipelines) {
  for (const char* a : {"10.1.0.1", "10.1.0.2", "192.168.7.7", "fd00::1", "8.8.8.8"})
    for (unsigned n : {1u, 2u, 3u, 4u, 7u, 16u})
      EXPECT_EQ(common::shard_for_host(ip(a), n), picket::pipeline::shard_of(ip(a), n)) << a << " " << n;
}

// Port baseline: learn for a day on one run, restart, and keep judging.
void learn_day(detect::DetectorShard& s, Collect& sink, const std::string& host) {
  s.on_flow(conn(host, "203.0.113.5", 443, at(0)), sink);
  s.on_flow(conn(host, "203.0.113.5", 22, at(kHour)), sink);
  s.on_tick(at(2 * kHour), sink);
}

TEST(Persistence, RestartRemembersLearningAndPorts) {
  TempDir d;
  {
    Harness h("port_unusual", {}, d.path);
    auto s = h.make();
    learn_day(*s, h.sink, "10.1.0.20");
    s->on_flush(h.sink);
    EXPECT_TRUE(h.sink.out.empty());
  }
  EXPECT_EQ(d.files(), std::vector<std::string>{"port_unusual.shard-0-of-1.state"});
  Harness h("port_unusual", {}, d.path);
  auto s = h.make();
  auto* ns = dynamic_cast<baseline::NoveltyShard*>(s.get());
  EXPECT_EQ(ns->table().stats().hosts_loaded, 1u);
  s->on_flow(conn("10.1.0.20", "203.0.113.9", 22, at(kDay + 100)), h.sink);  // remembered
  EXPECT_TRUE(h.sink.out.empty());
  s->on_flow(conn("10.1.0.20", "203.0.113.9", 3389, at(kDay + 200)), h.sink);  // learning over: fires
  ASSERT_EQ(h.sink.out.size(), 1u);
  EXPECT_EQ(h.sink.out[0].remote_port, 3389);
  // Without the state the host would be learning again and stay silent.
  Harness fresh("port_unusual");
  auto s2 = fresh.make();
  s2->on_flow(conn("10.1.0.20", "203.0.113.9", 3389, at(kDay + 200)), fresh.sink);
  EXPECT_TRUE(fresh.sink.out.empty());
}

TEST(Persistence, PeriodicSavesByCaptureTime) {
  TempDir d;
  Harness h("dot_unusual", {"save_interval=600"}, d.path);
  auto s = h.make();
  auto* ns = dynamic_cast<baseline::NoveltyShard*>(s.get());
  s->on_flow(conn("10.1.0.32", "9.9.9.9", 853, at(0)), h.sink);
  for (int i = 1; i <= 3600; ++i) s->on_tick(at(i), h.sink);
  EXPECT_GE(ns->persistence().saves(), 5u);
  EXPECT_LE(ns->persistence().saves(), 6u);
  EXPECT_EQ(d.files(), std::vector<std::string>{"dot_unusual.shard-0-of-1.state"});
}

TEST(Persistence, CorruptStateIsIgnoredAndLearnedAgain) {
  TempDir d;
  {
    Harness h("port_unusual", {}, d.path);
    auto s = h.make();
    learn_day(*s, h.sink, "10.1.0.20");
    s->on_flush(h.sink);
  }
  const std::string file = d.path + "/port_unusual.shard-0-of-1.state";
  std::string data = read_all(file);
  data.resize(data.size() - 5);
  write_all(file, data);
  Harness h("port_unusual", {}, d.path);
  testing::internal::CaptureStderr();
  auto s = h.make();
  auto s_again = h.make();  // a second shard reading the same file: reported once
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("checksum mismatch"), std::string::npos) << err;
  EXPECT_EQ(err.find("checksum mismatch"), err.rfind("checksum mismatch")) << "reported once: " << err;
  auto* ns = dynamic_cast<baseline::NoveltyShard*>(s.get());
  EXPECT_EQ(ns->table().hosts(), 0u);
  EXPECT_EQ(ns->persistence().errors(), 1u);
  s->on_flow(conn("10.1.0.20", "203.0.113.9", 3389, at(kDay + 200)), h.sink);
  EXPECT_TRUE(h.sink.out.empty()) << "the host learns again";
  // The next save replaces the bad file with a good one.
  s->on_flush(h.sink);
  std::vector<common::HostRecord> recs;
  EXPECT_EQ(common::read_state_file(file, "port_unusual", recs), "");
}

// Feeds the same events to `count` shards routed as the pipeline does, saves,
// and returns the findings of a second phase run on `load_count` shards.
std::vector<std::string> two_phase(const std::string& dir, const std::string& det, unsigned save_count,
                                   unsigned load_count, const std::vector<detect::FlowEvent>& first,
                                   const std::vector<detect::FlowEvent>& second) {
  {
    Harness h(det, {}, dir);
    std::vector<std::unique_ptr<detect::DetectorShard>> shards;
    for (unsigned i = 0; i < save_count; ++i) shards.push_back(h.make(i, save_count));
    for (const auto& e : first) shards[common::shard_for_host(e.rec.initiator(), save_count)]->on_flow(e, h.sink);
    for (auto& s : shards) s->on_flush(h.sink);
  }
  Harness h(det, {}, dir);
  std::vector<std::unique_ptr<detect::DetectorShard>> shards;
  for (unsigned i = 0; i < load_count; ++i) shards.push_back(h.make(i, load_count));
  for (const auto& e : second) shards[common::shard_for_host(e.rec.initiator(), load_count)]->on_flow(e, h.sink);
  for (auto& s : shards) s->on_flush(h.sink);
  std::vector<std::string> out;
  for (const auto& f : h.sink.out) out.push_back(describe(f));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Persistence, IndependentOfShardCounts) {
  std::vector<detect::FlowEvent> first, second;
  for (int h = 1; h <= 40; ++h) {
    const std::string host = "10.1.1." + std::to_string(h);
    first.push_back(conn(host, "203.0.113.5", 443, at(h)));
    first.push_back(conn(host, "203.0.113.5", static_cast<std::uint16_t>(1000 + h % 7), at(100 + h)));
    // After the day: the learned ports, and one new port per host.
    second.push_back(conn(host, "203.0.113.6", static_cast<std::uint16_t>(1000 + h % 7), at(kDay + 100 + h)));
    second.push_back(conn(host, "203.0.113.6", static_cast<std::uint16_t>(2000 + h % 5), at(kDay + 200 + h)));
  }
  std::vector<std::vector<std::string>> results;
  for (auto [save, load] : {std::pair{1u, 1u}, {1u, 2u}, {2u, 1u}, {4u, 3u}, {3u, 4u}}) {
    TempDir d;
    results.push_back(two_phase(d.path, "port_unusual", save, load, first, second));
    // Only the loading run's files remain.
    EXPECT_EQ(d.files().size(), load) << save << " -> " << load;
  }
  EXPECT_EQ(results[0].size(), 40u);
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i], results[0]) << "case " << i;
}

TEST(Persistence, VolumeBaselineSurvivesRestart) {
  TempDir d;
  {
    Harness h("volume_unusual", {}, d.path);
    auto s = h.make();
    for (int i = 0; i < 30; ++i) s->on_flow(conn("10.1.0.40", "203.0.113.5", 443, at(i * kHour + 100), 1'000'000), h.sink);
    s->on_flush(h.sink);
  }
  Harness h("volume_unusual", {}, d.path);
  auto s = h.make();
  auto* vs = dynamic_cast<baseline::VolumeUnusualShard*>(s.get());
  ASSERT_EQ(vs->snapshot().size(), 1u);
  s->on_flow(conn("10.1.0.40", "198.51.100.77", 443, at(31 * kHour), 60'000'000), h.sink);
  ASSERT_EQ(h.sink.out.size(), 1u);
  EXPECT_EQ(metric_value(h.sink.out[0], "baselineWindows"), 30);
  EXPECT_EQ(metric_value(h.sink.out[0], "baselineMeanBytes"), 1'000'000);
}

}  // namespace

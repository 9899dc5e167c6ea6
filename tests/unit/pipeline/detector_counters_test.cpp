// Detector shard counters through the pipeline: ShardHost publishes what each
// shard reports at every tick and at the end, readable from another thread;
// the stats JSON lists every counter, the summary only the non-zero ones.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "../../../src/pipeline/shard_host.hpp"
#include "picket/pipeline/pipeline.hpp"

namespace detect = picket::detect;
namespace pipeline = picket::pipeline;
using picket::core::kNanosMax;
using picket::core::Nanos;
using pipeline::ShardHost;
using pipeline::Watermark;

namespace {

// Refuses every flow after the first `room`, and counts them; reports two counters.
class CappedShard final : public detect::DetectorShard {
 public:
  explicit CappedShard(std::uint64_t room) : room_(room) {}
  void on_flow(const detect::FlowEvent&, detect::FindingSink&) override {
    if (kept_ < room_) ++kept_;
    else ++refused_;
  }
  void counters(detect::CounterSink& c) const override {
    c.count("keys_refused", refused_);
    c.count("other_evicted", 0);
  }

 private:
  std::uint64_t room_, kept_ = 0, refused_ = 0;
};

struct NullSink : detect::FindingSink {
  void emit(const detect::Finding&) override {}
};

detect::FlowEvent flow_at(Nanos t, std::uint16_t port) {
  detect::FlowEvent e;
  e.rec.first_seen = e.rec.last_seen = e.rec.end_time = t;
  e.rec.key.lo_port = port;
  return e;
}

std::vector<std::tuple<std::size_t, std::string, std::uint64_t>> read(const ShardHost& h) {
  std::vector<std::tuple<std::size_t, std::string, std::uint64_t>> v;
  h.read_counters([&](std::size_t shard, const char* name, std::uint64_t value) { v.emplace_back(shard, name, value); });
  return v;
}

TEST(DetectorCounters, PublishedAtTicksAndAtTheEnd) {
  std::vector<ShardHost::Shard> shards;
  shards.push_back({std::make_unique<CappedShard>(2), true, false});
  shards.push_back({std::make_unique<detect::DetectorShard>(), true, false});  // reports nothing
  ShardHost h(1, std::move(shards));
  NullSink sink;
  EXPECT_TRUE(read(h).empty()) << "nothing before the first tick";
  for (int i = 0; i < 5; ++i) h.receive(0, flow_at(10 + i, static_cast<std::uint16_t>(i)));
  h.receive(0, Watermark{100});
  h.process(sink);
  using Row = std::tuple<std::size_t, std::string, std::uint64_t>;
  EXPECT_EQ(read(h), (std::vector<Row>{{0, "keys_refused", 3}, {0, "other_evicted", 0}}));
  for (int i = 0; i < 4; ++i) h.receive(0, flow_at(200 + i, static_cast<std::uint16_t>(i)));
  h.receive(0, Watermark{kNanosMax});
  h.process(sink);
  EXPECT_TRUE(h.finished());
  EXPECT_EQ(read(h), (std::vector<Row>{{0, "keys_refused", 7}, {0, "other_evicted", 0}}));
}

TEST(DetectorCounters, ReadableWhileTheWorkerRuns) {
  std::vector<ShardHost::Shard> shards;
  shards.push_back({std::make_unique<CappedShard>(0), true, false});
  ShardHost h(1, std::move(shards));
  constexpr int kTicks = 20000;
  std::atomic<bool> done{false};
  std::thread worker([&] {
    NullSink sink;
    for (int t = 1; t <= kTicks; ++t) {
      h.receive(0, flow_at(t * 10, 1));
      h.receive(0, Watermark{static_cast<Nanos>(t) * 10 + 5});
      h.process(sink);
    }
    done.store(true);
  });
  // The reader sees a count that only grows and never a half-published name.
  std::uint64_t last = 0;
  while (!done.load()) {
    for (const auto& [shard, name, value] : read(h)) {
      if (name != "keys_refused") continue;
      EXPECT_GE(value, last);
      last = value;
    }
  }
  worker.join();
  EXPECT_EQ(std::get<2>(read(h).at(0)), static_cast<std::uint64_t>(kTicks));
}

TEST(DetectorCounters, StatsJsonListsAllSummaryOnlyNonZero) {
  pipeline::PipelineStats s;
  s.detector_counters = {{"dns_exfil", "keys_refused", 12}, {"dns_exfil", "names_refused", 0},
                         {"spambot", "hosts_evicted", 3}, {"beacon", "pairs_refused", 0}};
  const std::string js = pipeline::format_stats_json(s);
  EXPECT_NE(js.find(R"("detectors":{"dns_exfil":{"keys_refused":12,"names_refused":0},"spambot":{"hosts_evicted":3},)"
                    R"("beacon":{"pairs_refused":0}})"),
            std::string::npos)
      << js;
  const std::string sum = pipeline::format_summary(s);
  EXPECT_NE(sum.find("  detector state full: dns_exfil keys_refused 12, spambot hosts_evicted 3\n"), std::string::npos)
      << sum;
  s.detector_counters = {{"beacon", "pairs_refused", 0}};
  EXPECT_EQ(pipeline::format_summary(s).find("detector state full"), std::string::npos);
  EXPECT_EQ(pipeline::format_detector_counters(s), "");
}

}  // namespace

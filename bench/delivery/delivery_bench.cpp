// Findings through aggregation and suppression, and the JSON renderer's cost.
#include <benchmark/benchmark.h>

#include <vector>

#include "picket/export/aggregator.hpp"
#include "picket/export/delivery.hpp"
#include "picket/export/suppression.hpp"

using namespace picket;
using namespace picket::exporter;

namespace {

// A stream of findings: `activities` distinct activities, repeated.
std::vector<detect::Finding> make_stream(std::size_t n, unsigned activities) {
  std::vector<detect::Finding> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    detect::Finding& f = v[i];
    const unsigned a = static_cast<unsigned>(i % activities);
    f.type = static_cast<detect::FindingType>(a % static_cast<unsigned>(detect::FindingType::kCount));
    f.severity = detect::finding_type_info(f.type).default_severity;
    f.direction = detect::Direction::kOutbound;
    f.protocol = 6;
    f.local = core::IpAddr::from_v4(0x0A000000u | (a & 0xffff));
    f.remote = core::IpAddr::from_v4(0xC6336400u | (a % 250));
    f.remote_port = static_cast<std::uint16_t>(20 + a % 1000);
    f.first_seen = static_cast<core::Nanos>(i);
    f.last_seen = static_cast<core::Nanos>(i + 1);
    f.set_identity(f.local, f.remote, a);
  }
  return v;
}

RuleSet make_rules() {
  RuleSet rs;
  auto add = [&](const char* name, std::vector<std::tuple<const char*, const char*, std::vector<std::string>>> cs) {
    Rule r;
    r.name = name;
    for (auto& [field, op, vals] : cs) {
      Criterion c;
      RuleSet::make_criterion(field, op, vals, c);
      r.criteria.push_back(c);
    }
    rs.add(r);
  };
  add("noise", {{"type", "equals", {"Recon:EC2/InboundPortscan"}}, {"severity", "lessThan", {"4"}}});
  add("scanner", {{"type", "matches", {"Recon:*", "Impact:*"}},
                  {"service.action.networkConnectionAction.localIpDetails.ipAddressV4", "equals", {"10.0.1.0/24"}}});
  add("partners", {{"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4", "equals",
                    {"198.51.100.0/28", "203.0.113.0/24"}},
                   {"service.count", "greaterThan", {"100"}}});
  return rs;
}

void BM_AggregateAndSuppress(benchmark::State& state) {
  const auto stream = make_stream(1 << 16, static_cast<unsigned>(state.range(0)));
  RuleSet rules = make_rules();
  Aggregator agg(core::seconds(300));
  std::uint64_t suppressed = 0;
  for (auto _ : state) {
    for (const auto& f : stream) {
      Aggregator::Outcome o;
      const FindingRecord& r = agg.add(f, o);
      suppressed += rules.match(r) >= 0;
    }
  }
  benchmark::DoNotOptimize(suppressed);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_AggregateAndSuppress)->Arg(100)->Arg(10000);

void BM_RenderFindingJson(benchmark::State& state) {
  const auto stream = make_stream(256, 256);
  Aggregator agg(core::seconds(300));
  std::vector<FindingRecord> recs;
  for (const auto& f : stream) {
    Aggregator::Outcome o;
    recs.push_back(agg.add(f, o));
  }
  std::string out;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    render_finding_json(recs[i++ & 255], RenderOptions{}, out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RenderFindingJson);

}  // namespace

BENCHMARK_MAIN();

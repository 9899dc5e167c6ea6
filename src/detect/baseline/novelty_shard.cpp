#include "novelty_shard.hpp"

namespace picket::detect::baseline {

namespace {

NoveltyLimits limits_of(const DetectorContext& ctx) {
  NoveltyLimits l;
  l.learning = core::seconds(ctx.params[kLearningPeriod]);
  l.max_items = static_cast<std::size_t>(ctx.params[kMaxItems]);
  l.max_hosts = static_cast<std::size_t>(ctx.params[kMaxHosts]);
  l.forget_after = core::seconds(ctx.params[kForgetAfter]);
  return l;
}

}  // namespace

NoveltyShard::NoveltyShard(const DetectorContext& ctx, const char* detector)
    : table_(limits_of(ctx)), persist_(ctx, detector, ctx.params[kSaveInterval]), detector_(detector) {
  table_.restore(persist_.load());
}

void NoveltyShard::on_tick(core::Nanos now, FindingSink&) {
  saw(now);
  if (now >= next_sweep_) {
    next_sweep_ = now + core::seconds(60);
    table_.sweep(now);
  }
  if (persist_.due(now)) persist_.save(now, table_.snapshot());
}

void NoveltyShard::on_flush(FindingSink&) {
  if (persist_.enabled()) persist_.save(now_, table_.snapshot());
}

Finding NoveltyShard::novel_finding(FindingType type, const core::IpAddr& host, const core::IpAddr& remote,
                                    core::Nanos ts, const char* known_name) const {
  Finding f;
  f.type = type;
  f.severity = finding_type_info(type).default_severity;
  f.direction = Direction::kOutbound;
  f.local = host;
  f.remote = remote;
  f.first_seen = f.last_seen = ts;
  std::strncpy(f.detector, detector_, sizeof(f.detector) - 1);
  if (const auto* h = table_.find(host)) {
    // The new item is already learned: the baseline held one fewer before it.
    f.add_metric(known_name, h->items.empty() ? 0.0 : static_cast<double>(h->items.size() - 1));
    f.add_metric("baselineDays", static_cast<double>(ts - h->first_seen) / 86400e9);
  }
  f.add_metric("learningPeriodDays", static_cast<double>(table_.limits().learning) / 86400e9);
  return f;
}

}  // namespace picket::detect::baseline

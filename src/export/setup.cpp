#include "picket/export/setup.hpp"

namespace picket::exporter {

std::shared_ptr<Delivery> build_delivery(const DeliveryArgs& args, std::string& error) {
  auto d = std::make_shared<Delivery>(args.render);
  DeliveryConfig cfg;
  if (!args.config.empty()) {
    if (auto e = load_delivery_config(args.config, cfg); !e.empty()) {
      error = e;
      return nullptr;
    }
  }
  // Databases first: a bad file is reported before any sink connects.
  if (!args.geoip_dbs.empty()) {
    auto g = std::make_shared<geoip::GeoIp>(args.geoip_cache);
    for (const auto& path : args.geoip_dbs) {
      if (auto e = g->add_database(path); !e.empty()) {
        error = "--geoip-db " + e;
        return nullptr;
      }
    }
    d->set_geoip(std::move(g));
  }
  std::vector<SinkSpec> specs = cfg.sinks;
  for (const auto& o : args.outputs) specs.push_back(parse_sink_arg("output", o, "--output " + o));
  for (const auto& o : args.syslogs) specs.push_back(parse_sink_arg("syslog", o, "--syslog " + o));
  for (const auto& o : args.hooks) specs.push_back(parse_sink_arg("hook", o, "--hook " + o));
  for (const auto& o : args.webhooks) specs.push_back(parse_sink_arg("webhook", o, "--webhook " + o));
  if (specs.empty()) specs.push_back(parse_sink_arg("output", "-", "default output"));
  SinkContext ctx;
  ctx.render = args.render;
  for (const auto& s : specs) {
    auto sink = make_sink(s, ctx, error);
    if (!sink) return nullptr;
    d->add_sink(std::move(sink));
  }
  d->set_rules(std::move(cfg.rules));
  return d;
}

}  // namespace picket::exporter

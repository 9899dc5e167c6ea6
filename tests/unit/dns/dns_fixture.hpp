#pragma once
// Synthetic DnsEvent sequences fed to one detector shard.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dns_detectors.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/detector.hpp"

namespace picket::detect::dns::test {

inline core::IpAddr ip(const char* s) { return *core::IpAddr::parse(s); }
inline core::Nanos sec(double s) { return core::seconds(1768471200.0) + core::seconds(s); }

struct Collect : FindingSink {
  std::vector<Finding> all;
  void emit(const Finding& f) override { all.push_back(f); }
  std::size_t count(FindingType t) const {
    std::size_t n = 0;
    for (const auto& f : all) n += f.type == t && !f.update;
    return n;
  }
  double metric(const Finding& f, const char* name) const {
    for (int i = 0; i < f.metric_count; ++i)
      if (std::string(f.metrics[i].name) == name) return f.metrics[i].value;
    return -1;
  }
};

inline DnsEvent query(const char* client, std::string_view name, std::uint16_t qtype, core::Nanos ts) {
  DnsEvent e;
  e.ts = ts;
  e.client = ip(client);
  e.server = ip("10.0.0.2");
  e.client_local = true;
  e.qtype = qtype;
  e.qname_len = static_cast<std::uint16_t>(std::min<std::size_t>(name.size(), kDnsEventMaxName - 1));
  std::memcpy(e.qname, name.data(), e.qname_len);
  return e;
}

inline DnsEvent response(const char* client, std::string_view name, std::uint8_t rcode, core::Nanos ts,
                         std::vector<const char*> addrs = {}, std::uint16_t qtype = 1) {
  DnsEvent e = query(client, name, qtype, ts);
  e.is_response = true;
  e.rcode = rcode;
  e.answer_count = static_cast<std::uint8_t>(addrs.size());
  for (const char* a : addrs) e.addrs[e.addr_count++] = ip(a);
  e.min_ttl = 60;
  return e;
}

// One detector and one shard with parameters overridden by name.
struct Harness {
  std::unique_ptr<Detector> det;
  std::unique_ptr<DetectorShard> shard;
  Collect sink;
  HomeNet home;

  Harness(std::unique_ptr<Detector> d, std::vector<std::pair<std::string, double>> overrides = {}) : det(std::move(d)) {
    DetectorContext ctx;
    ctx.home = &home;
    for (const auto& p : det->params()) ctx.params.push_back(p.default_value);
    for (const auto& [name, v] : overrides) {
      bool found = false;
      for (std::size_t i = 0; i < det->params().size(); ++i)
        if (name == det->params()[i].name) ctx.params[i] = v, found = true;
      EXPECT_TRUE(found) << name;
    }
    shard = det->make_shard(ctx);
  }
  void feed(const DnsEvent& e) { shard->on_dns(e, sink); }
  void tick(core::Nanos now) { shard->on_tick(now, sink); }
  void flush() { shard->on_flush(sink); }
};

}  // namespace picket::detect::dns::test

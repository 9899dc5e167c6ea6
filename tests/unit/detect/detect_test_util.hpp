#pragma once
// Synthetic FlowEvents, detector shards built through the registry, and a
// collecting FindingSink for the detect tests.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/detector.hpp"
#include "picket/detect/events.hpp"
#include "picket/detect/finding.hpp"
#include "picket/detect/home_net.hpp"
#include "picket/flow/flow_key.hpp"
#include "picket/flow/flow_record.hpp"

namespace detecttest {

using picket::core::IpAddr;
using picket::core::Nanos;
using picket::core::seconds;
namespace detect = picket::detect;
namespace flow = picket::flow;

inline constexpr std::uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
inline constexpr Nanos kT0 = seconds(1'700'000'000);

inline IpAddr ip(const std::string& s) {
  auto a = IpAddr::parse(s);
  if (!a) throw std::invalid_argument("bad address in test: " + s);
  return *a;
}

enum class Kind {
  kProbe,     // TCP SYN unanswered / UDP or ICMP unanswered
  kNonProbe,  // TCP with client payload / UDP or ICMP answered
};

// A finished flow from `init`:`iport` to `resp`:`rport`. For ICMP, `rport`
// is the ICMP type the initiator sent.
inline detect::FlowEvent flow_event(const std::string& init, std::uint16_t iport, const std::string& resp,
                                    std::uint16_t rport, std::uint8_t proto, Nanos first_seen,
                                    Kind kind = Kind::kProbe) {
  static const detect::HomeNet home = detect::HomeNet::defaults();
  picket::net::PacketView p;
  p.src = ip(init);
  p.dst = ip(resp);
  p.l4_proto = proto;
  const bool icmp = proto == kIcmp || proto == kIcmp6;
  p.sport = icmp ? 0 : iport;
  p.dport = icmp ? 0 : rport;
  bool src_is_lo = false;
  detect::FlowEvent e;
  flow::FlowRecord& r = e.rec;
  r.key = flow::FlowKey::from_packet(p, src_is_lo);
  r.initiator_is_lo = src_is_lo;
  r.first_seen = first_seen;
  r.last_seen = first_seen + 1000;
  r.end_time = first_seen + seconds(30);
  r.packets[0] = 1;
  r.bytes[0] = 60;
  if (icmp) r.icmp_type = static_cast<std::uint8_t>(rport);
  if (proto == kTcp) {
    r.tcp_flags[0] = 0x02;  // SYN
    if (kind == Kind::kNonProbe) {
      r.tcp_flags[0] |= 0x18;
      r.tcp_flags[1] = 0x12;
      r.packets[0] = 4;
      r.packets[1] = 2;
      r.payload_bytes[0] = 200;
      r.state = flow::FlowState::kEstablished;
    }
  } else if (kind == Kind::kNonProbe) {
    r.packets[1] = 1;
    r.state = flow::FlowState::kReplied;
  }
  e.initiator_local = home.contains(r.initiator());
  e.responder_local = home.contains(r.responder());
  return e;
}

struct Collect : detect::FindingSink {
  std::vector<detect::Finding> out;
  void emit(const detect::Finding& f) override { out.push_back(f); }
};

// All detectors and a configuration; shards are made by detector name.
struct Registry {
  std::vector<std::unique_ptr<detect::Detector>> detectors = detect::make_all_detectors();
  detect::DetectorConfig config{detectors};
  detect::HomeNet home = detect::HomeNet::defaults();

  std::size_t index(const std::string& name) const {
    for (std::size_t i = 0; i < detectors.size(); ++i)
      if (name == detectors[i]->name()) return i;
    throw std::invalid_argument("no detector " + name);
  }
  std::unique_ptr<detect::DetectorShard> shard(const std::string& name) const {
    const std::size_t i = index(name);
    detect::DetectorContext ctx;
    ctx.home = &home;
    ctx.params = config.values(i);
    return detectors[i]->make_shard(ctx);
  }
};

inline const detect::FindingMetric* metric(const detect::Finding& f, const std::string& name) {
  for (int i = 0; i < f.metric_count; ++i)
    if (name == f.metrics[i].name) return &f.metrics[i];
  return nullptr;
}

inline double metric_value(const detect::Finding& f, const std::string& name) {
  const auto* m = metric(f, name);
  return m ? m->value : -1.0;
}

// Every field of a finding as text: to compare findings exactly.
inline std::string describe(const detect::Finding& f) {
  std::string s;
  char buf[128];
  std::snprintf(buf, sizeof(buf), "type=%d sev=%.3f dir=%d proto=%u ", static_cast<int>(f.type), f.severity,
                static_cast<int>(f.direction), unsigned{f.protocol});
  s += buf;
  s += "local=" + f.local.to_string() + " remote=" + f.remote.to_string();
  std::snprintf(buf, sizeof(buf), " lp=%u rp=%u first=%llu last=%llu count=%u update=%d id=%016llx%016llx ",
                unsigned{f.local_port}, unsigned{f.remote_port}, static_cast<unsigned long long>(f.first_seen),
                static_cast<unsigned long long>(f.last_seen), f.count, f.update ? 1 : 0,
                static_cast<unsigned long long>(f.identity[0]), static_cast<unsigned long long>(f.identity[1]));
  s += buf;
  s += "det=" + std::string(f.detector) + " domain=" + std::string(f.domain);
  for (int i = 0; i < f.metric_count; ++i) {
    std::snprintf(buf, sizeof(buf), " %s=%.6g", f.metrics[i].name, f.metrics[i].value);
    s += buf;
  }
  s += " ports=";
  for (int i = 0; i < f.port_count; ++i) s += std::to_string(f.ports[i]) + ",";
  s += " hosts=";
  for (int i = 0; i < f.host_count; ++i) s += f.hosts[i].to_string() + ",";
  return s;
}

}  // namespace detecttest

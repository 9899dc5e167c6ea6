#pragma once
// Synthetic flow, DNS and server-name events for the beacon and baseline
// detectors, a shard harness with parameters set by name, and a temporary
// state directory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../detect/detect_test_util.hpp"

namespace baselinetest {

using namespace detecttest;
using picket::core::Nanos;
namespace core = picket::core;

inline Nanos at(double s) { return kT0 + seconds(s); }
inline constexpr double kHour = 3600, kDay = 86400;

// An answered outbound connection (TCP handshake completed, or UDP reply)
// from `local` to `remote`:`port` starting at `start`, sending `bytes_out`.
inline detect::FlowEvent conn(const std::string& local, const std::string& remote, std::uint16_t port, Nanos start,
                              std::uint64_t bytes_out = 300, std::uint8_t proto = kTcp, std::uint16_t sport = 40000) {
  detect::FlowEvent e = flow_event(local, sport, remote, port, proto, start, Kind::kNonProbe);
  e.rec.bytes[flow::kToResponder] = bytes_out;
  e.rec.bytes[flow::kToInitiator] = 1200;
  e.rec.end_time = start + seconds(1);
  e.rec.last_seen = start + seconds(1);
  e.rec.end_reason = flow::FlowEndReason::kTcpClosed;
  return e;
}

inline detect::DnsEvent dns_query(const std::string& client, const std::string& server, Nanos ts,
                                  const char* name = "www.example.com") {
  static const detect::HomeNet home = detect::HomeNet::defaults();
  detect::DnsEvent e;
  e.ts = ts;
  e.client = ip(client);
  e.server = ip(server);
  e.client_port = 50000;
  e.server_port = 53;
  e.client_local = home.contains(e.client);
  e.qtype = 1;
  e.qname_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(e.qname, name, e.qname_len);
  return e;
}

inline detect::ServerNameEvent sni(const std::string& client, const std::string& server, Nanos ts, const char* name) {
  static const detect::HomeNet home = detect::HomeNet::defaults();
  detect::ServerNameEvent e;
  e.ts = ts;
  e.client = ip(client);
  e.server = ip(server);
  e.client_port = 50001;
  e.server_port = 443;
  e.client_local = home.contains(e.client);
  e.server_local = home.contains(e.server);
  e.name_len = static_cast<std::uint16_t>(std::strlen(name));
  std::memcpy(e.name, name, e.name_len);
  return e;
}

// One detector's shard(s), parameters overridden as "name=value".
struct Harness {
  Registry reg;
  std::string detector;
  std::string state_dir;
  Collect sink;

  explicit Harness(std::string name, std::vector<std::string> params = {}, std::string dir = "")
      : detector(std::move(name)), state_dir(std::move(dir)) {
    for (const auto& p : params) {
      const std::string err = reg.config.set(detector + "." + p);
      if (!err.empty()) throw std::invalid_argument(err);
    }
  }
  std::unique_ptr<detect::DetectorShard> make(unsigned index = 0, unsigned count = 1) const {
    const std::size_t i = reg.index(detector);
    detect::DetectorContext ctx;
    ctx.home = &reg.home;
    ctx.params = reg.config.values(i);
    ctx.state_dir = state_dir;
    ctx.shard_index = index;
    ctx.shard_count = count;
    return reg.detectors[i]->make_shard(ctx);
  }
  std::vector<detect::Finding> of(detect::FindingType t) const {
    std::vector<detect::Finding> v;
    for (const auto& f : sink.out)
      if (f.type == t) v.push_back(f);
    return v;
  }
};

// A whole file's bytes, and a file rewritten with `data` (to spoil state files).
inline std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
inline void write_all(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

// A fresh empty directory under the test's temporary directory.
struct TempDir {
  std::string path;
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path = (std::filesystem::temp_directory_path() /
            ("picket-baseline-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid())))
               .string();
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::vector<std::string> files() const {
    std::vector<std::string> v;
    for (const auto& e : std::filesystem::directory_iterator(path)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }
};

}  // namespace baselinetest

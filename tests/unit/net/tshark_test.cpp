// Cross-check against an independent dissector: write the encapsulation
// fixtures to pcap files and compare what tshark extracts with what decode()
// reports. Skipped when tshark is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "fixtures.hpp"

using namespace fb;
namespace net = picket::net;

namespace {

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

void put_le32(std::ofstream& f, std::uint32_t v) {
  const char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
  f.write(b, 4);
}
void put_le16(std::ofstream& f, std::uint16_t v) {
  const char b[2] = {char(v), char(v >> 8)};
  f.write(b, 2);
}

// Classic libpcap file format, microsecond timestamps.
void write_pcap(const std::string& path, std::uint32_t link, const std::vector<const Fixture*>& frames) {
  std::ofstream f(path, std::ios::binary);
  put_le32(f, 0xa1b2c3d4);
  put_le16(f, 2);
  put_le16(f, 4);
  put_le32(f, 0);
  put_le32(f, 0);
  put_le32(f, 65535);
  put_le32(f, link);
  std::uint32_t sec = 1'700'000'000;
  for (const Fixture* fx : frames) {
    put_le32(f, sec++);
    put_le32(f, 0);
    put_le32(f, std::uint32_t(fx->frame.size()));
    put_le32(f, std::uint32_t(fx->frame.size()));
    f.write(reinterpret_cast<const char*>(fx->frame.data()), std::streamsize(fx->frame.size()));
  }
}

std::vector<std::vector<std::string>> tshark_fields(const std::string& path,
                                                    const std::vector<std::string>& fields) {
  std::string cmd = "tshark -n -r '" + path + "' -T fields -E separator=/t -E occurrence=l";
  for (const auto& f : fields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return rows;
  char line[4096];
  while (std::fgets(line, sizeof(line), p)) {
    std::string s(line);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    std::vector<std::string> cols;
    std::stringstream ss(s);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    cols.resize(fields.size());
    rows.push_back(cols);
  }
  pclose(p);
  return rows;
}

std::string tunnel_field(net::Tunnel t) {
  switch (t) {
    case net::Tunnel::kVxlan: return "vxlan.vni";
    case net::Tunnel::kGeneve: return "geneve.vni";
    case net::Tunnel::kGre: return "gre.key";
    case net::Tunnel::kErspan2:
    case net::Tunnel::kErspan3: return "erspan.spanid";
    default: return "";
  }
}

}  // namespace

TEST(Tshark, AgreesOnEveryEncapsulation) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not on PATH";
  char dir_template[] = "/tmp/picket-net-tshark-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);

  auto all = ipv4_fixtures();
  for (auto& f : ipv6_fixtures()) all.push_back(f);
  std::map<std::uint32_t, std::vector<const Fixture*>> by_link;
  for (const auto& f : all) {
    // DLT 12/14 are not file link types: pcap files always say 101 for raw IP.
    if (f.link == net::kLinkRawAlt || f.link == net::kLinkRawOpenBsd) continue;
    by_link[f.link].push_back(&f);
  }

  const std::vector<std::string> fields = {"ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
                                           "tcp.srcport", "tcp.dstport", "udp.srcport",
                                           "udp.dstport", "vxlan.vni", "geneve.vni",
                                           "gre.key", "erspan.spanid"};
  std::size_t compared = 0;
  for (const auto& [link, frames] : by_link) {
    const std::string path = std::string(dir) + "/link" + std::to_string(link) + ".pcap";
    write_pcap(path, link, frames);
    const auto rows = tshark_fields(path, fields);
    ASSERT_EQ(rows.size(), frames.size()) << "tshark could not read link type " << link;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const Fixture& f = *frames[i];
      SCOPED_TRACE(f.name);
      auto d = run(f.frame, f.link);
      ASSERT_TRUE(d.ok);
      std::map<std::string, std::string> got;
      for (std::size_t c = 0; c < fields.size(); ++c) got[fields[c]] = rows[i][c];
      const bool v4 = d.view.ip_version == 4;
      EXPECT_EQ(got[v4 ? "ip.src" : "ipv6.src"], d.view.src.to_string());
      EXPECT_EQ(got[v4 ? "ip.dst" : "ipv6.dst"], d.view.dst.to_string());
      const std::string l4 = d.view.l4_proto == 6 ? "tcp" : "udp";
      EXPECT_EQ(got[l4 + ".srcport"], std::to_string(d.view.sport));
      EXPECT_EQ(got[l4 + ".dstport"], std::to_string(d.view.dport));
      const std::string tf = tunnel_field(d.view.tunnel);
      // tshark leaves a GRE key empty when absent and an ERSPAN I span id too.
      if (!tf.empty() && !got[tf].empty()) {
        EXPECT_EQ(std::strtoul(got[tf].c_str(), nullptr, 0), d.view.tunnel_id) << tf;
      }
      ++compared;
    }
    if (!std::getenv("PICKET_KEEP_PCAP")) std::remove(path.c_str());
  }
  if (!std::getenv("PICKET_KEEP_PCAP")) rmdir(dir);
  EXPECT_GT(compared, 30u);
}

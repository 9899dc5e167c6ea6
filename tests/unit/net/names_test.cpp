#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "picket/net/packet.hpp"

namespace net = picket::net;

TEST(Names, AnomalyNamesAreUniqueSnakeCase) {
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(net::Anomaly::kCount); ++i) {
    const std::string name = net::anomaly_name(static_cast<net::Anomaly>(i));
    EXPECT_NE(name, "unknown") << i;
    for (char c : name) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_') << name;
    EXPECT_TRUE(seen.insert(name).second) << name;
  }
  EXPECT_STREQ(net::anomaly_name(net::Anomaly::kNone), "none");
  EXPECT_STREQ(net::anomaly_name(net::Anomaly::kTcpBadDataOffset), "tcp_bad_data_offset");
  EXPECT_STREQ(net::anomaly_name(net::Anomaly::kMplsLabelStackTooDeep), "mpls_label_stack_too_deep");
  EXPECT_STREQ(net::anomaly_name(net::Anomaly::kCount), "unknown");
}

TEST(Names, SkippedNames) {
  EXPECT_STREQ(net::skipped_name(net::Skipped::kNonIpEthertype), "non_ip_ethertype");
  EXPECT_STREQ(net::skipped_name(net::Skipped::kLaterFragment), "later_fragment");
  EXPECT_STREQ(net::skipped_name(net::Skipped::kUnhandledIpProtocol), "unhandled_ip_protocol");
  EXPECT_STREQ(net::skipped_name(net::Skipped::kCount), "unknown");
}

TEST(Stats, AddSumsEveryCounter) {
  net::DecodeStats a, b;
  a.frames = 3;
  a.tcp = 2;
  a.erspan = 1;
  a.anomaly[static_cast<int>(net::Anomaly::kUdpBadLength)] = 4;
  a.skipped[static_cast<int>(net::Skipped::kLaterFragment)] = 5;
  b.frames = 10;
  b.geneve = 7;
  b.fragments = 6;
  b.anomaly[static_cast<int>(net::Anomaly::kUdpBadLength)] = 1;
  b.anomaly[static_cast<int>(net::Anomaly::kEncapsulationTooDeep)] = 2;
  b.skipped[static_cast<int>(net::Skipped::kLaterFragment)] = 1;
  a.add(b);
  EXPECT_EQ(a.frames, 13u);
  EXPECT_EQ(a.tcp, 2u);
  EXPECT_EQ(a.erspan, 1u);
  EXPECT_EQ(a.geneve, 7u);
  EXPECT_EQ(a.fragments, 6u);
  EXPECT_EQ(a.anomaly[static_cast<int>(net::Anomaly::kUdpBadLength)], 5u);
  EXPECT_EQ(a.skipped[static_cast<int>(net::Skipped::kLaterFragment)], 6u);
  EXPECT_EQ(a.anomalies_total(), 7u);
  EXPECT_EQ(b.anomalies_total(), 3u);
}

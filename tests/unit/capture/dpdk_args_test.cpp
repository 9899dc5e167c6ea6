// --dpdk-args splitting (no DPDK needed).
#include <gtest/gtest.h>

#include "picket/capture/dpdk_source.hpp"

using picket::capture::split_eal_args;

TEST(DpdkArgs, SplitsOnWhitespace) {
  std::vector<std::string> v;
  EXPECT_EQ(split_eal_args("  --no-huge\t--no-pci  --vdev net_pcap0,rx_pcap=a.pcap ", v), "");
  EXPECT_EQ(v, (std::vector<std::string>{"--no-huge", "--no-pci", "--vdev", "net_pcap0,rx_pcap=a.pcap"}));
}

TEST(DpdkArgs, QuotesGroupAndMayBeEmpty) {
  std::vector<std::string> v;
  EXPECT_EQ(split_eal_args("--vdev 'net_pcap0,rx_pcap=/tmp/a b.pcap' \"\" -l\"0-1\"", v), "");
  EXPECT_EQ(v, (std::vector<std::string>{"--vdev", "net_pcap0,rx_pcap=/tmp/a b.pcap", "", "-l0-1"}));
}

TEST(DpdkArgs, UnclosedQuoteIsAnError) {
  std::vector<std::string> v;
  EXPECT_NE(split_eal_args("--vdev 'net_pcap0", v), "");
}

#pragma once
// DPDK capture: one RX queue per worker, polled by that worker; RSS with a
// symmetric key so that both directions of a flow land on one queue. Built
// only with -Ddpdk=enabled (or auto and libdpdk found): PICKET_HAVE_DPDK.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picket/capture/live_source.hpp"

namespace picket::capture {

struct DpdkOptions {
  std::vector<std::string> eal_args;  // passed to rte_eal_init after argv[0]
  unsigned workers = 1;               // RX queues
  int port = -1;                      // -1: the first available port
  unsigned rx_descriptors = 1024;     // per queue
  unsigned mbufs = 0;                 // pool size; 0: sized from queues and descriptors
  unsigned burst = 32;                // frames per rte_eth_rx_burst
  bool promiscuous = true;
};

// The 40-byte RSS key made of the 16-bit pattern 0x6d5a repeated: the
// Toeplitz hash then gives the same value when source and destination
// (address and port) are swapped, because every 16-bit window of the key
// is the same. `len` bytes (40 or 52, as the NIC wants) are written.
void symmetric_rss_key(std::uint8_t* out, std::size_t len);

// Splits "--no-huge --no-pci --vdev net_pcap0,rx_pcap=a.pcap" into
// arguments: whitespace separates, single or double quotes group.
// Returns "" or an error (an unclosed quote).
std::string split_eal_args(const std::string& text, std::vector<std::string>& out);

bool dpdk_available();

// Initialises the EAL (once per process), configures and starts the port.
// Null and `error` on failure (no DPDK in this build, no port, too few queues).
std::unique_ptr<LiveCapture> open_dpdk(const DpdkOptions& options, std::string& error);

}  // namespace picket::capture

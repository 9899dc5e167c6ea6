#pragma once
// Live packet sources: one source per worker, polled by that worker's own
// thread, so that capture needs no dispatcher thread (AF_PACKET fanout and
// DPDK RX queues already split the traffic by flow).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "picket/capture/pcap_file_source.hpp"
#include "picket/core/clock.hpp"

namespace picket::capture {

// Receives the frames of a poll. The bytes are valid only during the call
// (they live in the kernel ring or in a DPDK mbuf that is freed afterwards).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_frame(const RawPacket& frame) = 0;
};

// What a source's timestamps mean. Wall-clock sources (sockets, NICs) let
// time advance while no packet arrives; packet-time sources (a capture file
// read through a DPDK virtual device) advance only with their packets.
enum class TimeBase : std::uint8_t { kWallClock, kPacket };

// Counters of one worker's source. Written by the worker, read by anyone.
struct LiveSourceCounters {
  std::atomic<std::uint64_t> packets{0}, bytes{0};
  std::atomic<std::uint64_t> kernel_drops{0};     // no room in the socket buffer / RX ring
  std::atomic<std::uint64_t> interface_drops{0};  // dropped by the interface or driver
};

class LiveSource {
 public:
  virtual ~LiveSource() = default;
  // Hands up to `max` frames that are ready now to `sink` and returns how
  // many. Never blocks.
  virtual std::size_t poll(FrameSink& sink, std::size_t max) = 0;
  // Waits at most `max_wait` for frames to become ready (called when idle).
  virtual void wait(core::Nanos max_wait) = 0;
  // Reads the kernel's or driver's counters into counters() (on the worker's
  // thread: libpcap handles are not shared between threads).
  virtual void refresh_counters() = 0;
  const LiveSourceCounters& counters() const { return counters_; }

 protected:
  LiveSourceCounters counters_;
};

struct LiveCaptureStats {
  std::string kind;  // "pcap" or "dpdk"
  struct Worker {
    std::uint64_t packets = 0, bytes = 0, kernel_drops = 0, interface_drops = 0;
  };
  std::vector<Worker> workers;
  // Device-wide figures (DPDK port statistics: imissed, ierrors, rx_nombuf).
  std::vector<std::pair<std::string, std::uint64_t>> device;

  std::uint64_t packets() const;
  std::uint64_t bytes() const;
  std::uint64_t drops() const;  // kernel + interface + device drops
};

// All the sources of one run, one per worker.
class LiveCapture {
 public:
  virtual ~LiveCapture() = default;
  virtual unsigned workers() const = 0;
  virtual LiveSource& source(unsigned worker) = 0;
  virtual TimeBase time_base() const = 0;
  // Safe to call from any thread while the workers poll.
  virtual LiveCaptureStats stats() const = 0;
  // Closes the capture before the process exits (DPDK ports stop, EAL cleans up).
  virtual void close() {}
};

// libpcap capture on one or more interfaces.
struct PcapLiveOptions {
  std::vector<std::string> interfaces;
  unsigned workers = 1;
  int snaplen = 65535;
  bool promiscuous = true;
  int buffer_mib = 64;      // kernel buffer per socket
  bool immediate = true;    // hand packets over as they come, not per filled block
  std::string filter;       // BPF expression, empty: everything
  // Linux: with several workers, one socket per worker and interface in one
  // AF_PACKET fanout group per interface (flow hash, both directions alike).
  bool fanout = true;
};

// Opens every socket (call before dropping privileges). Null and `error` on failure.
std::unique_ptr<LiveCapture> open_pcap_live(const PcapLiveOptions& options, std::string& error);

// Sum of the counters of `sources` (helper for LiveCapture implementations).
LiveCaptureStats sum_counters(const char* kind, const std::vector<const LiveSource*>& sources);

}  // namespace picket::capture

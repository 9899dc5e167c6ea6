// libpcap live capture: one handle per worker and interface. On Linux the
// handles of one interface join one AF_PACKET fanout group with the flow
// hash, so the kernel gives each worker its own share of the flows and no
// dispatcher thread copies packets between threads.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <pcap/pcap.h>

#include "picket/capture/live_source.hpp"

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

namespace picket::capture {

std::uint64_t LiveCaptureStats::packets() const {
  std::uint64_t n = 0;
  for (const auto& w : workers) n += w.packets;
  return n;
}

std::uint64_t LiveCaptureStats::bytes() const {
  std::uint64_t n = 0;
  for (const auto& w : workers) n += w.bytes;
  return n;
}

std::uint64_t LiveCaptureStats::drops() const {
  std::uint64_t n = 0;
  for (const auto& w : workers) n += w.kernel_drops + w.interface_drops;
  for (const auto& [name, v] : device)
    if (name == "imissed" || name == "rx_nombuf") n += v;
  return n;
}

LiveCaptureStats sum_counters(const char* kind, const std::vector<const LiveSource*>& sources) {
  LiveCaptureStats s;
  s.kind = kind;
  for (const auto* src : sources) {
    const auto& c = src->counters();
    s.workers.push_back({c.packets.load(std::memory_order_relaxed), c.bytes.load(std::memory_order_relaxed),
                         c.kernel_drops.load(std::memory_order_relaxed),
                         c.interface_drops.load(std::memory_order_relaxed)});
  }
  return s;
}

namespace {

struct Handle {
  pcap_t* pcap = nullptr;
  std::string interface;
  int link_type = 0;
  int fd = -1;  // selectable fd, -1 if none
};

class PcapLiveSource final : public LiveSource {
 public:
  ~PcapLiveSource() override {
    for (auto& h : handles_) pcap_close(h.pcap);
  }
  void add(Handle h) { handles_.push_back(h); }
  // Reads and drops what the handle of interface `i` holds now (bounded).
  void discard_queued(std::size_t i) {
    auto ignore = [](u_char*, const pcap_pkthdr*, const u_char*) {};
    for (int rounds = 0; rounds < 1000 && pcap_dispatch(handles_[i].pcap, -1, ignore, nullptr) > 0; ++rounds) {
    }
  }

  std::size_t poll(FrameSink& sink, std::size_t max) override {
    Dispatch d{&sink, {}, 0, 0};
    // Round robin over the interfaces, starting after the one served first
    // last time, so a busy interface cannot starve the others.
    const std::size_t n = handles_.size();
    for (std::size_t k = 0; k < n && d.count < max; ++k) {
      Handle& h = handles_[(first_ + k) % n];
      d.frame.link_type = static_cast<std::uint32_t>(h.link_type);
      const int got = pcap_dispatch(h.pcap, static_cast<int>(max - d.count), &PcapLiveSource::on_packet,
                                    reinterpret_cast<u_char*>(&d));
      if (got < 0) ++errors_;
    }
    first_ = n ? (first_ + 1) % n : 0;
    if (d.count) {
      counters_.packets.store(counters_.packets.load(std::memory_order_relaxed) + d.count, std::memory_order_relaxed);
      counters_.bytes.store(counters_.bytes.load(std::memory_order_relaxed) + d.bytes, std::memory_order_relaxed);
    }
    return d.count;
  }

  void wait(core::Nanos max_wait) override {
    pollfd fds[16];
    nfds_t n = 0;
    for (const auto& h : handles_)
      if (h.fd >= 0 && n < 16) fds[n++] = {h.fd, POLLIN, 0};
    const int ms = static_cast<int>(std::max<core::Nanos>(max_wait / 1'000'000, 1));
    if (n == handles_.size() && n > 0) {
      ::poll(fds, n, ms);
    } else {
      usleep(static_cast<useconds_t>(ms) * 1000);
    }
  }

  void refresh_counters() override {
    std::uint64_t drop = 0, ifdrop = 0;
    for (auto& h : handles_) {
      pcap_stat st{};
      if (pcap_stats(h.pcap, &st) == 0) {
        drop += st.ps_drop;
        ifdrop += st.ps_ifdrop;
      }
    }
    counters_.kernel_drops.store(drop, std::memory_order_relaxed);
    counters_.interface_drops.store(ifdrop, std::memory_order_relaxed);
  }

 private:
  struct Dispatch {
    FrameSink* sink;
    RawPacket frame;
    std::size_t count;
    std::uint64_t bytes;
  };
  static void on_packet(u_char* user, const pcap_pkthdr* hdr, const u_char* bytes) {
    auto* d = reinterpret_cast<Dispatch*>(user);
    d->frame.data = bytes;
    d->frame.caplen = hdr->caplen;
    d->frame.wirelen = hdr->len;
    // Opened with nanosecond precision: tv_usec holds nanoseconds.
    d->frame.ts = static_cast<core::Nanos>(hdr->ts.tv_sec) * core::kNanosPerSecond +
                  static_cast<core::Nanos>(hdr->ts.tv_usec);
    ++d->count;
    d->bytes += hdr->len;
    d->sink->on_frame(d->frame);
  }

  std::vector<Handle> handles_;
  std::size_t first_ = 0;
  std::uint64_t errors_ = 0;
};

class PcapLiveCapture final : public LiveCapture {
 public:
  std::vector<std::unique_ptr<PcapLiveSource>> sources;
  unsigned workers() const override { return static_cast<unsigned>(sources.size()); }
  LiveSource& source(unsigned w) override { return *sources[w]; }
  TimeBase time_base() const override { return TimeBase::kWallClock; }
  LiveCaptureStats stats() const override {
    std::vector<const LiveSource*> v;
    for (const auto& s : sources) v.push_back(s.get());
    return sum_counters("pcap", v);
  }
};

std::string open_handle(const PcapLiveOptions& o, const std::string& ifname, Handle& h) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(ifname.c_str(), errbuf);
  if (!p) return "interface " + ifname + ": " + errbuf;
  h.pcap = p;
  h.interface = ifname;
  pcap_set_snaplen(p, o.snaplen);
  pcap_set_promisc(p, o.promiscuous ? 1 : 0);
  pcap_set_buffer_size(p, o.buffer_mib * 1024 * 1024);
  pcap_set_immediate_mode(p, o.immediate ? 1 : 0);
  // Without immediate mode the kernel hands over blocks; a short timeout
  // bounds how long a packet waits in a half-filled block.
  pcap_set_timeout(p, 100);
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(p);
  if (rc < 0) {
    std::string msg = pcap_geterr(p);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) msg = "no such interface";
    else if (rc == PCAP_ERROR_PERM_DENIED) msg = "permission denied (needs root or CAP_NET_RAW): " + msg;
    return "interface " + ifname + ": " + msg;
  }
  if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO)
    return "interface " + ifname + ": libpcap cannot give nanosecond timestamps";
  if (pcap_setnonblock(p, 1, errbuf) < 0) return "interface " + ifname + ": " + errbuf;
  if (!o.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(p, &prog, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0)
      return "filter '" + o.filter + "': " + pcap_geterr(p);
    const int set = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (set < 0) return "filter '" + o.filter + "' on " + ifname + ": " + pcap_geterr(p);
  }
  h.link_type = pcap_datalink(p);
  h.fd = pcap_get_selectable_fd(p);
  return "";
}

#ifdef __linux__
std::string join_fanout(const Handle& h, std::uint16_t group) {
  // The flow hash is symmetric (the kernel sorts the addresses and ports),
  // so both directions of a flow reach the same worker; DEFRAG keeps the
  // fragments of one datagram together.
  const int arg = group | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
  if (setsockopt(pcap_fileno(h.pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
    return "interface " + h.interface + ": PACKET_FANOUT: " + std::strerror(errno);
  return "";
}
#endif

}  // namespace

std::unique_ptr<LiveCapture> open_pcap_live(const PcapLiveOptions& o, std::string& error) {
  if (o.interfaces.empty()) {
    error = "no interface to capture from";
    return nullptr;
  }
  const unsigned workers = std::max(1u, o.workers);
#ifndef __linux__
  if (workers > 1) {
    error = "several workers on live interfaces need AF_PACKET fanout (Linux); use --workers 1";
    return nullptr;
  }
#endif
  if (workers > 1 && !o.fanout) {
    error = "several workers on live interfaces need fanout";
    return nullptr;
  }
  auto cap = std::make_unique<PcapLiveCapture>();
  for (unsigned w = 0; w < workers; ++w) cap->sources.push_back(std::make_unique<PcapLiveSource>());
  for (std::size_t i = 0; i < o.interfaces.size(); ++i) {
    // One fanout group per interface (the kernel groups sockets of one
    // device only); ids from the pid so that two picket processes on one
    // host do not share a group by accident.
    const auto group = static_cast<std::uint16_t>((static_cast<unsigned>(getpid()) * 16 + i) & 0xffff);
    for (unsigned w = 0; w < workers; ++w) {
      Handle h;
      error = open_handle(o, o.interfaces[i], h);
      if (error.empty() && workers > 1) {
#ifdef __linux__
        error = join_fanout(h, group);
#endif
      }
      if (!error.empty()) {
        if (h.pcap) pcap_close(h.pcap);
        return nullptr;
      }
      cap->sources[w]->add(h);
    }
#ifdef __linux__
    if (workers > 1) {
      // Until the last socket joined, the group hashed over fewer members,
      // so a flow's first packets may sit with another worker than its
      // later ones. Capture starts now: drop what came before.
      for (unsigned w = 0; w < workers; ++w) cap->sources[w]->discard_queued(i);
    }
#endif
  }
  return cap;
}

}  // namespace picket::capture

// DPDK capture. The port gets one RX queue per worker and RSS with a
// symmetric key; each worker polls its own queue with rte_eth_rx_burst and
// analyses the frames inside the mbufs, which go back to the pool right after
// the burst: no copy, no dispatcher. Runs without hugepages or a NIC for
// tests (--no-huge --no-pci with net_pcap or net_af_packet virtual devices).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <mutex>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "picket/capture/dpdk_source.hpp"
#include "picket/net/packet.hpp"

namespace picket::capture {

bool dpdk_available() { return true; }

namespace {

constexpr unsigned kMaxBurst = 256;
constexpr std::uint64_t kMicrosecondStampsBelow = 100'000'000'000'000'000ULL;

core::Nanos realtime_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<core::Nanos>(ts.tv_sec) * core::kNanosPerSecond + static_cast<core::Nanos>(ts.tv_nsec);
}

// Timestamps a device puts in the mbuf (net_pcap: the file's packet times).
struct RxTimestamps {
  int offset = -1;
  std::uint64_t flag = 0;
};

class DpdkQueueSource final : public LiveSource {
 public:
  DpdkQueueSource(std::uint16_t port, std::uint16_t queue, unsigned burst, RxTimestamps ts)
      : port_(port), queue_(queue), burst_(std::min(burst, kMaxBurst)), ts_(ts) {}

  std::size_t poll(FrameSink& sink, std::size_t max) override {
    if (!registered_) {
      // A worker is a plain thread: registering it gives it an lcore id,
      // and with it the mempool's per-lcore cache. Without, DPDK still works.
      registered_ = true;
      if (rte_lcore_id() == LCORE_ID_ANY) rte_thread_register();
    }
    rte_mbuf* mbufs[kMaxBurst];
    const auto want = static_cast<std::uint16_t>(std::min<std::size_t>(max, burst_));
    const std::uint16_t n = rte_eth_rx_burst(port_, queue_, mbufs, want);
    if (n == 0) return 0;
    RawPacket frame;
    frame.link_type = net::kLinkEthernet;
    const core::Nanos now = realtime_now();
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
      rte_mbuf* m = mbufs[i];
      if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(mbufs[i + 1], void*));
      frame.data = rte_pktmbuf_mtod(m, const std::uint8_t*);
      // A frame scattered over several segments is analysed on its first
      // segment (headers and the start of the payload), like a snap length.
      frame.caplen = rte_pktmbuf_data_len(m);
      frame.wirelen = rte_pktmbuf_pkt_len(m);
      frame.ts = now;
      if (ts_.offset >= 0 && (m->ol_flags & ts_.flag)) {
        frame.ts = *RTE_MBUF_DYNFIELD(m, ts_.offset, rte_mbuf_timestamp_t*);
        // DPDK 22.11's net_pcap stamps microseconds (later releases
        // nanoseconds): in nanoseconds every date after 1973 is above 1e17,
        // in microseconds every date before the year 5000 is below.
        if (frame.ts < kMicrosecondStampsBelow) frame.ts *= 1000;
      }
      bytes += frame.wirelen;
      sink.on_frame(frame);
    }
    rte_pktmbuf_free_bulk(mbufs, n);
    counters_.packets.store(counters_.packets.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    counters_.bytes.store(counters_.bytes.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
    return n;
  }

  void wait(core::Nanos max_wait) override {
    // Poll-mode devices have nothing to block on; a short nap keeps an idle
    // sensor from burning its cores, at the price of that much latency.
    usleep(static_cast<useconds_t>(std::min<core::Nanos>(max_wait, 200'000) / 1000));
  }

  void refresh_counters() override {
    // Drops are port-wide figures (imissed, rx_nombuf), reported by the capture.
  }

 private:
  std::uint16_t port_, queue_;
  unsigned burst_;
  RxTimestamps ts_;
  bool registered_ = false;
};

class DpdkCapture final : public LiveCapture {
 public:
  std::uint16_t port = 0;
  std::string driver;
  TimeBase base = TimeBase::kWallClock;
  rte_mempool* pool = nullptr;
  std::vector<std::unique_ptr<DpdkQueueSource>> sources;
  bool started = false;

  ~DpdkCapture() override { close(); }
  unsigned workers() const override { return static_cast<unsigned>(sources.size()); }
  LiveSource& source(unsigned w) override { return *sources[w]; }
  TimeBase time_base() const override { return base; }
  LiveCaptureStats stats() const override {
    std::vector<const LiveSource*> v;
    for (const auto& s : sources) v.push_back(s.get());
    LiveCaptureStats st = sum_counters("dpdk", v);
    rte_eth_stats es{};
    if (rte_eth_stats_get(port, &es) == 0) {
      st.device = {{"ipackets", es.ipackets}, {"ibytes", es.ibytes},     {"imissed", es.imissed},
                   {"ierrors", es.ierrors},   {"rx_nombuf", es.rx_nombuf}};
    }
    return st;
  }
  void close() override {
    if (started) {
      rte_eth_dev_stop(port);
      rte_eth_dev_close(port);
      started = false;
    }
    if (pool) {
      rte_mempool_free(pool);
      pool = nullptr;
      rte_eal_cleanup();
    }
  }
};

std::once_flag g_eal_once;
int g_eal_rc = 0;
std::string g_eal_error;

std::string init_eal(const std::vector<std::string>& args) {
  std::call_once(g_eal_once, [&] {
    std::vector<std::string> store;
    store.push_back("picket");
    store.insert(store.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : store) argv.push_back(s.data());
    argv.push_back(nullptr);
    g_eal_rc = rte_eal_init(static_cast<int>(store.size()), argv.data());
    if (g_eal_rc < 0) g_eal_error = std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
  });
  return g_eal_error;
}

unsigned round_pool(unsigned n) {
  // Mempools are most memory-efficient at 2^k - 1 elements.
  unsigned p = 1;
  while (p - 1 < n) p <<= 1;
  return p - 1;
}

}  // namespace

std::unique_ptr<LiveCapture> open_dpdk(const DpdkOptions& o, std::string& error) {
  if ((error = init_eal(o.eal_args)); !error.empty()) return nullptr;
  const unsigned workers = std::max(1u, o.workers);
  std::uint16_t port = 0;
  if (o.port >= 0) {
    port = static_cast<std::uint16_t>(o.port);
    if (!rte_eth_dev_is_valid_port(port)) {
      error = "DPDK port " + std::to_string(o.port) + " does not exist (" +
              std::to_string(rte_eth_dev_count_avail()) + " available)";
      return nullptr;
    }
  } else {
    const std::uint64_t first = rte_eth_find_next_owned_by(0, RTE_ETH_DEV_NO_OWNER);
    if (first >= RTE_MAX_ETHPORTS) {
      error = "no DPDK port: bind a NIC to a DPDK driver or give --vdev (e.g. net_pcap0,rx_pcap=FILE)";
      return nullptr;
    }
    port = static_cast<std::uint16_t>(first);
  }
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port, &info); rc != 0) {
    error = "DPDK port " + std::to_string(port) + ": " + rte_strerror(-rc);
    return nullptr;
  }
  auto cap = std::make_unique<DpdkCapture>();
  cap->port = port;
  cap->driver = info.driver_name ? info.driver_name : "";
  if (info.max_rx_queues < workers) {
    error = "DPDK port " + std::to_string(port) + " (" + cap->driver + ") has " + std::to_string(info.max_rx_queues) +
            " RX queue(s); use --workers " + std::to_string(info.max_rx_queues) +
            " or give the device more queues (net_af_packet: qpairs=N; net_pcap: one rx_pcap per queue)";
    return nullptr;
  }

  rte_eth_conf conf{};
  std::uint8_t key[64];
  if (workers > 1) {
    if (info.flow_type_rss_offloads == 0) {
      // Virtual devices spread flows themselves (net_af_packet: a fanout
      // group hashed by flow) or have one file per queue (net_pcap).
      conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
    } else {
      const std::size_t key_len = info.hash_key_size ? info.hash_key_size : 40;
      symmetric_rss_key(key, std::min<std::size_t>(key_len, sizeof(key)));
      conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
      conf.rx_adv_conf.rss_conf.rss_key = key;
      conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<std::uint8_t>(key_len);
      conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
    }
  }
  RxTimestamps ts;
  // Only net_pcap's timestamps are wall-clock times (the file's); a NIC's
  // are its own counter, so live ports take the host clock per burst.
  // net_pcap stamps every mbuf with the record's time whether or not the
  // offload is asked for (it does not advertise it); ask when it is offered.
  if (cap->driver == "net_pcap") {
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    if (rte_mbuf_dyn_rx_timestamp_register(&ts.offset, &ts.flag) != 0) ts.offset = -1;
    else cap->base = TimeBase::kPacket;
  }
  // Transmit queues: none needed, but some drivers insist on one.
  int rc = rte_eth_dev_configure(port, static_cast<std::uint16_t>(workers), 0, &conf);
  if (rc != 0) rc = rte_eth_dev_configure(port, static_cast<std::uint16_t>(workers), 1, &conf);
  if (rc != 0) {
    error = "DPDK port " + std::to_string(port) + " (" + cap->driver + "): configure: " + rte_strerror(-rc);
    return nullptr;
  }
  std::uint16_t rxd = static_cast<std::uint16_t>(std::clamp(o.rx_descriptors, 32u, 32768u)), txd = 512;
  rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  // Every descriptor holds an mbuf, plus one burst in flight per worker and
  // the per-lcore caches; the rest is slack for the device's own needs.
  constexpr unsigned kCache = 256;
  const unsigned needed = workers * (rxd + o.burst + kCache) + 1024;
  const unsigned count = round_pool(std::max(o.mbufs, needed));
  int socket = rte_eth_dev_socket_id(port);
  if (socket < 0) socket = SOCKET_ID_ANY;
  const std::string pool_name = "picket_rx" + std::to_string(port);
  cap->pool = rte_pktmbuf_pool_create(pool_name.c_str(), count, kCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
  if (!cap->pool) {
    error = "DPDK mbuf pool of " + std::to_string(count) + " mbufs: " + rte_strerror(rte_errno) +
            " (give the EAL more memory: -m MB, or hugepages)";
    return nullptr;
  }
  for (unsigned q = 0; q < workers; ++q) {
    rc = rte_eth_rx_queue_setup(port, static_cast<std::uint16_t>(q), rxd, static_cast<unsigned>(socket), nullptr,
                                cap->pool);
    if (rc != 0) {
      error = "DPDK port " + std::to_string(port) + ": RX queue " + std::to_string(q) + ": " + rte_strerror(-rc);
      return nullptr;
    }
    cap->sources.push_back(std::make_unique<DpdkQueueSource>(port, static_cast<std::uint16_t>(q), o.burst, ts));
  }
  if (rte_eth_dev_info_get(port, &info) == 0 && info.nb_tx_queues > 0) {
    for (std::uint16_t q = 0; q < info.nb_tx_queues; ++q) rte_eth_tx_queue_setup(port, q, txd, static_cast<unsigned>(socket), nullptr);
  }
  if ((rc = rte_eth_dev_start(port)) != 0) {
    error = "DPDK port " + std::to_string(port) + " (" + cap->driver + "): start: " + rte_strerror(-rc);
    return nullptr;
  }
  cap->started = true;
  if (o.promiscuous) rte_eth_promiscuous_enable(port);  // not every device can; capture anyway
  return cap;
}

}  // namespace picket::capture

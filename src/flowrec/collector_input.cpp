// CollectorInput: NetFlow/IPFIX datagrams from UDP sockets into the
// FlowCollector, then ordered by a RecordOrderer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "picket/flowrec/record_input.hpp"

namespace picket::flowrec {

namespace {
constexpr unsigned kBatch = 64;
constexpr std::size_t kMaxDatagram = 65536;

struct OrdererSink final : RecordSink {
  RecordOrderer* orderer = nullptr;
  OrderedSink* out = nullptr;
  void on_flow(const UniFlow& f) override { orderer->add_flow(f, *out); }
};
}  // namespace

struct CollectorInput::Socket {
  int fd = -1;
  std::string name;
  std::uint16_t port = 0;
  std::vector<std::uint8_t> bufs;
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_storage from[kBatch];
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

bool parse_listen_address(const std::string& text, std::string& addr, std::uint16_t& port, std::string& error) {
  std::string port_text = text;
  addr.clear();
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "'" + text + "': expected [IPV6]:PORT";
      return false;
    }
    addr = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    addr = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  char* end = nullptr;
  const long p = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || p < 0 || p > 65535) {
    error = "'" + text + "': port must be a number in 0-65535";
    return false;
  }
  if (!addr.empty() && !core::IpAddr::parse(addr)) {
    error = "'" + text + "': '" + addr + "' is not an IP address";
    return false;
  }
  port = static_cast<std::uint16_t>(p);
  return true;
}

CollectorInput::CollectorInput(OrderingLimits ordering, CollectorLimits limits)
    : collector_(limits), orderer_(ordering.window, ordering.max_pending) {}
CollectorInput::~CollectorInput() = default;

std::unique_ptr<CollectorInput> CollectorInput::open(const std::vector<std::string>& listen, OrderingLimits ordering,
                                                     CollectorLimits limits, const std::atomic<bool>* stop,
                                                     std::string& error) {
  std::unique_ptr<CollectorInput> in(new CollectorInput(ordering, limits));
  in->stop_ = stop;
  for (const auto& l : listen) {
    std::string addr;
    std::uint16_t port;
    if (!parse_listen_address(l, addr, port, error)) return nullptr;
    auto s = std::make_unique<Socket>();
    s->name = l;
    sockaddr_storage ss{};
    socklen_t len;
    const auto ip = addr.empty() ? std::optional<core::IpAddr>() : core::IpAddr::parse(addr);
    if (!ip || !ip->is_v4()) {
      // No address: one dual-stack socket for IPv4 and IPv6.
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(port);
      if (ip) std::memcpy(&a6->sin6_addr, ip->bytes.data(), 16);
      len = sizeof(sockaddr_in6);
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
      a4->sin_family = AF_INET;
      a4->sin_port = htons(port);
      std::memcpy(&a4->sin_addr, ip->bytes.data() + 12, 4);
      len = sizeof(sockaddr_in);
    }
    s->fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
      error = l + ": socket: " + std::strerror(errno);
      return nullptr;
    }
    if (ss.ss_family == AF_INET6) {
      int off = 0;
      ::setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    // Exporters send in bursts; a large receive buffer absorbs them (capped by net.core.rmem_max).
    int rcvbuf = 8 << 20;
    ::setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (::bind(s->fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      error = l + ": bind: " + std::strerror(errno);
      return nullptr;
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof(bound);
    ::getsockname(s->fd, reinterpret_cast<sockaddr*>(&bound), &blen);
    s->port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    s->bufs.resize(kBatch * kMaxDatagram);
    in->sockets_.push_back(std::move(s));
  }
  in->last_datagram_ = core::wall_now();
  return in;
}

std::vector<std::uint16_t> CollectorInput::bound_ports() const {
  std::vector<std::uint16_t> p;
  for (const auto& s : sockets_) p.push_back(s->port);
  return p;
}

bool CollectorInput::pump(OrderedSink& out) {
  OrdererSink sink;
  sink.orderer = &orderer_;
  sink.out = &out;
  const bool stopping = stop_ && stop_->load(std::memory_order_relaxed);
  std::vector<pollfd> fds;
  for (const auto& s : sockets_) fds.push_back({s->fd, POLLIN, 0});
  // On stop: no waiting, just take what the sockets already hold.
  const int ready = ::poll(fds.data(), fds.size(), stopping ? 0 : 100);
  bool got = false;
  if (ready > 0) {
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      Socket& s = *sockets_[i];
      for (int round = 0; round < 16; ++round) {
        for (unsigned k = 0; k < kBatch; ++k) {
          s.iov[k] = {s.bufs.data() + k * kMaxDatagram, kMaxDatagram};
          std::memset(&s.msgs[k], 0, sizeof(mmsghdr));
          s.msgs[k].msg_hdr.msg_iov = &s.iov[k];
          s.msgs[k].msg_hdr.msg_iovlen = 1;
          s.msgs[k].msg_hdr.msg_name = &s.from[k];
          s.msgs[k].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        const int n = ::recvmmsg(s.fd, s.msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) {
          if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++socket_errors_;
          break;
        }
        got = true;
        for (int k = 0; k < n; ++k) {
          const auto& from = s.from[k];
          core::IpAddr exporter;
          if (from.ss_family == AF_INET) {
            exporter = core::IpAddr::from_v4(
                reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(&from)->sin_addr));
          } else {
            exporter = core::IpAddr::from_v6(
                reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr));
          }
          collector_.on_datagram(s.bufs.data() + k * kMaxDatagram, s.msgs[k].msg_len, exporter, sink);
        }
        if (static_cast<unsigned>(n) < kBatch) break;
      }
    }
  }
  const core::Nanos now = core::wall_now();
  if (got) last_datagram_ = now;
  orderer_.release(out);
  if (stopping && !got) {
    orderer_.flush(out);
    return false;
  }
  // Quiet exporters: hand on what waits rather than hold findings back.
  if (!got && orderer_.pending() && now - last_datagram_ >= idle_flush_) orderer_.flush(out);
  return true;
}

std::uint64_t CollectorInput::records_read() const { return orderer_.stats().flows_in; }

std::vector<SourceReport> CollectorInput::reports() const {
  const CollectorStats st = collector_.stats();
  std::vector<SourceReport> out;
  SourceReport total;
  total.name = "flow collector";
  for (const auto& s : sockets_) total.name += " " + s->name;
  total.counters = {{"datagrams", st.datagrams},
                    {"records", st.records},
                    {"netflow_v5_records", st.records_by_version[0]},
                    {"netflow_v9_records", st.records_by_version[1]},
                    {"ipfix_records", st.records_by_version[2]},
                    {"templates_cached", st.templates_cached},
                    {"exporters", st.exporters.size()},
                    {"refused_datagrams", st.refused_datagrams},
                    {"socket_errors", socket_errors_}};
  out.push_back(std::move(total));
  for (const auto& e : st.exporters) {
    SourceReport r;
    r.name = "exporter " + e.address.to_string();
    r.counters = {{"datagrams", e.datagrams},       {"records", e.records},
                  {"templates", e.templates},       {"template_withdrawals", e.template_withdrawals},
                  {"options_records", e.options_records}, {"sequence_gaps", e.sequence_gaps},
                  {"sequence_missing", e.sequence_missing}, {"sequence_resets", e.sequence_resets}};
    for (std::size_t i = 0; i < e.errors.size(); ++i)
      r.counters.emplace_back(std::string("error_") + error_reason_name(static_cast<ErrorReason>(i)), e.errors[i]);
    out.push_back(std::move(r));
  }
  const OrdererStats& o = orderer_.stats();
  out.push_back({"ordering",
                 {{"records_in", o.flows_in}, {"directions_paired", o.stitched}, {"flow_records_out", o.flows_out},
                  {"late", o.late}, {"released_early", o.early}, {"max_pending", o.max_pending}},
                 {}});
  return out;
}

}  // namespace picket::flowrec

#include "prometheus.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace picket::app {

MetricsServer::~MetricsServer() { stop(); }

std::string MetricsServer::start(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return "--prometheus: expected HOST:PORT, got '" + listen + "'";
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end || port < 0 || port > 65535) return "--prometheus: bad port '" + port_text + "'";
  if (host == "localhost" || host.empty()) host = "127.0.0.1";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return "--prometheus: '" + host + "' is not an IPv4 address";
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0 || ::listen(fd_, 16) < 0) {
    const std::string err = std::strerror(errno);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return "--prometheus " + listen + ": " + err;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
  return "";
}

void MetricsServer::update(std::string text) {
  std::lock_guard<std::mutex> lock(mu_);
  text_ = std::move(text);
}

void MetricsServer::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void MetricsServer::serve() {
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    // Read the request head (bounded in size and time); its content does
    // not matter: every path gets the metrics.
    char buf[2048];
    std::size_t got = 0;
    for (int rounds = 0; rounds < 10 && got < sizeof(buf); ++rounds) {
      pollfd q{c, POLLIN, 0};
      if (poll(&q, 1, 100) <= 0) break;
      const ssize_t n = recv(c, buf + got, sizeof(buf) - got, 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
      if (std::string_view(buf, got).find("\r\n\r\n") != std::string_view::npos) break;
    }
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      body = text_;
    }
    const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    const std::string reply = head + body;
    std::size_t off = 0;
    while (off < reply.size()) {
      const ssize_t n = send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(c);
  }
}

namespace {
void metric(std::string& o, const char* name, const char* type, const char* help) {
  o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}
void sample(std::string& o, const char* name, const std::string& labels, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  o += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
}
}  // namespace

std::string prometheus_text(const pipeline::PipelineStats& s, const exporter::DeliveryStats& d) {
  std::string o;
  metric(o, "picket_packets_total", "counter", "Packets captured, per worker.");
  for (std::size_t i = 0; i < s.capture.workers.size(); ++i)
    sample(o, "picket_packets_total", "worker=\"" + std::to_string(i) + "\"",
           static_cast<double>(s.capture.workers[i].packets));
  metric(o, "picket_bytes_total", "counter", "Wire bytes captured, per worker.");
  for (std::size_t i = 0; i < s.capture.workers.size(); ++i)
    sample(o, "picket_bytes_total", "worker=\"" + std::to_string(i) + "\"",
           static_cast<double>(s.capture.workers[i].bytes));
  metric(o, "picket_drops_total", "counter", "Packets dropped before picket saw them (kernel, interface), per worker.");
  for (std::size_t i = 0; i < s.capture.workers.size(); ++i) {
    const auto& w = s.capture.workers[i];
    sample(o, "picket_drops_total", "worker=\"" + std::to_string(i) + "\",where=\"kernel\"",
           static_cast<double>(w.kernel_drops));
    sample(o, "picket_drops_total", "worker=\"" + std::to_string(i) + "\",where=\"interface\"",
           static_cast<double>(w.interface_drops));
  }
  if (!s.capture.device.empty()) {
    metric(o, "picket_device_counter", "counter", "Device counters (DPDK port statistics).");
    for (const auto& [name, v] : s.capture.device)
      sample(o, "picket_device_counter", "name=\"" + name + "\"", static_cast<double>(v));
  }
  metric(o, "picket_flows_active", "gauge", "Flows in the flow table, per worker.");
  for (std::size_t i = 0; i < s.workers.size(); ++i)
    sample(o, "picket_flows_active", "worker=\"" + std::to_string(i) + "\"", static_cast<double>(s.workers[i].flows_active));
  metric(o, "picket_findings_total", "counter", "New findings raised.");
  sample(o, "picket_findings_total", "", static_cast<double>(s.findings_new));
  metric(o, "picket_reports_published_total", "counter", "Finding reports (new and updates) passed to the sinks.");
  sample(o, "picket_reports_published_total", "", static_cast<double>(d.published));
  metric(o, "picket_sink_dropped_total", "counter", "Reports a sink lost.");
  for (const auto& k : d.sinks) {
    std::string name;  // label values escape backslash, quote and newline
    for (const char ch : k.name) {
      if (ch == '\\' || ch == '"') name += '\\';
      if (ch == '\n') name += "\\n";
      else name += ch;
    }
    sample(o, "picket_sink_dropped_total", "sink=\"" + name + "\"", static_cast<double>(k.dropped));
  }
  // Detector counters: one metric per counter name ("keys_refused" ->
  // picket_detector_keys_refused_total), one sample per detector reporting it.
  for (std::size_t i = 0; i < s.detector_counters.size(); ++i) {
    const std::string& counter = s.detector_counters[i].name;
    bool first = true;
    for (std::size_t j = 0; j < i && first; ++j) first = s.detector_counters[j].name != counter;
    if (!first) continue;
    const std::string name = "picket_detector_" + counter + "_total";
    metric(o, name.c_str(), "counter",
           ("Detector state entries not kept for lack of room (" + counter + "), per detector.").c_str());
    for (std::size_t j = i; j < s.detector_counters.size(); ++j)
      if (s.detector_counters[j].name == counter)
        sample(o, name.c_str(), "detector=\"" + s.detector_counters[j].detector + "\"",
               static_cast<double>(s.detector_counters[j].value));
  }
  metric(o, "picket_uptime_seconds", "gauge", "Seconds since the capture started.");
  sample(o, "picket_uptime_seconds", "", s.wall_seconds);
  return o;
}

}  // namespace picket::app

#pragma once
// A minimal Prometheus text endpoint: one thread answers every HTTP request
// with the latest metrics text (GET /metrics, or any path). Meant for a local
// port (127.0.0.1:9108); it reads nothing from the client but the request.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "picket/pipeline/pipeline.hpp"

namespace picket::app {

class MetricsServer {
 public:
  ~MetricsServer();
  // "HOST:PORT" (IPv4 address or localhost). Returns "" or an error.
  std::string start(const std::string& listen);
  void update(std::string text);
  void stop();
  int port() const { return port_; }

 private:
  void serve();
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string text_ = "# picket: no stats yet\n";
};

// The metrics of a live run's snapshot (and delivery counters) in the text format.
std::string prometheus_text(const pipeline::PipelineStats& s, const exporter::DeliveryStats& d);

}  // namespace picket::app

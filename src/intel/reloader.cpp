#include "picket/intel/reloader.hpp"

#include <chrono>

namespace picket::intel {

Reloader::Reloader(std::shared_ptr<IntelStore> store, Build build, const std::atomic<unsigned>* trigger, Log log,
                   unsigned poll_ms)
    : store_(std::move(store)), build_(std::move(build)), trigger_(trigger), log_(std::move(log)), poll_ms_(poll_ms) {
  if (trigger_) thread_ = std::thread([this] { run(); });
}

Reloader::~Reloader() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

bool Reloader::reload_now() {
  BuildReport report;
  auto snap = build_(report);
  bool any_read = report.lists.empty();
  for (const auto& l : report.lists) any_read = any_read || l.format != ListFormat::kAuto;
  const bool publish = snap && any_read;
  if (publish) {
    store_->publish(std::move(snap));
    reloads_.fetch_add(1, std::memory_order_relaxed);
  }
  if (log_) log_(report, publish);
  return publish;
}

void Reloader::run() {
  unsigned seen = trigger_->load(std::memory_order_relaxed);
  while (!stop_.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms_));
    const unsigned now = trigger_->load(std::memory_order_relaxed);
    if (now == seen) continue;
    seen = now;
    reload_now();
  }
}

}  // namespace picket::intel

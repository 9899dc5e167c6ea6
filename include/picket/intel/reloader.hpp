#pragma once
// Reloader: the control thread that rebuilds the lists when asked (SIGHUP
// bumps a counter) and publishes the new snapshot to an IntelStore. Workers
// keep reading the old snapshot until they next enter a read section: no
// packet waits and none is dropped. A reload that fails completely (every
// list unreadable) keeps the old snapshot.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "picket/intel/store.hpp"

namespace picket::intel {

class Reloader {
 public:
  using Build = std::function<std::unique_ptr<Snapshot>(BuildReport&)>;
  using Log = std::function<void(const BuildReport&, bool published)>;

  // Watches `trigger` (e.g. the SIGHUP counter) every `poll_ms`.
  Reloader(std::shared_ptr<IntelStore> store, Build build, const std::atomic<unsigned>* trigger, Log log,
           unsigned poll_ms = 50);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Rebuilds and publishes now, on the calling thread.
  bool reload_now();
  std::uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }

 private:
  void run();
  std::shared_ptr<IntelStore> store_;
  Build build_;
  const std::atomic<unsigned>* trigger_;
  Log log_;
  unsigned poll_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> reloads_{0};
  std::thread thread_;
};

}  // namespace picket::intel

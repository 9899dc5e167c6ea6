// SIGHUP reload: the signal handler only counts (signals.cpp bumps the
// sinks' reopen generation); `picket run` notices the change on its main
// thread and runs the callbacks that modules registered, where they may
// allocate, read files and log.
#include <mutex>
#include <utility>
#include <vector>

#include "commands.hpp"

namespace picket::app {

namespace {
struct Registry {
  std::mutex mu;
  std::vector<std::pair<std::string, ReloadCallback>> callbacks;
  unsigned seen_generation = 0;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

void register_reload(std::string what, ReloadCallback fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.callbacks.emplace_back(std::move(what), std::move(fn));
}

std::size_t run_reloads_if_requested(const std::function<void(const std::string&)>& log) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  const unsigned gen = exporter::reopen_generation().load(std::memory_order_relaxed);
  if (gen == r.seen_generation) return 0;
  r.seen_generation = gen;
  std::size_t ran = 0;
  for (auto& [what, fn] : r.callbacks) {
    const std::string err = fn();
    ++ran;
    log(err.empty() ? "reloaded " + what : "reload of " + what + " failed, keeping the previous one: " + err);
  }
  if (r.callbacks.empty()) log("SIGHUP: file sinks reopened; nothing else registered for reload");
  return ran;
}

}  // namespace picket::app

// Signals shared by the commands: SIGINT/SIGTERM ask for a clean stop,
// SIGHUP makes file sinks reopen their files (after logrotate moved them).
#include <csignal>

#include "commands.hpp"

namespace picket::app {

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }
extern "C" void on_reopen(int) { exporter::reopen_generation().fetch_add(1, std::memory_order_relaxed); }
}  // namespace

const std::atomic<bool>& install_signal_handlers() {
  // SA_RESETHAND: a second SIGINT/SIGTERM ends the process the hard way. No
  // SA_RESTART, so a read blocked on a pipe returns and the stop is seen.
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  stop.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &stop, nullptr);
  sigaction(SIGTERM, &stop, nullptr);

  struct sigaction reopen {};
  reopen.sa_handler = on_reopen;
  sigemptyset(&reopen.sa_mask);
  reopen.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &reopen, nullptr);
  return g_stop;
}

}  // namespace picket::app

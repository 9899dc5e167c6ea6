#pragma once
#include <CLI/CLI.hpp>

namespace picket::app {

// Each command adds its subcommand to the app and returns the action to run
// when it is chosen; the action returns the process exit status.
using Action = std::function<int()>;

Action add_replay_command(CLI::App& app);
Action add_detectors_command(CLI::App& app);

}  // namespace picket::app

// picket detectors: what each detector raises and its parameters.
#include <cstdio>

#include "commands.hpp"
#include "picket/detect/detector.hpp"

namespace picket::app {

Action add_detectors_command(CLI::App& app) {
  app.add_subcommand("detectors", "List the detectors, what they raise, and their parameters with defaults");
  return [] {
    const auto detectors = detect::make_all_detectors();
    for (const auto& d : detectors) {
      std::printf("%s\n  %s\n", d->name(), d->summary());
      for (const auto& p : d->params())
        std::printf("  --param %s.%s=%g  (%s, %g..%g)\n      %s\n", d->name(), p.name, p.default_value, p.unit,
                    p.min_value, p.max_value, p.help);
    }
    return 0;
  };
}

}  // namespace picket::app

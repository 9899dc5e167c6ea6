// picket: network threat detection with GuardDuty-style findings.
#include <cstdio>
#include <iostream>

#include <pcap/pcap.h>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "picket " PICKET_VERSION
      " - network threat detection sensor with GuardDuty-style findings.\n\n"
      "Reads packets (pcap/pcapng files), tracks flows on every core, and writes findings\n"
      "as GuardDuty finding JSON, one per line. Run 'picket COMMAND --help' for details.\n\n"
      "Exit status: 0 success, 1 runtime error (unreadable input, ...), 2 usage error."};
  app.require_subcommand(0, 1);
  app.set_version_flag("-V,--version", std::string("picket ") + PICKET_VERSION);
  auto* version = app.add_subcommand("version", "Print the version and the libpcap it runs with");
  const auto replay = picket::app::add_replay_command(app);
  const auto detectors = picket::app::add_detectors_command(app);
  const auto samples = picket::app::add_sample_findings_command(app);
  const auto intel = picket::app::add_intel_command(app);
  const auto run = picket::app::add_run_command(app);
  const auto check_config = picket::app::add_check_config_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (version->parsed()) {
    std::printf("picket %s\n%s\n", PICKET_VERSION, pcap_lib_version());
    return 0;
  }
  for (auto* sub : app.get_subcommands()) {
    if (sub->get_name() == "replay") return replay();
    if (sub->get_name() == "detectors") return detectors();
    if (sub->get_name() == "sample-findings") return samples();
    if (sub->get_name() == "intel") return intel();
    if (sub->get_name() == "run") return run();
    if (sub->get_name() == "check-config") return check_config();
  }
  std::cout << app.help();
  return 2;
}

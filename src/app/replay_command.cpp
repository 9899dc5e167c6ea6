// picket replay: run the pipeline over capture files as fast as the machine allows.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "picket/capture/pcap_file_source.hpp"
#include "picket/export/setup.hpp"
#include "picket/pipeline/pipeline.hpp"
#include "pipeline_options.hpp"
#include "record_options.hpp"

namespace picket::app {

namespace {

struct ReplayOptions {
  std::vector<std::string> inputs;
  PipelineOptions common;
  RecordOptions records;  // --vpc-flow-logs, --resolver-logs
};

void print_progress(const pipeline::PipelineStats& s, std::uint64_t total_bytes) {
  const double rate = s.wall_seconds > 0 ? static_cast<double>(s.input.packets) / s.wall_seconds : 0;
  std::fprintf(stderr, "picket: %.1f s: %llu packets (%.0f pkt/s)", s.wall_seconds,
               static_cast<unsigned long long>(s.input.packets), rate);
  if (total_bytes) {
    // File bytes include record headers; near enough to say how far along we are.
    const double pct = 100.0 * static_cast<double>(s.input.bytes) / static_cast<double>(total_bytes);
    std::fprintf(stderr, ", ~%.0f%% of input", pct > 100 ? 100 : pct);
  }
  std::fprintf(stderr, "\n");
}

int run_replay(const ReplayOptions& ro) {
  const PipelineOptions& o = ro.common;
  if (ro.records.any_replay()) {
    if (!ro.inputs.empty()) {
      std::fprintf(stderr, "picket replay: give capture files or record logs, not both, in one replay\n");
      return 2;
    }
    return run_records(o, ro.records, "replay", /*live=*/false);
  }
  if (ro.inputs.empty()) {
    std::fprintf(stderr, "picket replay: nothing to replay: give capture files, --vpc-flow-logs or --resolver-logs\n");
    return 2;
  }
  PreparedPipeline prep;
  if (const int rc = prepare_pipeline(o, "replay", prep); rc != 0) return rc;
  pipeline::PipelineConfig& cfg = prep.config;

  std::string error;
  auto source = capture::PcapFileSource::open(ro.inputs, error);
  if (!source) {
    std::fprintf(stderr, "picket replay: %s\n", error.c_str());
    return 1;
  }
  if (!o.quiet) {
    const std::uint64_t total = source->total_bytes();
    cfg.progress = [total](const pipeline::PipelineStats& s) { print_progress(s, total); };
  }
  cfg.stop = &install_signal_handlers();
  // SIGHUP reloads the lists too, on a control thread of its own: the main
  // thread is busy reading packets.
  const auto reloader = start_intel_reloader(cfg.intel, o.intel, o.delivery.config, &exporter::reopen_generation(),
                                             "picket replay");

  pipeline::Pipeline pipe(std::move(cfg), prep.detectors, *prep.detector_config);
  const pipeline::PipelineStats stats = pipe.run(*source);

  const exporter::DeliveryStats dstats = prep.delivery->stats();
  if (!o.quiet) {
    std::fputs(pipeline::format_summary(stats).c_str(), stderr);
    std::fputs(exporter::format_delivery_summary(dstats).c_str(), stderr);
  }
  return write_stats_json(o, "replay", stats, dstats);
}

}  // namespace

Action add_replay_command(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  auto* c = app.add_subcommand("replay", "Replay pcap/pcapng files and write findings as GuardDuty JSON lines");
  c->footer(
      "Files are merged in timestamp order; a directory stands for the .pcap/.pcapng/.cap files in it.\n"
      "Capture timestamps drive every timer, so a replay gives the same findings at any speed and with\n"
      "any number of workers. Progress and a summary go to stderr; findings to stdout unless a sink\n"
      "(--output, --syslog, --hook, --webhook, or --config with sinks) is given.\n" DELIVERY_HELP);
  c->add_option("pcap", o->inputs, "Capture files or directories")->type_name("PCAP...");
  add_pipeline_options(*c, o->common);
  // The capture files are optional now (record logs replace them), so options
  // with several values take one per occurrence ("--home-net A --home-net B"):
  // otherwise they would swallow the capture files that follow them.
  for (CLI::Option* opt : c->get_options())
    if (opt->get_items_expected_max() > 1 && opt->get_name() != "pcap") opt->allow_extra_args(false);
  add_record_replay_options(*c, o->records);
  return [o] { return run_replay(*o); };
}

}  // namespace picket::app

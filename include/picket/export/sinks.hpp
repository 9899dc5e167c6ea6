#pragma once
// Building sinks from their specifications, given on the command line
// (--output FILE, --syslog URL, --hook PROGRAM, --webhook URL, each with
// optional "?key=value&key=value" settings) or in a [[output]], [[syslog]],
// [[hook]] or [[webhook]] table of the configuration file.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "picket/export/delivery.hpp"

namespace picket::exporter {

struct SinkSetting {
  std::string key, value;
  std::string origin;  // where it was given: "--syslog", "FILE:LINE"
};

struct SinkSpec {
  std::string kind;                // output, syslog, hook, webhook
  std::string target;              // path, URL or program
  std::vector<std::string> argv;   // hook: arguments after the program
  std::vector<SinkSetting> settings;
  std::string origin;              // "--syslog", "FILE:LINE"
};

// "TARGET?k=v&k=v" as given to --output/--syslog/--hook/--webhook. Values are
// taken literally (no percent-decoding); a list is comma-separated.
SinkSpec parse_sink_arg(std::string kind, const std::string& text, std::string origin);

struct SinkContext {
  RenderOptions render;
  std::string hostname;  // for syslog headers; empty: gethostname()
};

// Builds the sink, or returns null and an error naming the origin and key.
std::unique_ptr<Sink> make_sink(const SinkSpec& spec, const SinkContext& ctx, std::string& error);

// What make_sink would refuse, found without its side effects (`picket
// check-config`): settings, URLs, hook programs and TLS files are checked;
// no file is created, nothing connects, no thread starts. "" when valid.
std::string check_sink(const SinkSpec& spec, const SinkContext& ctx);

// The hook sink (exposed for tests): runs PROGRAM ARGS... with the finding on
// standard input, without a shell.
struct HookOptions {
  std::vector<std::string> argv;   // program and arguments
  double timeout = 30;             // seconds before the program is killed
  unsigned concurrency = 4;        // programs running at once
  double rate = 60;                // runs per minute (token bucket, burst of the same size); 0: unlimited
  std::size_t queue = 1000;        // reports waiting for a free slot
  bool eventbridge = false;        // stdin carries the EventBridge envelope
  RenderOptions render;
  std::string source = "aws.guardduty";
};
std::unique_ptr<Sink> make_hook_sink(HookOptions o);

}  // namespace picket::exporter

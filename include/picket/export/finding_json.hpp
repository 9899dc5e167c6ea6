#pragma once
// Rendering a finding as GuardDuty finding JSON (schema 2.0).
#include <cstdint>
#include <string>

#include "picket/core/clock.hpp"
#include "picket/detect/finding.hpp"

namespace picket::exporter {

struct RenderOptions {
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string detector_id = "picket";  // GuardDuty's detector id; here the sensor's name
};

// A finding as the exporter keeps it: the latest figures of the activity, how
// often it happened, and when it was first and last reported.
struct FindingRecord {
  detect::Finding f;
  std::uint64_t count = 0;
  core::Nanos created_at = 0, updated_at = 0;
  bool archived = false;
};

// 32 lowercase hex characters, stable for the same activity (derived from the
// finding's identity), as GuardDuty ids are.
std::string finding_id(const detect::Finding& f);
// IANA service name for well-known ports, as GuardDuty's portName; "Unknown" otherwise.
const char* port_name(std::uint16_t port);
const char* protocol_name(std::uint8_t proto);

// Appends one JSON object (no newline).
void render_finding_json(const FindingRecord& rec, const RenderOptions& opt, std::string& out);

}  // namespace picket::exporter

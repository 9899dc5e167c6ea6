#pragma once
// Rendering a finding as GuardDuty finding JSON (schema 2.0).
#include <cstdint>
#include <memory>
#include <string>

#include "picket/core/clock.hpp"
#include "picket/detect/finding.hpp"
#include "picket/geoip/geo_info.hpp"

namespace picket::exporter {

struct RenderOptions {
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string detector_id = "picket";  // GuardDuty's detector id; here the sensor's name
};

// The parties most often seen across the reports folded into one finding
// (service.additionalInfo.topActors / topTargets). Kept with the Space-Saving
// algorithm: exact while at most kTopParties distinct addresses were seen;
// beyond that a newcomer replaces the least counted entry and inherits its
// count, so heavy hitters stay and counts are upper bounds.
inline constexpr int kTopParties = 5;
struct TopParty {
  core::IpAddr addr;
  std::uint64_t count = 0;
  core::Nanos last_seen = 0;
};
struct TopParties {
  TopParty e[kTopParties];
  std::uint8_t n = 0;
  void add(const core::IpAddr& a, std::uint64_t weight, core::Nanos seen);
};

// A finding as the exporter keeps it: the latest figures of the activity, how
// often it happened, and when it was first and last reported.
struct FindingRecord {
  detect::Finding f;
  std::uint64_t count = 0;
  core::Nanos created_at = 0, updated_at = 0;
  bool archived = false;
  bool sample = false;  // picket sample-findings: "[SAMPLE] " title, additionalInfo.sample
  TopParties top_actors, top_targets;
  // GeoIP/ASN of f.remote (remoteIpDetails), set by Delivery before rendering
  // when --geoip-db is given; null otherwise or when nothing is known.
  std::shared_ptr<const geoip::GeoInfo> remote_geo;
};

// The acting and the acted-on address of a finding (by its type's role).
const core::IpAddr& finding_actor(const detect::Finding& f);
const core::IpAddr& finding_target(const detect::Finding& f);
// The finding's title and description with placeholders filled in ("[SAMPLE] " for samples).
std::string finding_title(const FindingRecord& rec);
std::string finding_description(const FindingRecord& rec);

// 32 lowercase hex characters, stable for the same activity (derived from the
// finding's identity), as GuardDuty ids are.
std::string finding_id(const detect::Finding& f);
// IANA service name for well-known ports, as GuardDuty's portName; "Unknown" otherwise.
const char* port_name(std::uint16_t port);
const char* protocol_name(std::uint8_t proto);

// Appends one JSON object (no newline).
void render_finding_json(const FindingRecord& rec, const RenderOptions& opt, std::string& out);

}  // namespace picket::exporter

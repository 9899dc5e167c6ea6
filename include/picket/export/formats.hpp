#pragma once
// Message formats for the sinks: syslog (RFC 5424, RFC 3164), CEF, the
// EventBridge envelope and a Slack-compatible chat message.
#include <string>
#include <string_view>

#include "picket/export/delivery.hpp"
#include "picket/export/finding_json.hpp"

namespace picket::exporter {

// The time of day (CLOCK_REALTIME), for message timestamps.
core::Nanos realtime_now();

// GuardDuty severity to syslog severity (RFC 5424 table 2):
// Critical 9.0-10.0 -> 2 (critical), High 7.0-8.9 -> 3 (error),
// Medium 4.0-6.9 -> 4 (warning), Low below 4.0 -> 5 (notice).
int syslog_severity(double guardduty_severity);
// "kern".."local7" -> 0..23, or -1.
int syslog_facility(std::string_view name);

struct SyslogFormat {
  int facility = 16;                    // local0
  std::string hostname = "-";           // NILVALUE if unknown
  std::string app_name = "picket";
  std::string procid = "-";
  std::string sd_id = "finding@32473";  // 32473: the documentation enterprise number (RFC 5612)
  bool bom = false;                     // RFC 5424 MSG: BOM before UTF-8
};

// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG, with MSGID
// "NEW" or "UPDATE" and SD params id, type, severity, count, archived.
std::string format_rfc5424(const FindingRecord& rec, std::string_view msg, ReportKind kind, const SyslogFormat& fmt,
                           core::Nanos now);
// <PRI>Mmm dd hh:mm:ss [HOSTNAME ]TAG[PID]: MSG (local time, as BSD syslog).
std::string format_rfc3164(const FindingRecord& rec, std::string_view msg, const SyslogFormat& fmt, core::Nanos now,
                           bool with_hostname);
// ArcSight Common Event Format, version 0.
std::string format_cef(const FindingRecord& rec, ReportKind kind, const RenderOptions& opt);
// {"version":"0","id":...,"detail-type":"GuardDuty Finding","source":SOURCE,
//  "account":...,"time":...,"region":...,"resources":[],"detail":FINDING}
void render_eventbridge(const FindingRecord& rec, std::string_view json, const RenderOptions& opt,
                        std::string_view source, std::string& out);
// {"text": "..."}: accepted by Slack, Mattermost and Rocket.Chat incoming webhooks.
std::string format_chat(const FindingRecord& rec, ReportKind kind);

}  // namespace picket::exporter

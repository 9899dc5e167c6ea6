#include "picket/export/formats.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "picket/core/hash.hpp"
#include "picket/export/json_writer.hpp"

namespace picket::exporter {

core::Nanos realtime_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<core::Nanos>(ts.tv_sec) * core::kNanosPerSecond + static_cast<core::Nanos>(ts.tv_nsec);
}

int syslog_severity(double s) {
  if (s >= 9.0) return 2;
  if (s >= 7.0) return 3;
  if (s >= 4.0) return 4;
  return 5;
}

int syslog_facility(std::string_view n) {
  static const char* const kNames[] = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
                                       "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
                                       "local0", "local1", "local2", "local3", "local4", "local5", "local6",
                                       "local7"};
  for (int i = 0; i < 24; ++i)
    if (n == kNames[i]) return i;
  return -1;
}

namespace {

// SD-PARAM value: '"', '\' and ']' are escaped with a backslash (RFC 5424 6.3.3).
void sd_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
}

void sd_param(std::string& out, const char* name, std::string_view v) {
  out.push_back(' ');
  out += name;
  out += "=\"";
  sd_value(out, v);
  out.push_back('"');
}

std::string severity_text(double s) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f", s);
  return buf;
}

// RFC 5424 header fields are PRINTUSASCII without spaces, bounded in length.
std::string header_token(std::string_view v, std::size_t max) {
  std::string out;
  for (char c : v) {
    if (out.size() >= max) break;
    if (c > 32 && c < 127) out.push_back(c);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string format_rfc5424(const FindingRecord& rec, std::string_view msg, ReportKind kind, const SyslogFormat& fmt,
                           core::Nanos now) {
  std::string out;
  out.reserve(msg.size() + 256);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "<%d>1 ", fmt.facility * 8 + syslog_severity(rec.f.severity));
  out += buf;
  // TIMESTAMP: RFC 3339 UTC with microseconds.
  const std::time_t secs = static_cast<std::time_t>(now / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  out += buf;
  std::snprintf(buf, sizeof(buf), ".%06lldZ ", static_cast<long long>((now % 1000000000) / 1000));
  out += buf;
  out += header_token(fmt.hostname, 255);
  out.push_back(' ');
  out += header_token(fmt.app_name, 48);
  out.push_back(' ');
  out += header_token(fmt.procid, 128);
  out.push_back(' ');
  out += kind == ReportKind::kNew ? "NEW" : "UPDATE";
  out += " [";
  out += header_token(fmt.sd_id, 32);
  sd_param(out, "id", finding_id(rec.f));
  sd_param(out, "type", detect::finding_type_info(rec.f.type).name);
  sd_param(out, "severity", severity_text(rec.f.severity));
  sd_param(out, "count", std::to_string(rec.count));
  sd_param(out, "archived", rec.archived ? "true" : "false");
  if (rec.sample) sd_param(out, "sample", "true");
  out += "] ";
  if (fmt.bom) out += "\xEF\xBB\xBF";
  out.append(msg);
  return out;
}

std::string format_rfc3164(const FindingRecord& rec, std::string_view msg, const SyslogFormat& fmt, core::Nanos now,
                           bool with_hostname) {
  std::string out;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "<%d>", fmt.facility * 8 + syslog_severity(rec.f.severity));
  out += buf;
  const std::time_t secs = static_cast<std::time_t>(now / 1000000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(buf, sizeof(buf), "%s %2d %02d:%02d:%02d ", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  out += buf;
  if (with_hostname) {
    out += header_token(fmt.hostname, 255);
    out.push_back(' ');
  }
  // TAG: alphanumeric, at most 32 characters.
  std::string tag;
  for (char c : fmt.app_name)
    if (tag.size() < 32 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_'))
      tag.push_back(c);
  out += tag.empty() ? "picket" : tag;
  if (fmt.procid != "-") out += "[" + fmt.procid + "]";
  out += ": ";
  out.append(msg);
  return out;
}

namespace {

// CEF header fields escape '\' and '|'; extension values escape '\', '=' and line breaks.
void cef_header(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '|') out.push_back('\\');
    if (c == '\n' || c == '\r') {
      out.push_back(' ');
      continue;
    }
    out.push_back(c);
  }
}

void cef_ext(std::string& out, const char* key, std::string_view v) {
  if (out.back() != '|') out.push_back(' ');
  out += key;
  out.push_back('=');
  for (char c : v) {
    if (c == '\\' || c == '=') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
}

std::string millis(core::Nanos t) { return std::to_string(t / 1000000); }

}  // namespace

std::string format_cef(const FindingRecord& rec, ReportKind kind, const RenderOptions& opt) {
  const detect::Finding& f = rec.f;
  const detect::FindingTypeInfo& info = detect::finding_type_info(f.type);
  std::string out = "CEF:0|picket|picket|" PICKET_VERSION "|";
  cef_header(out, info.name);
  out.push_back('|');
  cef_header(out, finding_title(rec));
  out.push_back('|');
  out += std::to_string(static_cast<int>(std::lround(f.severity)));
  out.push_back('|');
  // Source and destination by direction of the activity.
  const bool outbound = f.direction == detect::Direction::kOutbound;
  const core::IpAddr& src = outbound ? f.local : f.remote;
  const core::IpAddr& dst = outbound ? f.remote : f.local;
  const std::uint16_t spt = outbound ? f.local_port : f.remote_port;
  const std::uint16_t dpt = outbound ? f.remote_port : f.local_port;
  cef_ext(out, "rt", millis(rec.updated_at));
  cef_ext(out, "start", millis(f.first_seen));
  cef_ext(out, "end", millis(f.last_seen));
  cef_ext(out, "externalId", finding_id(f));
  cef_ext(out, "cat", info.name);
  cef_ext(out, "act", kind == ReportKind::kNew ? "new" : "update");
  cef_ext(out, "cnt", std::to_string(rec.count));
  if (!src.is_zero()) cef_ext(out, src.is_v4() ? "src" : "c6a2", src.to_string());
  if (!dst.is_zero()) cef_ext(out, dst.is_v4() ? "dst" : "c6a3", dst.to_string());
  if (spt) cef_ext(out, "spt", std::to_string(spt));
  if (dpt) cef_ext(out, "dpt", std::to_string(dpt));
  if (f.protocol) cef_ext(out, "proto", protocol_name(f.protocol));
  if (f.direction != detect::Direction::kUnknown) cef_ext(out, "deviceDirection", outbound ? "1" : "0");
  cef_ext(out, "dvchost", opt.detector_id);
  cef_ext(out, "cs1Label", "severity");
  cef_ext(out, "cs1", severity_text(f.severity));
  cef_ext(out, "cs2Label", "archived");
  cef_ext(out, "cs2", rec.archived ? "true" : "false");
  if (f.domain[0]) cef_ext(out, "dhost", f.domain);
  cef_ext(out, "msg", finding_description(rec));
  return out;
}

void render_eventbridge(const FindingRecord& rec, std::string_view json, const RenderOptions& opt,
                        std::string_view source, std::string& out) {
  // Event id: a UUID-shaped hash of the finding id and the report's figures,
  // the same for the same report, different for each update.
  struct {
    std::uint64_t id[2];
    std::uint64_t count;
    core::Nanos updated;
  } parts{{rec.f.identity[0], rec.f.identity[1]}, rec.count, rec.updated_at};
  const XXH128_hash_t h = XXH3_128bits(&parts, sizeof(parts));
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(h.high64 >> 32),
                static_cast<unsigned>((h.high64 >> 16) & 0xffff), static_cast<unsigned>(h.high64 & 0xfff),
                static_cast<unsigned>(0x8000 | ((h.low64 >> 48) & 0x3fff)),
                static_cast<unsigned long long>(h.low64 & 0xffffffffffffULL));
  JsonWriter w(out);
  w.begin_object();
  w.field("version", "0");
  w.field("id", std::string_view(uuid));
  w.field("detail-type", "GuardDuty Finding");
  w.field("source", source);
  w.field("account", opt.account_id);
  w.field("time", core::iso8601(rec.updated_at));
  w.field("region", opt.region);
  w.key("resources").begin_array().end_array();
  w.key("detail").raw(json);
  w.end_object();
}

std::string format_chat(const FindingRecord& rec, ReportKind kind) {
  const detect::FindingTypeInfo& info = detect::finding_type_info(rec.f.type);
  std::string text = std::string(kind == ReportKind::kNew ? "New" : "Updated") + " " +
                     detect::severity_label(rec.f.severity) + " (" + severity_text(rec.f.severity) + ") finding " +
                     info.name + ": " + finding_title(rec) + "\n" + finding_description(rec) +
                     "\ncount " + std::to_string(rec.count) + ", last seen " + core::iso8601(rec.f.last_seen) +
                     ", id " + finding_id(rec.f);
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("text", std::string_view(text)).end_object();
  return out;
}

}  // namespace picket::exporter

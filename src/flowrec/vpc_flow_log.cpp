// AWS VPC Flow Log lines (default version 2 and custom formats up to version 5).
#include "picket/flowrec/vpc_flow_log.hpp"

#include <algorithm>
#include <charconv>

#include "picket/flowrec/source.hpp"

namespace picket::flowrec {

namespace {

struct Named {
  std::string_view name;
  VpcField field;
};
constexpr Named kNames[] = {
    {"version", VpcField::kVersion},         {"srcaddr", VpcField::kSrcAddr},
    {"dstaddr", VpcField::kDstAddr},         {"srcport", VpcField::kSrcPort},
    {"dstport", VpcField::kDstPort},         {"protocol", VpcField::kProtocol},
    {"packets", VpcField::kPackets},         {"bytes", VpcField::kBytes},
    {"start", VpcField::kStart},             {"end", VpcField::kEnd},
    {"action", VpcField::kAction},           {"log-status", VpcField::kLogStatus},
    {"pkt-srcaddr", VpcField::kPktSrcAddr},  {"pkt-dstaddr", VpcField::kPktDstAddr},
    {"tcp-flags", VpcField::kTcpFlags},      {"flow-direction", VpcField::kFlowDirection},
};
// Every other field AWS documents (v2-v5, Transit Gateway): accepted in a header and skipped.
constexpr std::string_view kKnownOthers[] = {
    "account-id", "interface-id", "vpc-id", "subnet-id", "instance-id", "type", "region", "az-id",
    "sublocation-type", "sublocation-id", "pkt-src-aws-service", "pkt-dst-aws-service", "traffic-path",
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
    "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn",
    "ecs-task-arn", "ecs-task-id", "reject-reason", "resource-type", "tgw-id", "tgw-attachment-id",
    "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id",
    "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id", "tgw-dst-az-id", "tgw-pair-attachment-id",
    "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired",
    "src-aws-service", "dst-aws-service"};

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Splits on runs of spaces/tabs into at most `cap` tokens; returns the count (cap + 1 if more).
std::size_t split(std::string_view line, std::string_view* tok, std::size_t cap) {
  std::size_t n = 0, i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    if (n == cap) return cap + 1;
    tok[n++] = line.substr(i, j - i);
    i = j;
  }
  return n;
}

template <typename T>
bool number(std::string_view s, T& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

constexpr std::size_t kMaxFields = 64;

}  // namespace

VpcFormat VpcFormat::default_v2() {
  using F = VpcField;
  return VpcFormat{{F::kVersion, F::kOther, F::kOther, F::kSrcAddr, F::kDstAddr, F::kSrcPort, F::kDstPort,
                    F::kProtocol, F::kPackets, F::kBytes, F::kStart, F::kEnd, F::kAction, F::kLogStatus}};
}

bool VpcFormat::from_header(std::string_view line, VpcFormat& out, std::string& error) {
  std::string_view tok[kMaxFields];
  const std::size_t n = split(line, tok, kMaxFields);
  if (n == 0 || n > kMaxFields) return false;
  // A header's first token is a field name, a record's is a number ('2') or '-'.
  bool first_known = false;
  for (const auto& k : kNames) first_known = first_known || k.name == tok[0];
  for (auto k : kKnownOthers) first_known = first_known || k == tok[0];
  if (!first_known) return false;
  VpcFormat f;
  bool has_src = false, has_dst = false;
  for (std::size_t i = 0; i < n; ++i) {
    VpcField field = VpcField::kOther;
    for (const auto& k : kNames)
      if (k.name == tok[i]) field = k.field;
    // Field names as an AWS console format string: ${srcaddr}.
    if (field == VpcField::kOther && tok[i].size() > 3 && tok[i].substr(0, 2) == "${" && tok[i].back() == '}') {
      const auto inner = tok[i].substr(2, tok[i].size() - 3);
      for (const auto& k : kNames)
        if (k.name == inner) field = k.field;
    }
    has_src = has_src || field == VpcField::kSrcAddr || field == VpcField::kPktSrcAddr;
    has_dst = has_dst || field == VpcField::kDstAddr || field == VpcField::kPktDstAddr;
    f.fields.push_back(field);
  }
  out = std::move(f);
  if (!has_src || !has_dst) error = "header names no srcaddr/dstaddr: its records cannot be used";
  return true;
}

VpcLine parse_vpc_line(std::string_view line, VpcFormat& format, UniFlow& out, bool& rejected, const char*& error) {
  std::string_view tok[kMaxFields];
  const std::size_t n = split(line, tok, kMaxFields);
  if (n == 0) return VpcLine::kBlank;
  if (!tok[0].empty() && (tok[0][0] < '0' || tok[0][0] > '9') && tok[0] != "-") {
    std::string herr;
    if (VpcFormat::from_header(line, format, herr)) {
      if (!herr.empty()) error = "header names no srcaddr/dstaddr";
      return VpcLine::kHeader;
    }
  }
  if (n != format.fields.size()) {
    error = n > kMaxFields ? "too many fields" : "field count differs from the format";
    return VpcLine::kError;
  }
  out = UniFlow{};
  out.source = static_cast<std::uint8_t>(Source::kVpcFlowLog);
  rejected = false;
  std::string_view src, dst, pkt_src, pkt_dst, status;
  bool have_start = false, have_end = false;
  std::uint64_t start = 0, end = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view v = tok[i];
    const bool dash = v == "-";
    switch (format.fields[i]) {
      case VpcField::kSrcAddr: src = v; break;
      case VpcField::kDstAddr: dst = v; break;
      case VpcField::kPktSrcAddr: pkt_src = v; break;
      case VpcField::kPktDstAddr: pkt_dst = v; break;
      case VpcField::kLogStatus: status = v; break;
      case VpcField::kSrcPort:
        if (!dash && !number(v, out.sport)) return error = "bad srcport", VpcLine::kError;
        break;
      case VpcField::kDstPort:
        if (!dash && !number(v, out.dport)) return error = "bad dstport", VpcLine::kError;
        break;
      case VpcField::kProtocol:
        if (!dash && !number(v, out.proto)) return error = "bad protocol", VpcLine::kError;
        break;
      case VpcField::kPackets:
        if (!dash && !number(v, out.packets)) return error = "bad packets", VpcLine::kError;
        break;
      case VpcField::kBytes:
        if (!dash && !number(v, out.bytes)) return error = "bad bytes", VpcLine::kError;
        break;
      case VpcField::kStart:
        if (!dash && !(have_start = number(v, start))) return error = "bad start time", VpcLine::kError;
        break;
      case VpcField::kEnd:
        if (!dash && !(have_end = number(v, end))) return error = "bad end time", VpcLine::kError;
        break;
      case VpcField::kAction:
        if (v == "REJECT") rejected = true;
        else if (!dash && v != "ACCEPT") return error = "bad action", VpcLine::kError;
        break;
      case VpcField::kTcpFlags: {
        unsigned flags = 0;
        if (!dash) {
          if (!number(v, flags) || flags > 255) return error = "bad tcp-flags", VpcLine::kError;
          out.tcp_flags = static_cast<std::uint8_t>(flags);
          out.tcp_flags_known = true;
        }
        break;
      }
      case VpcField::kVersion:
      case VpcField::kFlowDirection:
      case VpcField::kOther:
        break;
    }
  }
  if (status == "NODATA") return VpcLine::kNoData;
  if (status == "SKIPDATA") return VpcLine::kSkipData;
  if (!status.empty() && status != "OK" && status != "-") return error = "bad log-status", VpcLine::kError;
  // pkt-srcaddr/pkt-dstaddr are the packet's own addresses (behind NAT or a
  // load balancer, srcaddr is the interface's); prefer them.
  const std::string_view s = !pkt_src.empty() && pkt_src != "-" ? pkt_src : src;
  const std::string_view d = !pkt_dst.empty() && pkt_dst != "-" ? pkt_dst : dst;
  auto sa = core::IpAddr::parse(s), da = core::IpAddr::parse(d);
  if (!sa || !da) return error = "bad or missing address", VpcLine::kError;
  out.src = *sa, out.dst = *da;
  if (!have_start && !have_end) return error = "no start/end time", VpcLine::kError;
  // Plausible Unix seconds only (2000 .. 2100): catches a cut or shifted field.
  constexpr std::uint64_t kMin = 946684800, kMax = 4102444800;
  if (!have_start) start = end;
  if (!have_end) end = start;
  if (start < kMin || start > kMax || end < kMin || end > kMax) return error = "time out of range", VpcLine::kError;
  out.first = start * core::kNanosPerSecond;
  out.last = std::max(start, end) * core::kNanosPerSecond;
  if (out.proto == 1 || out.proto == 58) {
    // The logs carry no ICMP type: taken as an echo request (ping), by far the
    // commonest, so that ICMP sweeps are seen; replies pair with it.
    out.icmp_type = out.proto == 1 ? 8 : 128;
    out.sport = out.dport = 0;
  }
  return VpcLine::kFlow;
}

}  // namespace picket::flowrec

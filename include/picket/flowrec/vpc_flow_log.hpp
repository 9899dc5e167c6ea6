#pragma once
// AWS VPC Flow Logs, text format: one record per line, fields separated by
// spaces, '-' for a field with no value. Files delivered to S3 start with a
// header line naming the fields; without one the default (version 2) format
// is assumed:
//   version account-id interface-id srcaddr dstaddr srcport dstport protocol
//   packets bytes start end action log-status
// Custom formats (versions 3-5) may name any subset in any order; the fields
// picket uses are below, the others are skipped.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "picket/flowrec/uniflow.hpp"

namespace picket::flowrec {

enum class VpcField : std::uint8_t {
  kOther = 0, kVersion, kSrcAddr, kDstAddr, kSrcPort, kDstPort, kProtocol, kPackets, kBytes,
  kStart, kEnd, kAction, kLogStatus, kPktSrcAddr, kPktDstAddr, kTcpFlags, kFlowDirection,
};

struct VpcFormat {
  std::vector<VpcField> fields;
  static VpcFormat default_v2();
  // True when `line` is a header line (its first token is a field name), and sets the format from it.
  static bool from_header(std::string_view line, VpcFormat& out, std::string& error);
};

enum class VpcLine : std::uint8_t {
  kFlow,       // `out` holds a record
  kNoData,     // log-status NODATA: no traffic in the interval
  kSkipData,   // log-status SKIPDATA: records were skipped (capacity or error)
  kHeader,     // a header line (format switched)
  kBlank,
  kError,      // `error` says why
};

struct VpcCounters {
  std::uint64_t lines = 0, records = 0, accepted = 0, rejected = 0, nodata = 0, skipdata = 0, headers = 0;
  std::uint64_t errors = 0;
};

// Parses one line with `format` (changed when the line is a header).
VpcLine parse_vpc_line(std::string_view line, VpcFormat& format, UniFlow& out, bool& rejected, const char*& error);

}  // namespace picket::flowrec

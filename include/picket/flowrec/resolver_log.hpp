#pragma once
// Amazon Route 53 Resolver query logs: one JSON object per line, e.g.
//   {"version":"1.100000","account_id":"123456789012","region":"us-east-1",
//    "vpc_id":"vpc-1","query_timestamp":"2021-02-04T17:51:55Z",
//    "query_name":"example.com.","query_type":"A","query_class":"IN",
//    "rcode":"NOERROR","answers":[{"Rdata":"93.184.216.34","Type":"A","Class":"IN"}],
//    "srcaddr":"10.0.0.5","srcport":"54321","transport":"UDP","srcids":{"instance":"i-1"}}
// Each line is a resolved query: it becomes a DnsEvent response (client =
// srcaddr, server = the VPC resolver 169.254.169.253), as the DNS
// detectors see answers on the packet path. LogFileInput also hands on the
// query itself (the same event without answers, is_response false).
#include <string_view>

#include "picket/detect/events.hpp"

namespace picket::flowrec {

// False and `error` set when the line is not a usable query log entry.
bool parse_resolver_line(std::string_view line, detect::DnsEvent& out, const char*& error);

// "A" -> 1, "AAAA" -> 28, ... ; "TYPE123" -> 123; 0 when unknown.
std::uint16_t dns_type_from_name(std::string_view name);
// "NOERROR" -> 0, "NXDOMAIN" -> 3, ... ; -1 when unknown.
int dns_rcode_from_name(std::string_view name);
// "2021-02-04T17:51:55Z" or with fractional seconds / "+00:00"; 0 when malformed.
core::Nanos parse_iso8601(std::string_view s);

}  // namespace picket::flowrec

#pragma once
// The events workers send to detector shards. Plain fixed-size data so that
// they travel through SPSC rings by copy.
#include <cstdint>

#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/flow/flow_record.hpp"

namespace picket::detect {

// A finished flow, with which ends are in the home network.
struct FlowEvent {
  flow::FlowRecord rec;
  bool initiator_local = false;
  bool responder_local = false;
};

inline constexpr std::size_t kDnsEventMaxName = 256;
inline constexpr std::size_t kDnsEventMaxAddrs = 8;
inline constexpr std::size_t kServerNameEventMaxTarget = 256;  // proto::kHttpMaxUri

// One DNS message seen on the wire (a query or a response).
struct DnsEvent {
  core::Nanos ts = 0;
  core::IpAddr client, server;  // client = the side that asked
  std::uint16_t client_port = 0, server_port = 0;
  std::uint8_t transport = 17;  // 17 UDP, 6 TCP
  bool is_response = false;
  bool client_local = false;
  std::uint8_t rcode = 0;
  std::uint8_t source = 0;  // flowrec::Source: 0 = packets, 5 = Route 53 Resolver query logs
  std::uint16_t id = 0;
  std::uint16_t qtype = 0;
  std::uint16_t qname_len = 0;
  char qname[kDnsEventMaxName] = {};
  std::uint8_t answer_count = 0;  // answers in the message (all types, capped at 255)
  std::uint8_t addr_count = 0;    // A/AAAA answers stored below
  std::uint32_t min_ttl = 0;
  core::IpAddr addrs[kDnsEventMaxAddrs];
};

// The server name a client asked for inside a connection: the TLS SNI or the
// HTTP Host header. Sent to detector shards (keyed by the client) so that
// intel and resolver detectors can match names that never went through DNS.
struct ServerNameEvent {
  enum class Kind : std::uint8_t { kTlsSni = 0, kHttpHost };
  core::Nanos ts = 0;
  core::IpAddr client, server;
  std::uint16_t client_port = 0, server_port = 0;
  Kind kind = Kind::kTlsSni;
  bool client_local = false;
  bool server_local = false;
  std::uint16_t name_len = 0;
  char name[kDnsEventMaxName] = {};  // lower case as sent, NUL-terminated
  // kHttpHost: the request target as sent ("/path?query", or absolute form
  // through a proxy), cut to fit; a cut target names no URL.
  bool target_truncated = false;
  std::uint16_t target_len = 0;
  char target[kServerNameEventMaxTarget] = {};
};

// A TLS ClientHello with a server name.
struct TlsEvent {
  core::Nanos ts = 0;
  core::IpAddr client, server;
  std::uint16_t client_port = 0, server_port = 0;
  std::uint16_t version = 0;  // ClientHello legacy_version
  char sni[256] = {};
};

// An HTTP/1.x request.
struct HttpEvent {
  core::Nanos ts = 0;
  core::IpAddr client, server;
  std::uint16_t client_port = 0, server_port = 0;
  char method[16] = {};
  char host[256] = {};
  char uri[256] = {};
  char user_agent[256] = {};
};

}  // namespace picket::detect

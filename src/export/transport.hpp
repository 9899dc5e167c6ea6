#pragma once
// Connections for the network sinks: UDP, TCP, TLS (OpenSSL), Unix datagram
// sockets. Blocking sockets with send/receive timeouts, used only from a
// sink's own sender thread.
#include <memory>
#include <string>
#include <string_view>

struct ssl_ctx_st;
struct ssl_st;

namespace picket::exporter {

struct Url {
  std::string scheme;  // udp tcp tls unix http https
  std::string host, port, path;  // path: unix socket path, or HTTP request target
};
// udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT, unix:///PATH,
// http://HOST[:PORT][/PATH], https://... ; IPv6 hosts in brackets.
std::string parse_url(std::string_view text, Url& out);

struct TlsOptions {
  std::string ca;           // CA bundle (PEM) to verify the server; empty: the system's
  std::string cert, key;    // client certificate and key (PEM), for mutual TLS
  std::string server_name;  // name to verify (and SNI); empty: the URL's host
  bool verify = true;       // false: accept any certificate (testing only)
};

class Connection {
 public:
  Connection(Url url, TlsOptions tls, double timeout_s);
  ~Connection();
  // Builds the TLS context (reads CA, certificate, key). "" or an error.
  std::string init();
  bool connected() const { return fd_ >= 0; }
  // Connects if not connected. "" or an error.
  std::string connect();
  // Sends all of `data` (one datagram for UDP/Unix). "" or an error.
  std::string send(std::string_view data);
  // Reads until the peer closes or `max` bytes (HTTP responses).
  std::string receive(std::string& out, std::size_t max);
  // Whether a stream connection was closed by the peer (checked without blocking).
  bool peer_closed();
  void close();

 private:
  Url url_;
  TlsOptions tls_;
  double timeout_;
  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
};

}  // namespace picket::exporter

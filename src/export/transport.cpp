#include "transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace picket::exporter {

std::string parse_url(std::string_view text, Url& out) {
  out = Url{};
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::string("'").append(text).append("' is not a URL (SCHEME://...)");
  out.scheme = std::string(text.substr(0, sep));
  std::string_view rest = text.substr(sep + 3);
  if (out.scheme == "unix") {
    if (rest.empty() || rest[0] != '/') return "unix:// needs an absolute path, e.g. unix:///dev/log";
    out.path = std::string(rest);
    return "";
  }
  if (out.scheme != "udp" && out.scheme != "tcp" && out.scheme != "tls" && out.scheme != "http" &&
      out.scheme != "https")
    return "unknown scheme '" + out.scheme + "'";
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in '" + std::string(text) + "'";
    out.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "bad authority in '" + std::string(text) + "'";
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return "no host in '" + std::string(text) + "'";
  if (port.empty()) {
    // Default ports: syslog UDP/TCP 514 (RFC 5426, common practice), TLS 6514 (RFC 5425), HTTP(S).
    port = out.scheme == "tls" ? "6514" : out.scheme == "http" ? "80" : out.scheme == "https" ? "443" : "514";
  }
  for (char c : port)
    if (c < '0' || c > '9') return "bad port '" + std::string(port) + "'";
  out.port = std::string(port);
  return "";
}

namespace {
std::string ssl_error() {
  const unsigned long e = ERR_get_error();
  if (!e) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}
}  // namespace

Connection::Connection(Url url, TlsOptions tls, double timeout_s)
    : url_(std::move(url)), tls_(std::move(tls)), timeout_(timeout_s) {}

Connection::~Connection() {
  close();
  if (ctx_) SSL_CTX_free(ctx_);
}

std::string Connection::init() {
  if (url_.scheme != "tls" && url_.scheme != "https") return "";
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) return ssl_error();
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (tls_.verify) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const int ok = tls_.ca.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                   : SSL_CTX_load_verify_locations(ctx_, tls_.ca.c_str(), nullptr);
    if (ok != 1) return "ca " + tls_.ca + ": " + ssl_error();
  } else {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  }
  if (!tls_.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx_, tls_.cert.c_str()) != 1) return "cert " + tls_.cert + ": " + ssl_error();
    const std::string& key = tls_.key.empty() ? tls_.cert : tls_.key;
    if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1) return "key " + key + ": " + ssl_error();
    if (SSL_CTX_check_private_key(ctx_) != 1) return "key " + key + " does not match cert " + tls_.cert;
  } else if (!tls_.key.empty()) {
    return "key given without cert";
  }
  return "";
}

std::string Connection::connect() {
  if (fd_ >= 0) return "";
  const int to_ms = static_cast<int>(timeout_ * 1000);
  timeval tv{static_cast<time_t>(timeout_), static_cast<suseconds_t>((timeout_ - static_cast<double>(static_cast<long>(timeout_))) * 1e6)};
  if (url_.scheme == "unix") {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (url_.path.size() >= sizeof(sa.sun_path)) return "socket path too long";
    std::memcpy(sa.sun_path, url_.path.c_str(), url_.path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("socket: ") + std::strerror(errno);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      const int e = errno;
      ::close(fd);
      return url_.path + ": " + std::strerror(e);
    }
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    fd_ = fd;
    return "";
  }
  const bool dgram = url_.scheme == "udp";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = dgram ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(url_.host.c_str(), url_.port.c_str(), &hints, &res); rc != 0)
    return url_.host + ": " + gai_strerror(rc);
  std::string err = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      err = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int prc = ::poll(&p, 1, to_ms);
      if (prc == 1) {
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        rc = soerr == 0 ? 0 : -1;
        errno = soerr;
      } else {
        if (prc == 0) errno = ETIMEDOUT;
        rc = -1;
      }
    }
    if (rc != 0) {
      err = std::string("connect: ") + std::strerror(errno);
      ::close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (!dgram) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    fd_ = fd;
    err.clear();
    break;
  }
  freeaddrinfo(res);
  if (fd_ < 0) return url_.host + ":" + url_.port + ": " + err;
  if (ctx_) {
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    const std::string& name = tls_.server_name.empty() ? url_.host : tls_.server_name;
    // SNI only for names; verification for names and addresses.
    in6_addr tmp6;
    in_addr tmp4;
    const bool is_ip = inet_pton(AF_INET, name.c_str(), &tmp4) == 1 || inet_pton(AF_INET6, name.c_str(), &tmp6) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, name.c_str());
    if (tls_.verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      else SSL_set1_host(ssl_, name.c_str());
    }
    if (SSL_connect(ssl_) != 1) {
      std::string e = "TLS handshake with " + url_.host + ":" + url_.port + ": ";
      const long v = SSL_get_verify_result(ssl_);
      e += v != X509_V_OK ? X509_verify_cert_error_string(v) : ssl_error();
      close();
      return e;
    }
  }
  return "";
}

std::string Connection::send(std::string_view data) {
  if (fd_ < 0) return "not connected";
  if (ssl_) {
    std::size_t off = 0;
    while (off < data.size()) {
      const int n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
      if (n <= 0) return "TLS write: " + ssl_error();
      off += static_cast<std::size_t>(n);
    }
    return "";
  }
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::string("send: ") + std::strerror(errno);
    }
    off += static_cast<std::size_t>(n);
    if (url_.scheme == "udp" || url_.scheme == "unix") break;  // one datagram
  }
  return "";
}

std::string Connection::receive(std::string& out, std::size_t max) {
  char buf[4096];
  while (out.size() < max) {
    int n;
    if (ssl_) {
      n = SSL_read(ssl_, buf, sizeof(buf));
      if (n <= 0) {
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && out.size())) return "";
        return out.empty() ? "TLS read: " + ssl_error() : "";
      }
    } else {
      n = static_cast<int>(::recv(fd_, buf, sizeof(buf), 0));
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::string("recv: ") + std::strerror(errno);
      }
      if (n == 0) return "";
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return "";
}

bool Connection::peer_closed() {
  if (fd_ < 0) return true;
  if (url_.scheme == "udp" || url_.scheme == "unix") return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;
  if (!ssl_) {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }
  // TLS: the server may send post-handshake records (TLS 1.3 session
  // tickets); read them without blocking, and see whether it said goodbye.
  const int flags = fcntl(fd_, F_GETFL);
  fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  char buf[512];
  bool closed = false;
  for (;;) {
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) continue;
    const int e = SSL_get_error(ssl_, n);
    closed = !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
    break;
  }
  ERR_clear_error();
  fcntl(fd_, F_SETFL, flags);
  return closed;
}

void Connection::close() {
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace picket::exporter

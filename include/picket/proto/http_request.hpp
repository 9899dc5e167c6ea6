#pragma once
// HTTP/1.x request line and the Host and User-Agent headers, from the first
// payload bytes of a client-to-server TCP stream. Bounded, allocation-free.
#include <cstddef>
#include <cstdint>

namespace picket::proto {

inline constexpr std::size_t kHttpMaxMethod = 16;
inline constexpr std::size_t kHttpMaxUri = 256;
inline constexpr std::size_t kHttpMaxHost = 256;
inline constexpr std::size_t kHttpMaxUserAgent = 256;

enum class HttpStatus : std::uint8_t {
  kOk = 0,
  kNotHttp,     // no recognised method followed by SP ... HTTP/1.x
  kTruncated,   // request line found, headers cut before the blank line (fields so far are kept)
};

struct HttpRequest {
  char method[kHttpMaxMethod] = {};
  char uri[kHttpMaxUri] = {};          // truncated to fit, NUL-terminated
  char host[kHttpMaxHost] = {};        // lower-cased, port stripped
  char user_agent[kHttpMaxUserAgent] = {};
  std::uint8_t version_minor = 0;      // HTTP/1.<minor>
  bool uri_truncated = false;
};

HttpStatus parse_http_request(const std::uint8_t* p, std::size_t len, HttpRequest& out);

}  // namespace picket::proto

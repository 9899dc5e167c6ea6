// libFuzzer target for the two TCP first-payload parsers. The first input
// byte picks the parser so one corpus explores both; the rest is the payload.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "picket/proto/http_request.hpp"
#include "picket/proto/tls_sni.hpp"

using namespace picket::proto;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool terminated(const char* buf, std::size_t cap) { return std::memchr(buf, '\0', cap) != nullptr; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::uint8_t* payload = data + 1;
  const std::size_t len = size - 1;

  if ((selector & 1) == 0) {
    static TlsClientHello hello;
    const SniStatus s = parse_tls_client_hello(payload, len, hello);
    require(hello.sni_len < kMaxSni && hello.sni[hello.sni_len] == '\0');
    require((s == SniStatus::kFound) == (hello.sni_len != 0));
  } else {
    static HttpRequest req;
    const HttpStatus s = parse_http_request(payload, len, req);
    require(terminated(req.method, kHttpMaxMethod) && terminated(req.uri, kHttpMaxUri));
    require(terminated(req.host, kHttpMaxHost) && terminated(req.user_agent, kHttpMaxUserAgent));
    require((s == HttpStatus::kNotHttp) == (req.method[0] == '\0'));
  }
  return 0;
}

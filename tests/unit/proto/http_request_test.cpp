#include "picket/proto/http_request.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

using namespace picket::proto;

namespace {

HttpStatus parse(const std::string& s, HttpRequest& out) {
  // Exact-size heap copy: ASan reports any read past the payload.
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[s.empty() ? 1 : s.size()]);
  std::memcpy(copy.get(), s.data(), s.size());
  return parse_http_request(copy.get(), s.size(), out);
}

struct HttpCase {
  const char* label;
  std::string input;
  HttpStatus want;
  const char* method;
  const char* uri;
  const char* host;
  const char* user_agent;
  int version_minor;
};

const HttpCase kCases[] = {
    {"get with host and user agent",
     "GET /index.html?q=1 HTTP/1.1\r\nHost: WWW.Example.COM\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
     HttpStatus::kOk, "GET", "/index.html?q=1", "www.example.com", "curl/8.5.0", 1},
    {"host with port", "POST /api HTTP/1.0\r\nHost: api.example.com:8080\r\nContent-Length: 2\r\n\r\n{}",
     HttpStatus::kOk, "POST", "/api", "api.example.com", "", 0},
    {"ipv6 host with port", "GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8443\r\n\r\n", HttpStatus::kOk, "GET", "/",
     "2001:db8::1", "", 1},
    {"ipv6 host without port", "HEAD / HTTP/1.1\r\nHost: [::1]\r\n\r\n", HttpStatus::kOk, "HEAD", "/", "::1", "",
     1},
    {"bare ipv6 kept whole", "GET / HTTP/1.1\r\nHost: fe80::1\r\n\r\n", HttpStatus::kOk, "GET", "/", "fe80::1", "",
     1},
    {"odd case names and padding",
     "GET / HTTP/1.1\r\nhOsT: \t spaced.example \t\r\nuSeR-aGeNt:Mozilla/5.0 (X11; Linux)\r\n\r\n",
     HttpStatus::kOk, "GET", "/", "spaced.example", "Mozilla/5.0 (X11; Linux)", 1},
    {"no host", "DELETE /item/7 HTTP/1.1\r\nAccept: x\r\n\r\n", HttpStatus::kOk, "DELETE", "/item/7", "", "", 1},
    {"bare LF line endings", "PUT /f HTTP/1.1\nHost: lf.example\nUser-Agent: ua\n\n", HttpStatus::kOk, "PUT",
     "/f", "lf.example", "ua", 1},
    {"connect authority form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
     HttpStatus::kOk, "CONNECT", "example.com:443", "example.com", "", 1},
    {"absolute form options", "OPTIONS http://x.test/ HTTP/1.1\r\nHost: x.test\r\n\r\n", HttpStatus::kOk,
     "OPTIONS", "http://x.test/", "x.test", "", 1},
    {"patch and trace", "PATCH /p HTTP/1.1\r\n\r\n", HttpStatus::kOk, "PATCH", "/p", "", "", 1},
    {"trace", "TRACE / HTTP/1.1\r\n\r\n", HttpStatus::kOk, "TRACE", "/", "", "", 1},
    {"first host wins", "GET / HTTP/1.1\r\nHost: first.example\r\nHost: second.example\r\n\r\n", HttpStatus::kOk,
     "GET", "/", "first.example", "", 1},
    {"similar names do not match",
     "GET / HTTP/1.1\r\nX-Host: no.example\r\nHostname: no2.example\r\nUser-Agent-X: no\r\n\r\n", HttpStatus::kOk,
     "GET", "/", "", "", 1},
    {"line without colon and folded line ignored",
     "GET / HTTP/1.1\r\ngarbage line\r\nHost: h.example\r\n  folded: x\r\n\r\n", HttpStatus::kOk, "GET", "/",
     "h.example", "", 1},
    {"empty host value", "GET / HTTP/1.1\r\nHost:\r\n\r\n", HttpStatus::kOk, "GET", "/", "", "", 1},
    {"headers cut before blank line", "GET /a HTTP/1.1\r\nHost: h.example\r\nUser-Ag", HttpStatus::kTruncated,
     "GET", "/a", "h.example", "", 1},
    {"host line cut", "GET /a HTTP/1.1\r\nHost: h.exa", HttpStatus::kTruncated, "GET", "/a", "", "", 1},
    {"request line cut in uri", "GET /partial", HttpStatus::kTruncated, "GET", "/partial", "", "", 0},
    {"request line cut in version", "GET / HTT", HttpStatus::kTruncated, "GET", "/", "", "", 0},
    {"request line cut before LF", "GET / HTTP/1.1\r", HttpStatus::kTruncated, "GET", "/", "", "", 1},
    {"tls bytes", std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10), HttpStatus::kNotHttp, "", "", "",
     "", 0},
    {"method with suffix", "GETX / HTTP/1.1\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"lowercase method", "get / HTTP/1.1\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"unknown method", "BREW /pot HTTP/1.1\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"http2 version", "GET / HTTP/2.0\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"other protocol", "GET / FTP/1.0\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"empty uri", "GET  HTTP/1.1\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"http 0.9", "GET /\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"control byte in uri", std::string("GET /a\0b HTTP/1.1\r\n\r\n", 21), HttpStatus::kNotHttp, "", "", "", "",
     0},
    {"junk after version", "GET / HTTP/1.1 extra\r\n\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"ssh banner", "SSH-2.0-OpenSSH_9.6\r\n", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"method only", "GET", HttpStatus::kNotHttp, "", "", "", "", 0},
    {"empty", "", HttpStatus::kNotHttp, "", "", "", "", 0},
};

}  // namespace

class HttpTable : public ::testing::TestWithParam<HttpCase> {};

TEST_P(HttpTable, Parses) {
  const HttpCase& c = GetParam();
  HttpRequest r;
  EXPECT_EQ(parse(c.input, r), c.want);
  EXPECT_STREQ(r.method, c.method);
  EXPECT_STREQ(r.uri, c.uri);
  EXPECT_STREQ(r.host, c.host);
  EXPECT_STREQ(r.user_agent, c.user_agent);
  EXPECT_EQ(r.version_minor, c.version_minor);
  EXPECT_FALSE(r.uri_truncated);
}

INSTANTIATE_TEST_SUITE_P(Requests, HttpTable, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n;
  for (const char* s = info.param.label; *s; ++s) n += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
  return n;
});

TEST(Http, LongFieldsTruncatedToBuffers) {
  const std::string uri = "/" + std::string(300, 'u');
  const std::string ua(400, 'm');
  const std::string host = std::string(300, 'H') + ":80";
  HttpRequest r;
  ASSERT_EQ(parse("GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + ua + "\r\n\r\n", r),
            HttpStatus::kOk);
  EXPECT_TRUE(r.uri_truncated);
  EXPECT_EQ(std::strlen(r.uri), kHttpMaxUri - 1);
  EXPECT_EQ(std::string(r.uri), uri.substr(0, kHttpMaxUri - 1));
  EXPECT_EQ(std::string(r.user_agent), ua.substr(0, kHttpMaxUserAgent - 1));
  EXPECT_EQ(std::string(r.host), std::string(kHttpMaxHost - 1, 'h'));
}

TEST(Http, EveryTruncationOfARequest) {
  const std::string full = "GET /x HTTP/1.1\r\nHost: a.example\r\nUser-Agent: t/1\r\n\r\n";
  const std::size_t host_line_end = full.find("\r\nUser-Agent") + 2;
  for (std::size_t cut = 0; cut <= full.size(); ++cut) {
    HttpRequest r;
    const HttpStatus s = parse(full.substr(0, cut), r);
    if (cut < 4) {
      EXPECT_EQ(s, HttpStatus::kNotHttp) << "cut " << cut;
    } else if (cut < full.size()) {
      EXPECT_EQ(s, HttpStatus::kTruncated) << "cut " << cut;
      EXPECT_STREQ(r.method, "GET");
      EXPECT_STREQ(r.host, cut >= host_line_end ? "a.example" : "") << "cut " << cut;
    } else {
      EXPECT_EQ(s, HttpStatus::kOk);
      EXPECT_STREQ(r.user_agent, "t/1");
    }
  }
}

TEST(Http, ReusedRequestIsReset) {
  HttpRequest r;
  ASSERT_EQ(parse("GET /a HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\n\r\n", r), HttpStatus::kOk);
  ASSERT_EQ(parse("POST /b HTTP/1.0\r\n\r\n", r), HttpStatus::kOk);
  EXPECT_STREQ(r.method, "POST");
  EXPECT_STREQ(r.host, "");
  EXPECT_STREQ(r.user_agent, "");
  EXPECT_EQ(r.version_minor, 0);
  EXPECT_EQ(parse_http_request(nullptr, 0, r), HttpStatus::kNotHttp);
  EXPECT_STREQ(r.method, "");
}

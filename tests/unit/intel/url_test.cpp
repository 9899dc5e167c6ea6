// URL indicators with a path: classification and normal form, the key of an
// HTTP request and the match rule, each loader's URL lines, the snapshot.
#include <gtest/gtest.h>

#include <fstream>

#include "picket/intel/lists.hpp"
#include "picket/intel/snapshot.hpp"
#include "picket/intel/url_set.hpp"

using namespace picket::intel;

namespace {

// A snapshot of these threat and trusted list files alone (no bundled lists).
std::unique_ptr<Snapshot> build_lists(const std::vector<std::string>& threat, const std::vector<std::string>& trusted,
                                      BuildReport& rep) {
  IntelConfig cfg;
  cfg.default_lists = false;
  for (const auto& path : threat) {
    ListSpec l;
    l.path = path;
    cfg.threat_lists.push_back(l);
  }
  for (const auto& path : trusted) {
    ListSpec l;
    l.path = path;
    cfg.trusted_lists.push_back(l);
  }
  return build_snapshot(cfg, rep);
}

// classify_token's verdict: "U key", "D name exact|suffix", "A cidr", or the error.
std::string classify(std::string_view token) {
  Indicator ind;
  std::string scratch;
  const std::string err = classify_token(token, ind, scratch);
  if (!err.empty()) return "! " + err;
  switch (ind.kind) {
    case IndicatorKind::kUrl: return "U " + std::string(ind.text);
    case IndicatorKind::kDomain:
      return "D " + std::string(ind.text) + (ind.match == DomainMatch::kExact ? " exact" : " suffix");
    case IndicatorKind::kAddress: return "A " + ind.cidr.to_string();
    default: return "P " + std::string(ind.text);
  }
}

// Values of the entries a request (Host header, target) matches, in order.
std::vector<std::uint32_t> request(const UrlSet& set, std::string_view host, std::string_view target) {
  char buf[kUrlMaxKey];
  std::size_t path_len = 0;
  const std::size_t n = http_request_key(host, target, buf, path_len);
  std::vector<std::uint32_t> got;
  if (n == 0) return got;
  set.for_each_request_match(std::string_view(buf, n), path_len, [&](const UrlSet::Entry& e) { got.push_back(e.value); });
  return got;
}

std::string key_of(std::string_view host, std::string_view target) {
  char buf[kUrlMaxKey];
  std::size_t path_len = 0;
  const std::size_t n = http_request_key(host, target, buf, path_len);
  return std::string(buf, n) + "|" + std::to_string(path_len);
}

using V = std::vector<std::uint32_t>;

}  // namespace

TEST(UrlIndicator, NormalForm) {
  // Scheme and host case-insensitive, path and query as written, port, userinfo,
  // fragment and a trailing dot dropped.
  EXPECT_EQ(classify("HTTP://User:pw@Evil.Example.:8080/Gate.PHP?ID=1#frag"), "U evil.example/Gate.PHP?ID=1");
  EXPECT_EQ(classify("https://evil.example/x/y.exe"), "U evil.example/x/y.exe");
  EXPECT_EQ(classify("http://evil.example/a%2Fb"), "U evil.example/a%2Fb");  // not decoded
  EXPECT_EQ(classify("http://evil.example/dir/"), "U evil.example/dir/");
  EXPECT_EQ(classify("http://evil.example?id=7"), "U evil.example/?id=7");
  // IP literals in their canonical form, IPv6 without brackets.
  EXPECT_EQ(classify("http://[2001:DB8:0:0::1]:81/x"), "U 2001:db8::1/x");
  EXPECT_EQ(classify("http://203.0.113.5/payload.bin"), "U 203.0.113.5/payload.bin");
  // Only the host: the host, exactly (as before).
  EXPECT_EQ(classify("http://evil.example/"), "D evil.example exact");
  EXPECT_EQ(classify("http://evil.example/#top"), "D evil.example exact");
  EXPECT_EQ(classify("ftp://evil.example"), "D evil.example exact");
  // Other schemes with a path: nothing picket sees.
  EXPECT_EQ(classify("ftp://evil.example/file.zip"), "! unsupported");
  // A path longer than the request target picket reads could never match.
  EXPECT_EQ(classify("http://evil.example/" + std::string(kUrlMaxTarget, 'a')), "! unsupported");
  EXPECT_EQ(classify("http://evil.example/" + std::string(kUrlMaxTarget - 1, 'a')).size(),
            std::string("U evil.example/").size() + kUrlMaxTarget - 1);
  // Broken.
  EXPECT_NE(classify("http://bad..host/x").find("bad URL host"), std::string::npos);
  EXPECT_NE(classify("http://[2001:db8::1/x").find("bad URL host"), std::string::npos);
  EXPECT_NE(classify("http://evil.example:99999/x").find("bad URL port"), std::string::npos);
  EXPECT_NE(classify("http://evil.example:8a/x").find("bad URL port"), std::string::npos);
  EXPECT_NE(classify("http:///x").find("bad URL host"), std::string::npos);
  EXPECT_NE(classify("ht tp://evil.example/x").find("bad URL scheme"), std::string::npos);
  EXPECT_NE(classify("http://evil.example/a\tb").find("control character"), std::string::npos);
}

TEST(UrlIndicator, TrailsWithoutScheme) {
  EXPECT_EQ(classify("Evil.Example/Gate.php"), "U evil.example/Gate.php");
  EXPECT_EQ(classify("evil.example:8080/gate.php"), "U evil.example/gate.php");
  EXPECT_EQ(classify("203.0.113.5/x.php"), "U 203.0.113.5/x.php");
  EXPECT_EQ(classify("evil.example/"), "D evil.example exact");
  EXPECT_NE(classify("203.0.113.0/40").find("bad CIDR"), std::string::npos);
  EXPECT_NE(classify("203.0.113.0/").find("bad CIDR"), std::string::npos);
  EXPECT_EQ(classify("203.0.113.0/24"), "A 203.0.113.0/24");
  // maltrail's path-only trails (any host) are not matched.
  EXPECT_EQ(classify("/wp-includes/gate.php"), "! unsupported");
}

TEST(UrlRequestKey, OriginAbsoluteAndOtherForms) {
  EXPECT_EQ(key_of("evil.example", "/gate.php?a=1"), "evil.example/gate.php?a=1|21");
  EXPECT_EQ(key_of("evil.example.", "/gate.php"), "evil.example/gate.php|21");
  // Absolute form: its own host wins over the Host header; port and userinfo dropped.
  EXPECT_EQ(key_of("proxy.example", "HTTP://u@Evil.Example:80/gate.php"), "evil.example/gate.php|21");
  EXPECT_EQ(key_of("proxy.example", "http://evil.example"), "evil.example/|13");
  EXPECT_EQ(key_of("proxy.example", "http://evil.example?q"), "evil.example/?q|13");
  EXPECT_EQ(key_of("proxy.example", "http://[2001:db8::1]:8080/x"), "2001:db8::1/x|13");
  // The HTTP parser hands an IPv6 Host over without brackets, in any spelling.
  EXPECT_EQ(key_of("2001:db8:0:0::1", "/x"), "2001:db8::1/x|13");
  // No resource named: asterisk form, authority form, another scheme, nothing.
  EXPECT_EQ(key_of("evil.example", "*"), "|0");
  EXPECT_EQ(key_of("evil.example", "evil.example:443"), "|0");
  EXPECT_EQ(key_of("evil.example", "ftp://evil.example/x"), "|0");
  EXPECT_EQ(key_of("evil.example", ""), "|0");
  EXPECT_EQ(key_of("", "/x"), "|0");
  // Too long for the key buffer.
  EXPECT_EQ(key_of(std::string(255, 'h'), std::string("/").append(300, 'p')), "|0");
}

TEST(UrlSet, MatchRule) {
  UrlSet::Builder b;
  std::string k;
  const auto add = [&](const char* url, std::uint32_t v) {
    ASSERT_EQ(normalise_url(url, k), "") << url;
    b.add(k, v);
  };
  add("http://evil.example/gate.php", 1);
  add("http://evil.example/q.php?id=7", 2);
  add("http://[2001:db8::1]/x", 3);
  add("http://evil.example/Case", 4);
  add("http://evil.example/gate.php", 5);  // the same URL in another list
  const UrlSet set = b.build();
  EXPECT_EQ(set.size(), 5u);
  EXPECT_EQ(request(set, "evil.example", "/gate.php"), (V{1, 5}));
  // An indicator without a query matches the path whatever the query.
  EXPECT_EQ(request(set, "evil.example", "/gate.php?a=b"), (V{1, 5}));
  EXPECT_EQ(request(set, "evil.example", "/gate.php?"), (V{1, 5}));
  // One with a query only that query.
  EXPECT_EQ(request(set, "evil.example", "/q.php?id=7"), (V{2}));
  EXPECT_EQ(request(set, "evil.example", "/q.php?id=8"), V{});
  EXPECT_EQ(request(set, "evil.example", "/q.php"), V{});
  // Absolute form (proxies).
  EXPECT_EQ(request(set, "proxy.example", "http://EVIL.EXAMPLE:80/gate.php"), (V{1, 5}));
  // Host case folds, path case does not; percent-encoding compared as sent.
  EXPECT_EQ(request(set, "EVIL.example", "/Case"), (V{4}));
  EXPECT_EQ(request(set, "evil.example", "/case"), V{});
  EXPECT_EQ(request(set, "evil.example", "/gate%2Ephp"), V{});
  // Another path on the same host, the host alone, a prefix or extension of the path: nothing.
  EXPECT_EQ(request(set, "evil.example", "/other.php"), V{});
  EXPECT_EQ(request(set, "evil.example", "/"), V{});
  EXPECT_EQ(request(set, "evil.example", "/gate"), V{});
  EXPECT_EQ(request(set, "evil.example", "/gate.php/x"), V{});
  EXPECT_EQ(request(set, "www.evil.example", "/gate.php"), V{});
  EXPECT_EQ(request(set, "2001:db8::1", "/x"), (V{3}));
  EXPECT_EQ(request(UrlSet(), "evil.example", "/gate.php"), V{});
}

TEST(UrlLoaders, EachFormatGivesUrlEntries) {
  std::vector<std::string> got;
  const IndicatorSink sink = [&](const Indicator& i) {
    got.push_back((i.kind == IndicatorKind::kUrl ? "U " : "X ") + std::string(i.text) + " @" + std::to_string(i.line));
  };
  ListReport t;
  parse_text_list("#! category: c2\nhttp://evil.example/gate.php\nhttp://[::1/x\n", "t.txt", false, sink, t);
  EXPECT_EQ(got, (std::vector<std::string>{"U evil.example/gate.php @2"}));
  EXPECT_EQ(t.urls, 1u);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].rfind("t.txt:3: bad URL host", 0), 0u) << t.errors[0];

  got.clear();
  ListReport m;
  parse_text_list("# Maltrail\n# Aliases: gatebot\nevil.example/gate.php\nftp://evil.example/x\n/ringin/merge/\n"
                  "/gate.php\n",
                  "trail.txt", true, sink, m);
  EXPECT_EQ(got, (std::vector<std::string>{"U evil.example/gate.php @3"}));
  EXPECT_EQ(m.urls, 1u);
  EXPECT_EQ(m.patterns, 0u);     // "/ringin/merge/" is a path-only trail, not a regex
  EXPECT_EQ(m.unsupported, 3u);  // ftp://, and the two path-only trails
  EXPECT_TRUE(m.errors.empty()) << m.errors[0];

  got.clear();
  ListReport c;
  parse_csv_list("Indicator type,Indicator,Description\nURL,http://evil.example/a.exe,x\nURI,evil.example/b.exe,y\n"
                 "domain,evil.example/c.exe,z\nURL,http://evil..example/d,w\n",
                 "otx.csv", sink, c);
  EXPECT_EQ(got, (std::vector<std::string>{"U evil.example/a.exe @2", "U evil.example/b.exe @3"}));
  EXPECT_EQ(c.urls, 2u);
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_EQ(c.errors[0].rfind("otx.csv:4: 'evil.example/c.exe' is not a domain", 0), 0u) << c.errors[0];
  EXPECT_EQ(c.errors[1].rfind("otx.csv:5: bad URL host", 0), 0u) << c.errors[1];

  got.clear();
  ListReport s;
  parse_stix_bundle(R"({"type": "bundle", "objects": [
  {"type": "indicator", "id": "indicator--u", "pattern": "[url:value = 'http://evil.example/x/y.exe' OR url:value = 'evil.example/z']"},
  {"type": "indicator", "id": "indicator--v", "pattern": "[url:value = 'gopher://evil.example/q']"}
]})",
                    "feed.json", sink, s);
  EXPECT_EQ(got, (std::vector<std::string>{"U evil.example/x/y.exe @2", "U evil.example/z @2"}));
  EXPECT_EQ(s.urls, 2u);
  EXPECT_EQ(s.unsupported, 1u);
  EXPECT_TRUE(s.errors.empty()) << s.errors[0];
}

TEST(UrlSnapshot, CountsAndTrustedListsRejectUrls) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/url_threat.txt") << "#! category: c2\nevil.example\nhttp://files.example/gate.php\n"
                                            "files.example/b.php\nftp://files.example/c\n";
  std::ofstream(dir + "/url_trusted.txt") << "ok.example\nhttp://ok.example/x\n";
  BuildReport rep;
  const auto snap = build_lists({dir + "/url_threat.txt"}, {dir + "/url_trusted.txt"}, rep);
  ASSERT_EQ(snap->lists.size(), 2u);
  EXPECT_EQ(snap->lists[0].urls, 2u);
  EXPECT_EQ(snap->lists[0].domains, 1u);
  EXPECT_EQ(snap->lists[0].unsupported, 1u);
  EXPECT_EQ(snap->lists[0].entries_loaded(), 3u);
  EXPECT_EQ(snap->lists[1].urls, 0u);
  EXPECT_EQ(snap->lists[1].domains, 1u);
  EXPECT_EQ(rep.entries, 4u);
  ASSERT_EQ(rep.errors.size(), 1u);
  EXPECT_NE(rep.errors[0].find("url_trusted.txt:2: URLs are not supported in trusted lists"), std::string::npos)
      << rep.errors[0];
  EXPECT_EQ(snap->urls.size(), 2u);
  const auto e = snap->urls.find("files.example/b.php");
  ASSERT_NE(e, kNoUrl);
  EXPECT_EQ(snap->entries[snap->urls.entry(e).value].line, 4u);
}

// A wildcard in a trusted list is refused and counted off the patterns, not
// the domains, so the list's counts still add up to what it loaded.
TEST(TrustedSnapshot, RefusedPatternLeavesDomainCountAlone) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/pattern_trusted.txt") << "ok.example\nfine.example\nfoo*.example\n";
  BuildReport rep;
  const auto snap = build_lists({}, {dir + "/pattern_trusted.txt"}, rep);
  ASSERT_EQ(snap->lists.size(), 1u);
  EXPECT_EQ(snap->lists[0].domains, 2u);
  EXPECT_EQ(snap->lists[0].patterns, 0u);
  EXPECT_EQ(snap->lists[0].entries_loaded(), 2u);
  EXPECT_EQ(rep.entries, 2u);
  ASSERT_EQ(rep.errors.size(), 1u);
  EXPECT_NE(rep.errors[0].find("pattern_trusted.txt:3: wildcards and regexes are not supported in trusted lists"),
            std::string::npos)
      << rep.errors[0];
}

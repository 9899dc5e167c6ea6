// List formats, metadata, broken files, snapshot building and the store.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "picket/intel/config.hpp"
#include "picket/intel/lists.hpp"
#include "picket/intel/pattern_scanner.hpp"
#include "picket/intel/snapshot.hpp"
#include "picket/intel/store.hpp"

using namespace picket::intel;

namespace {

struct Collected {
  std::vector<std::string> items;  // "A 1.2.3.4/32", "D evil.com suffix", "P regex", "U host/path"
  std::vector<std::string> desc;
  IndicatorSink sink() {
    return [this](const Indicator& i) {
      if (i.kind == IndicatorKind::kAddress) items.push_back("A " + i.cidr.to_string());
      else if (i.kind == IndicatorKind::kDomain)
        items.push_back(std::string("D ") + std::string(i.text) +
                        (i.match == DomainMatch::kExact ? " exact" : i.match == DomainMatch::kSuffix ? " suffix" : " sub"));
      else if (i.kind == IndicatorKind::kUrl) items.push_back("U " + std::string(i.text));
      else items.push_back("P " + std::string(i.text));
      desc.emplace_back(i.description);
    };
  }
};

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST(TextList, EntriesMetadataAndBrokenLines) {
  Collected c;
  ListReport r;
  parse_text_list("#! name: My C2\n#! category: c2\n#! source: unit test\n# comment\n\n"
                  "203.0.113.5\n198.51.100.0/24  # inline comment\nEvil.Example.\n*.wild.example\n=host.example\n"
                  "bad..name\n203.0.113.9:8080\n0.0.0.0 blocked.example\nfoo*.example\n/^x[0-9]+\\.example$/\n"
                  "example.com/path/x.php\n10.0.0.1/33\n#! colour: red\n",
                  "l.txt", false, c.sink(), r);
  EXPECT_EQ(r.name, "My C2");
  EXPECT_EQ(r.category, Category::kC2);
  EXPECT_EQ(r.source, "unit test");
  EXPECT_EQ(c.items, (std::vector<std::string>{"A 203.0.113.5/32", "A 198.51.100.0/24", "D evil.example suffix",
                                               "D wild.example sub", "D host.example exact", "A 203.0.113.9/32",
                                               "D blocked.example suffix", "P ^foo.*\\.example\\.?$",
                                               "P ^x[0-9]+\\.example$", "U example.com/path/x.php"}));
  EXPECT_EQ(r.addresses, 3u);
  EXPECT_EQ(r.domains, 4u);
  EXPECT_EQ(r.patterns, 2u);
  EXPECT_EQ(r.urls, 1u);  // the URL trail with a path
  EXPECT_EQ(r.unsupported, 0u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].rfind("l.txt:11: ", 0), 0u) << r.errors[0];
  EXPECT_EQ(r.errors[1].rfind("l.txt:17: ", 0), 0u) << r.errors[1];
  EXPECT_EQ(r.errors[2].rfind("l.txt:18: unknown metadata key 'colour'", 0), 0u) << r.errors[2];
}

TEST(TextList, MaltrailAliasesNameTheThreat) {
  Collected c;
  ListReport r;
  const std::string text =
      "# Copyright (c) 2014-2026 Maltrail developers\n\n# Aliases: emotet, heodo\n\n# Reference: x\n\n"
      "66.210.228.178:443\ndvr.petcp.example\n";
  EXPECT_EQ(detect_format("emotet.txt", text), ListFormat::kMaltrail);
  parse_text_list(text, "emotet.txt", true, c.sink(), r);
  EXPECT_EQ(c.items, (std::vector<std::string>{"A 66.210.228.178/32", "D dvr.petcp.example suffix"}));
  EXPECT_EQ(c.desc, (std::vector<std::string>{"emotet, heodo", "emotet, heodo"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST(CsvList, OtxExportWithHeader) {
  Collected c;
  ListReport r;
  parse_csv_list("Indicator type,Indicator,Description\r\nIPv4,203.0.113.7,\"C2, seen 2024\"\r\n"
                 "domain,evil.example,\r\nhostname,www.host.example,phish\r\nFileHash-MD5,d41d8cd98f00b204e9800998ecf8427e,\r\n"
                 "URL,http://url.example/,\r\nURL,http://url.example/a/b,\r\nIPv4,not-an-ip,\r\nCIDR,198.51.100.0/24,\r\n"
                 "IPv4,\"unterminated,\r\nWeird,thing,\r\n",
                 "otx.csv", c.sink(), r);
  EXPECT_EQ(c.items, (std::vector<std::string>{"A 203.0.113.7/32", "D evil.example suffix", "D www.host.example exact",
                                               "D url.example exact", "U url.example/a/b", "A 198.51.100.0/24"}));
  EXPECT_EQ(c.desc[0], "C2, seen 2024");
  EXPECT_EQ(r.urls, 1u);         // the URL with a path
  EXPECT_EQ(r.unsupported, 1u);  // the hash
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_NE(r.errors[0].find("otx.csv:8: "), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[1].find("otx.csv:10: unterminated"), std::string::npos) << r.errors[1];
  EXPECT_NE(r.errors[2].find("otx.csv:11: unknown indicator type 'weird'"), std::string::npos) << r.errors[2];
}

TEST(CsvList, NoHeaderIndicatorFirst) {
  Collected c;
  ListReport r;
  parse_csv_list("203.0.113.1,known bad\nevil.example,phishing kit\n", "x.csv", c.sink(), r);
  EXPECT_EQ(c.items, (std::vector<std::string>{"A 203.0.113.1/32", "D evil.example suffix"}));
  EXPECT_EQ(c.desc[1], "phishing kit");
  EXPECT_TRUE(r.errors.empty());
}

TEST(StixBundle, IndicatorPatterns) {
  Collected c;
  ListReport r;
  const std::string text = R"({"type": "bundle", "id": "bundle--1", "objects": [
  {"type": "indicator", "id": "indicator--a", "name": "Emotet C2", "pattern_type": "stix",
   "pattern": "[ipv4-addr:value = '203.0.113.7'] OR [ipv6-addr:value = '2001:db8::7']"},
  {"type": "indicator", "id": "indicator--b", "pattern_type": "stix",
   "pattern": "[domain-name:value = 'evil.example' OR url:value = 'http://u.example/']"},
  {"type": "indicator", "id": "indicator--c", "pattern_type": "stix",
   "pattern": "[domain-name:value MATCHES '^dga[0-9]+\\\\.example$']"},
  {"type": "indicator", "id": "indicator--d", "pattern_type": "stix",
   "pattern": "[ipv4-addr:value = '203.0.113.8' AND network-traffic:dst_port = 443]"},
  {"type": "indicator", "id": "indicator--e", "pattern_type": "stix", "pattern": "[file:hashes.MD5 = 'abc']"},
  {"type": "indicator", "id": "indicator--f", "pattern_type": "snort", "pattern": "alert tcp any any"},
  {"type": "indicator", "id": "indicator--g", "revoked": true, "pattern": "[ipv4-addr:value = '203.0.113.9']"},
  {"type": "malware", "id": "malware--x", "name": "Emotet"},
  {"type": "indicator", "id": "indicator--h", "pattern": "[ipv4-addr:value = 'nope']"}
]})";
  EXPECT_EQ(detect_format("feed.json", text), ListFormat::kStix);
  parse_stix_bundle(text, "feed.json", c.sink(), r);
  EXPECT_EQ(c.items, (std::vector<std::string>{"A 203.0.113.7/32", "A 2001:db8::7/128", "D evil.example suffix",
                                               "D u.example exact", "P ^dga[0-9]+\\.example$"}));
  EXPECT_EQ(c.desc[0], "Emotet C2");
  ASSERT_EQ(r.errors.size(), 3u);  // AND, file hashes (property), and 'nope'
  EXPECT_NE(r.errors[0].find("feed.json:8: indicator indicator--d: 'AND' is not supported"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[2].find("feed.json:14: indicator indicator--h"), std::string::npos) << r.errors[2];
  EXPECT_EQ(r.unsupported, 1u);  // the snort pattern
}

TEST(StixBundle, BrokenJsonIsOneError) {
  Collected c;
  ListReport r;
  parse_stix_bundle("{\"type\": \"bundle\", \"objects\": [", "bad.json", c.sink(), r);
  EXPECT_TRUE(c.items.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("bad.json: not valid JSON", 0), 0u);
}

TEST(ThreatListArg, CategoryNameAndPath) {
  ListSpec s;
  EXPECT_EQ(parse_threat_list_arg("c2:my list=/tmp/a=b.txt", s), "");
  EXPECT_EQ(s.category, Category::kC2);
  EXPECT_EQ(s.name, "my list");
  EXPECT_EQ(s.path, "/tmp/a=b.txt");
  EXPECT_EQ(parse_threat_list_arg("/tmp/plain.txt", s), "");
  EXPECT_FALSE(s.category.has_value());
  EXPECT_EQ(s.path, "/tmp/plain.txt");
  EXPECT_NE(parse_threat_list_arg("evil:x=/tmp/a", s).find("unknown category 'evil'"), std::string::npos);
}

TEST(Snapshot, BuildsFromFilesWithCategoriesAndTrust) {
  const auto c2 = write_file("snap_c2.txt", "#! category: c2\n#! name: c2-file\n203.0.113.0/24\nevil.example\nbad..line here\n");
  const auto custom = write_file("snap_custom.txt", "203.0.113.7\n");
  const auto trusted = write_file("snap_trusted.txt", "192.0.2.1\ngood.example\n");
  IntelConfig cfg;
  cfg.default_lists = false;
  ListSpec s1;
  s1.path = c2;
  ListSpec s2;
  ASSERT_EQ(parse_threat_list_arg("mining:pools=" + custom, s2), "");
  cfg.threat_lists = {s1, s2};
  ListSpec t;
  t.path = trusted;
  cfg.trusted_lists = {t};
  BuildReport rep;
  auto snap = build_snapshot(cfg, rep);
  ASSERT_EQ(snap->lists.size(), 3u);
  EXPECT_EQ(snap->lists[0].name, "c2-file");
  EXPECT_EQ(snap->lists[0].category, Category::kC2);
  EXPECT_EQ(snap->lists[1].name, "pools");
  EXPECT_EQ(snap->lists[1].category, Category::kMining);
  EXPECT_EQ(snap->lists[2].category, Category::kTrusted);
  EXPECT_EQ(rep.entries, 5u);
  ASSERT_EQ(rep.errors.size(), 1u);
  EXPECT_NE(rep.errors[0].find(":5: "), std::string::npos) << rep.errors[0];
  // 203.0.113.7 is in both lists: the /32 of pools first, then the /24 of c2-file.
  std::vector<std::string> lists;
  snap->ips.for_each_match(*picket::core::IpAddr::parse("203.0.113.7"),
                           [&](const IpSet::Prefix& p) { lists.push_back(snap->list_of(p.value).name); });
  EXPECT_EQ(lists, (std::vector<std::string>{"pools", "c2-file"}));
  EXPECT_TRUE(snap->has(Category::kC2));
  EXPECT_FALSE(snap->has(Category::kTor));
  EXPECT_TRUE(snap->trusted(*picket::core::IpAddr::parse("192.0.2.1")));
  EXPECT_TRUE(snap->trusted("www.good.example"));
  EXPECT_FALSE(snap->trusted("notgood.example"));
  EXPECT_EQ(snap->domains.lookup("a.evil.example") != nullptr, true);
}

TEST(Snapshot, UnreadableFileIsReportedOthersLoad) {
  IntelConfig cfg;
  cfg.default_lists = false;
  ListSpec a;
  a.path = "/nonexistent/list.txt";
  ListSpec b;
  b.path = write_file("snap_ok.txt", "evil.example\n");
  cfg.threat_lists = {a, b};
  BuildReport rep;
  auto snap = build_snapshot(cfg, rep);
  EXPECT_EQ(rep.entries, 1u);
  ASSERT_FALSE(rep.errors.empty());
  EXPECT_NE(rep.errors[0].find("/nonexistent/list.txt: cannot read"), std::string::npos);
}

TEST(Snapshot, DomainPatternsMatchThroughHyperscan) {
  const auto f = write_file("snap_pat.txt", "#! category: dga\nfoo*.example\n/^x[0-9]+\\.example$/\n/([/\n");
  IntelConfig cfg;
  cfg.default_lists = false;
  ListSpec s;
  s.path = f;
  cfg.threat_lists = {s};
  BuildReport rep;
  auto snap = build_snapshot(cfg, rep);
  ASSERT_TRUE(snap->patterns);
  ASSERT_EQ(rep.errors.size(), 1u);  // the pattern Hyperscan rejects, with its line
  EXPECT_NE(rep.errors[0].find("snap_pat.txt:4: pattern"), std::string::npos) << rep.errors[0];
  PatternScanner scanner;
  auto count = [&](const char* name) { return scanner.scan(*snap, name, [](std::uint32_t) {}); };
  EXPECT_EQ(count("foobar.example"), 1u);
  EXPECT_EQ(count("FOO.EXAMPLE"), 1u);
  EXPECT_EQ(count("x123.example"), 1u);
  EXPECT_EQ(count("x123.example.com"), 0u);
  EXPECT_EQ(count("bar.example"), 0u);
}

TEST(IntelConfig, TomlTableAndErrors) {
  const auto list = write_file("cfg_list.txt", "evil.example\n");
  (void)list;
  const auto good = write_file("cfg_good.toml",
                               "[intel]\ndefault_lists = false\nthreat_lists = [\"c2:x=cfg_list.txt\", "
                               "{ path = \"cfg_list.txt\", category = \"phishing\", name = \"p\" }]\n"
                               "trusted_lists = [\"cfg_list.txt\"]\n[[output]]\npath = \"-\"\n");
  IntelConfig cfg;
  ASSERT_EQ(load_intel_config(good, cfg), "");
  EXPECT_FALSE(cfg.default_lists);
  ASSERT_EQ(cfg.threat_lists.size(), 2u);
  EXPECT_EQ(cfg.threat_lists[0].path, (std::filesystem::path(::testing::TempDir()) / "cfg_list.txt").string());
  EXPECT_EQ(cfg.threat_lists[1].category, Category::kPhishing);
  ASSERT_EQ(cfg.trusted_lists.size(), 1u);
  const auto bad = write_file("cfg_bad.toml", "[intel]\n\ndefault_lists = \"yes\"\n");
  IntelConfig c2;
  const std::string err = load_intel_config(bad, c2);
  EXPECT_NE(err.find("cfg_bad.toml:3: key 'intel.default_lists'"), std::string::npos) << err;
  const auto bad2 = write_file("cfg_bad2.toml", "[intel]\nthreat_lists = [{ path = \"x\", category = \"evil\" }]\n");
  const std::string err2 = load_intel_config(bad2, c2);
  EXPECT_NE(err2.find("cfg_bad2.toml:2: key 'intel.threat_lists.category': unknown category 'evil'"), std::string::npos) << err2;
  const auto bad3 = write_file("cfg_bad3.toml", "[intel]\nlists = 1\n");
  EXPECT_NE(load_intel_config(bad3, c2).find("cfg_bad3.toml:2: key 'intel.lists': unknown"), std::string::npos);
}

TEST(IntelStore, ReadersSeeOneSnapshotPerSectionAcrossPublishes) {
  auto make = [](std::uint32_t tag) {
    auto s = std::make_unique<Snapshot>();
    s->descriptions = std::to_string(tag);
    return s;
  };
  IntelStore store(make(0));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sections{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      auto reader = store.reader();
      while (!stop.load()) {
        ReadSection r(&reader);
        const std::string a = r->descriptions;
        const std::string b = r->descriptions;  // the same object for the whole section
        if (a != b) ADD_FAILURE();
        sections.fetch_add(1);
      }
    });
  }
  while (sections.load() < 100) std::this_thread::yield();  // readers are in their loops
  for (std::uint32_t i = 1; i <= 50; ++i) store.publish(make(i));
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(store.publishes(), 50u);
  auto reader = store.reader();
  ReadSection r(&reader);
  EXPECT_EQ(r->descriptions, "50");
  EXPECT_GT(sections.load(), 0u);
}

TEST(ListFormat, MaltrailOnlyByItsOpeningComment) {
  // picket's own headers win, even when a comment cites maltrail as a source.
  EXPECT_EQ(detect_format("tunnels.txt", "#! name: t\n#! category: droppoint\n# source: maltrail trails\nx.example\n"),
            ListFormat::kText);
  // A mention after the first entry is not a header.
  EXPECT_EQ(detect_format("l.txt", "# my list\nevil.example\n# copied from maltrail\n"), ListFormat::kText);
  EXPECT_EQ(detect_format("l.txt", "\n# Copyright (c) 2014-2026 Maltrail developers\n\nevil.example\n"),
            ListFormat::kMaltrail);
}

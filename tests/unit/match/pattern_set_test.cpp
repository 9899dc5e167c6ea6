#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "picket/match/pattern_set.hpp"

namespace fs = std::filesystem;
using namespace picket::match;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/picket-match-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << s;
}

std::vector<Pattern> two_patterns() {
  std::vector<Pattern> v;
  std::vector<std::string> errors;
  EXPECT_TRUE(parse_rules("alpha proto=x /mining\\.subscribe/\nbeta /\"agent\"\\s*:/i\n", "mem", v, errors));
  EXPECT_TRUE(errors.empty());
  return v;
}

std::vector<unsigned> scan_ids(const Database& db, Scratch& s, const std::string& text) {
  std::vector<unsigned> ids;
  s.scan(db, text.data(), text.size(), [&](unsigned id) { ids.push_back(id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST(RulesFile, ParsesNameMetaRegexAndFlags) {
  std::vector<Pattern> v;
  std::vector<std::string> errors;
  const std::string text =
      "# a comment\n"
      "\n"
      "   # indented comment\n"
      "stratum_v1 proto=stratum version=1 /\"method\"\\s*:\\s*\"mining\\.subscribe\"/is\n"
      "path_rule /a\\/b c/\n";
  ASSERT_TRUE(parse_rules(text, "t.rules", v, errors));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "stratum_v1");
  EXPECT_EQ(v[0].meta.at("proto"), "stratum");
  EXPECT_EQ(v[0].meta.at("version"), "1");
  EXPECT_EQ(v[0].regex, "\"method\"\\s*:\\s*\"mining\\.subscribe\"");
  EXPECT_EQ(v[0].flags, unsigned{HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH});
  // The regex runs to the last '/', so it may hold '/' and spaces.
  EXPECT_EQ(v[1].regex, "a\\/b c");
  EXPECT_EQ(v[1].flags, unsigned{HS_FLAG_SINGLEMATCH});
  EXPECT_TRUE(v[1].meta.empty());
}

TEST(RulesFile, BadLinesReportFileAndLineAndTheRestLoads) {
  TempDir dir;
  const fs::path p = dir.path / "bad.rules";
  write_file(p,
             "good1 /abc/\n"
             "bad_regex /a(b/\n"           // line 2: unbalanced parenthesis
             "no_regex key=value\n"        // line 3
             "bad_flag /abc/x\n"           // line 4
             "good1 /def/\n"               // line 5: duplicate name
             "notkv garbage /abc/\n"       // line 6
             "/abc/\n"                     // line 7: no name
             "good2 /d[e]f/m\n");
  std::vector<Pattern> v;
  std::vector<std::string> errors;
  EXPECT_FALSE(load_rules_file(p.string(), v, errors));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "good1");
  EXPECT_EQ(v[1].name, "good2");
  ASSERT_EQ(errors.size(), 6u);
  const std::string f = p.string();
  EXPECT_EQ(errors[0].rfind(f + ":2: bad regex", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind(f + ":3: missing /regex/", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2].rfind(f + ":4: unknown regex flag 'x'", 0), 0u) << errors[2];
  EXPECT_EQ(errors[3].rfind(f + ":5: duplicate rule name 'good1'", 0), 0u) << errors[3];
  EXPECT_EQ(errors[4].rfind(f + ":6: expected key=value", 0), 0u) << errors[4];
  EXPECT_EQ(errors[5].rfind(f + ":7: missing rule name", 0), 0u) << errors[5];
}

TEST(RulesFile, MissingFileIsAnError) {
  std::vector<Pattern> v;
  std::vector<std::string> errors;
  EXPECT_FALSE(load_rules_file("/nonexistent/picket.rules", v, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("/nonexistent/picket.rules"), std::string::npos);
}

TEST(Database, MatchesEachPatternOnceAndReportsIds) {
  std::string error;
  auto db = Database::compile(two_patterns(), "", error);
  ASSERT_TRUE(db) << error;
  EXPECT_EQ(db->size(), 2u);
  EXPECT_EQ(db->pattern(1).name, "beta");
  EXPECT_FALSE(db->loaded_from_cache());
  Scratch s(*db);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(scan_ids(*db, s, "{\"id\":1,\"method\":\"mining.subscribe\",\"AGENT\": \"x\"} mining.subscribe"),
            (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(scan_ids(*db, s, "mining.subscribe mining.subscribe"), (std::vector<unsigned>{0}));
  EXPECT_TRUE(scan_ids(*db, s, "GET / HTTP/1.1\r\n").empty());
  EXPECT_TRUE(scan_ids(*db, s, "").empty());
  EXPECT_EQ(s.errors(), 0u);
}

TEST(Database, CompileErrorNamesThePattern) {
  std::vector<Pattern> v = two_patterns();
  v.push_back({"broken", "a(b", 0, {}});
  std::string error;
  EXPECT_FALSE(Database::compile(v, "", error));
  EXPECT_NE(error.find("'broken'"), std::string::npos) << error;
}

TEST(Database, EmptySetMatchesNothing) {
  std::string error;
  auto db = Database::compile({}, "", error);
  ASSERT_TRUE(db);
  Scratch s(*db);
  EXPECT_TRUE(scan_ids(*db, s, "anything").empty());
}

TEST(Database, CacheIsWrittenThenReused) {
  TempDir dir;
  std::string error;
  auto first = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(first) << error;
  EXPECT_FALSE(first->loaded_from_cache());
  EXPECT_EQ(first->cache_note(), "");
  const fs::path file = dir.path / first->cache_key();
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(first->cache_key().size(), 32u + 5u);  // 128-bit hex + ".hsdb"

  auto second = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(second) << error;
  EXPECT_TRUE(second->loaded_from_cache());
  Scratch s(*second);
  EXPECT_EQ(scan_ids(*second, s, "mining.subscribe"), (std::vector<unsigned>{0}));

  // Another pattern set has another key.
  auto v = two_patterns();
  v[1].regex = "gamma";
  auto third = Database::compile(v, dir.path.string(), error);
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->loaded_from_cache());
  EXPECT_NE(third->cache_key(), first->cache_key());
}

TEST(Database, CorruptCacheIsIgnoredAndRewritten) {
  TempDir dir;
  std::string error;
  auto first = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(first);
  const fs::path file = dir.path / first->cache_key();
  const auto good_size = fs::file_size(file);

  // One flipped byte in the middle of the bytecode.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(good_size / 2));
    char c;
    f.seekg(static_cast<std::streamoff>(good_size / 2));
    f.get(c);
    f.seekp(static_cast<std::streamoff>(good_size / 2));
    f.put(static_cast<char>(c ^ 0x5a));
  }
  auto flipped = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(flipped) << error;
  EXPECT_FALSE(flipped->loaded_from_cache());
  EXPECT_NE(flipped->cache_note().find("corrupt"), std::string::npos) << flipped->cache_note();
  Scratch s1(*flipped);
  EXPECT_EQ(scan_ids(*flipped, s1, "mining.subscribe"), (std::vector<unsigned>{0}));
  // It was rewritten whole: the next compile reads it back.
  EXPECT_EQ(fs::file_size(file), good_size);
  auto reread = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(reread);
  EXPECT_TRUE(reread->loaded_from_cache());

  // Truncated, and plain garbage.
  fs::resize_file(file, good_size / 3);
  auto truncated = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(truncated);
  EXPECT_FALSE(truncated->loaded_from_cache());
  write_file(file, "this is not a database");
  auto garbage = Database::compile(two_patterns(), dir.path.string(), error);
  ASSERT_TRUE(garbage);
  EXPECT_FALSE(garbage->loaded_from_cache());
  EXPECT_NE(garbage->cache_note().find("not a picket"), std::string::npos) << garbage->cache_note();
  Scratch s2(*garbage);
  EXPECT_EQ(scan_ids(*garbage, s2, "xx \"agent\": yy"), (std::vector<unsigned>{1}));
}

TEST(Database, UnwritableCacheDirStillCompiles) {
  std::string error;
  auto db = Database::compile(two_patterns(), "/proc/picket-no-such-dir", error);
  ASSERT_TRUE(db) << error;
  EXPECT_FALSE(db->loaded_from_cache());
  EXPECT_NE(db->cache_note(), "");
  Scratch s(*db);
  EXPECT_EQ(scan_ids(*db, s, "mining.subscribe"), (std::vector<unsigned>{0}));
}

TEST(Scratch, OneScratchPerThreadOnTwoThreads) {
  std::string error;
  auto db = Database::compile(two_patterns(), "", error);
  ASSERT_TRUE(db);
  const std::string hit0 = "....mining.subscribe....";
  const std::string hit1 = "{\"Agent\" : \"XMRig/6.0\"}";
  const std::string none = "SSH-2.0-OpenSSH_9.6\r\n";
  std::atomic<bool> mismatch{false};
  std::vector<unsigned> counts(2, 0);
  auto work = [&](unsigned t) {
    Scratch s(*db);  // each thread owns its scratch
    for (int i = 0; i < 20000; ++i) {
      const std::string& in = (i % 3 == 0) ? hit0 : (i % 3 == 1) ? hit1 : none;
      unsigned got = 0, id = 99;
      s.scan(*db, in.data(), in.size(), [&](unsigned x) {
        ++got;
        id = x;
      });
      const unsigned want_n = (i % 3 == 2) ? 0 : 1;
      if (got != want_n || (want_n && id != static_cast<unsigned>(i % 3))) mismatch = true;
      counts[t] += got;
    }
    if (s.errors()) mismatch = true;
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_FALSE(mismatch.load());
  EXPECT_EQ(counts[0], 13334u);
  EXPECT_EQ(counts[1], 13334u);
}

TEST(Scratch, WrongDatabaseIsCountedNotCrashed) {
  std::string error;
  auto a = Database::compile(two_patterns(), "", error);
  std::vector<Pattern> big;
  for (int i = 0; i < 50; ++i) {
    char name[16], regex[64];
    std::snprintf(name, sizeof name, "p%d", i);
    std::snprintf(regex, sizeof regex, "x{%d}y[a-z]{20,40}z", i + 1);
    big.push_back({name, regex, 0, {}});
  }
  auto b = Database::compile(big, "", error);
  ASSERT_TRUE(a && b);
  Scratch s(*a);
  const std::string text(200, 'x');
  s.scan(*b, text.data(), text.size(), [](unsigned) {});
  // Hyperscan rejects a scratch too small for the database: counted.
  EXPECT_EQ(s.errors(), 1u);
}

// JsonWriter: escaping, UTF-8 handling, numbers, structure.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "json_check.hpp"
#include "picket/export/json_writer.hpp"

using picket::exporter::JsonWriter;

namespace {

std::string esc(std::string_view s) {
  std::string out;
  JsonWriter::escape(out, s);
  return out;
}

struct EscCase {
  const char* name;
  std::string in;
  std::string out;  // with the surrounding quotes
};

void PrintTo(const EscCase& c, std::ostream* os) { *os << c.name; }

class Escape : public ::testing::TestWithParam<EscCase> {};

TEST_P(Escape, Exact) {
  const std::string got = esc(GetParam().in);
  EXPECT_EQ(got, GetParam().out);
  EXPECT_EQ(jsoncheck::check(got), "");
}

using namespace std::string_literals;

INSTANTIATE_TEST_SUITE_P(
    Export, Escape,
    ::testing::Values(
        EscCase{"empty", "", R"("")"},
        EscCase{"plain", "example.com", R"("example.com")"},
        EscCase{"quote", R"(say "hi")", R"("say \"hi\"")"},
        EscCase{"backslash", R"(C:\dir\x)", R"("C:\\dir\\x")"},
        EscCase{"slash_kept", "a/b", R"("a/b")"},
        EscCase{"newline_cr_tab", "a\nb\rc\td", R"("a\nb\rc\td")"},
        EscCase{"nul", "a\0b"s, R"("a\u0000b")"},
        EscCase{"other_controls", "\x01\x08\x0c\x1f", R"("\u0001\u0008\u000c\u001f")"},
        EscCase{"del", "\x7f", R"("\u007f")"},
        EscCase{"utf8_2byte", "caf\xc3\xa9", "\"caf\xc3\xa9\""},
        EscCase{"utf8_3byte", "\xe2\x82\xac" "5", "\"\xe2\x82\xac" "5\""},
        EscCase{"utf8_4byte", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
        EscCase{"utf8_max_code_point", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""},
        EscCase{"lone_ff", "a\xff" "b", R"("a\u00ffb")"},
        EscCase{"lone_continuation", "\x80", R"("\u0080")"},
        EscCase{"lead_without_continuation", "\xc3(", R"("\u00c3(")"},
        EscCase{"cut_3byte_at_end", "x\xe2\x82", R"("x\u00e2\u0082")"},
        EscCase{"overlong_2byte_c0", "\xc0\xaf", R"("\u00c0\u00af")"},
        EscCase{"c1_lead", "\xc1\xbf", R"("\u00c1\u00bf")"},
        EscCase{"binary_dns_label", "\x03\xfe\xed", R"("\u0003\u00fe\u00ed")"}),
    [](const auto& info) { return std::string(info.param.name); });

// BUG (see report): utf8_sequence() in src/export/json_writer.cpp takes any
// lead byte >= 0xE0 that is not F0-F4 as a 3-byte lead (so F5-FF pass), and
// checks no second-byte ranges (overlongs, UTF-16 surrogates, code points
// above U+10FFFF pass). These bytes are copied raw: the output is not UTF-8,
// so strict JSON parsers reject the line. Reachable from DNS names, which the
// parser keeps as raw bytes.
class EscapeStrictUtf8 : public ::testing::TestWithParam<EscCase> {};

TEST_P(EscapeStrictUtf8, InvalidSequencesAreEscapedByteByByte) {
  const std::string got = esc(GetParam().in);
  EXPECT_EQ(got, GetParam().out);
  EXPECT_EQ(jsoncheck::check(got), "");
}

INSTANTIATE_TEST_SUITE_P(
    Export, EscapeStrictUtf8,
    ::testing::Values(EscCase{"ff_lead_3byte", "\xff\x80\x80", R"("\u00ff\u0080\u0080")"},
                      EscCase{"f5_lead", "\xf5\x80\x80", R"("\u00f5\u0080\u0080")"},
                      EscCase{"surrogate", "\xed\xa0\x80", R"("\u00ed\u00a0\u0080")"},
                      EscCase{"overlong_3byte", "\xe0\x80\xaf", R"("\u00e0\u0080\u00af")"},
                      EscCase{"overlong_4byte", "\xf0\x80\x80\xaf", R"("\u00f0\u0080\u0080\u00af")"},
                      EscCase{"above_10ffff", "\xf4\x90\x80\x80", R"("\u00f4\u0090\u0080\u0080")"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JsonWriter, CommasAndNesting) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("a", 1).field("b", "x");
  w.key("arr").begin_array().value(1).value(2u).begin_object().end_object().begin_array().end_array().end_array();
  w.key("o").begin_object().field("n", true).key("z").null().end_object();
  w.field("last", false);
  w.end_object();
  EXPECT_EQ(out, R"({"a":1,"b":"x","arr":[1,2,{},[]],"o":{"n":true,"z":null},"last":false})");
  EXPECT_EQ(jsoncheck::check(out), "");
}

TEST(JsonWriter, KeysAreEscapedToo) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("we\"ird\n", 1).end_object();
  EXPECT_EQ(out, R"({"we\"ird\n":1})");
}

TEST(JsonWriter, AppendsToExistingString) {
  std::string out = "prefix ";
  JsonWriter w(out);
  w.begin_array().value("x").end_array();
  EXPECT_EQ(out, R"(prefix ["x"])");
}

struct NumCase {
  double v;
  const char* out;
};

class Doubles : public ::testing::TestWithParam<NumCase> {};

TEST_P(Doubles, Format) {
  std::string out;
  JsonWriter w(out);
  w.value(GetParam().v);
  EXPECT_EQ(out, GetParam().out);
  EXPECT_EQ(jsoncheck::check(out), "");
}

INSTANTIATE_TEST_SUITE_P(Export, Doubles,
                         ::testing::Values(NumCase{5.0, "5.0"}, NumCase{0.0, "0.0"}, NumCase{-2.0, "-2.0"},
                                           NumCase{8.0, "8.0"}, NumCase{0.5, "0.5"}, NumCase{2.25, "2.25"},
                                           NumCase{1.0 / 3.0, "0.333333"}, NumCase{300.0, "300.0"},
                                           NumCase{1e20, "1e+20"}, NumCase{1e-7, "1e-07"},
                                           NumCase{std::numeric_limits<double>::quiet_NaN(), "null"},
                                           NumCase{std::numeric_limits<double>::infinity(), "null"},
                                           NumCase{-std::numeric_limits<double>::infinity(), "null"}));

TEST(JsonWriter, Integers) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.value(std::int64_t{-5}).value(std::uint64_t{18446744073709551615ull}).value(0).value(65535u);
  w.end_array();
  EXPECT_EQ(out, "[-5,18446744073709551615,0,65535]");
}

TEST(JsonWriter, Addresses) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.value(*picket::core::IpAddr::parse("10.0.0.5"));
  w.value(*picket::core::IpAddr::parse("2001:DB8:0:0:0:0:0:1"));
  w.end_array();
  EXPECT_EQ(out, R"(["10.0.0.5","2001:db8::1"])");
}

TEST(JsonWriter, Raw) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("pre").raw(R"({"x":[1]})").field("after", 2).end_object();
  EXPECT_EQ(out, R"({"pre":{"x":[1]},"after":2})");
}

// The checker itself must reject what it is meant to catch.
TEST(JsonCheck, RejectsMalformed) {
  EXPECT_EQ(jsoncheck::check(R"({"a":1,"b":[true,null,"x\u00e9"]})"), "");
  for (const char* bad : {"{", R"({"a":1,})", R"({"a" 1})", "[1 2]", "\"a\nb\"", "\"\\x\"", "01", "1.", "{}{}",
                          "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc3\""})
    EXPECT_NE(jsoncheck::check(bad), "") << bad;
}

}  // namespace

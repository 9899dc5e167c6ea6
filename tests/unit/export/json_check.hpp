#pragma once
// A strict RFC 8259 well-formedness check for the exporter's output: syntax,
// string escapes, and strict UTF-8 (no overlongs, no surrogates, nothing
// above U+10FFFF), since consumers such as Python's json module or jq reject
// anything else. Returns "" when valid, otherwise what is wrong and where.
#include <cstdint>
#include <string>
#include <string_view>

namespace jsoncheck {

class Checker {
 public:
  explicit Checker(std::string_view s) : s_(s) {}

  std::string run() {
    ws();
    if (!value()) return err_;
    ws();
    if (i_ != s_.size()) return fail("trailing bytes");
    return "";
  }

 private:
  std::string fail(const std::string& what) {
    if (err_.empty()) err_ = what + " at offset " + std::to_string(i_);
    return err_;
  }
  bool bad(const std::string& what) {
    fail(what);
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return bad("bad literal");
    i_ += w.size();
    return true;
  }
  bool value() {
    if (++depth_ > 200) return bad("too deep");
    if (i_ >= s_.size()) return bad("unexpected end");
    bool ok;
    switch (s_[i_]) {
      case '{': ok = object(); break;
      case '[': ok = array(); break;
      case '"': ok = string(); break;
      case 't': ok = lit("true"); break;
      case 'f': ok = lit("false"); break;
      case 'n': ok = lit("null"); break;
      default: ok = number();
    }
    --depth_;
    return ok;
  }
  bool object() {
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
    for (;;) {
      ws();
      if (i_ >= s_.size() || s_[i_] != '"') return bad("expected key");
      if (!string()) return false;
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') return bad("expected ':'");
      ++i_;
      ws();
      if (!value()) return false;
      ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
      return bad("expected ',' or '}'");
    }
  }
  bool array() {
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
    for (;;) {
      ws();
      if (!value()) return false;
      ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
      return bad("expected ',' or ']'");
    }
  }
  static bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
  bool string() {
    ++i_;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return bad("raw control character in string");
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) return bad("cut escape");
        const char e = s_[i_ + 1];
        if (e == 'u') {
          if (i_ + 6 > s_.size() || !hex(s_[i_ + 2]) || !hex(s_[i_ + 3]) || !hex(s_[i_ + 4]) || !hex(s_[i_ + 5]))
            return bad("bad \\u escape");
          i_ += 6;
        } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
          i_ += 2;
        } else {
          return bad("bad escape");
        }
        continue;
      }
      if (c < 0x80) {
        ++i_;
        continue;
      }
      if (!utf8()) return false;
    }
    return bad("unterminated string");
  }
  // Strict UTF-8 per RFC 3629 / Unicode table 3-7.
  bool utf8() {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s_[i_ + k]); };
    const unsigned char c = b(0);
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) n = 3, lo = 0xA0;
    else if (c == 0xED) n = 3, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) n = 3;
    else if (c == 0xF0) n = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else if (c == 0xF4) n = 4, hi = 0x8F;
    else return bad("invalid UTF-8 lead byte");
    if (i_ + n > s_.size()) return bad("cut UTF-8 sequence");
    if (b(1) < lo || b(1) > hi) return bad("invalid UTF-8 sequence");
    for (std::size_t k = 2; k < n; ++k)
      if (b(k) < 0x80 || b(k) > 0xBF) return bad("invalid UTF-8 continuation");
    i_ += n;
    return true;
  }
  bool number() {
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size()) return bad("bad number");
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      return bad("bad value");
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return bad("bad fraction");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return bad("bad exponent");
    }
    return i_ > start;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::string err_;
};

inline std::string check(std::string_view s) { return Checker(s).run(); }

}  // namespace jsoncheck

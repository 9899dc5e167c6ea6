#include "dga_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace picket::detect::dns {
namespace {

#include "dga_model.inc"

int sym(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '0' && c <= '9') return 26;
  return 27;
}

bool is_consonant(char c) { return c >= 'a' && c <= 'z' && c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u' && c != 'y'; }
bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

double dga_score(std::string_view l) {
  if (l.empty() || l.starts_with("xn--")) return 0;
  constexpr int kBound = kDgaAlphabet - 1;
  int a = kBound, b = kBound;
  double ll = 0;
  std::size_t digits = 0, vowels = 0, hyphens = 0, cons_run = 0, cons_best = 0, dig_run = 0, dig_best = 0;
  bool hex_only = true;
  std::array<bool, 256> seen{};
  std::size_t distinct = 0;
  for (char c : l) {
    const int s = sym(c);
    ll += kDgaTrigram[(a * kDgaAlphabet + b) * kDgaAlphabet + s];
    a = b;
    b = s;
    if (is_digit(c)) ++digits;
    if (is_vowel(c)) ++vowels;
    if (c == '-') ++hyphens;
    cons_run = is_consonant(c) ? cons_run + 1 : 0;
    cons_best = std::max(cons_best, cons_run);
    dig_run = is_digit(c) ? dig_run + 1 : 0;
    dig_best = std::max(dig_best, dig_run);
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) hex_only = false;
    const auto u = static_cast<unsigned char>(c);
    if (!seen[u]) {
      seen[u] = true;
      ++distinct;
    }
  }
  ll += kDgaTrigram[(a * kDgaAlphabet + b) * kDgaAlphabet + kBound];
  const double n = static_cast<double>(l.size());
  const double x[kDgaFeatures] = {
      ll / (n + 1),
      std::min(n, 40.0) / 10,
      digits / n,
      static_cast<double>(std::min<std::size_t>(cons_best, 10)) / 10,
      static_cast<double>(std::min<std::size_t>(dig_best, 10)) / 10,
      vowels / n,
      (l.size() >= 8 && digits && hex_only) ? 1.0 : 0.0,
      distinct / n,
      static_cast<double>(hyphens),
  };
  double z = kDgaBias;
  for (int i = 0; i < kDgaFeatures; ++i) z += kDgaWeight[i] * (x[i] - kDgaMean[i]) / kDgaStd[i];
  return 1.0 / (1.0 + std::exp(-z));
}

std::string_view dga_label(std::string_view registered) {
  const auto dot = registered.find('.');
  return dot == std::string_view::npos ? registered : registered.substr(0, dot);
}

}  // namespace picket::detect::dns

#pragma once
// Lexical DGA model: how likely a domain label is to be algorithmically
// generated, from a character trigram model of legitimate names and a few
// shape features (length, digits, consonant and digit runs), combined by a
// logistic regression. Trained by scripts/train-dga into dga_model.inc.
#include <string_view>

namespace picket::detect::dns {

// Probability in [0, 1] that `label` (one label, e.g. "example" of
// example.co.uk) is generated. Empty labels and IDN labels ("xn--") score 0.
double dga_score(std::string_view label);

// The label scored for a registered domain: the part before its public
// suffix ("example" for "example.co.uk").
std::string_view dga_label(std::string_view registered);

}  // namespace picket::detect::dns

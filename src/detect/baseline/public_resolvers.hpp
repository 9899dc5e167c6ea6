#pragma once
// Public encrypted-DNS resolvers: the DoH server names and the anycast
// addresses of the large public resolvers. The list, with the source of every
// entry, is in public_resolvers.cpp and README.md.
#include <string_view>

#include "picket/core/ip_addr.hpp"

namespace picket::detect::baseline {

struct DohName {
  const char* name;      // matched as the name itself or any name under it
  const char* provider;
  const char* source;    // where the provider documents it
};

struct ResolverAddress {
  const char* address;
  const char* provider;
  const char* source;
};

// The provider when `sni` (lower case) is a known DoH server name, else nullptr.
const DohName* match_doh_name(std::string_view sni);
// The provider when `a` is a known public resolver address, else nullptr.
const ResolverAddress* match_resolver_address(const core::IpAddr& a);

std::size_t doh_name_count();
std::size_t resolver_address_count();
// The lists themselves, in order (for tests and documentation).
const DohName& doh_name_at(std::size_t i);
const ResolverAddress& resolver_address_at(std::size_t i);

}  // namespace picket::detect::baseline

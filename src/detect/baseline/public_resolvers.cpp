// The list of public DoH server names and resolver addresses. Each entry
// names its provider and the page where the provider publishes it; curl's
// list of public DoH servers (github.com/curl/curl/wiki/DNS-over-HTTPS) was
// used to cross-check names. Matching is exact or on a label boundary, so
// "mozilla.cloudflare-dns.com" matches "cloudflare-dns.com".
#include "public_resolvers.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace picket::detect::baseline {

namespace {

constexpr const char* kGoogle = "https://developers.google.com/speed/public-dns/docs/doh";
constexpr const char* kGoogleAddr = "https://developers.google.com/speed/public-dns/docs/using";
constexpr const char* kCloudflare = "https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/";
constexpr const char* kCloudflareAddr = "https://developers.cloudflare.com/1.1.1.1/ip-addresses/";
constexpr const char* kQuad9 = "https://www.quad9.net/service/service-addresses-and-features";
constexpr const char* kOpenDns = "https://support.opendns.com/hc/en-us/articles/360038086532";
constexpr const char* kOpenDnsAddr = "https://www.opendns.com/setupguide/";
constexpr const char* kAdGuard = "https://adguard-dns.io/kb/general/dns-providers/";
constexpr const char* kCleanBrowsing = "https://cleanbrowsing.org/filters/";
constexpr const char* kNextDns = "https://github.com/curl/curl/wiki/DNS-over-HTTPS (NextDNS row)";
constexpr const char* kMullvad = "https://mullvad.net/en/help/dns-over-https-and-dns-over-tls";
constexpr const char* kControlD = "https://docs.controld.com/docs/free-dns";
constexpr const char* kCurl = "https://github.com/curl/curl/wiki/DNS-over-HTTPS";

const DohName kDohNames[] = {
    {"dns.google", "Google Public DNS", kGoogle},
    {"dns.google.com", "Google Public DNS", kGoogle},
    {"cloudflare-dns.com", "Cloudflare 1.1.1.1", kCloudflare},
    {"one.one.one.one", "Cloudflare 1.1.1.1", kCloudflare},
    {"1dot1dot1dot1.cloudflare-dns.com", "Cloudflare 1.1.1.1", kCloudflare},
    {"dns.quad9.net", "Quad9", kQuad9},
    {"dns9.quad9.net", "Quad9", kQuad9},
    {"dns10.quad9.net", "Quad9", kQuad9},
    {"dns11.quad9.net", "Quad9", kQuad9},
    {"doh.opendns.com", "Cisco OpenDNS", kOpenDns},
    {"doh.familyshield.opendns.com", "Cisco OpenDNS", kOpenDns},
    {"dns.adguard-dns.com", "AdGuard DNS", kAdGuard},
    {"dns.adguard.com", "AdGuard DNS", kAdGuard},
    {"doh.cleanbrowsing.org", "CleanBrowsing", kCleanBrowsing},
    {"dns.nextdns.io", "NextDNS", kNextDns},
    {"dns.mullvad.net", "Mullvad DNS", kMullvad},
    {"doh.mullvad.net", "Mullvad DNS", kMullvad},
    {"freedns.controld.com", "Control D", kControlD},
    {"doh.dns.sb", "DNS.SB", kCurl},
    {"dns.alidns.com", "AliDNS", kCurl},
    {"doh.pub", "DNSPod (Tencent)", kCurl},
    {"dns.twnic.tw", "TWNIC Quad101", kCurl},
    {"doh.libredns.gr", "LibreDNS", kCurl},
};

const ResolverAddress kAddresses[] = {
    {"8.8.8.8", "Google Public DNS", kGoogleAddr},
    {"8.8.4.4", "Google Public DNS", kGoogleAddr},
    {"2001:4860:4860::8888", "Google Public DNS", kGoogleAddr},
    {"2001:4860:4860::8844", "Google Public DNS", kGoogleAddr},
    {"1.1.1.1", "Cloudflare 1.1.1.1", kCloudflareAddr},
    {"1.0.0.1", "Cloudflare 1.1.1.1", kCloudflareAddr},
    {"1.1.1.2", "Cloudflare 1.1.1.1 for Families", kCloudflareAddr},
    {"1.0.0.2", "Cloudflare 1.1.1.1 for Families", kCloudflareAddr},
    {"1.1.1.3", "Cloudflare 1.1.1.1 for Families", kCloudflareAddr},
    {"1.0.0.3", "Cloudflare 1.1.1.1 for Families", kCloudflareAddr},
    {"2606:4700:4700::1111", "Cloudflare 1.1.1.1", kCloudflareAddr},
    {"2606:4700:4700::1001", "Cloudflare 1.1.1.1", kCloudflareAddr},
    {"9.9.9.9", "Quad9", kQuad9},
    {"149.112.112.112", "Quad9", kQuad9},
    {"9.9.9.10", "Quad9", kQuad9},
    {"9.9.9.11", "Quad9", kQuad9},
    {"2620:fe::fe", "Quad9", kQuad9},
    {"2620:fe::9", "Quad9", kQuad9},
    {"208.67.222.222", "Cisco OpenDNS", kOpenDnsAddr},
    {"208.67.220.220", "Cisco OpenDNS", kOpenDnsAddr},
    {"2620:119:35::35", "Cisco OpenDNS", kOpenDnsAddr},
    {"2620:119:53::53", "Cisco OpenDNS", kOpenDnsAddr},
    {"94.140.14.14", "AdGuard DNS", kAdGuard},
    {"94.140.15.15", "AdGuard DNS", kAdGuard},
    {"185.228.168.9", "CleanBrowsing", kCleanBrowsing},
    {"185.228.169.9", "CleanBrowsing", kCleanBrowsing},
    {"194.242.2.2", "Mullvad DNS", kMullvad},
    {"76.76.2.0", "Control D", kControlD},
    {"76.76.10.0", "Control D", kControlD},
};

// Checked for every TLS SNI and HTTPS flow, so both lists get an index built
// once. A name can only match an SNI that ends in the name's last eight bytes
// (its last four when shorter; every name has at least four), so names are
// grouped by those bytes in a small open-addressing table: an SNI reads one
// or two slots and compares strings only with the names that end like it,
// where a string compare per name cost a strlen and a memcmp call each.
// Addresses are in a small open-addressing table of their two 64-bit halves.
// Matching stays the same: the first name in list order that is the SNI or
// a label-boundary suffix of it, the address that is equal.
struct NameIndex {
  static constexpr std::size_t kSlots = 64;  // a power of two, over twice the list
  static_assert(std::size(kDohNames) * 2 <= kSlots);
  struct Slot {
    std::uint64_t tail = 0;
    std::uint8_t first = 0, count = 0;  // names with this tail: order[first, first + count)
    bool used = false, long_tail = false;
  };
  std::array<Slot, kSlots> slot{};
  std::array<std::uint8_t, std::size(kDohNames)> order{};  // name indices grouped by tail, list order within
  std::array<std::string_view, std::size(kDohNames)> name;
  std::size_t shortest = ~std::size_t{0};

  NameIndex() {
    for (std::size_t i = 0; i < std::size(kDohNames); ++i) {
      name[i] = kDohNames[i].name;
      if (name[i].size() < 4) std::abort();  // a list edit broke the index's assumption
      shortest = std::min(shortest, name[i].size());
    }
    std::size_t placed = 0;
    for (std::size_t i = 0; i < std::size(kDohNames); ++i) {
      const bool is_long = name[i].size() >= 8;
      const std::uint64_t t = is_long ? tail8(name[i]) : tail4(name[i]);
      Slot& s = slot[find(t, is_long)];
      if (s.used) continue;  // this tail's group is already complete
      s = {t, static_cast<std::uint8_t>(placed), 0, true, is_long};
      for (std::size_t j = i; j < std::size(kDohNames); ++j) {
        const bool j_long = name[j].size() >= 8;
        if (j_long == is_long && (j_long ? tail8(name[j]) : tail4(name[j])) == t) {
          order[placed++] = static_cast<std::uint8_t>(j);
          ++s.count;
        }
      }
    }
  }
  static std::uint64_t tail4(std::string_view s) {
    std::uint32_t t;
    std::memcpy(&t, s.data() + s.size() - 4, 4);
    return t;
  }
  static std::uint64_t tail8(std::string_view s) {
    std::uint64_t t;
    std::memcpy(&t, s.data() + s.size() - 8, 8);
    return t;
  }
  // The slot of (tail, length class), or the empty slot where it would go.
  std::size_t find(std::uint64_t t, bool is_long) const {
    std::size_t i = ((t + is_long) * 0x9e3779b97f4a7c15ULL) >> 58;
    while (slot[i].used && !(slot[i].tail == t && slot[i].long_tail == is_long)) i = (i + 1) % kSlots;
    return i;
  }
  // The first name, in list order, of the group at slot `i` that `sni` matches.
  std::size_t first_match(std::size_t i, std::string_view sni) const {
    const Slot& s = slot[i];
    for (std::size_t k = s.first; k < std::size_t{s.first} + s.count; ++k) {
      const std::string_view n = name[order[k]];
      if (sni == n ||
          (sni.size() > n.size() && sni.substr(sni.size() - n.size()) == n && sni[sni.size() - n.size() - 1] == '.'))
        return order[k];
    }
    return std::size(kDohNames);
  }
};

struct AddressIndex {
  static constexpr std::size_t kSlots = 64;  // a power of two, over twice the list
  static_assert(std::size(kAddresses) * 2 <= kSlots);
  struct Slot {
    std::uint64_t lo = 0, hi = 0;
    std::uint32_t index = 0;  // 1 + position in kAddresses; 0: empty
  };
  std::array<Slot, kSlots> slot{};
  AddressIndex() {
    for (std::size_t i = 0; i < std::size(kAddresses); ++i) {
      const core::IpAddr a = core::IpAddr::parse(kAddresses[i].address).value();
      std::uint64_t lo, hi;
      split(a, lo, hi);
      std::size_t s = home(lo, hi);
      while (slot[s].index != 0 && !(slot[s].lo == lo && slot[s].hi == hi)) s = (s + 1) % kSlots;
      if (slot[s].index == 0) slot[s] = {lo, hi, static_cast<std::uint32_t>(i + 1)};  // the first one wins
    }
  }
  static void split(const core::IpAddr& a, std::uint64_t& lo, std::uint64_t& hi) {
    std::memcpy(&lo, a.bytes.data(), 8);
    std::memcpy(&hi, a.bytes.data() + 8, 8);
  }
  static std::size_t home(std::uint64_t lo, std::uint64_t hi) {
    return static_cast<std::size_t>(((hi ^ (lo * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL) >> 58);
  }
};

}  // namespace

const DohName* match_doh_name(std::string_view sni) {
  static const NameIndex kNameIndex;
  while (!sni.empty() && sni.back() == '.') sni.remove_suffix(1);
  if (sni.size() < kNameIndex.shortest) return nullptr;
  // A name of eight bytes or more ends like the SNI's last eight, a shorter
  // one like its last four: the first match of the two groups in list order.
  std::size_t best = std::size(kDohNames);
  if (sni.size() >= 8) {
    const std::size_t i = kNameIndex.find(NameIndex::tail8(sni), true);
    if (kNameIndex.slot[i].used) best = kNameIndex.first_match(i, sni);
  }
  const std::size_t i = kNameIndex.find(NameIndex::tail4(sni), false);
  if (kNameIndex.slot[i].used) best = std::min(best, kNameIndex.first_match(i, sni));
  return best < std::size(kDohNames) ? &kDohNames[best] : nullptr;
}

const ResolverAddress* match_resolver_address(const core::IpAddr& a) {
  static const AddressIndex kAddressIndex;
  std::uint64_t lo, hi;
  AddressIndex::split(a, lo, hi);
  for (std::size_t s = AddressIndex::home(lo, hi);; s = (s + 1) % AddressIndex::kSlots) {
    const auto& slot = kAddressIndex.slot[s];
    if (slot.index == 0) return nullptr;
    if (slot.lo == lo && slot.hi == hi) return &kAddresses[slot.index - 1];
  }
}

std::size_t doh_name_count() { return std::size(kDohNames); }
std::size_t resolver_address_count() { return std::size(kAddresses); }
const DohName& doh_name_at(std::size_t i) { return kDohNames[i]; }
const ResolverAddress& resolver_address_at(std::size_t i) { return kAddresses[i]; }

}  // namespace picket::detect::baseline

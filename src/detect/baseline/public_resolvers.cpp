// The list of public DoH server names and resolver addresses. Each entry
// names its provider and the page where the provider publishes it; curl's
// list of public DoH servers (github.com/curl/curl/wiki/DNS-over-HTTPS) was
// used to cross-check names. Matching is exact or on a label boundary, so
// "mozilla.cloudflare-dns.com" matches "cloudflare-dns.com".
#include "public_resolvers.hpp"

#include <algorithm>
#include <array>
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

// Parsed once; the list is small, a linear scan beats a set.
struct ParsedAddresses {
  std::array<core::IpAddr, std::size(kAddresses)> addr;
  ParsedAddresses() {
    for (std::size_t i = 0; i < std::size(kAddresses); ++i) addr[i] = core::IpAddr::parse(kAddresses[i].address).value();
  }
};

}  // namespace

const DohName* match_doh_name(std::string_view sni) {
  while (!sni.empty() && sni.back() == '.') sni.remove_suffix(1);
  for (const auto& d : kDohNames) {
    const std::string_view n = d.name;
    if (sni == n) return &d;
    if (sni.size() > n.size() && sni.substr(sni.size() - n.size()) == n && sni[sni.size() - n.size() - 1] == '.')
      return &d;
  }
  return nullptr;
}

const ResolverAddress* match_resolver_address(const core::IpAddr& a) {
  static const ParsedAddresses parsed;
  for (std::size_t i = 0; i < parsed.addr.size(); ++i)
    if (parsed.addr[i] == a) return &kAddresses[i];
  return nullptr;
}

std::size_t doh_name_count() { return std::size(kDohNames); }
std::size_t resolver_address_count() { return std::size(kAddresses); }

}  // namespace picket::detect::baseline

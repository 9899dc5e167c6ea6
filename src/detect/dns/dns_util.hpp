#pragma once
// Helpers shared by the DNS detectors: registered domains (Public Suffix
// List), the information carried by a query name, tool signatures, a capped
// set of name hashes, and the common fields of a DNS finding.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "picket/core/hash.hpp"
#include "picket/core/ip_addr.hpp"
#include "picket/detect/events.hpp"
#include "picket/detect/finding.hpp"

namespace picket::detect::dns {

// ---------------------------------------------------------------- names

// Known DNS tunnel tools, recognised from the query name and type.
enum class TunnelTool : std::uint8_t { kNone = 0, kIodine, kDnscat2, kDns2tcp };

struct DomainParts {
  // "example.co.uk": always a suffix of the name that was split (the name
  // itself when it has none), so it views the caller's name, not the cache.
  std::string_view registered;
  bool known_suffix = false;  // its public suffix is listed in the PSL (not just the '*' rule)
  bool single_label = false;  // "wpad", "localhost"
  // Facts about the name that several detectors need, worked out once per
  // distinct name with the split: pure functions of the name.
  bool data_service_zone = false;  // is_data_service_zone(name)
  std::uint8_t sub_longest_label = 0;  // longest_label(subdomain_of(name, registered))
  double sub_bits = 0;             // subdomain_bits(subdomain_of(name, registered))
  std::uint64_t hash = 0;          // core::hash_bytes(name)
  std::uint64_t registered_hash = 0;  // core::hash_bytes(registered)
  // tunnel_signature(name, subdomain_of(name, registered), qtype) for any
  // qtype but iodine's (see tunnel_signature(DomainParts, ...)), and
  // tunnel_signature_strong(name).
  TunnelTool tunnel = TunnelTool::kNone;
  bool tunnel_strong = false;
};

// Splits names with libpsl (psl_latest: the newer of the library's built-in
// list and Debian's /usr/share/publicsuffix file), and works out the name's
// other DomainParts facts. Results are cached in two
// generations of cap/2 names: when the newer one is full it becomes the older
// one (the names asked again move back), so the popular names of a busy
// network stay cached while a stream of one-off names passes through.
//
// Each generation is a flat open-addressing table of 32-byte slots (the
// name's 64-bit hash, where its bytes lie in the generation's arena, and the
// answer: the registered domain's offset in the name, flags and facts), so a
// look-up reads one slot and the name's bytes, nothing else. Full and old
// generations are cleared, not freed: no allocation in steady state.
//
// An event's query name is looked up in a front cache first: names of up to
// PaddedName::kMaxLen bytes (nearly all) in their padded form, two-way set
// associative and lossy (a name pushed out is found in the generations
// again). Its look-up costs a fraction of hashing the name and comparing it
// with the arena; it is made once per thread, at its first use.
class RegisteredDomains {
 public:
  explicit RegisteredDomains(std::size_t cap = 32768);
  // `registered` views `name`: it is valid as long as the caller's name is.
  DomainParts split(std::string_view name);
  // The same for an event's query name (through the front cache);
  // `registered` views e.qname.
  DomainParts split(const DnsEvent& e);
  std::size_t cache_size() const { return cur_.size + prev_.size; }

  // Uncached computation (for tests and the cache); `registered` views `name`.
  static DomainParts compute(std::string_view name);

 private:
  struct Slot {
    std::uint64_t hash = 0;
    double sub_bits = 0;
    std::uint64_t registered_hash = 0;
    std::uint32_t offset = 0;  // of the name's bytes in the arena
    std::uint8_t len = 0, reg_offset = 0, flags = 0, sub_longest_label = 0;
  };
  static_assert(sizeof(Slot) == 32);
  // A front cache entry: a name's padded form and its answer.
  struct FrontEntry {
    std::uint64_t form[8] = {};  // all zero: empty
    Slot answer;
  };
  struct FrontSet {
    FrontEntry way[2];
  };
  static constexpr unsigned kFrontSetBits = 10;  // 1024 sets of two names: 192 KiB
  struct Generation {
    std::vector<Slot> slots;  // power-of-two size, load <= 1/2
    std::string arena;        // the names' bytes, back to back
    std::size_t size = 0;
    void clear();
  };
  static const Slot* find(const Generation& g, std::uint64_t h, std::string_view name);
  void insert(Generation& g, std::uint64_t h, std::string_view name, const Slot& answer);
  static DomainParts parts_of(const Slot& s, std::string_view name);
  static Slot answer_for(std::string_view name, std::uint64_t h);
  Slot cached_answer(std::string_view name);

  std::size_t gen_cap_;
  Generation cur_, prev_;
  // The last name split and its answer: the detectors of one thread look at
  // the same event one after the other, so most second look-ups end here.
  char last_name_[256];
  std::size_t last_len_ = 0;
  bool last_valid_ = false;
  Slot last_;
  std::unique_ptr<FrontSet[]> front_;
};

// The splitter shared by every DNS detector shard of the calling thread: a
// name is split once however many detectors (and shards) look at it. Splitting
// is a pure function of the name, so sharing it cannot change any result.
namespace detail {
// The calling thread's splitter once made (constinit: read with one
// thread-pointer load, no TLS wrapper call on every split).
extern constinit thread_local RegisteredDomains* thread_domains;
RegisteredDomains& make_thread_domains();
}  // namespace detail
inline RegisteredDomains& shared_registered_domains() {
  RegisteredDomains* d = detail::thread_domains;
  return d ? *d : detail::make_thread_domains();
}

// The event's query name as a string_view (raw bytes, lower-cased ASCII).
inline std::string_view qname_of(const DnsEvent& e) { return {e.qname, e.qname_len}; }

// `name` without ".<domain>" at its end ("" when name == domain).
std::string_view subdomain_of_other(std::string_view name, std::string_view domain);
inline std::string_view subdomain_of(std::string_view name, std::string_view domain) {
  if (name.size() <= domain.size()) return {};
  // A registered domain from split() is the name's own tail: no need to
  // compare it (inline: every query asks for its subdomain).
  const std::size_t cut = name.size() - domain.size();
  if (domain.data() == name.data() + cut) return name[cut - 1] == '.' ? name.substr(0, cut - 1) : name;
  return subdomain_of_other(name, domain);
}

// Leading labels that spell a reversed IPv4 address (4 decimal labels 0-255)
// or reversed IPv6 nibbles (8 or more single-hex-digit labels): the shape of
// DNSBL and PTR look-ups. Returns how many bytes of `sub` they take (with the
// dot after them), 0 when none.
std::size_t reversed_ip_prefix(std::string_view sub);

// Bits of information in one label: length times bits per character, where
// bits per character is the smaller of the label's alphabet (digits 3.32,
// hex 4, letters 4.7, letters+digits 5.17, base64 punctuation 6, bytes
// outside printable ASCII 7) and its empirical Shannon entropy + 1.
double label_bits(std::string_view label);

// Bits carried by a subdomain: the sum of label_bits over its labels, minus
// a leading reversed address and labels starting with '_' (service names),
// which carry structure, not data.
double subdomain_bits(std::string_view sub);

// Empirical Shannon entropy (bits/char) of a string.
double shannon_entropy(std::string_view s);

// Longest label in a name.
std::size_t longest_label(std::string_view name);

// The tool whose signature a query shows (TunnelTool above), from the name,
// its subdomain under the domain it is counted under and the query type.
TunnelTool tunnel_signature(std::string_view name, std::string_view sub, std::uint16_t qtype);
// The same for a name split by RegisteredDomains (`p`), whose subdomain is
// taken under p.registered or, for dnscat2's tagged names, under "dnscat":
// the name's part of the answer came with the split (no bytes are read).
inline TunnelTool tunnel_signature(const DomainParts& p, std::string_view name, std::uint16_t qtype) {
  // The order of tunnel_signature's own rules: the dnscat2 tag, then
  // iodine's query types, then the rest, which depend on the name alone.
  if (name.starts_with("dnscat.")) return TunnelTool::kDnscat2;
  if (qtype == 10 || qtype == 65399) return TunnelTool::kIodine;
  return p.tunnel;
}
const char* tunnel_tool_name(TunnelTool t);
// A signature no legitimate name has (dnscat2's "dnscat." tag, iodine's codec
// check phrase, dns2tcp's handshake labels): one match is enough. The others
// (NULL queries, dnscat2's hex header) need repeats.
bool tunnel_signature_strong(std::string_view name);

// Query types tunnels favour because their answers carry the most data:
// CNAME, NULL, MX, TXT, KEY, private use (iodine's PRIVATE 65399).
inline bool is_tunnel_qtype(std::uint16_t t) {
  return t == 5 || t == 10 || t == 15 || t == 16 || t == 25 || t >= 65280;
}

// Zones whose names carry data by design (DNSBLs, anti-virus cloud look-ups,
// reputation services). `name` is matched against the suffixes of the list.
bool is_data_service_zone(std::string_view name);

// ---------------------------------------------------------------- sets

// A set of 64-bit hashes with open addressing that never holds more than
// `cap` entries: inserting into a full set reports "new" without storing.
// 0 is reserved as the empty slot (a hash of 0 is stored as 1).
class CappedHashSet {
 public:
  enum class Insert : std::uint8_t { kPresent, kAdded, kFull };
  explicit CappedHashSet(std::size_t cap = 1024) : cap_(cap) {}
  Insert insert(std::uint64_t h);
  bool contains(std::uint64_t h) const;
  std::size_t size() const { return size_; }
  std::size_t cap() const { return cap_; }
  void clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    size_ = 0;
  }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

 private:
  void grow();
  std::size_t cap_;
  std::size_t size_ = 0;
  std::vector<std::uint64_t> slots_;  // power-of-two size, load <= 1/2
};

// ---------------------------------------------------------------- findings

// The fields every DNS finding shares: type, default severity, outbound,
// protocol from the event, local = client, remote = resolver, the domain,
// the detector name and the identity: (client, domain), or the client alone.
Finding make_dns_finding(FindingType type, const char* detector, const core::IpAddr& client,
                         const core::IpAddr& resolver, std::uint8_t transport, std::string_view domain,
                         bool domain_in_identity = true);

// Key of per-(client, name) state: 16 address bytes followed by the name.
std::string client_key(const core::IpAddr& client, std::string_view name = {});
// The same key written into a caller's buffer (no allocation; names longer
// than kDnsEventMaxName are cut, as DnsEvent cuts them).
class ClientKeyBuf {
 public:
  ClientKeyBuf(const core::IpAddr& client, std::string_view name);
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[16 + kDnsEventMaxName];
  std::size_t len_;
};
core::IpAddr key_client(const std::string& key);
std::string_view key_name(const std::string& key);

}  // namespace picket::detect::dns

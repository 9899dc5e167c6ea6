#include "dns_util.hpp"

#include <libpsl.h>

#include <array>
#include <cmath>
#include <cstring>

#include "padded_name.hpp"

namespace picket::detect::dns {

namespace {

const psl_ctx_t* psl() {
  // psl_latest loads the newer of the built-in list and the distribution's
  // file; the context is read-only and safe to share between threads.
  static const psl_ctx_t* ctx = [] {
    const psl_ctx_t* c = psl_latest(nullptr);
    return c ? c : psl_builtin();
  }();
  return ctx;
}

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool is_alpha(unsigned char c) { return c >= 'a' && c <= 'z'; }

bool ends_with_zone(std::string_view name, std::string_view zone) {
  if (name.size() < zone.size()) return false;
  if (!zone.empty() && name.back() != zone.back()) return false;  // rules out most names in one compare
  if (name.substr(name.size() - zone.size()) != zone) return false;
  return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

}  // namespace

namespace {

// kHasNul: the name holds a NUL byte, where libpsl's C string (and so the
// registered domain it found) ends. kUsed marks a taken cache slot.
constexpr std::uint8_t kKnownSuffix = 1, kSingleLabel = 2, kHasNul = 4, kDataServiceZone = 8, kTunnelStrong = 0x40,
                        kUsed = 0x80;
// The name's TunnelTool sits in bits 4-5 of the flags.
constexpr unsigned kTunnelShift = 4;
static_assert(static_cast<unsigned>(TunnelTool::kDns2tcp) < 4);

// libpsl's answer for one name: where its registered domain starts, and flags.
struct Split {
  std::size_t reg_offset = 0;
  std::uint8_t flags = 0;
};

Split psl_split(std::string_view name) {
  Split r;
  // libpsl wants NUL-terminated text: the name is copied to the stack (DNS
  // names are at most 255 bytes; longer input goes to the heap).
  char stack[256];
  std::string heap;
  const char* s = stack;
  if (name.size() < sizeof(stack)) {
    std::memcpy(stack, name.data(), name.size());
    stack[name.size()] = '\0';
  } else {
    heap.assign(name);
    s = heap.c_str();
  }
  const std::string_view sv(s, name.size());
  if (sv.find('.') == std::string_view::npos) r.flags |= kSingleLabel;
  // The top-level label is the text after the last dot (libpsl reads it up
  // to a NUL, if any).
  const std::size_t dot = sv.rfind('.');
  const std::size_t tld_at = dot == std::string_view::npos ? 0 : dot + 1;
  const char* tld = s + tld_at;
  if (tld_at < name.size() && psl_is_public_suffix2(psl(), tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)) r.flags |= kKnownSuffix;
  // psl_registrable_domain returns a pointer into the name it was given.
  const char* reg = name.empty() ? nullptr : psl_registrable_domain(psl(), s);
  if (reg && reg >= s && reg <= s + name.size()) {
    r.reg_offset = static_cast<std::size_t>(reg - s);
    if (sv.find('\0') != std::string_view::npos) r.flags |= kHasNul;  // without a registered domain, the whole name
  }
  return r;
}

// `offset` is where libpsl found the registered domain in this very name
// (at most its length): no bounds check, and inline, as every split of a
// cached name ends here.
[[gnu::always_inline]] inline std::string_view registered_of(std::string_view name, std::size_t offset,
                                                             std::uint8_t flags) {
  std::string_view r(name.data() + offset, name.size() - offset);
  if (flags & kHasNul) r = r.substr(0, r.find('\0'));
  return r;
}

}  // namespace

namespace {

// The facts DomainParts carries beside the split, for `name` whose
// registered domain (a tail of it) is `registered`.
void fill_facts(std::string_view name, std::string_view registered, DomainParts& p) {
  p.data_service_zone = is_data_service_zone(name);
  const std::string_view sub = subdomain_of(name, registered);
  p.sub_bits = subdomain_bits(sub);
  p.sub_longest_label = static_cast<std::uint8_t>(std::min<std::size_t>(longest_label(sub), 255));
  p.tunnel = tunnel_signature(name, sub, 0);
  p.tunnel_strong = tunnel_signature_strong(name);
}

}  // namespace

RegisteredDomains::Slot RegisteredDomains::answer_for(std::string_view name, std::uint64_t h) {
  const Split r = psl_split(name);
  DomainParts facts;
  fill_facts(name, registered_of(name, r.reg_offset, r.flags), facts);
  Slot s;
  s.hash = h;
  s.reg_offset = static_cast<std::uint8_t>(r.reg_offset);
  s.flags = r.flags | kUsed | (facts.data_service_zone ? kDataServiceZone : 0) |
            static_cast<std::uint8_t>(static_cast<unsigned>(facts.tunnel) << kTunnelShift) |
            (facts.tunnel_strong ? kTunnelStrong : 0);
  s.sub_bits = facts.sub_bits;
  s.sub_longest_label = facts.sub_longest_label;
  const std::string_view reg = registered_of(name, r.reg_offset, r.flags);
  s.registered_hash = core::hash_bytes(reg.data(), reg.size());
  return s;
}

DomainParts RegisteredDomains::compute(std::string_view name) {
  const Split r = psl_split(name);
  DomainParts p{registered_of(name, r.reg_offset, r.flags), (r.flags & kKnownSuffix) != 0,
                (r.flags & kSingleLabel) != 0};
  fill_facts(name, p.registered, p);
  p.hash = core::hash_bytes(name.data(), name.size());
  p.registered_hash = core::hash_bytes(p.registered.data(), p.registered.size());
  return p;
}

RegisteredDomains::RegisteredDomains(std::size_t cap) : gen_cap_(std::max<std::size_t>(cap / 2, 1)) {}

void RegisteredDomains::Generation::clear() {
  // Keeps the memory: the next generation fills it again.
  std::fill(slots.begin(), slots.end(), Slot{});
  arena.clear();
  size = 0;
}

// Inline: every split of a cached name ends here.
[[gnu::always_inline]] inline DomainParts RegisteredDomains::parts_of(const Slot& s, std::string_view name) {
  DomainParts p{registered_of(name, s.reg_offset, s.flags), (s.flags & kKnownSuffix) != 0,
                (s.flags & kSingleLabel) != 0};
  p.data_service_zone = (s.flags & kDataServiceZone) != 0;
  p.tunnel = static_cast<TunnelTool>((s.flags >> kTunnelShift) & 3);
  p.tunnel_strong = (s.flags & kTunnelStrong) != 0;
  p.sub_longest_label = s.sub_longest_label;
  p.sub_bits = s.sub_bits;
  p.hash = s.hash;
  p.registered_hash = s.registered_hash;
  return p;
}

const RegisteredDomains::Slot* RegisteredDomains::find(const Generation& g, std::uint64_t h, std::string_view name) {
  if (g.slots.empty()) return nullptr;
  const std::size_t mask = g.slots.size() - 1;
  for (std::size_t i = h & mask; g.slots[i].flags & kUsed; i = (i + 1) & mask) {
    const Slot& s = g.slots[i];
    if (s.hash == h && s.len == name.size() && std::memcmp(g.arena.data() + s.offset, name.data(), name.size()) == 0)
      return &s;
  }
  return nullptr;
}

void RegisteredDomains::insert(Generation& g, std::uint64_t h, std::string_view name, const Slot& answer) {
  if ((g.size + 1) * 2 > g.slots.size()) {
    // Grows by doubling up to twice the generation's cap (then it rotates).
    std::vector<Slot> old(std::max<std::size_t>(g.slots.size() * 2, 64));
    old.swap(g.slots);
    const std::size_t mask = g.slots.size() - 1;
    for (const Slot& s : old) {
      if (!(s.flags & kUsed)) continue;
      std::size_t i = s.hash & mask;
      while (g.slots[i].flags & kUsed) i = (i + 1) & mask;
      g.slots[i] = s;
    }
  }
  const std::size_t mask = g.slots.size() - 1;
  std::size_t i = h & mask;
  while (g.slots[i].flags & kUsed) i = (i + 1) & mask;
  Slot& s = g.slots[i];
  s = answer;
  s.offset = static_cast<std::uint32_t>(g.arena.size());
  s.len = static_cast<std::uint8_t>(name.size());
  g.arena.append(name);
  ++g.size;
}

DomainParts RegisteredDomains::split(std::string_view name) {
  if (name.size() > 255) return compute(name);  // longer than any DNS name: not cached
  return parts_of(cached_answer(name), name);
}

DomainParts RegisteredDomains::split(const DnsEvent& e) {
  static_assert(sizeof(e.qname) >= 64, "the front cache reads 64 bytes of the name buffer");
  const std::string_view name = qname_of(e);
  if (!PaddedName::fits(name.size())) return split(name);
  PaddedName key;
  key.load(e.qname, name.size());
  if (!front_) front_ = std::make_unique<FrontSet[]>(std::size_t{1} << kFrontSetBits);
  FrontSet& set = front_[key.hash >> (64 - kFrontSetBits)];
  if (key.same(set.way[0].form)) return parts_of(set.way[0].answer, name);
  if (key.same(set.way[1].form)) return parts_of(set.way[1].answer, name);
  // In front of its set; the older of the two it held goes.
  set.way[1] = set.way[0];
  std::memcpy(set.way[0].form, key.w, sizeof(key.w));
  set.way[0].answer = cached_answer(name);
  return parts_of(set.way[0].answer, name);
}

RegisteredDomains::Slot RegisteredDomains::cached_answer(std::string_view name) {
  if (last_valid_ && name.size() == last_len_ && std::memcmp(name.data(), last_name_, name.size()) == 0)
    return last_;
  const std::uint64_t h = core::hash_bytes(name.data(), name.size());
  Slot answer;
  if (const Slot* s = find(cur_, h, name)) {
    answer = *s;
  } else {
    if (const Slot* old = find(prev_, h, name)) {
      answer = *old;  // asked again: moves to the newer generation
    } else {
      answer = answer_for(name, h);
    }
    if (cur_.size >= gen_cap_) {
      std::swap(cur_, prev_);
      cur_.clear();
    }
    insert(cur_, h, name, answer);
  }
  std::memcpy(last_name_, name.data(), name.size());
  last_len_ = name.size();
  last_ = answer;
  last_valid_ = true;
  return answer;
}

constinit thread_local RegisteredDomains* detail::thread_domains = nullptr;

RegisteredDomains& detail::make_thread_domains() {
  static thread_local RegisteredDomains domains;
  thread_domains = &domains;
  return domains;
}

std::string_view subdomain_of_other(std::string_view name, std::string_view domain) {
  // name.size() > domain.size(), and domain is not name's own tail
  if (!ends_with_zone(name, domain)) return name;
  return name.substr(0, name.size() - domain.size() - 1);
}

std::size_t reversed_ip_prefix(std::string_view sub) {
  // IPv4: four decimal labels 0-255.
  std::size_t pos = 0;
  int labels = 0;
  while (labels < 4 && pos < sub.size()) {
    std::size_t end = sub.find('.', pos);
    if (end == std::string_view::npos) end = sub.size();
    const std::string_view l = sub.substr(pos, end - pos);
    if (l.empty() || l.size() > 3) break;
    int v = 0;
    bool ok = true;
    for (char c : l) {
      if (!is_digit(static_cast<unsigned char>(c))) ok = false;
      v = v * 10 + (c - '0');
    }
    if (!ok || v > 255) break;
    ++labels;
    pos = end + 1;
  }
  if (labels == 4) return std::min(pos, sub.size());
  // IPv6: at least 8 single-nibble labels.
  pos = 0;
  labels = 0;
  while (pos + 1 <= sub.size() && is_hex(static_cast<unsigned char>(sub[pos])) &&
         (pos + 1 == sub.size() || sub[pos + 1] == '.')) {
    ++labels;
    pos += 2;
  }
  if (labels >= 8) return std::min(pos, sub.size());
  return 0;
}

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  // Visit only the symbols that occur: labels are short, and walking all
  // 256 counters per label was the DNS detectors' largest cost.
  std::array<std::uint32_t, 256> counts{};
  std::array<unsigned char, 256> present;
  std::size_t distinct = 0;
  for (unsigned char c : s)
    if (counts[c]++ == 0) present[distinct++] = c;
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (std::size_t i = 0; i < distinct; ++i) {
    const double p = counts[present[i]] / n;
    h -= p * std::log2(p);
  }
  return h;
}

double label_bits(std::string_view l) {
  if (l.empty()) return 0;
  bool binary = false, punct = false, digits = false, letters = false, hex_only = true;
  for (unsigned char c : l) {
    if (c >= 0x80 || c < 0x20 || c == 0x7f) binary = true;
    else if (is_digit(c)) digits = true;
    else if (is_alpha(c)) letters = true;
    else if (c != '-' && c != '_') punct = true;
    if (!is_hex(c)) hex_only = false;
  }
  double per_char;
  if (binary) per_char = 7.0;
  else if (punct) per_char = 6.0;
  else if (digits && !letters) per_char = 3.32;
  else if (hex_only && digits && l.size() >= 6) per_char = 4.0;
  else if (letters && !digits) per_char = 4.7;
  else per_char = 5.17;
  const double h = shannon_entropy(l) + 1.0;
  return static_cast<double>(l.size()) * std::min(per_char, h);
}

double subdomain_bits(std::string_view sub) {
  sub.remove_prefix(reversed_ip_prefix(sub));
  double bits = 0;
  std::size_t pos = 0;
  while (pos < sub.size()) {
    std::size_t end = sub.find('.', pos);
    if (end == std::string_view::npos) end = sub.size();
    const std::string_view l = sub.substr(pos, end - pos);
    if (!l.empty() && l[0] != '_') bits += label_bits(l);
    pos = end + 1;
  }
  return bits;
}

std::size_t longest_label(std::string_view name) {
  std::size_t best = 0, cur = 0;
  for (char c : name) {
    if (c == '.') {
      best = std::max(best, cur);
      cur = 0;
    } else {
      ++cur;
    }
  }
  return std::max(best, cur);
}

namespace {

constexpr std::string_view kIodineCodecCheck = "aaahhh-drink-mal-ein-j";

// memmem: glibc's search beats string_view::find's first-character loop on
// names full of the needle's first letter.
bool contains(std::string_view hay, std::string_view needle) {
  return hay.size() >= needle.size() && memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
}

bool has_iodine_codec_check(std::string_view name) {
  // The phrase holds '-', which most names do not: one memchr rules them out.
  if (name.size() < kIodineCodecCheck.size() || std::memchr(name.data(), '-', name.size()) == nullptr) return false;
  return contains(name, kIodineCodecCheck);
}

bool has_dns2tcp_handshake(std::string_view name) {
  // Both labels start with '=', which host names never hold.
  if (std::memchr(name.data(), '=', name.size()) == nullptr) return false;
  return contains(name, ".=connect") || contains(name, ".=auth");
}

}  // namespace

TunnelTool tunnel_signature(std::string_view name, std::string_view sub, std::uint16_t qtype) {
  // dnscat2 direct mode tags every name with "dnscat." (its documented
  // default tag); over a domain it sends hex with its packet header in
  // front: 2-byte packet id, 1-byte type (00 SYN, 01 MSG, 02 FIN, ff PING),
  // 2-byte session id.
  if (name.starts_with("dnscat.")) return TunnelTool::kDnscat2;
  // iodine: NULL (10) and PRIVATE (65399) queries are its preferred types and
  // nearly unused otherwise; its downstream codec check sends a fixed phrase.
  if (qtype == 10 || qtype == 65399) return TunnelTool::kIodine;
  if (has_iodine_codec_check(name)) return TunnelTool::kIodine;
  // dns2tcp: the handshake labels "=connect" and "=auth".
  if (has_dns2tcp_handshake(name)) return TunnelTool::kDns2tcp;
  std::size_t hex = 0;
  for (char c : sub) {
    if (c == '.') continue;
    if (!is_hex(static_cast<unsigned char>(c))) return TunnelTool::kNone;
    ++hex;
  }
  if (hex >= 18 && sub.size() >= 6 && sub[4] != '.' && sub[5] != '.') {
    const std::string_view type = sub.substr(4, 2);
    if (type == "00" || type == "01" || type == "02" || type == "ff") return TunnelTool::kDnscat2;
  }
  return TunnelTool::kNone;
}

bool tunnel_signature_strong(std::string_view name) {
  return name.starts_with("dnscat.") || has_iodine_codec_check(name) || has_dns2tcp_handshake(name);
}

const char* tunnel_tool_name(TunnelTool t) {
  switch (t) {
    case TunnelTool::kIodine: return "iodine";
    case TunnelTool::kDnscat2: return "dnscat2";
    case TunnelTool::kDns2tcp: return "dns2tcp";
    default: return "";
  }
}

namespace {

// Zones whose names carry data by design: a DNSBL look-up sends the reversed
// address, an anti-virus cloud look-up the hash of a file, an ad frame a
// random token. A sensor at the defaults must not call them tunnels (they are
// well-known, operated by security vendors).
constexpr std::string_view kDataServiceZones[] = {
    // DNS block lists (RFC 5782 look-ups)
    "spamhaus.org", "spamhaus.net", "spamcop.net", "sorbs.net", "barracudacentral.org", "surbl.org",
    "uribl.com", "abuseat.org", "mailspike.net", "dnswl.org", "psbl.surriel.com", "spamrats.com",
    "senderscore.com", "s5h.net", "nszones.com", "spameatingmonkey.net", "junkemailfilter.com",
    "dnsbl.httpbl.org", "mailshell.net", "invaluement.com",
    // anti-virus and reputation clouds
    "avqs.mcafee.com", "avts.mcafee.com", "gti.mcafee.com", "sophosxl.net", "e5.sk", "hash.cymru.com",
    "senderbase.org", "trendmicro.com", "webroot.com", "brightcloud.com",
    // ad frames named by random tokens
    "safeframe.googlesyndication.com",
};

// FNV-1a over a name read from its end: every suffix of a name that starts at
// a label has its hash once the walk reaches it, so one pass over the name
// checks all its label-aligned suffixes against the zones.
constexpr std::uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
constexpr std::uint64_t fnv_step(std::uint64_t h, char c) {
  return (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
}

struct ZoneTable {
  static constexpr std::size_t kSlots = 128;  // power of two, load < 1/4
  std::array<std::uint64_t, kSlots> hash{};   // 0: empty
  std::array<std::uint8_t, kSlots> zone{};
  ZoneTable() {
    for (std::size_t z = 0; z < std::size(kDataServiceZones); ++z) {
      std::uint64_t h = kFnvBasis;
      for (auto c = kDataServiceZones[z].rbegin(); c != kDataServiceZones[z].rend(); ++c) h = fnv_step(h, *c);
      std::size_t i = h & (kSlots - 1);
      while (hash[i] != 0) i = (i + 1) & (kSlots - 1);
      hash[i] = h;
      zone[i] = static_cast<std::uint8_t>(z);
    }
    add_tails();
  }
  bool contains(std::uint64_t h, std::string_view suffix) const {
    for (std::size_t i = h & (kSlots - 1); hash[i] != 0; i = (i + 1) & (kSlots - 1))
      if (hash[i] == h && kDataServiceZones[zone[i]] == suffix) return true;
    return false;
  }
  // A name can end with a zone of 8 bytes or more only if its last 8 bytes
  // are that zone's last 8: one look-up in a set of 64-bit words rules out
  // nearly every name before the walk. Shorter zones are checked directly.
  std::array<std::uint64_t, kSlots> tail8{};  // 0: empty (no tail is 0)
  std::array<std::string_view, 4> short_zones{};
  std::size_t n_short = 0;
  static std::uint64_t last8(std::string_view s) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + s.size() - 8, 8);
    return w;
  }
  static std::size_t slot_of(std::uint64_t w) { return (w * 0x9e3779b97f4a7c15ULL) >> 57; }  // 7 bits
  void add_tails() {
    for (const auto z : kDataServiceZones) {
      if (z.size() < 8) {
        short_zones[n_short++] = z;
        continue;
      }
      const std::uint64_t w = last8(z);
      std::size_t i = slot_of(w);
      while (tail8[i] != 0 && tail8[i] != w) i = (i + 1) & (kSlots - 1);
      tail8[i] = w;
    }
  }
  bool maybe(std::string_view name) const {
    for (std::size_t k = 0; k < n_short; ++k)
      if (ends_with_zone(name, short_zones[k])) return true;
    if (name.size() < 8) return false;
    const std::uint64_t w = last8(name);
    for (std::size_t i = slot_of(w); tail8[i] != 0; i = (i + 1) & (kSlots - 1))
      if (tail8[i] == w) return true;
    return false;
  }
};

}  // namespace

bool is_data_service_zone(std::string_view name) {
  // Same answer as ends_with_zone(name, z) for any zone z of the list.
  static const ZoneTable table;
  if (!table.maybe(name)) return false;
  std::uint64_t h = kFnvBasis;
  for (std::size_t i = name.size(); i-- > 0;) {
    h = fnv_step(h, name[i]);
    if ((i == 0 || name[i - 1] == '.') && table.contains(h, name.substr(i))) return true;
  }
  return false;
}

CappedHashSet::Insert CappedHashSet::insert(std::uint64_t h) {
  if (h == 0) h = 1;
  if (slots_.empty()) slots_.assign(16, 0);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i] != 0) {
    if (slots_[i] == h) return Insert::kPresent;
    i = (i + 1) & mask;
  }
  if (size_ >= cap_) return Insert::kFull;
  slots_[i] = h;
  ++size_;
  if (size_ * 2 > slots_.size()) grow();
  return Insert::kAdded;
}

bool CappedHashSet::contains(std::uint64_t h) const {
  if (h == 0) h = 1;
  if (slots_.empty()) return false;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i] != 0) {
    if (slots_[i] == h) return true;
    i = (i + 1) & mask;
  }
  return false;
}

void CappedHashSet::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, 0);
  const std::size_t mask = slots_.size() - 1;
  for (auto h : old) {
    if (!h) continue;
    std::size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

Finding make_dns_finding(FindingType type, const char* detector, const core::IpAddr& client,
                         const core::IpAddr& resolver, std::uint8_t transport, std::string_view domain,
                         bool domain_in_identity) {
  Finding f;
  f.type = type;
  f.severity = finding_type_info(type).default_severity;
  f.direction = Direction::kOutbound;
  f.protocol = transport == 6 ? 6 : 17;
  f.local = client;
  f.remote = resolver;
  f.remote_port = 53;
  std::strncpy(f.detector, detector, sizeof(f.detector) - 1);
  const std::size_t n = std::min(domain.size(), sizeof(f.domain) - 1);
  if (domain_in_identity) std::memcpy(f.domain, domain.data(), n);
  f.set_identity(client, core::IpAddr{}, 0);  // identity covers f.domain
  std::memcpy(f.domain, domain.data(), n);
  f.domain[n] = '\0';
  return f;
}

std::string client_key(const core::IpAddr& client, std::string_view name) {
  std::string k(reinterpret_cast<const char*>(client.bytes.data()), 16);
  k.append(name);
  return k;
}

core::IpAddr key_client(const std::string& key) {
  core::IpAddr a;
  std::memcpy(a.bytes.data(), key.data(), 16);
  return a;
}

ClientKeyBuf::ClientKeyBuf(const core::IpAddr& client, std::string_view name) {
  const std::size_t n = std::min(name.size(), kDnsEventMaxName);
  std::memcpy(buf_, client.bytes.data(), 16);
  std::memcpy(buf_ + 16, name.data(), n);
  len_ = 16 + n;
}

std::string_view key_name(const std::string& key) { return std::string_view(key).substr(16); }

}  // namespace picket::detect::dns

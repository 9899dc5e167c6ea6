// The flat tables behind the DNS detectors' per-event path must give the
// same answers as the plain definitions they replace: the registered-domain
// cache as libpsl uncached, NameSet as CappedHashSet, ExfilKeys as a map.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <tuple>
#include <random>
#include <string>

#include "address_filter.hpp"
#include "client_window.hpp"
#include "dns_util.hpp"
#include "exfil_keys.hpp"

namespace picket::detect::dns {
namespace {

// `count` names of up to `max_labels` random labels of 1..`max_label` letters
// under one of `tails` (the tails cover public suffixes, private ones,
// non-public names and the empty name).
template <std::size_t N>
std::vector<std::string> random_names(std::mt19937& rng, int count, unsigned max_labels, unsigned max_label,
                                      const char* const (&tails)[N]) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    std::string n;
    const int labels = static_cast<int>(rng() % max_labels);
    for (int l = 0; l < labels; ++l) n.append(1 + rng() % max_label, static_cast<char>('a' + rng() % 26)).append(".");
    n.append(tails[rng() % N]);
    if (!n.empty() && n.back() == '.') n.pop_back();
    names.push_back(n);
  }
  return names;
}

// Every fact of a split the cached paths must reproduce.
::testing::AssertionResult same_parts(const DomainParts& got, const DomainParts& want) {
  if (got.registered != want.registered) return ::testing::AssertionFailure() << "registered";
  if (got.known_suffix != want.known_suffix) return ::testing::AssertionFailure() << "known_suffix";
  if (got.single_label != want.single_label) return ::testing::AssertionFailure() << "single_label";
  if (got.data_service_zone != want.data_service_zone) return ::testing::AssertionFailure() << "data_service_zone";
  if (got.sub_bits != want.sub_bits) return ::testing::AssertionFailure() << "sub_bits";
  if (got.sub_longest_label != want.sub_longest_label) return ::testing::AssertionFailure() << "sub_longest_label";
  if (got.hash != want.hash) return ::testing::AssertionFailure() << "hash";
  return ::testing::AssertionSuccess();
}

TEST(RegisteredDomainCache, AgreesWithUncachedSplitThroughRotations) {
  std::mt19937 rng(11);
  static const char* const kTails[] = {"example.com", "co.uk", "blogspot.com", "s3.amazonaws.com", "lan", "arpa",
                                       "github.io", "ck", "www.ck", "com.au", ""};
  std::vector<std::string> names = random_names(rng, 3000, 4, 6, kTails);
  names.push_back(std::string("a\0b.example.com", 15));  // a NUL inside: libpsl reads up to it
  names.push_back(std::string(300, 'x').append(".com"));  // longer than a DNS name: not cached
  names.push_back("");
  RegisteredDomains cache(256);  // small: many rotations
  for (int round = 0; round < 3; ++round) {
    for (const auto& n : names) {
      const DomainParts want = RegisteredDomains::compute(n);
      const DomainParts got = cache.split(n);
      ASSERT_TRUE(same_parts(got, want)) << n;
      // The registered domain views the caller's name.
      if (!n.empty()) {
        EXPECT_TRUE(got.registered.data() >= n.data() && got.registered.data() <= n.data() + n.size());
      }
      ASSERT_LE(cache.cache_size(), 256u);
    }
  }
  // The memo of the last split compares bytes, not addresses.
  std::string a = "www.example.com", b = "www.example.org";
  EXPECT_EQ(cache.split(a).registered, "example.com");
  EXPECT_EQ(cache.split(b).registered, "example.org");
  b = "www.exbmple.com";
  EXPECT_EQ(cache.split(b).registered, "exbmple.com");
}

// An event's name goes through the front cache (names of up to 63 bytes in
// their padded form): its answers must be libpsl's uncached ones, whatever
// the bytes after the name in the event's buffer, through evictions (more
// names than the front holds), for names at and past its length limit.
TEST(RegisteredDomainCache, EventNamesAgreeWithUncachedSplitThroughTheFrontCache) {
  std::mt19937 rng(12);
  static const char* const kTails[] = {"example.com", "co.uk", "blogspot.com", "s3.amazonaws.com", "lan", "arpa",
                                       "github.io", "ck", "www.ck", "com.au", "zen.spamhaus.org", ""};
  std::vector<std::string> names = random_names(rng, 6000, 5, 14, kTails);
  // At the front's length limit and past it; names equal but for their
  // length, a NUL inside, or their last byte.
  for (std::size_t len : {61u, 62u, 63u, 64u, 65u, 200u, 255u}) {
    names.push_back(std::string(len - 12, 'q').append(".example.com"));
    names.push_back(std::string(len - 12, 'q').append(".example.org"));
  }
  names.push_back("ab.example.com");
  names.push_back(std::string("ab.example.com\0", 15));
  names.push_back(std::string("a\0b.example.com", 15));
  RegisteredDomains cache(512);
  DnsEvent e;
  for (int round = 0; round < 4; ++round) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      // Revisit recent names often, so that both ways of a set are hit.
      const std::string& n = rng() % 3 == 0 ? names[i - std::min<std::size_t>(i, rng() % 8)] : names[i];
      // Whatever followed a longer name in the buffer must not matter.
      for (std::size_t k = 0; k < sizeof(e.qname); ++k) e.qname[k] = static_cast<char>('a' + rng() % 26);
      std::memcpy(e.qname, n.data(), n.size());
      if (n.size() < sizeof(e.qname) && rng() % 2) e.qname[n.size()] = '\0';
      e.qname_len = static_cast<std::uint16_t>(n.size());
      const std::string_view name(e.qname, n.size());
      const DomainParts want = RegisteredDomains::compute(n);
      const DomainParts got = cache.split(e);
      ASSERT_TRUE(same_parts(got, want)) << n;
      ASSERT_EQ(got.registered_hash, want.registered_hash) << n;
      ASSERT_EQ(got.registered_hash, core::hash_bytes(want.registered.data(), want.registered.size())) << n;
      // The registered domain views the event's name.
      if (!n.empty()) {
        ASSERT_TRUE(got.registered.data() >= name.data() && got.registered.data() <= name.data() + name.size());
      }
      ASSERT_EQ(subdomain_of(name, got.registered), subdomain_of(std::string_view(n), std::string_view(want.registered)));
    }
  }
}

TEST(NameSet, BehavesAsCappedHashSet) {
  std::mt19937_64 rng(3);
  for (std::size_t cap : {1u, 3u, 4u, 16u, 100u}) {
    CappedHashSet want(cap);
    NameSet got;
    for (int i = 0; i < 2000; ++i) {
      // Small values repeat; 0 and 1 are the same entry in both.
      const std::uint64_t h = rng() % 3 == 0 ? rng() % 300 : rng();
      if (i % 2) {
        ASSERT_EQ(got.contains(h), want.contains(h));
      } else {
        ASSERT_EQ(got.insert(h, cap), want.insert(h));
      }
      ASSERT_EQ(got.size(), want.size());
    }
    NameSet moved = std::move(got);
    EXPECT_EQ(moved.size(), want.size());
    EXPECT_EQ(got.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from set is empty
    moved.clear();
    EXPECT_EQ(moved.size(), 0u);
    EXPECT_EQ(moved.insert(7, cap), CappedHashSet::Insert::kAdded);  // usable again after clear
    EXPECT_TRUE(moved.contains(7));
  }
}

// ChunkedArray against a vector: the same elements at the same indexes
// through growth across chunks, removals from the end and clears (chunks of
// 4 elements here, so that every path crosses chunk boundaries); elements
// stay where they are while the array grows.
// The tunnel signature dns_exfil takes from a split (the name's part cached
// with it) must be tunnel_signature's for the name, the subdomain dns_exfil
// counts (under the registered domain, or under "dnscat" for dnscat2's
// tagged names) and the query type, for every tool's signature and none.
TEST(RegisteredDomainCache, CarriesTheNamesTunnelSignature) {
  std::mt19937 rng(17);
  static const char* const kParts[] = {"dnscat.", "00", "01", "02", "ff", "a3", "7cd5", "01a621c362010a", "aaahhh-drink-mal-ein-j",
                                       "=connect.", "=auth.", "www.", "x-", "=", "zi03aa-", "deadbeefcafe", "."};
  static const char* const kTails[] = {"skullseclabs.org", "pirate.sea", "example.com", "co.uk", "tunnel.com", "lan"};
  static const std::uint16_t kTypes[] = {1, 5, 10, 16, 28, 65399, 65280};
  RegisteredDomains cache(256);
  DnsEvent e;
  int seen[4] = {};
  for (int i = 0; i < 20000; ++i) {
    std::string n;
    const int parts = static_cast<int>(rng() % 6);
    for (int k = 0; k < parts; ++k) n.append(kParts[rng() % std::size(kParts)]);
    if (!n.empty() && n.back() != '.') n.push_back('.');
    n.append(kTails[rng() % std::size(kTails)]);
    if (n.size() >= sizeof(e.qname)) continue;
    std::memcpy(e.qname, n.data(), n.size());
    e.qname_len = static_cast<std::uint16_t>(n.size());
    const std::uint16_t qtype = kTypes[rng() % std::size(kTypes)];
    const DomainParts p = rng() % 2 ? cache.split(e) : cache.split(std::string_view(n));
    const std::string_view name(n);
    const std::string_view sub = name.starts_with("dnscat.") ? name.substr(7) : subdomain_of(name, p.registered);
    const TunnelTool want = tunnel_signature(name, sub, qtype);
    ASSERT_EQ(tunnel_signature(p, name, qtype), want) << n << " " << qtype;
    ASSERT_EQ(p.tunnel_strong, tunnel_signature_strong(name)) << n;
    ++seen[static_cast<int>(want)];
  }
  for (int t = 0; t < 4; ++t) EXPECT_GT(seen[t], 50) << t;  // every tool's signature came up, and none
}

// AddressFilter against the IpSet it stands in front of: every address
// inside a prefix of a wanted category passes (IPv4 and IPv6 prefixes of
// every length, nested ones, prefixes of unwanted categories beside them),
// while most addresses of no such prefix are turned away; rebuilt when the
// snapshot's generation changes.
TEST(AddressFilter, PassesEveryAddressOfAWantedPrefix) {
  using picket::intel::Category;
  std::mt19937_64 rng(23);
  auto random_addr = [&](bool v4) {
    if (v4) return core::IpAddr::from_v4(static_cast<std::uint32_t>(rng()));
    std::uint8_t b[16];
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    b[0] = static_cast<std::uint8_t>(0x20 + rng() % 4);  // global unicast-like: crowded top bits
    return core::IpAddr::from_v6(b);
  };
  auto inside = [&](const core::Cidr& c) {  // a random address of the prefix
    core::IpAddr a = random_addr(c.base.is_v4() && c.prefix_bits >= 96);
    for (unsigned bit = 0; bit < c.prefix_bits; ++bit) {
      const std::uint8_t m = static_cast<std::uint8_t>(0x80 >> (bit % 8));
      a.bytes[bit / 8] = static_cast<std::uint8_t>((a.bytes[bit / 8] & ~m) | (c.base.bytes[bit / 8] & m));
    }
    return a;
  };
  const auto wanted = [](Category c) { return c == Category::kSinkhole || c == Category::kC2; };
  AddressFilter filter;
  for (std::uint64_t generation = 1; generation <= 6; ++generation) {
    picket::intel::Snapshot s;
    s.generation = generation;
    s.lists.resize(3);
    s.lists[0].category = Category::kSinkhole;
    s.lists[1].category = Category::kTor;  // not wanted
    s.lists[2].category = Category::kC2;
    picket::intel::IpSet::Builder b;
    std::vector<core::Cidr> prefixes;
    // Odd generations: prefixes of every length; even ones: only prefixes
    // of /16 (IPv4) or /32 (IPv6) and longer, the common case, where the
    // filter must turn most other addresses away.
    const bool long_only = generation % 2 == 0;
    for (int i = 0; i < 40; ++i) {
      const bool v4 = rng() % 2;
      static const unsigned kLens[] = {0, 1, 8, 15, 16, 17, 24, 31, 32, 33, 48, 64, 127, 128};
      static const unsigned kLongLens[] = {32, 33, 48, 64, 127, 128};
      unsigned len = long_only ? kLongLens[rng() % std::size(kLongLens)] : kLens[rng() % std::size(kLens)];
      if (long_only && v4) len = 16 + len % 17;
      core::Cidr c;
      c.base = random_addr(v4);
      if (v4) len = 96 + std::min(len, 32u);
      c.prefix_bits = static_cast<std::uint8_t>(len);
      if (rng() % 4 == 0 && !prefixes.empty()) c.base = inside(prefixes[rng() % prefixes.size()]);  // nested
      c.base = inside(c);  // its own base, host bits random (the filter must not rely on them)
      picket::intel::EntryInfo entry;
      entry.list = static_cast<std::uint16_t>(rng() % 3);
      s.entries.push_back(entry);
      b.add(c, static_cast<std::uint32_t>(s.entries.size() - 1));
      prefixes.push_back(c);
    }
    s.ips = b.build();
    filter.use(s, wanted);
    int passed_outside = 0, outside = 0;
    for (int i = 0; i < 20000; ++i) {
      const bool random = i % 2 == 0;
      const core::IpAddr a = random ? random_addr(rng() % 2) : inside(prefixes[rng() % prefixes.size()]);
      bool in_wanted = false;
      s.ips.for_each_match(a, [&](const picket::intel::IpSet::Prefix& p) {
        in_wanted = in_wanted || wanted(s.list_of(p.value).category);
      });
      const bool may = filter.may_match(a);
      if (in_wanted) {
        ASSERT_TRUE(may) << a.to_string() << " generation " << generation;
      } else if (random) {
        ++outside;
        passed_outside += may;
      }
    }
    if (long_only) {
      EXPECT_LT(passed_outside * 10, outside) << generation;
    }
  }
}

TEST(ChunkedArray, HoldsWhatAVectorHolds) {
  std::mt19937 rng(5);
  ChunkedArray<std::string, 2> got;
  std::vector<std::string> want;
  std::vector<const std::string*> where;
  for (int step = 0; step < 20000; ++step) {
    const unsigned op = rng() % 100;
    if (op < 60) {
      got.emplace_back().assign(std::to_string(rng()) + std::string(rng() % 40, 'x'));  // some on the heap
      want.push_back(got[got.size() - 1]);
      where.push_back(&got[got.size() - 1]);
    } else if (op < 98) {
      if (want.empty()) continue;
      got.pop_back();
      want.pop_back();
      where.pop_back();
    } else if (op < 99) {
      got.clear();
      want.clear();
      where.clear();
    } else if (!want.empty()) {
      const std::size_t i = rng() % want.size();
      got[i] = std::move(got[got.size() - 1]);  // as ExfilKeys::remove fills a hole
      got.pop_back();
      want[i] = want.back();
      want.pop_back();
      where.pop_back();
    }
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); i += 1 + rng() % 8) {
      ASSERT_EQ(got[i], want[i]) << i;
      ASSERT_EQ(&got[i], where[i]) << i;  // never moved by growth
    }
  }
}

TEST(ExfilKeys, FindsWhatAMapFindsThroughAddsAndRemoves) {
  std::mt19937 rng(8);
  ExfilKeys keys;
  std::map<std::string, std::uint32_t> want;  // client_key -> marker in hot.queries
  auto client_of = [](unsigned c) { return core::IpAddr::from_v4(0x0a000000u + c); };
  std::uint64_t marker = 0;
  for (int step = 0; step < 20000; ++step) {
    const unsigned c = static_cast<unsigned>(rng() % 400);  // over 10,000 keys: several chunks
    // Domains both shorter and longer than the inline part.
    std::string d("d");
    d.append(std::to_string(rng() % 60));
    if (rng() % 4 == 0) d.append(50, 'z');
    d.append(".com");
    const core::IpAddr client = client_of(c);
    const std::uint64_t h = ExfilKeys::hash_of(client, d);
    const std::uint32_t idx = keys.find(h, client, d);
    auto it = want.find(client_key(client, d));
    ASSERT_EQ(idx == ExfilKeys::kNone, it == want.end());
    if (idx == ExfilKeys::kNone) {
      const std::uint32_t added = keys.add(h, client, d);
      keys.hot(added).queries = ++marker;
      want[client_key(client, d)] = static_cast<std::uint32_t>(marker);
    } else {
      ASSERT_EQ(keys.hot(idx).queries, it->second);
      EXPECT_EQ(keys.cold(idx).domain, d);
      if (rng() % 3 == 0) {
        keys.remove(idx);
        want.erase(it);
      }
    }
    ASSERT_EQ(keys.size(), want.size());
  }
  EXPECT_GT(keys.size(), 2u * 4096);  // the keys span several chunks
  // Every remaining key is found at an index holding its own marker.
  for (const auto& [k, m] : want) {
    const core::IpAddr client = key_client(k);
    const std::string_view d = key_name(k);
    const std::uint32_t idx = keys.find(ExfilKeys::hash_of(client, d), client, d);
    ASSERT_NE(idx, ExfilKeys::kNone);
    EXPECT_EQ(keys.hot(idx).queries, m);
  }
}

// ClientWindows skips its expiry walk while no item can be due and keeps the
// ordered weight sum between changes: after every event the items and the
// sum must be those of the plain rule (drop every item last seen more than a
// window ago, then add or refresh), under refreshes and jumps in time.
TEST(ClientWindows, LazyExpiryKeepsThePlainRulesItems) {
  const core::Nanos window = core::seconds(10);
  ClientWindows windows(window, core::seconds(1), 8, 64);
  std::map<unsigned, std::map<std::uint64_t, std::pair<core::Nanos, double>>> want;  // client -> item -> (seen, w)
  std::mt19937 rng(21);
  core::Nanos t = core::seconds(100);
  int expired = 0;
  for (int step = 0; step < 20000; ++step) {
    t += rng() % 50 == 0 ? core::seconds(rng() % 15) : core::seconds(0.001 * (rng() % 300));
    const unsigned c = rng() % 3;
    const std::uint64_t item = rng() % 100;
    const double w = 0.01 * static_cast<double>(item % 17);
    auto& ref = want[c];
    for (auto it = ref.begin(); it != ref.end();) {
      if (it->second.first + window < t) {
        it = ref.erase(it);
        ++expired;
      } else {
        ++it;
      }
    }
    if (auto f = ref.find(item); f != ref.end()) f->second.first = t;
    else if (ref.size() < 64) ref[item] = {t, w};
    const core::IpAddr client = core::IpAddr::from_v4(0x0a000001u + c);
    ClientWindow* cw = windows.add(client, client, 17, t, item, [&] { return w; }, "x", {});
    ASSERT_NE(cw, nullptr);
    ASSERT_EQ(cw->items.size(), ref.size()) << "step " << step;
    double sum = 0;
    for (const auto& [k, v] : ref) {
      auto got = cw->items.find(k);
      ASSERT_NE(got, cw->items.end());
      EXPECT_EQ(got->second.last_seen, v.first);
      sum += v.second;  // std::map: key order, as weight_sum adds them
    }
    ASSERT_EQ(cw->weight_sum(), sum);
  }
  EXPECT_GT(expired, 1000);  // the walk did drop items
}

// ClientWindows::tick against the plain rule it implements: the updates due
// (reported, changed, report_interval passed) in address order, each after
// expiring its items, then the last updates of the clients quiet for a whole
// window (all of them at flush) in address order, which then go. Clients in
// both halves of the address space (addresses differing in either 8-byte
// word), reports made and items added as a detector does.
TEST(ClientWindows, TicksReportInAddressOrderAsThePlainRule) {
  const core::Nanos window = core::seconds(10), report = core::seconds(2);
  struct Model {
    std::map<std::uint64_t, core::Nanos> items;
    core::Nanos last_seen = 0, last_report = 0;
    bool reported = false, changed = false;
  };
  std::mt19937 rng(33);
  for (int run = 0; run < 20; ++run) {
    ClientWindows windows(window, report, 1000, 16);
    std::map<core::IpAddr, Model> want;  // operator<: the plain order
    core::Nanos t = core::seconds(100);
    auto addr = [](unsigned c) {
      core::IpAddr a = core::IpAddr::from_v4(0x0a000000u + (c & 3));
      if (c & 4) a.bytes[0] = 0x20;  // an IPv6 address: differs in the first word
      if (c & 8) a.bytes[7] = 0x01;
      return a;
    };
    for (int step = 0; step < 3000; ++step) {
      t += rng() % 40 == 0 ? core::seconds(rng() % 25) : core::seconds(0.001 * (rng() % 500));
      if (rng() % 8 == 0) {
        // A tick: what the plain rule sends, and what tick() sends.
        const bool flush = rng() % 20 == 0;
        std::vector<std::tuple<core::IpAddr, std::size_t>> plain, got;
        std::vector<core::IpAddr> gone;
        for (auto& [ip, m] : want) {
          if (flush || m.last_seen + window < t) {
            gone.push_back(ip);
          } else if (m.reported && m.changed && t >= m.last_report + report) {
            for (auto it = m.items.begin(); it != m.items.end();)
              it = it->second + window < t ? m.items.erase(it) : std::next(it);
            m.changed = false;
            m.last_report = t;
            plain.emplace_back(ip, m.items.size());
          }
        }
        for (const auto& ip : gone) {
          if (want[ip].reported && want[ip].changed) plain.emplace_back(ip, want[ip].items.size());
          want.erase(ip);
        }
        windows.tick(t, flush, [&](const core::IpAddr& ip, const ClientWindow& c, bool update) {
          EXPECT_TRUE(update);
          got.emplace_back(ip, c.items.size());
        });
        ASSERT_EQ(got, plain) << "run " << run << " step " << step;
        ASSERT_EQ(windows.size(), want.size());
        continue;
      }
      const unsigned c = rng() % 16;
      const std::uint64_t item = rng() % 40;
      Model& m = want[addr(c)];
      for (auto it = m.items.begin(); it != m.items.end();)
        it = it->second + window < t ? m.items.erase(it) : std::next(it);
      if (auto f = m.items.find(item); f != m.items.end()) {
        f->second = t;
      } else if (m.items.size() < 16) {
        m.items[item] = t;
        m.changed = true;
      }
      m.last_seen = t;
      ClientWindow* cw = windows.add(addr(c), addr(c), 17, t, item, [] { return 1.0; }, "x", {});
      ASSERT_NE(cw, nullptr);
      ASSERT_EQ(cw->items.size(), m.items.size());
      // Reported as a detector does once the client has enough items.
      if (!cw->reported && cw->items.size() >= 3) {
        cw->reported = m.reported = true;
        cw->changed = m.changed = false;
        cw->last_report = m.last_report = t;
      }
    }
  }
}

}  // namespace
}  // namespace picket::detect::dns

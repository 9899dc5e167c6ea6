#pragma once
// UrlSet: threat-list URLs that name a path (`http://evil.example/gate.php`),
// matched against plain-HTTP requests, where picket sees the Host header and
// the request target. Matching only the host of such a URL would flag the
// whole site; matching the URL flags the one resource.
//
// Key of an indicator and of a request: "HOST" + "PATH[?QUERY]".
//  - HOST is lower-cased, without a trailing dot, userinfo or port; an IP
//    literal is written in its canonical form (IPv6 without brackets).
//  - PATH and QUERY are byte for byte as written / as sent: case kept,
//    percent-encoding not decoded, `.` and `..` segments not resolved. A
//    fragment (`#...`) is never sent, so an indicator's is dropped.
// A request matches an entry when its key equals the entry's, or, for an
// entry without a query, when its key up to the `?` does (src/intel/README.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace picket::intel {

inline constexpr std::uint32_t kNoUrl = 0xffffffffu;
// Longest request target picket reads (proto::kHttpMaxUri - 1); a longer
// indicator path could never be compared.
inline constexpr std::size_t kUrlMaxTarget = 255;
// Host (at most 255) + target (at most 255) + NUL.
inline constexpr std::size_t kUrlMaxKey = 512;

// Outcome of normalise_url beyond "" (a URL entry, key in `out`).
inline constexpr std::string_view kUrlNoPath = "no path";        // only the host: match it as a domain
inline constexpr std::string_view kUrlUnsupported = "unsupported";  // counted, not loaded

// Normalises a URL indicator, "SCHEME://[USERINFO@]HOST[:PORT][/PATH][?QUERY][#FRAGMENT]"
// or, as maltrail trails and some CSV exports write it, without "SCHEME://".
// Returns "" (a URL entry; its key in `out`), kUrlNoPath (no path beyond "/"
// and no query), kUrlUnsupported (a scheme other than http or https, or a path
// longer than kUrlMaxTarget), or why the URL is broken.
std::string normalise_url(std::string_view url, std::string& out);

// The key of an HTTP request: the Host header's name (as proto::HttpRequest
// keeps it: lower case, no port) and the request target as sent. An
// absolute-form target ("http://host[:port]/path", sent to proxies) names its
// own host, which wins over the header (RFC 9112 3.2.2). Writes the key into
// `buf` and returns its length, with `path_len` the length before any '?';
// 0 when no URL can match (asterisk or authority form, empty host, too long).
// No allocation.
std::size_t http_request_key(std::string_view host, std::string_view target, char (&buf)[kUrlMaxKey],
                             std::size_t& path_len);

class UrlSet {
 public:
  struct Entry {
    std::uint32_t key_offset = 0;  // into the key pool
    std::uint16_t key_len = 0;
    std::uint32_t value = 0;        // caller's payload (an entry id)
    std::uint32_t next = kNoUrl;    // another entry with the same key (another list)
  };

  class Builder {
   public:
    // `key` as normalise_url gives it.
    void add(std::string_view key, std::uint32_t value);
    std::size_t size() const { return entries_.size(); }
    UrlSet build();

   private:
    std::vector<Entry> entries_;
    std::string pool_;
  };

  UrlSet() = default;

  // Calls f(const Entry&) for every entry a request with this key (from
  // http_request_key) matches: those equal to the whole key, then, when the
  // request has a query, the query-less entries equal to its path. Returns
  // how many matched.
  template <typename F>
  unsigned for_each_request_match(std::string_view key, std::size_t path_len, F&& f) const {
    if (entries_.empty() || key.empty()) return 0;
    unsigned n = 0;
    for (std::uint32_t e = find(key); e != kNoUrl; e = entries_[e].next, ++n) f(entries_[e]);
    if (path_len < key.size())
      for (std::uint32_t e = find(key.substr(0, path_len)); e != kNoUrl; e = entries_[e].next, ++n) f(entries_[e]);
    return n;
  }
  // The first entry whose key is exactly `key`, or kNoUrl.
  std::uint32_t find(std::string_view key) const;

  std::string_view key_of(const Entry& e) const { return {pool_.data() + e.key_offset, e.key_len}; }
  const Entry& entry(std::uint32_t i) const { return entries_[i]; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) + pool_.capacity() + slots_.capacity() * sizeof(Slot);
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kNoUrl;  // first entry with this key
    std::uint32_t pad = 0;
  };
  std::vector<Entry> entries_;
  std::string pool_;
  std::vector<Slot> slots_;
  std::uint64_t mask_ = 0;
};

}  // namespace picket::intel

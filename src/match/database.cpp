// Database compile / on-disk cache and per-thread scratch.
#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "picket/match/pattern_set.hpp"

namespace picket::match {

namespace {

// Cache file layout: magic, key (16 bytes), payload length, xxh3-64 of the
// payload, payload (hs_serialize_database output). Hyperscan checks its own
// header when deserializing, but not every corrupted byte of the bytecode;
// the checksum makes any damaged file a miss instead of a bad database.
constexpr char kMagic[8] = {'P', 'K', 'T', 'H', 'S', 'D', 'B', '1'};

void put_u64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

XXH128_hash_t cache_hash(const std::vector<Pattern>& patterns, unsigned mode) {
  // Length-prefixed fields so that no two different sets hash the same input.
  std::string in;
  auto add = [&in](const std::string& s) {
    put_u64(in, s.size());
    in += s;
  };
  add(hs_version());
  put_u64(in, mode);
  put_u64(in, patterns.size());
  for (const auto& p : patterns) {
    add(p.regex);
    put_u64(in, p.flags);
  }
  return XXH3_128bits(in.data(), in.size());
}

std::string hex_key(const XXH128_hash_t& h) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

// Returns a database read from `path`, or null (with `why`) when absent or unusable.
hs_database_t* read_cache(const std::string& path, const XXH128_hash_t& key, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return nullptr;  // a plain miss
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string data = ss.str();
  constexpr std::size_t kHeader = 8 + 16 + 8 + 8;
  if (data.size() < kHeader || std::memcmp(data.data(), kMagic, 8) != 0) {
    why = path + ": not a picket Hyperscan cache file; recompiled";
    return nullptr;
  }
  if (get_u64(data.data() + 8) != key.low64 || get_u64(data.data() + 16) != key.high64) {
    why = path + ": cache key mismatch; recompiled";
    return nullptr;
  }
  const std::uint64_t len = get_u64(data.data() + 24);
  if (len != data.size() - kHeader || XXH3_64bits(data.data() + kHeader, len) != get_u64(data.data() + 32)) {
    why = path + ": corrupt cache file (length or checksum); recompiled";
    return nullptr;
  }
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(data.data() + kHeader, len, &db) != HS_SUCCESS) {
    why = path + ": Hyperscan refused the cached database; recompiled";
    return nullptr;
  }
  return db;
}

void write_cache(const std::string& dir, const std::string& path, const XXH128_hash_t& key, const hs_database_t* db,
                 std::string& why) {
  char* bytes = nullptr;
  std::size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
    why = "could not serialize the Hyperscan database; cache not written";
    return;
  }
  std::string out(kMagic, 8);
  put_u64(out, key.low64);
  put_u64(out, key.high64);
  put_u64(out, len);
  put_u64(out, XXH3_64bits(bytes, len));
  out.append(bytes, len);
  std::free(bytes);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // Write aside, then rename: a reader never sees half a file, and two
  // processes writing the same key both leave a whole one.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !f.write(out.data(), static_cast<std::streamsize>(out.size()))) {
      why = tmp + ": cannot write Hyperscan cache";
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    why = path + ": cannot write Hyperscan cache: " + ec.message();
    std::filesystem::remove(tmp, ec);
  }
}

}  // namespace

std::shared_ptr<const Database> Database::compile(std::vector<Pattern> patterns, const std::string& cache_dir,
                                                  std::string& error) {
  std::shared_ptr<Database> d(new Database());
  for (auto& p : patterns) p.flags |= HS_FLAG_SINGLEMATCH;
  d->patterns_ = std::move(patterns);
  if (d->patterns_.empty()) return d;
  const XXH128_hash_t key = cache_hash(d->patterns_, HS_MODE_BLOCK);
  d->cache_key_ = hex_key(key) + ".hsdb";
  const std::string path = cache_dir.empty() ? "" : (std::filesystem::path(cache_dir) / d->cache_key_).string();
  if (!path.empty()) {
    d->db_ = read_cache(path, key, d->cache_note_);
    d->from_cache_ = d->db_ != nullptr;
  }
  if (!d->db_) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (unsigned i = 0; i < d->patterns_.size(); ++i) {
      exprs.push_back(d->patterns_[i].regex.c_str());
      flags.push_back(d->patterns_[i].flags);
      ids.push_back(i);
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &d->db_, &err) != HS_SUCCESS) {
      const int at = err ? err->expression : -1;
      error = std::string("Hyperscan compile failed") +
              (at >= 0 && static_cast<std::size_t>(at) < d->patterns_.size()
                   ? " for pattern '" + d->patterns_[at].name + "'"
                   : std::string()) +
              ": " + (err && err->message ? err->message : "unknown error");
      hs_free_compile_error(err);
      return nullptr;
    }
    if (!path.empty()) write_cache(cache_dir, path, key, d->db_, d->cache_note_);
  }
  if (hs_alloc_scratch(d->db_, &d->proto_scratch_) != HS_SUCCESS) {
    error = "Hyperscan could not allocate scratch space";
    return nullptr;
  }
  return d;
}

Database::~Database() {
  if (proto_scratch_) hs_free_scratch(proto_scratch_);
  if (db_) hs_free_database(db_);
}

Scratch::Scratch(const Database& db) : db_(db.raw()) {
  if (db.prototype_scratch() && hs_clone_scratch(db.prototype_scratch(), &scratch_) != HS_SUCCESS) scratch_ = nullptr;
}

Scratch::~Scratch() {
  if (scratch_) hs_free_scratch(scratch_);
}

}  // namespace picket::match

#include "picket/geoip/geoip.hpp"

namespace picket::geoip {

namespace {
// Only the exporter thread writes the counters: a plain load and store (no
// locked read-modify-write) keeps them cheap and still readable elsewhere.
void bump(std::atomic<std::uint64_t>& c) { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
}  // namespace

std::string GeoIp::add_database(const std::string& path) {
  std::string error;
  auto db = Database::open(path, error);
  if (!db) return error;
  dbs_.push_back(std::move(db));
  return "";
}

std::shared_ptr<const GeoInfo> GeoIp::lookup(const core::IpAddr& a) {
  if (a.is_zero() || dbs_.empty()) return nullptr;
  bump(lookups_);
  LookupCache::Value v;
  if (cache_.find(a, v)) {
    bump(hits_);
    return v;
  }
  bump(misses_);
  GeoInfo info;
  bool error = false;
  for (const auto& db : dbs_)
    if (db->lookup(a, info) == LookupStatus::kError) error = true;
  if (error) bump(errors_);
  if (info.empty()) {
    bump(not_found_);
  } else {
    bump(found_);
    v = std::make_shared<const GeoInfo>(std::move(info));
  }
  cache_.insert(a, v);
  evictions_.store(cache_.evictions(), std::memory_order_relaxed);
  entries_.store(cache_.size(), std::memory_order_relaxed);
  return v;
}

GeoIpStats GeoIp::stats() const {
  GeoIpStats s;
  s.lookups = lookups_.load(std::memory_order_relaxed);
  s.cache_hits = hits_.load(std::memory_order_relaxed);
  s.cache_misses = misses_.load(std::memory_order_relaxed);
  s.found = found_.load(std::memory_order_relaxed);
  s.not_found = not_found_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.evictions = evictions_.load(std::memory_order_relaxed);
  s.cache_entries = entries_.load(std::memory_order_relaxed);
  s.cache_capacity = cache_.capacity();
  for (const auto& db : dbs_) s.databases.push_back({db->path(), db->type(), db->kind()});
  return s;
}

}  // namespace picket::geoip

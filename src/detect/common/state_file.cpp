#include "state_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "picket/core/hash.hpp"

namespace picket::detect::common {

namespace {

constexpr char kMagic[8] = {'P', 'K', 'T', 'B', 'A', 'S', 'E', '\0'};
// A record's fixed part: address, first and last seen, flags, value count.
constexpr std::size_t kRecordFixed = 16 + 8 + 8 + 4 + 4;

void put(std::string& out, const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }
template <typename T>
void put_le(std::string& out, T v) {
  unsigned char b[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i));
  put(out, b, sizeof(T));
}

// Bounds-checked little-endian reader over the file's bytes.
struct Reader {
  const unsigned char* p;
  std::size_t left;
  bool ok = true;
  template <typename T>
  T get() {
    if (left < sizeof(T)) {
      ok = false;
      return T{};
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= std::uint64_t{p[i]} << (8 * i);
    p += sizeof(T);
    left -= sizeof(T);
    return static_cast<T>(v);
  }
  bool bytes(void* out, std::size_t n) {
    if (left < n) return ok = false;
    std::memcpy(out, p, n);
    p += n;
    left -= n;
    return true;
  }
};

std::string shard_file_name(const std::string& detector, unsigned index, unsigned count) {
  return detector + ".shard-" + std::to_string(index) + "-of-" + std::to_string(count) + ".state";
}

// "<detector>.shard-<i>-of-<n>.state" -> n, or 0 when the name is not one of ours.
unsigned shard_count_of(const std::string& file, const std::string& detector) {
  const std::string prefix = detector + ".shard-", suffix = ".state";
  if (file.size() <= prefix.size() + suffix.size() || file.compare(0, prefix.size(), prefix) != 0 ||
      file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string mid = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
  const auto of = mid.find("-of-");
  if (of == std::string::npos) return 0;
  char* end = nullptr;
  const unsigned long n = std::strtoul(mid.c_str() + of + 4, &end, 10);
  return *end == '\0' && n > 0 && n < 65536 ? static_cast<unsigned>(n) : 0;
}

}  // namespace

unsigned shard_for_host(const core::IpAddr& host, unsigned shard_count) {
  return static_cast<unsigned>(core::hash_bytes(host.bytes.data(), 16) % (shard_count ? shard_count : 1));
}

void report_once(const std::string& message) {
  static std::mutex mu;
  static std::set<std::string> reported;
  std::lock_guard<std::mutex> lock(mu);
  if (reported.insert(message).second) std::fprintf(stderr, "picket: %s\n", message.c_str());
}

std::string write_state_file(const std::string& path, const std::string& detector, unsigned shard_index,
                             unsigned shard_count, core::Nanos saved_at, const std::vector<HostRecord>& records) {
  std::string out;
  put(out, kMagic, sizeof(kMagic));
  put_le<std::uint32_t>(out, kStateVersion);
  put_le<std::uint32_t>(out, shard_index);
  put_le<std::uint32_t>(out, shard_count);
  put_le<std::uint64_t>(out, saved_at);
  put_le<std::uint16_t>(out, static_cast<std::uint16_t>(detector.size()));
  put(out, detector.data(), detector.size());
  put_le<std::uint64_t>(out, records.size());
  for (const auto& r : records) {
    put(out, r.host.bytes.data(), 16);
    put_le<std::uint64_t>(out, r.first_seen);
    put_le<std::uint64_t>(out, r.last_seen);
    put_le<std::uint32_t>(out, r.flags);
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(r.values.size()));
    for (auto v : r.values) put_le<std::uint64_t>(out, v);
  }
  put_le<std::uint64_t>(out, core::hash_bytes(out.data(), out.size()));

  const std::string tmp = path + ".tmp";
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(tmp.c_str(), "wb"), &std::fclose);
  if (!f) return "detector state " + tmp + ": " + std::strerror(errno);
  if (std::fwrite(out.data(), 1, out.size(), f.get()) != out.size() || std::fflush(f.get()) != 0)
    return "detector state " + tmp + ": write failed: " + std::strerror(errno);
  f.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "detector state " + path + ": " + std::strerror(errno);
  return "";
}

std::string read_state_file(const std::string& path, const std::string& detector, std::vector<HostRecord>& records) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return "detector state " + path + ": " + std::strerror(errno);
  std::string data;
  char buf[65536];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof(buf), f.get())) > 0) data.append(buf, got);
  if (std::ferror(f.get())) return "detector state " + path + ": read failed";
  const std::string what = "detector state " + path + ": ";
  if (data.size() < sizeof(kMagic) + 8 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
    return what + "not a picket state file (ignored)";
  Reader rd{reinterpret_cast<const unsigned char*>(data.data()) + sizeof(kMagic), data.size() - sizeof(kMagic)};
  const auto version = rd.get<std::uint32_t>();
  if (version != kStateVersion)
    return what + "format version " + std::to_string(version) + ", this picket reads version " +
           std::to_string(kStateVersion) + " (ignored; what it held is learned again)";
  // The checksum covers everything before its own 8 bytes.
  if (data.size() < sizeof(kMagic) + 4 + 8) return what + "truncated (ignored)";
  const std::size_t body = data.size() - 8;
  Reader tail{reinterpret_cast<const unsigned char*>(data.data()) + body, 8};
  if (tail.get<std::uint64_t>() != core::hash_bytes(data.data(), body))
    return what + "checksum mismatch: truncated or corrupt (ignored)";
  rd.left = body - sizeof(kMagic) - 4;
  rd.get<std::uint32_t>();  // shard index and count of the writer: informative only
  rd.get<std::uint32_t>();
  rd.get<std::uint64_t>();
  const auto name_len = rd.get<std::uint16_t>();
  std::string name(name_len, '\0');
  if (!rd.bytes(name.data(), name_len)) return what + "truncated header (ignored)";
  if (name != detector) return what + "written by detector '" + name + "', expected '" + detector + "' (ignored)";
  const auto count = rd.get<std::uint64_t>();
  if (!rd.ok || count > rd.left / kRecordFixed) return what + "bad record count (ignored)";
  std::vector<HostRecord> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    HostRecord r;
    rd.bytes(r.host.bytes.data(), 16);
    r.first_seen = rd.get<std::uint64_t>();
    r.last_seen = rd.get<std::uint64_t>();
    r.flags = rd.get<std::uint32_t>();
    const auto n = rd.get<std::uint32_t>();
    if (!rd.ok || n > rd.left / 8) return what + "record " + std::to_string(i) + " is cut short (ignored)";
    r.values.resize(n);
    for (auto& v : r.values) v = rd.get<std::uint64_t>();
    out.push_back(std::move(r));
  }
  if (!rd.ok || rd.left != 0) return what + "trailing or missing bytes (ignored)";
  records.insert(records.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
  return "";
}

StatePersistence::StatePersistence(const DetectorContext& ctx, std::string detector, double save_interval_s)
    : dir_(ctx.state_dir),
      detector_(std::move(detector)),
      index_(ctx.shard_index),
      count_(ctx.shard_count ? ctx.shard_count : 1),
      interval_(core::seconds(save_interval_s)) {}

std::string StatePersistence::path() const { return dir_ + "/" + shard_file_name(detector_, index_, count_); }

std::vector<HostRecord> StatePersistence::load() {
  std::vector<HostRecord> mine;
  if (!enabled()) return mine;
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (shard_count_of(name, detector_) != 0) files.push_back(it->path().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory)
    report_once("detector state directory " + dir_ + ": " + ec.message());
  std::sort(files.begin(), files.end());  // the same order in every shard and run
  std::map<core::IpAddr, HostRecord> by_host;
  for (const auto& file : files) {
    std::vector<HostRecord> recs;
    if (auto err = read_state_file(file, detector_, recs); !err.empty()) {
      ++errors_;
      report_once(err);
      continue;
    }
    for (auto& r : recs) {
      if (shard_for_host(r.host, count_) != index_) continue;
      auto [it, fresh] = by_host.try_emplace(r.host, r);
      if (!fresh && r.last_seen > it->second.last_seen) it->second = std::move(r);
    }
  }
  mine.reserve(by_host.size());
  for (auto& [_, r] : by_host) mine.push_back(std::move(r));
  return mine;
}

bool StatePersistence::due(core::Nanos now) {
  if (!enabled() || interval_ == 0) return false;
  if (next_ == 0) {
    // Whole multiples of the interval, so that all shards save together.
    next_ = now - now % interval_ + interval_;
    return false;
  }
  if (now < next_) return false;
  next_ = now - now % interval_ + interval_;
  return true;
}

void StatePersistence::save(core::Nanos now, const std::vector<HostRecord>& records) {
  if (!enabled()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (!cleaned_) {
    // Files written by a run with another number of shards would be loaded
    // again next time beside ours: this run's files replace them.
    cleaned_ = true;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      const unsigned n = shard_count_of(it->path().filename().string(), detector_);
      if (n != 0 && n != count_) {
        std::error_code rm;
        fs::remove(it->path(), rm);
      }
    }
  }
  if (auto err = write_state_file(path(), detector_, index_, count_, now, records); !err.empty()) {
    ++errors_;
    report_once(err);
    return;
  }
  ++saves_;
}

}  // namespace picket::detect::common

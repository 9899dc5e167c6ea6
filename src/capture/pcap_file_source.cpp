#include "picket/capture/pcap_file_source.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace picket::capture {

namespace fs = std::filesystem;

// A classic pcap file read in place from a read-only mapping: no read(2)
// and no copy per packet. Record layout from the pcap format: a 24-byte file
// header, then per packet a 16-byte header (seconds, micro- or nanoseconds,
// captured length, original length) and the captured bytes.
struct MappedPcap {
  const std::uint8_t* base = nullptr;
  std::size_t size = 0;
  std::size_t offset = 24;
  bool swapped = false;
  bool nanos = false;
  std::uint32_t snaplen = 0;
  std::uint32_t link_type = 0;

  ~MappedPcap() {
    if (base) munmap(const_cast<std::uint8_t*>(base), size);
  }
  std::uint32_t u32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, base + at, 4);
    return swapped ? __builtin_bswap32(v) : v;
  }

  // Maps `path` if it is a classic pcap file; nullptr otherwise (the caller
  // then uses libpcap, which also reads pcapng).
  static std::unique_ptr<MappedPcap> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24) {
      ::close(fd);
      return nullptr;
    }
    void* m = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) return nullptr;
    auto mp = std::make_unique<MappedPcap>();
    mp->base = static_cast<const std::uint8_t*>(m);
    mp->size = static_cast<std::size_t>(st.st_size);
    std::uint32_t magic;
    std::memcpy(&magic, mp->base, 4);
    switch (magic) {
      case 0xa1b2c3d4: break;
      case 0xa1b23c4d: mp->nanos = true; break;
      case 0xd4c3b2a1: mp->swapped = true; break;
      case 0x4d3cb2a1: mp->swapped = mp->nanos = true; break;
      default: return nullptr;  // pcapng, compressed or not a capture: libpcap decides
    }
    madvise(m, mp->size, MADV_SEQUENTIAL);
    mp->snaplen = mp->u32(16);
    // The low 28 bits are the link type; the high bits may carry FCS details.
    mp->link_type = mp->u32(20) & 0x0fffffff;
    return mp;
  }
};

struct PcapFileSource::Input {
  std::string name;
  pcap_t* handle = nullptr;
  std::unique_ptr<MappedPcap> mapped;
  std::uint32_t link_type = 0;
  bool has_packet = false;
  RawPacket current;
  ~Input() {
    if (handle) pcap_close(handle);
  }
};

PcapFileSource::~PcapFileSource() = default;

namespace {
bool capture_extension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".pcap" || ext == ".pcapng" || ext == ".cap";
}
}  // namespace

std::unique_ptr<PcapFileSource> PcapFileSource::open(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && capture_extension(entry.path())) found.push_back(entry.path().string());
      if (ec) {
        error = p + ": cannot list directory: " + ec.message();
        return nullptr;
      }
      if (found.empty()) {
        error = p + ": directory holds no .pcap, .pcapng or .cap files";
        return nullptr;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    error = "no capture files given";
    return nullptr;
  }
  std::unique_ptr<PcapFileSource> src(new PcapFileSource());
  for (const auto& f : files) {
    if (auto mapped = MappedPcap::open(f)) {
      auto in = std::make_unique<Input>();
      in->name = f;
      in->link_type = mapped->link_type;
      src->total_bytes_ += mapped->size;
      in->mapped = std::move(mapped);
      src->names_.push_back(f);
      src->inputs_.push_back(std::move(in));
      ++src->stats_.files;
      continue;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* h = pcap_open_offline_with_tstamp_precision(f.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!h) {
      error = f + ": cannot read as pcap or pcapng: " + errbuf;
      return nullptr;
    }
    auto in = std::make_unique<Input>();
    in->name = f;
    in->handle = h;
    in->link_type = static_cast<std::uint32_t>(pcap_datalink(h));
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (!ec) src->total_bytes_ += size;
    src->names_.push_back(f);
    src->inputs_.push_back(std::move(in));
    ++src->stats_.files;
  }
  for (auto& in : src->inputs_) src->advance(*in);
  return src;
}

bool PcapFileSource::advance(Input& in) {
  if (in.mapped) return advance_mapped(in);
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(in.handle, &hdr, &data);
  if (rc == 1) {
    in.current.data = data;
    in.current.caplen = hdr->caplen;
    in.current.wirelen = hdr->len;
    // With nanosecond precision requested, tv_usec carries nanoseconds.
    in.current.ts = static_cast<core::Nanos>(hdr->ts.tv_sec) * core::kNanosPerSecond +
                    static_cast<core::Nanos>(hdr->ts.tv_usec);
    in.current.link_type = in.link_type;
    in.has_packet = true;
    return true;
  }
  in.has_packet = false;
  if (rc == PCAP_ERROR) {
    ++stats_.read_errors;
    stats_.warnings.push_back(in.name + ": stopped reading after an error: " + pcap_geterr(in.handle));
  }
  return false;
}

bool PcapFileSource::advance_mapped(Input& in) {
  MappedPcap& m = *in.mapped;
  in.has_packet = false;
  if (m.offset == m.size) return false;
  if (m.size - m.offset < 16) {
    ++stats_.read_errors;
    stats_.warnings.push_back(in.name + ": stopped reading after an error: truncated dump file; a record header is cut short");
    return false;
  }
  const std::uint32_t caplen = m.u32(m.offset + 8);
  const std::uint32_t wirelen = m.u32(m.offset + 12);
  // libpcap's own sanity bound on a record; anything larger is corruption.
  constexpr std::uint32_t kMaxRecord = 262144;
  if (caplen > kMaxRecord) {
    ++stats_.read_errors;
    stats_.warnings.push_back(in.name + ": stopped reading after an error: a record claims " +
                              std::to_string(caplen) + " captured bytes (file corrupt?)");
    return false;
  }
  if (m.size - m.offset - 16 < caplen) {
    ++stats_.read_errors;
    stats_.warnings.push_back(in.name + ": stopped reading after an error: truncated dump file; the last record needs " +
                              std::to_string(caplen) + " bytes, only " + std::to_string(m.size - m.offset - 16) +
                              " are there");
    m.offset = m.size;
    return false;
  }
  const std::uint64_t secs = m.u32(m.offset);
  const std::uint64_t frac = m.u32(m.offset + 4);
  in.current.data = m.base + m.offset + 16;
  in.current.stable = true;
  in.current.caplen = caplen;
  in.current.wirelen = wirelen < caplen ? caplen : wirelen;
  in.current.ts = secs * core::kNanosPerSecond + (m.nanos ? frac : frac * 1000);
  in.current.link_type = in.link_type;
  m.offset += 16 + caplen;
  in.has_packet = true;
  return true;
}

bool PcapFileSource::next(RawPacket& out) {
  // The packet handed out last is now consumed: read its successor.
  if (last_) {
    advance(*last_);
    last_ = nullptr;
  }
  Input* best = nullptr;
  for (auto& in : inputs_)
    if (in->has_packet && (!best || in->current.ts < best->current.ts)) best = in.get();
  if (!best) return false;
  out = best->current;
  last_ = best;
  ++stats_.packets;
  stats_.bytes += out.wirelen;
  return true;
}

}  // namespace picket::capture

#include "picket/capture/pcap_file_source.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace picket::capture {

namespace fs = std::filesystem;

struct PcapFileSource::Input {
  std::string name;
  pcap_t* handle = nullptr;
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

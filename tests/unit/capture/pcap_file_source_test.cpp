// The memory-mapped classic-pcap reader against libpcap itself, on files in
// every variant of the format: both byte orders, micro- and nanosecond
// stamps, a cut-short last record, a corrupt record length.
#include "picket/capture/pcap_file_source.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using picket::capture::PcapFileSource;
using picket::capture::RawPacket;

namespace {

struct Record {
  std::uint32_t sec, frac, caplen, wirelen;
  std::vector<std::uint8_t> bytes;
};

void put32(std::vector<std::uint8_t>& out, std::uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(big ? v >> (24 - 8 * i) : v >> (8 * i)));
}
void put16(std::vector<std::uint8_t>& out, std::uint16_t v, bool big) {
  out.push_back(static_cast<std::uint8_t>(big ? v >> 8 : v));
  out.push_back(static_cast<std::uint8_t>(big ? v : v >> 8));
}

std::vector<std::uint8_t> pcap_file(bool big, bool nanos, const std::vector<Record>& recs) {
  std::vector<std::uint8_t> f;
  put32(f, nanos ? 0xa1b23c4d : 0xa1b2c3d4, big);
  put16(f, 2, big);
  put16(f, 4, big);
  put32(f, 0, big);
  put32(f, 0, big);
  put32(f, 65535, big);
  put32(f, 1, big);  // Ethernet
  for (const auto& r : recs) {
    put32(f, r.sec, big);
    put32(f, r.frac, big);
    put32(f, r.caplen, big);
    put32(f, r.wirelen, big);
    f.insert(f.end(), r.bytes.begin(), r.bytes.end());
  }
  return f;
}

std::vector<Record> sample_records() {
  std::vector<Record> v;
  for (std::uint32_t i = 0; i < 5; ++i) {
    Record r{1700000000 + i, 1000 * i + 7, 60 + i, 1500, {}};
    for (std::uint32_t k = 0; k < r.caplen; ++k) r.bytes.push_back(static_cast<std::uint8_t>(i * 31 + k));
    v.push_back(r);
  }
  return v;
}

std::string write_temp(const std::vector<std::uint8_t>& bytes) {
  char path[] = "/tmp/picket-pcap-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
  return path;
}

struct Seen {
  std::uint64_t ts;
  std::uint32_t caplen, wirelen;
  std::vector<std::uint8_t> bytes;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> read_ours(const std::string& path, std::uint64_t* read_errors = nullptr) {
  std::string err;
  auto src = PcapFileSource::open({path}, err);
  EXPECT_TRUE(src) << err;
  std::vector<Seen> out;
  RawPacket p;
  while (src && src->next(p)) out.push_back({p.ts, p.caplen, p.wirelen, {p.data, p.data + p.caplen}});
  if (read_errors && src) *read_errors = src->stats().read_errors;
  return out;
}

std::vector<Seen> read_libpcap(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  EXPECT_NE(h, nullptr) << errbuf;
  std::vector<Seen> out;
  pcap_pkthdr* hdr;
  const u_char* data;
  while (h && pcap_next_ex(h, &hdr, &data) == 1)
    out.push_back({static_cast<std::uint64_t>(hdr->ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(hdr->ts.tv_usec),
                   hdr->caplen, hdr->len, {data, data + hdr->caplen}});
  if (h) pcap_close(h);
  return out;
}

}  // namespace

class MappedVariants : public ::testing::TestWithParam<std::pair<bool, bool>> {};

TEST_P(MappedVariants, ReadsExactlyWhatLibpcapReads) {
  const auto [big, nanos] = GetParam();
  const std::string path = write_temp(pcap_file(big, nanos, sample_records()));
  const auto ours = read_ours(path);
  const auto theirs = read_libpcap(path);
  ASSERT_EQ(ours.size(), 5u);
  EXPECT_EQ(ours, theirs);
  // The stamp scale is the file's: microseconds are multiplied, nanoseconds kept.
  EXPECT_EQ(ours[1].ts, 1700000001ULL * 1000000000ULL + (nanos ? 1007ULL : 1007000ULL));
  unlink(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Pcap, MappedVariants,
                         ::testing::Values(std::pair{false, false}, std::pair{false, true}, std::pair{true, false},
                                           std::pair{true, true}));

TEST(MappedPcap, CutShortLastRecordKeepsCompleteOnesAndCountsAnError) {
  auto bytes = pcap_file(false, false, sample_records());
  bytes.resize(bytes.size() - 10);  // the last record loses 10 of its bytes
  const std::string path = write_temp(bytes);
  std::uint64_t errors = 0;
  const auto ours = read_ours(path, &errors);
  EXPECT_EQ(ours.size(), 4u);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(ours, read_libpcap(path));
  unlink(path.c_str());
}

TEST(MappedPcap, CutInsideARecordHeader) {
  auto bytes = pcap_file(false, false, sample_records());
  bytes.resize(24 + 16 + 60 + 7);  // one full record, then 7 bytes of the next header
  const std::string path = write_temp(bytes);
  std::uint64_t errors = 0;
  EXPECT_EQ(read_ours(path, &errors).size(), 1u);
  EXPECT_EQ(errors, 1u);
  unlink(path.c_str());
}

TEST(MappedPcap, CorruptRecordLengthStopsTheFileWithAnError) {
  auto recs = sample_records();
  recs[2].caplen = 0x7fffffff;  // claims 2 GB
  recs[2].bytes.clear();
  const std::string path = write_temp(pcap_file(false, false, recs));
  std::uint64_t errors = 0;
  EXPECT_EQ(read_ours(path, &errors).size(), 2u);
  EXPECT_EQ(errors, 1u);
  unlink(path.c_str());
}

TEST(MappedPcap, HeaderOnlyFileHasNoPackets) {
  const std::string path = write_temp(pcap_file(true, true, {}));
  std::uint64_t errors = 0;
  EXPECT_TRUE(read_ours(path, &errors).empty());
  EXPECT_EQ(errors, 0u);
  unlink(path.c_str());
}

TEST(PcapFileSource, MergesFilesInTimestampOrder) {
  auto a = sample_records(), b = sample_records();
  for (auto& r : b) r.frac += 500;  // interleaves with a
  const std::string pa = write_temp(pcap_file(false, false, a)), pb = write_temp(pcap_file(true, true, b));
  std::string err;
  auto src = PcapFileSource::open({pa, pb}, err);
  ASSERT_TRUE(src) << err;
  RawPacket p;
  std::uint64_t last = 0;
  int n = 0;
  while (src->next(p)) {
    EXPECT_GE(p.ts, last);
    last = p.ts;
    ++n;
  }
  EXPECT_EQ(n, 10);
  unlink(pa.c_str());
  unlink(pb.c_str());
}

TEST(PcapFileSource, RejectsWhatIsNotACaptureNamingTheFile) {
  const std::string path = write_temp(std::vector<std::uint8_t>(100, 0x42));
  std::string err;
  EXPECT_FALSE(PcapFileSource::open({path}, err));
  EXPECT_NE(err.find(path), std::string::npos);
  unlink(path.c_str());
}

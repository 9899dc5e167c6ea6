// pcap_floor FILE: the fastest a libpcap reader can go through FILE on this
// machine. Reads every packet with pcap_next_ex() and touches its first byte
// (so the data is really brought in), nothing else. `picket replay` reads
// files the same way, so its rate can only approach this floor.
//
// Bytes are wire lengths (pcap header `len`), as in picket's --stats-json, so
// the Gbit/s figures are comparable. The clock runs from just before the file
// is opened to the last packet, like picket's wall_seconds.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace {

double now_seconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  const double start = now_seconds();
  char errbuf[PCAP_ERRBUF_SIZE];
  // Nanosecond precision, as picket opens files, so both pay the same
  // timestamp conversion for microsecond captures.
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    std::fprintf(stderr, "pcap_floor: %s\n", errbuf);
    return 1;
  }
  std::uint64_t packets = 0, wire_bytes = 0, captured_bytes = 0;
  unsigned touched = 0;  // sum of first bytes, printed so the reads cannot be optimised away
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(handle, &hdr, &data)) == 1) {
    ++packets;
    wire_bytes += hdr->len;
    captured_bytes += hdr->caplen;
    if (hdr->caplen) touched += data[0];
  }
  const double seconds = now_seconds() - start;
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(handle));
    pcap_close(handle);
    return 1;
  }
  pcap_close(handle);
  const double pps = seconds > 0 ? static_cast<double>(packets) / seconds : 0;
  const double gbps = seconds > 0 ? static_cast<double>(wire_bytes) * 8 / seconds / 1e9 : 0;
  std::printf("packets %llu\nbytes %llu\ncaptured_bytes %llu\nseconds %.6f\npackets_per_second %.0f\n"
              "gbit_per_second %.3f\nchecksum %u\n",
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(wire_bytes),
              static_cast<unsigned long long>(captured_bytes), seconds, pps, gbps, touched);
  return 0;
}

#pragma once
// Reads one or more pcap/pcapng files (or directories of them) through
// libpcap and yields their packets merged in timestamp order, so that a
// capture split into several files replays as one.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picket/core/clock.hpp"

namespace picket::capture {

struct RawPacket {
  // Valid until the next call to next(), or, when `stable`, for as long as
  // the source exists (classic pcap files are memory-mapped and read in
  // place, so the capture thread need not copy frames for the workers).
  const std::uint8_t* data = nullptr;
  bool stable = false;
  std::uint32_t caplen = 0, wirelen = 0;
  core::Nanos ts = 0;
  std::uint32_t link_type = 0;
};

struct PcapFileStats {
  std::uint64_t files = 0;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;          // wire bytes
  std::uint64_t read_errors = 0;    // files that ended in an error (e.g. cut short)
  std::uint64_t out_of_order = 0;   // packets older than the one before (clock clamped)
  std::vector<std::string> warnings;
};

class PcapFileSource {
 public:
  ~PcapFileSource();
  // Expands directories (files ending .pcap, .pcapng, .cap, sorted by name)
  // and opens every file. Returns nullptr and sets `error` if any cannot be
  // opened as a capture.
  static std::unique_ptr<PcapFileSource> open(const std::vector<std::string>& paths, std::string& error);

  // The next packet in timestamp order; false at the end of every file.
  bool next(RawPacket& out);

  const PcapFileStats& stats() const { return stats_; }
  const std::vector<std::string>& files() const { return names_; }
  // Sum of file sizes, for progress reports.
  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  struct Input;
  PcapFileSource() = default;
  bool advance(Input& in);
  bool advance_mapped(Input& in);

  std::vector<std::unique_ptr<Input>> inputs_;
  std::vector<std::string> names_;
  Input* last_ = nullptr;  // input whose packet was handed out last
  PcapFileStats stats_;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace picket::capture

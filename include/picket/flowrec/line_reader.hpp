#pragma once
// LineReader: the lines of a plain or gzip-compressed text file (zlib reads
// both), as delivered to S3 by VPC Flow Logs and Resolver query logging.
// A gzip stream cut short is reported, not taken for a clean end.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct z_stream_s;

namespace picket::flowrec {

class LineReader {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;

  // Null and `error` set when the file cannot be opened.
  static std::unique_ptr<LineReader> open(const std::string& path, std::string& error);
  ~LineReader();

  // Next line without its newline (and without a trailing '\r'). False at the
  // end of the file or on a read error (see error()). Lines longer than
  // kMaxLine are cut there and flagged by last_line_too_long().
  bool next(std::string_view& line);
  std::uint64_t line_number() const { return line_no_; }
  bool last_line_too_long() const { return too_long_; }
  // Non-empty after next() returned false because the data ended badly
  // (truncated gzip, corrupt data, I/O error).
  const std::string& error() const { return error_; }
  std::uint64_t bytes_read() const { return bytes_; }

 private:
  LineReader() = default;
  bool fill();
  // Appends decompressed (or plain) bytes at buf_[end_]; returns how many, 0 at the end.
  std::size_t read_more(char* out, std::size_t cap);
  std::FILE* file_ = nullptr;
  bool gzip_ = false, stream_end_ = false;
  std::unique_ptr<z_stream_s> z_;
  std::vector<unsigned char> in_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::string long_line_;
  bool eof_ = false, too_long_ = false;
  std::uint64_t line_no_ = 0, bytes_ = 0;
  std::string error_;
};

// Warnings about input lines, kept to a bounded list (the counters are exact).
struct LineWarnings {
  static constexpr std::size_t kMaxKept = 20;
  std::vector<std::string> kept;  // "file:line: reason"
  std::uint64_t total = 0;
  void add(const std::string& file, std::uint64_t line, std::string_view reason);
};

}  // namespace picket::flowrec

#include "picket/flowrec/line_reader.hpp"

#include <zlib.h>

#include <memory>

#include <cerrno>
#include <cstring>

namespace picket::flowrec {

std::unique_ptr<LineReader> LineReader::open(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<LineReader> r(new LineReader());
  r->file_ = f;
  r->buf_.resize(256 * 1024);
  r->in_.resize(64 * 1024);
  // zlib's own inflate rather than gzread: on a cut stream it still hands
  // over everything that decompressed, where gzread drops its last chunk.
  const int c1 = std::fgetc(f), c2 = std::fgetc(f);
  r->gzip_ = c1 == 0x1f && c2 == 0x8b;
  std::rewind(f);
  if (r->gzip_) {
    r->z_ = std::make_unique<z_stream>();
    if (inflateInit2(r->z_.get(), 15 + 16) != Z_OK) {
      error = path + ": zlib initialisation failed";
      r->z_.reset();
      return nullptr;
    }
  }
  return r;
}

LineReader::~LineReader() {
  if (z_) inflateEnd(z_.get());
  if (file_) std::fclose(file_);
}

std::size_t LineReader::read_more(char* out, std::size_t cap) {
  if (!gzip_) {
    const std::size_t n = std::fread(out, 1, cap, file_);
    if (n == 0 && std::ferror(file_)) error_ = std::string("read error: ") + std::strerror(errno);
    return n;
  }
  z_stream& z = *z_;
  z.next_out = reinterpret_cast<Bytef*>(out);
  z.avail_out = static_cast<uInt>(cap);
  while (z.avail_out == cap) {
    if (z.avail_in == 0) {
      const std::size_t n = std::fread(in_.data(), 1, in_.size(), file_);
      if (n == 0) {
        // Input ended: fine after a complete member, truncation inside one.
        if (!stream_end_) error_ = std::ferror(file_) ? std::string("read error: ") + std::strerror(errno)
                                                      : "truncated gzip data (unexpected end of file)";
        break;
      }
      z.next_in = in_.data();
      z.avail_in = static_cast<uInt>(n);
    }
    if (stream_end_) {
      // Another gzip member follows (concatenated files are valid gzip).
      inflateReset(z_.get());
      stream_end_ = false;
    }
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      stream_end_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = std::string("corrupt gzip data: ") + (z.msg ? z.msg : "inflate error");
      break;
    }
  }
  return cap - z.avail_out;
}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) return true;  // full: the caller cuts a long line
  const std::size_t n = read_more(buf_.data() + end_, buf_.size() - end_);
  end_ += n;
  bytes_ += n;
  if (n == 0 || !error_.empty()) eof_ = true;
  return n > 0;
}

bool LineReader::next(std::string_view& line) {
  too_long_ = false;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      begin_ += len + 1;
      if (len > kMaxLine) len = kMaxLine, too_long_ = true;
      if (len && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      ++line_no_;
      return true;
    }
    if (end_ - begin_ >= kMaxLine) {
      // Cut an overlong line and skip the rest of it.
      long_line_.assign(start, kMaxLine);
      begin_ = end_;
      while (fill()) {
        const void* nl2 = std::memchr(buf_.data(), '\n', end_);
        if (nl2) {
          begin_ = static_cast<const char*>(nl2) - buf_.data() + 1;
          break;
        }
        begin_ = end_;
      }
      line = long_line_;
      too_long_ = true;
      ++line_no_;
      return true;
    }
    const std::size_t before = end_ - begin_;
    if (!fill() || end_ - begin_ == before) {
      if (end_ == begin_) return false;
      if (!error_.empty()) {
        // The unterminated tail of a stream that ended badly is a fragment, not a line.
        begin_ = end_;
        return false;
      }
      // Last line without a newline.
      line = std::string_view(buf_.data() + begin_, end_ - begin_);
      begin_ = end_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_no_;
      return true;
    }
  }
}

void LineWarnings::add(const std::string& file, std::uint64_t line, std::string_view reason) {
  ++total;
  if (kept.size() >= kMaxKept) return;
  std::string w = file;
  if (line) {
    w.push_back(':');
    w.append(std::to_string(line));
  }
  w.append(": ").append(reason);
  kept.push_back(std::move(w));
}

}  // namespace picket::flowrec

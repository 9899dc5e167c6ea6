#pragma once
// The lines of a list file, for the text, maltrail and CSV readers: each
// without its '\n', the first without a UTF-8 byte order mark, numbered from 1
// for error messages.
#include <string_view>

namespace picket::intel {

class ListLines {
 public:
  explicit ListLines(std::string_view text) : text_(text) {}
  // The next line into `line`; false after the last.
  bool next(std::string_view& line) {
    if (pos_ > text_.size()) return false;
    const auto nl = text_.find('\n', pos_);
    line = text_.substr(pos_, nl == std::string_view::npos ? std::string_view::npos : nl - pos_);
    pos_ = nl == std::string_view::npos ? text_.size() + 1 : nl + 1;
    if (++number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    return true;
  }
  // The number of the line next() gave last.
  unsigned number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  unsigned number_ = 0;
};

}  // namespace picket::intel

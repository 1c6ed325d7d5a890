// Sequential byte sources, so large containers (a .warc.gz, a WARC inside a
// WACZ) are read as streams, never held whole.
#ifndef UNCUT_BASE_BYTE_READER_H_
#define UNCUT_BASE_BYTE_READER_H_

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace uncut {

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n bytes into buf; 0 at the end.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
};

// Reads from memory (e.g. a mapped file) without copying it first.
class StringReader : public ByteReader {
 public:
  explicit StringReader(std::string_view data) : data_(data) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::copy(data_.data() + pos_, data_.data() + pos_ + k, buf);
    pos_ += k;
    return k;
  }
  uint64_t position() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace uncut

#endif  // UNCUT_BASE_BYTE_READER_H_

// Streaming gzip decompression with zlib: multi-member files (a .warc.gz is
// one gzip member per record), with a bound on how much the output may
// outgrow the input, so a decompression bomb fails instead of filling
// memory or disk.
#ifndef UNCUT_EXTRACT_GZIP_READER_H_
#define UNCUT_EXTRACT_GZIP_READER_H_

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/byte_reader.h"

namespace uncut {

struct GzipLimits {
  // Output may exceed kSlack plus ratio times the input read so far.
  uint64_t max_ratio = 200;
  uint64_t slack = 64ull << 20;
  uint64_t max_output = 64ull << 30;
};

class GzipReader : public ByteReader {
 public:
  // `raw_deflate`: a zlib/deflate stream (HTTP "deflate") rather than gzip.
  explicit GzipReader(ByteReader* in, GzipLimits limits = {}, bool raw_deflate = false);
  ~GzipReader() override;
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  absl::StatusOr<size_t> Read(char* buf, size_t n) override;
  // Compressed offset where the gzip member that produced the last byte
  // read begins (a record's position in a .warc.gz).
  uint64_t member_offset() const { return member_offset_; }
  uint64_t compressed_read() const { return in_total_; }

 private:
  absl::Status Fill();
  ByteReader* in_;
  GzipLimits limits_;
  z_stream z_{};
  bool ready_ = false;
  bool eof_ = false;
  bool member_done_ = false;
  std::string inbuf_;
  uint64_t in_total_ = 0;   // compressed bytes handed to zlib
  uint64_t out_total_ = 0;
  uint64_t member_offset_ = 0;
  uint64_t next_member_offset_ = 0;
};

// Decompresses a whole gzip or deflate buffer, at most max_output bytes.
absl::StatusOr<std::string> Gunzip(std::string_view data, uint64_t max_output,
                                   bool raw_deflate = false);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_GZIP_READER_H_

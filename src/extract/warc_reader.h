// WARC 1.0 / 1.1 records (ISO 28500) read as a stream: the named fields of
// each record and its block, with the block bounded in size. A record whose
// Content-Length is wrong is detected (the block is not followed by the
// blank lines that end a record) and reading resumes at the next "WARC/"
// line, with a warning.
#ifndef UNCUT_EXTRACT_WARC_READER_H_
#define UNCUT_EXTRACT_WARC_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/byte_reader.h"

namespace uncut {

struct WarcRecord {
  std::string version;                        // "WARC/1.0", "WARC/1.1"
  std::map<std::string, std::string> fields;  // names lower-cased
  std::string block;                          // at most the reader's max_block bytes
  uint64_t content_length = 0;                // as declared
  bool truncated = false;                     // block longer than max_block: cut
  uint64_t offset = 0;                        // of the record in the (decompressed) stream

  std::string Field(const std::string& lower_name) const {
    auto it = fields.find(lower_name);
    return it == fields.end() ? std::string() : it->second;
  }
};

class WarcReader {
 public:
  // `max_block`: blocks longer than this are read through but kept cut
  // (record.truncated), so memory stays bounded.
  WarcReader(ByteReader* in, uint64_t max_block) : in_(in), max_block_(max_block) {}
  // The next record, nullopt at the end. Errors are for data that is not
  // WARC at all or a read failure; damaged records give warnings instead.
  absl::StatusOr<std::optional<WarcRecord>> Next();
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  absl::StatusOr<bool> FillBuffer(size_t want);  // false at the end of input
  absl::StatusOr<bool> SkipTo(uint64_t n);     // discards n bytes
  absl::StatusOr<bool> Resync();               // to the next "WARC/" line
  void Warn(std::string w);
  ByteReader* in_;
  uint64_t max_block_;
  std::string buf_;
  size_t pos_ = 0;         // read position in buf_
  uint64_t consumed_ = 0;  // stream offset of buf_[pos_]
  bool eof_ = false;
  int records_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_WARC_READER_H_

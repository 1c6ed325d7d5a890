// Splits a Unix mailbox (mbox: mboxo, mboxrd, mboxcl) into messages without
// copying it, so a mailbox of any size is read as a stream.
//
// A message starts after a "From " separator line. A line starting with
// "From " is a separator only when it begins the file or follows a blank
// line, carries a time of day and a year like "From sender Tue Aug 20
// 12:00:00 2002", and is followed by a header line. Body lines that start
// with "From " (in unescaped mboxo files) therefore stay in their message.
#ifndef UNCUT_EXTRACT_MBOX_READER_H_
#define UNCUT_EXTRACT_MBOX_READER_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace uncut {

struct MboxMessage {
  uint64_t separator_offset = 0;  // where its "From " line starts
  uint64_t offset = 0;            // first byte of its headers
  uint64_t size = 0;              // up to the blank line before the next separator
};

// True when the line at `line_start` of `mbox` is a message separator.
bool IsMboxSeparator(std::string_view mbox, uint64_t line_start);

class MboxReader {
 public:
  explicit MboxReader(std::string_view mbox) : mbox_(mbox) {}
  // The next message, or nullopt after the last.
  std::optional<MboxMessage> Next();
  // Bytes before the first separator that belong to no message.
  uint64_t skipped_prefix() const { return skipped_prefix_; }

 private:
  uint64_t FindSeparator(uint64_t from) const;  // mbox_.size() when none
  std::string_view mbox_;
  uint64_t pos_ = 0;
  bool started_ = false;
  uint64_t skipped_prefix_ = 0;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_MBOX_READER_H_

// Immutable sorted segment files of postings.
//
// A segment is written once (to a temporary name, fsynced, renamed) and
// never changed; the catalog decides which segments are live. Postings are
// grouped by key and delta-coded in blocks of about 1 KiB; a small block
// index (first key and offset of every block) is read at open, so a lookup
// is one binary search and the decoding of one or two blocks. Merging
// segments (compaction) is a k-way merge that drops postings of removed
// items. In the manner of LevelDB's tables.
//
// Layout (little endian):
//   "UNCUTSG2" | u32 version | u32 reserved | u64 postings | u64 blocks |
//   u64 index offset | u64 xxh64 of everything after the header
//   blocks: per key: varint key delta (from the block's previous key; the
//           first key of a block is absolute), varint count, then per
//           posting varint item delta (from the previous posting of the key)
//           and varint pos (delta from the previous pos when the item is
//           the same, else absolute)
//   index:  per block: u64 first key, u64 offset, u32 postings
#ifndef UNCUT_INDEX_SEGMENT_FILE_H_
#define UNCUT_INDEX_SEGMENT_FILE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file.h"
#include "index/posting.h"

namespace uncut {

// Sorts `postings` and writes them as a segment at `path`, crash-safely.
absl::Status WriteSegment(const std::string& path, std::vector<Posting>* postings);

class SegmentReader;

// Walks a segment's postings in order.
class SegmentCursor {
 public:
  explicit SegmentCursor(const SegmentReader* segment);
  bool Valid() const { return valid_; }
  const Posting& Get() const { return current_; }
  void Next();

 private:
  const SegmentReader* seg_;
  size_t block_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t key_ = 0, left_ = 0, index_in_key_ = 0;
  bool first_in_block_ = true, valid_ = false;
  Posting current_{0, 0, 0};
};

class SegmentReader {
 public:
  static absl::StatusOr<SegmentReader> Open(const std::string& path);

  // Where a key's postings start, found once and then counted or read.
  struct Location {
    const uint8_t* first = nullptr;
    uint64_t count = 0;
  };
  // Finds `key`; a key that is absent has count 0.
  Location Locate(uint64_t key) const;
  // Appends the postings of a located key, in (item, pos) order.
  void Read(uint64_t key, const Location& at, std::vector<Posting>* out) const;
  // Appends the postings whose key is `key`, in (item, pos) order; returns
  // how many were appended.
  size_t Find(uint64_t key, std::vector<Posting>* out) const;
  // Calls fn for every posting in order; stops early when fn returns false.
  void ForEach(const std::function<bool(const Posting&)>& fn) const;
  uint64_t size() const { return count_; }
  uint64_t file_bytes() const { return file_.data().size(); }
  // Recomputes the checksum and decodes every block (a full read).
  absl::Status Verify() const;
  const std::string& path() const { return path_; }

 private:
  struct Block {
    uint64_t first_key;
    uint64_t offset;
    uint32_t postings;
  };
  friend class SegmentCursor;
  // Finds `key` in the block; returns its count and leaves *p at its first posting.
  bool Seek(size_t block, uint64_t key, const uint8_t** p, uint64_t* n) const;

  MappedFile file_;
  std::vector<Block> blocks_;
  const uint8_t* data_ = nullptr;
  uint64_t data_end_ = 0;  // offset of the index
  uint64_t count_ = 0;
  uint64_t checksum_ = 0;
  std::string path_;
};

// Merges sorted segments into one new segment, keeping postings for which
// keep(item) is true.
absl::Status MergeSegments(const std::vector<const SegmentReader*>& inputs,
                           const std::function<bool(uint32_t)>& keep, const std::string& path);

}  // namespace uncut

#endif  // UNCUT_INDEX_SEGMENT_FILE_H_

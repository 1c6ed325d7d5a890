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
//   blocks: per key: varint header = key delta << 2 | several << 1 |
//           same item (the key delta from the block's previous key, 0 for
//           the block's first key, whose key the index holds; `several`
//           when the key has more than one posting; `same item` when its
//           first posting's item is the first item of the block's previous
//           key, or 0 at the block's start); varint item unless `same item`;
//           varint count if `several`; varint pos of the first posting; then
//           per further posting varint item delta (from the previous posting
//           of the key) and varint pos (delta from the previous pos when the
//           item is the same, else absolute).
//           Most keys of a sound or text index have one posting, and a
//           segment written by one add holds one item or a few: such a key
//           costs its header and position only.
//           Version 2 (still read) wrote per key varint key delta, varint
//           count, then every posting as item delta and pos.
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

// The segment format written; older ones (2) are still read, and rewritten
// by a merge.
inline constexpr uint32_t kSegmentVersion = 3;

// Sorts `postings` and writes them as a segment at `path`, crash-safely.
// `version` other than the current one is for testing that older
// segments are still read.
absl::Status WriteSegment(const std::string& path, std::vector<Posting>* postings,
                          uint32_t version = kSegmentVersion);

class SegmentReader;

namespace segment_internal {
// What a key's header in a block says.
struct KeyHead {
  uint64_t delta = 0, count = 0;
  uint32_t item = 0;
};
}  // namespace segment_internal

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
  segment_internal::KeyHead head_;
};

class SegmentReader {
 public:
  static absl::StatusOr<SegmentReader> Open(const std::string& path);

  // Where a key's postings start, found once and then counted or read.
  struct Location {
    const uint8_t* first = nullptr;
    uint64_t count = 0;
    uint32_t item = 0;  // the first posting's (format 3)
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
  // The format the segment was written in (kSegmentVersion or older).
  uint32_t version() const { return version_; }

 private:
  struct Block {
    uint64_t first_key;
    uint64_t offset;
    uint32_t postings;
  };
  friend class SegmentCursor;
  using KeyHead = segment_internal::KeyHead;
  // Reads a key's header: its delta, count and (format 3) first item; an
  // item the header does not give stays as it was. `first`: the block's
  // first key.
  void ReadKeyHead(const uint8_t** p, const uint8_t* end, bool first, KeyHead* head) const;
  // Finds `key` in the block; returns its count and first item and leaves
  // *p at its first posting.
  bool Seek(size_t block, uint64_t key, const uint8_t** p, uint64_t* n, uint32_t* item) const;

  MappedFile file_;
  std::vector<Block> blocks_;
  const uint8_t* data_ = nullptr;
  uint64_t data_end_ = 0;  // offset of the index
  uint64_t count_ = 0;
  uint64_t checksum_ = 0;
  uint32_t version_ = kSegmentVersion;
  std::string path_;
};

// Merges sorted segments into one new segment, keeping postings for which
// keep(item) is true.
absl::Status MergeSegments(const std::vector<const SegmentReader*>& inputs,
                           const std::function<bool(uint32_t)>& keep, const std::string& path);

}  // namespace uncut

#endif  // UNCUT_INDEX_SEGMENT_FILE_H_

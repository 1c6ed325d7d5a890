// Immutable sorted segment files of postings.
//
// A segment is written once (to a temporary name, fsynced, renamed) and
// never changed; the catalog decides which segments are live. Readers map
// the file and binary-search a small in-memory directory of block keys,
// then the block. Merging segments (compaction) is a k-way merge that can
// drop postings of removed items. In the manner of LevelDB's tables.
//
// Layout (little endian):
//   header  "UNCUTSG1" | u32 version | u32 record bytes (16) | u64 count | u64 xxh64 of records
//   records count x {u64 key, u32 item, u32 pos}, sorted by (key, item, pos)
#ifndef UNCUT_INDEX_SEGMENT_FILE_H_
#define UNCUT_INDEX_SEGMENT_FILE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file.h"
#include "index/posting.h"

namespace uncut {

// Sorts `postings` and writes them as a segment at `path`, crash-safely.
absl::Status WriteSegment(const std::string& path, std::vector<Posting>* postings);

class SegmentReader {
 public:
  static absl::StatusOr<SegmentReader> Open(const std::string& path);

  // The postings whose key is `key`, in (item, pos) order.
  std::span<const Posting> Find(uint64_t key) const;
  std::span<const Posting> All() const { return records_; }
  size_t size() const { return records_.size(); }
  // Recomputes the checksum of the records (a full read).
  absl::Status Verify() const;
  const std::string& path() const { return path_; }

 private:
  MappedFile file_;
  std::span<const Posting> records_;
  uint64_t checksum_ = 0;
  std::string path_;
  // Every kBlock-th key, for a cache-friendly first step of the search.
  std::vector<uint64_t> directory_;
};

// Merges sorted segments into one new segment, keeping postings for which
// keep(item) is true.
absl::Status MergeSegments(const std::vector<const SegmentReader*>& inputs,
                           const std::function<bool(uint32_t)>& keep, const std::string& path);

}  // namespace uncut

#endif  // UNCUT_INDEX_SEGMENT_FILE_H_

// Postings packed into blocks for a database row: many postings per row,
// grouped by key and varint/delta-coded as in the segment files
// (index/segment_file.h), so a server holds an index about as compact as the
// embedded one.
//
// Block layout: per key, varint key delta (the block's first key absolute),
// varint count, then per posting varint item delta (from the key's previous
// posting) and varint pos (delta from the previous pos when the item is the
// same, else absolute).
#ifndef UNCUT_STORAGE_POSTING_BLOCK_H_
#define UNCUT_STORAGE_POSTING_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "index/posting.h"

namespace uncut {

struct PostingBlock {
  uint64_t first_key = 0;  // the block holds keys [first_key, last_key]
  uint64_t last_key = 0;
  uint32_t postings = 0;
  std::string data;
};

// Sorts `postings` and cuts them into blocks of about `target` postings,
// between keys (a key's postings stay in one block); a key with `target`
// postings or more has a block of its own.
//
// So a block of more than 2 * target - 2 postings holds one key: blocks of
// several keys stop at target - 1 + target - 1. Lookups rely on it (for
// kBlockTarget) to skip a common key's block unread, on archives whose
// every block was packed so (PgArchive, "one_key_blocks").
inline constexpr size_t kBlockTarget = 512;
std::vector<PostingBlock> PackPostings(std::vector<Posting> postings, size_t target = kBlockTarget);

// Appends a block's postings to *out, in order; kDataLoss when the bytes do
// not decode.
absl::Status UnpackPostings(std::string_view data, std::vector<Posting>* out);

// Appends the block's postings of keys[i] to (*by_key)[i], for the keys
// among `keys` (sorted, distinct; by_key as long), in order; the others'
// are decoded (and checked) but not kept.
absl::Status UnpackPostingsOfKeys(std::string_view data, const std::vector<uint64_t>& keys,
                                  std::vector<std::vector<Posting>>* by_key);

}  // namespace uncut

#endif  // UNCUT_STORAGE_POSTING_BLOCK_H_

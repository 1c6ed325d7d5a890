// The read side of an archive's index, as the matchers use it: postings by
// key, and how many postings a modality holds. Implemented by the embedded
// archive (segment files, store/archive.h) and by an in-memory index for
// tests (storage/memory_storage.h).
#ifndef UNCUT_INDEX_POSTING_SOURCE_H_
#define UNCUT_INDEX_POSTING_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "index/modality.h"
#include "index/posting.h"

namespace uncut {

class PostingSource {
 public:
  virtual ~PostingSource() = default;

  // Appends to *out the postings of live items for each of `keys`, key by
  // key in the order given, each key's postings in (item, pos) order. A key
  // with more than max_per_key postings (removed items' included) is skipped
  // as uninformative.
  virtual absl::Status Lookup(Modality modality, const std::vector<uint64_t>& keys,
                              size_t max_per_key, std::vector<Posting>* out) = 0;

  // How many postings the modality's index holds (those of removed items
  // included until a compaction): the scale against which a key is common.
  virtual absl::StatusOr<uint64_t> PostingCount(Modality modality) = 0;

  // Calls fn with every posting the modality's index holds, removed items'
  // and uncommitted writers' included, in no particular order, until fn
  // returns false: what a copy of the whole index reads. Memory stays
  // bounded whatever the index's size.
  virtual absl::Status ForEachPosting(Modality modality,
                                      const std::function<bool(const Posting&)>& fn) = 0;

  // Names the index in messages (the archive's directory).
  virtual std::string IndexName() const = 0;
};

}  // namespace uncut

#endif  // UNCUT_INDEX_POSTING_SOURCE_H_

// The batches of a copy (store/copy_to_postgres.h, store/copy_to_directory.h)
// and their postings, read from the source's index twice in all, whatever
// the number of batches: once to count each item's postings (so that a batch
// ends at its posting limit), once to sort every posting out by the batch
// its item falls in, into a spill file; each batch then reads only its own
// postings back. (A source's index is stored by key, not by item: reading
// it once per batch cost 20 reads of a 2.4 GB index at 1,000 hours.)
//
// The spill is one temporary file under $TMPDIR (else /tmp), unlinked as
// soon as it is made: it is gone when the copy ends, however it ends (an
// error, a signal, SIGKILL). Postings are held in memory up to a limit
// before they are written out, packed by key as a cluster packs them.
#ifndef UNCUT_STORE_COPY_BATCHES_H_
#define UNCUT_STORE_COPY_BATCHES_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file.h"
#include "index/modality.h"
#include "index/posting.h"
#include "index/posting_source.h"
#include "store/item_trees.h"

namespace uncut {

// A batch's postings: by item id, by modality.
using BatchPostings = std::map<uint32_t, std::map<Modality, std::vector<Posting>>>;

// Postings sorted out into numbered partitions, spilled to disk.
class PostingSpill {
 public:
  // A spill of `partitions` partitions holding at most `max_held` postings
  // in memory (at least one partition's worth of one posting), its file
  // under `dir` ($TMPDIR, else /tmp, when empty).
  static absl::StatusOr<std::unique_ptr<PostingSpill>> Create(size_t partitions,
                                                              uint64_t max_held,
                                                              const std::string& dir = "");

  absl::Status Add(size_t partition, Modality modality, const Posting& p);
  // The postings added to `partition`, by item (each with item 0, as a
  // write batch takes them; in no particular order within a list); its
  // space on disk is given back.
  absl::StatusOr<BatchPostings> Take(size_t partition);

  uint64_t held() const { return held_; }
  uint64_t max_held_seen() const { return max_held_seen_; }
  uint64_t bytes_written() const { return end_; }

 private:
  // Where a run of one partition's postings of one modality is in the file.
  struct Run {
    Modality modality;
    uint64_t offset, bytes;
  };
  PostingSpill(File file, size_t partitions, uint64_t max_held);
  // Writes out the partition holding the most postings.
  absl::Status WriteOutLargest();
  absl::Status WriteOut(size_t partition);

  File file_;
  uint64_t max_held_;
  uint64_t held_ = 0, max_held_seen_ = 0, end_ = 0;
  std::vector<std::map<Modality, std::vector<Posting>>> buffers_;
  std::vector<uint64_t> buffered_;  // postings held, by partition
  std::vector<std::vector<Run>> runs_;
};

struct BatchLimits {
  size_t items = 2000;
  uint64_t bytes = 64ull << 20;
  uint64_t postings = 32ull << 20;
};

struct PlannedBatch {
  std::vector<const Item*> items;
  size_t trees_done = 0;  // trees taken once this batch is done (skipped ones too)
};

// Cuts `trees` into batches (ItemTrees::NextBatch, each item's postings in
// `source` counted in one pass first); trees `skip` leaves out are in none.
absl::StatusOr<std::vector<PlannedBatch>> PlanBatches(ItemTrees* trees, PostingSource* source,
                                                      const BatchLimits& limits,
                                                      const ItemTrees::SkipTree& skip);

// Reads every posting of `source` once into a spill partitioned as
// `batches` are (postings of items in no batch are dropped), holding at
// most `max_held` in memory.
absl::StatusOr<std::unique_ptr<PostingSpill>> SpillByBatch(
    PostingSource* source, const std::vector<PlannedBatch>& batches, uint64_t max_held,
    const std::string& dir = "");

}  // namespace uncut

#endif  // UNCUT_STORE_COPY_BATCHES_H_

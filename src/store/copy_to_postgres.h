// Copies an embedded archive (store/archive.h) into a PostgreSQL archive
// (storage/postgres_storage.h): items with their metadata, texts, blobs and
// postings as stored (fingerprints are copied, not derived again), and
// originals byte for byte, each checked against its SHA-256 as it is
// written. Items keep their ids where the target has them free.
//
// Resumable: a top-level item whose bytes the target already holds is
// skipped with everything inside it, so a copy interrupted between batches
// continues where it stopped; each batch is one transaction on the target.
#ifndef UNCUT_STORE_COPY_TO_POSTGRES_H_
#define UNCUT_STORE_COPY_TO_POSTGRES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"
#include "store/copy_batches.h"

namespace uncut {

struct CopyOptions {
  // A batch is committed when it holds this many items, original bytes or
  // postings (held in memory until the batch commits: a few hundred bytes
  // of originals may carry an hour of fingerprints).
  size_t batch_items = 2000;
  uint64_t batch_bytes = 64ull << 20;
  uint64_t batch_postings = 32ull << 20;
  // The source's postings are sorted out by batch in one pass into a
  // temporary file under spill_dir ($TMPDIR, else /tmp, when empty),
  // holding at most this many in memory (store/copy_batches.h).
  uint64_t spill_postings = 8ull << 20;
  std::string spill_dir;
  // Called after each batch with the top-level items done and their total.
  std::function<void(size_t done, size_t total)> progress;
  // Who the target's audit entries name (PgWriteBatch::SetActor); the OS
  // user when empty.
  std::string actor, client;
  // Called with each batch just before it commits, and the ids its items
  // got in the target (by their id in the source): what else the same
  // transaction must write. An error aborts the batch (nothing of it
  // stays) and the copy.
  std::function<absl::Status(PgWriteBatch* batch, const std::map<int64_t, int64_t>& ids)>
      before_commit;
  // Called with each item's blobs (by name) before it is queued, with the
  // id in the target of every item known so far, by its id in the source:
  // the items copied so far (this item's included) and the top-level items
  // not copied because the target held their bytes already (their ids
  // there). A blob that names other items by id is rewritten here to name
  // them as the target does. An error aborts the batch and the copy.
  std::function<absl::Status(std::map<std::string, std::string>* blobs,
                             const std::map<int64_t, int64_t>& ids)>
      adjust_blobs;
};

// The batch limits of `options`.
BatchLimits LimitsOf(const CopyOptions& options);

struct CopyOutcome {
  size_t copied = 0;         // items written, children included
  std::vector<Item> present;  // top-level items the target already held (by SHA-256)
  // The id each copied item got in the target, by its id in the source
  // (the same unless another writer had taken it).
  std::map<int64_t, int64_t> ids;
  // StagedArchive::CopyInto only: its merge of small runs once something
  // was copied (PgCompactScope::kSmallRuns), or why it was left for later
  // (the items are copied either way).
  std::optional<PgCompactReport> compacted;
  absl::Status compaction;
};

absl::StatusOr<CopyOutcome> CopyToPostgres(Archive* from, PgArchive* to,
                                           const CopyOptions& options = CopyOptions());

}  // namespace uncut

#endif  // UNCUT_STORE_COPY_TO_POSTGRES_H_

// Copies an archive read through the storage interfaces (storage/storage.h;
// a PostgreSQL cluster's, storage/postgres_storage.h) into an embedded
// archive directory (store/archive.h): items with their metadata, texts,
// blobs and postings as stored (fingerprints are copied, not derived
// again), originals streamed byte for byte in pieces and checked against
// their SHA-256 as they come, the saved traces (their ids kept) and the
// audit log (each entry as it was: time, actor, action). Items keep their
// ids where the target has not handed them out.
//
// Resumable: the audit entries go first, in a batch of their own, and an
// entry the target already holds is not copied twice; a top-level item
// whose bytes the target already holds is skipped with everything inside
// it; a saved trace whose id the target holds is skipped. So a copy
// interrupted at any moment is finished by running it again. Each batch is
// one commit of the target; memory stays bounded by a batch (the source's
// item list aside), whatever the originals' sizes and fingerprints.
//
// A batch also ends at its posting limit (CopyOptions::batch_postings). The
// source's index is read twice in all, whatever the number of batches
// (store/copy_batches.h).
#ifndef UNCUT_STORE_COPY_TO_DIRECTORY_H_
#define UNCUT_STORE_COPY_TO_DIRECTORY_H_

#include "absl/status/statusor.h"
#include "storage/storage.h"
#include "store/archive.h"
#include "store/copy_to_postgres.h"

namespace uncut {

struct DirectoryCopyOutcome {
  size_t copied = 0;          // items written, children included
  std::vector<Item> present;  // top-level items the target already held (by SHA-256)
  size_t saved_traces = 0;    // saved traces copied
  size_t audit_entries = 0;   // audit entries copied
};

absl::StatusOr<DirectoryCopyOutcome> CopyToDirectory(Storage from, Archive* to,
                                                     const CopyOptions& options = CopyOptions());

}  // namespace uncut

#endif  // UNCUT_STORE_COPY_TO_DIRECTORY_H_

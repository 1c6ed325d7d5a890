// Where items bound for a PostgreSQL archive are made: an embedded archive
// in a private scratch directory (under $TMPDIR), whose new items take the
// ids that follow the target's, so that the ids it hands out are the ones
// the items get there (unless another writer takes them first: then the
// copy gives new ones, CopyOutcome::ids). Everything that builds items
// (add, an upload, a capture) works on it as on any embedded archive, and
// CopyInto publishes what it holds, in whole trees, one transaction per
// batch (store/copy_to_postgres.h), then merges small runs. The directory goes with the object.
#ifndef UNCUT_STORE_STAGED_ARCHIVE_H_
#define UNCUT_STORE_STAGED_ARCHIVE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"
#include "store/copy_to_postgres.h"

namespace uncut {

class StagedArchive {
 public:
  // An empty archive staged for `target`.
  static absl::StatusOr<std::unique_ptr<StagedArchive>> Create(PgArchive* target);
  ~StagedArchive();
  StagedArchive(const StagedArchive&) = delete;
  StagedArchive& operator=(const StagedArchive&) = delete;

  // The embedded archive's directory (it exists: the archive is made).
  const std::string& dir() const { return dir_; }
  // Whether anything was added to it.
  absl::StatusOr<bool> Empty();
  // Copies what it holds into `target`, then (when it copied anything)
  // merges small runs of posting blocks there (PgCompactScope::kSmallRuns),
  // as every writer to a cluster should: CopyOutcome::compacted, or
  // ::compaction when that was left for later.
  absl::StatusOr<CopyOutcome> CopyInto(PgArchive* target,
                                       const CopyOptions& options = CopyOptions());

 private:
  StagedArchive(std::string scratch, std::string dir)
      : scratch_(std::move(scratch)), dir_(std::move(dir)) {}
  std::string scratch_, dir_;
};

}  // namespace uncut

#endif  // UNCUT_STORE_STAGED_ARCHIVE_H_

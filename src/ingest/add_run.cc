#include "ingest/add_run.h"

#include <algorithm>
#include <memory>

#include "base/status_macros.h"
#include "base/strings.h"
#include "ingest/prepare_pool.h"
#include "proof/item_timestamps.h"

namespace uncut {

absl::StatusOr<AddRunSummary> AddFiles(WriteBatch* batch, const std::string& archive_dir,
                                       const std::vector<AddRunFile>& files,
                                       const AddRunOptions& o, AddRunObserver* observer) {
  AddRunSummary sum;
  std::vector<std::string> readable;
  for (const AddRunFile& f : files) {
    if (f.unreadable.ok()) readable.push_back(f.path);
  }
  // With several jobs, files are read and analysed ahead on other threads
  // while this one adds them in order; with one, each is done in its turn.
  const int jobs = o.jobs > 0 ? o.jobs : AvailableCores();
  // The cores files in parallel leave idle are shared out within each
  // file: one long recording alone gets them all.
  AddOptions options = o.options;
  options.media_jobs = std::max<int>(
      1, jobs / static_cast<int>(std::clamp<size_t>(readable.size(), 1, std::max(jobs, 1))));
  std::unique_ptr<PreparePool> pool;
  if (jobs > 1 && readable.size() > 1) {
    pool = std::make_unique<PreparePool>(archive_dir, readable, options, jobs);
  }
  bool stamping = !o.tsa.url.empty();
  size_t taken = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const AddRunFile& f = files[i];
    if (!f.unreadable.ok()) {
      // Reported in its place, even after a stop, as the folder it is in.
      ++sum.failed;
      observer->Done(i, f.unreadable);
      continue;
    }
    if (!sum.stopped.ok()) continue;
    PreparedFile prepared;
    if (pool != nullptr) prepared = pool->Take(taken++);
    ++sum.files;
    observer->Starting(i);
    const size_t mark = batch->pending_items();
    absl::StatusOr<AddOutcome> outcome =
        AddFile(batch, f.path, options, pool != nullptr ? &prepared : nullptr);
    if (outcome.ok() && !outcome->existed && !o.tsa.url.empty()) {
      absl::Status stamped =
          stamping ? StampQueuedItem(batch, outcome->item, o.tsa) : absl::OkStatus();
      if (!stamped.ok()) {
        switch (o.on_tsa_failure) {
          case AddRunOptions::TsaFailure::kStop:
            batch->Truncate(mark);
            sum.stopped = absl::Status(
                stamped.code(), StrCat(stamped.message(), "; not added: ", f.path,
                                       " and the files after it"));
            continue;
          case AddRunOptions::TsaFailure::kFailFile:
            batch->Truncate(mark);
            outcome = absl::Status(stamped.code(), StrCat("not time-stamped: ", stamped.message()));
            break;
          case AddRunOptions::TsaFailure::kAddUnstamped:
            observer->StampingStopped(stamped);
            stamping = false;
            break;
        }
      }
      if (outcome.ok() && !stamping) ++sum.unstamped;
    }
    if (!outcome.ok()) {
      ++sum.failed;
      observer->Done(i, outcome);
      continue;
    }
    ++(outcome->existed ? sum.existing : sum.added);
    observer->Done(i, outcome);
    if (batch->pending_items() >= std::max<size_t>(1, o.commit_every) ||
        batch->pending_bytes() >= o.commit_bytes) {
      RETURN_IF_ERROR(batch->Commit());
    }
  }
  pool.reset();
  observer->Publishing();
  RETURN_IF_ERROR(batch->Commit());
  RETURN_IF_ERROR(batch->Compact());
  return sum;
}

}  // namespace uncut

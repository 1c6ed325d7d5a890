// One add of many files, as the command line's `uncut add` and the server's
// uploads both run it: files analysed on several threads (PreparePool), one
// writer adding them in their order, each new original time-stamped when an
// authority is given, the batch committed every so often and compacted at
// the end. The front ends only choose the files and the options and show
// what happened; the archive ends up the same from either.
#ifndef UNCUT_INGEST_ADD_RUN_H_
#define UNCUT_INGEST_ADD_RUN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ingest/ingest.h"
#include "proof/timestamp.h"
#include "store/archive.h"

namespace uncut {

struct AddRunOptions {
  AddOptions options;
  // Files analysed at once; 0: as many as the cores this process may use.
  // The archive is the same for any number.
  int jobs = 0;
  // The time-stamping authority each new original is stamped by; an empty
  // url: none.
  TsaOptions tsa;
  // What a file whose timestamp cannot be had does to the run.
  enum class TsaFailure {
    kStop,          // the file and the files after it are not added
    kAddUnstamped,  // it and the files after it are added without timestamps
    kFailFile,      // that file is not added ("not time-stamped: ..."); the run goes on
  };
  TsaFailure on_tsa_failure = TsaFailure::kStop;
  // The batch is committed when it holds this many items or bytes, so a
  // long add keeps its progress and its memory stays bounded.
  size_t commit_every = 2000;
  uint64_t commit_bytes = 64ull << 20;
};

// One file of the run, in order. A file whose folder could not be read has
// `unreadable` set: it is reported failed in its place.
struct AddRunFile {
  std::string path;
  absl::Status unreadable;
};

// Told what happens, on the writer's thread, in the files' order.
class AddRunObserver {
 public:
  virtual ~AddRunObserver() = default;
  // `files[index]` is about to be added.
  virtual void Starting(size_t index) {}
  // `files[index]` was added (or found archived already), or not, with the
  // reason (naming the file).
  virtual void Done(size_t index, const absl::StatusOr<AddOutcome>& outcome) = 0;
  // The authority failed under kAddUnstamped: the files from here on are
  // added without timestamps.
  virtual void StampingStopped(const absl::Status& why) {}
  // Every file was come to; the last commit and the compaction follow.
  virtual void Publishing() {}
};

struct AddRunSummary {
  size_t files = 0;      // files the run came to (added, existing or failed)
  size_t added = 0;      // new originals
  size_t existing = 0;   // files whose bytes were archived already
  size_t failed = 0;     // files not added, unreadable ones included
  size_t unstamped = 0;  // new originals without a timestamp (kAddUnstamped)
  // Under kStop, why the run stopped: the authority's failure, naming the
  // file not added; the files after it were not come to.
  absl::Status stopped;
};

// Adds `files` in order through `batch` (whose archive is `archive_dir`),
// commits and compacts. Errors are the archive's (a failed commit): what
// was committed before stays. A file that cannot be added is reported to
// `observer` and counted, and does not stop the run.
absl::StatusOr<AddRunSummary> AddFiles(WriteBatch* batch, const std::string& archive_dir,
                                       const std::vector<AddRunFile>& files,
                                       const AddRunOptions& options, AddRunObserver* observer);

}  // namespace uncut

#endif  // UNCUT_INGEST_ADD_RUN_H_

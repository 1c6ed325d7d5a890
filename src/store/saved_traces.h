// Trace reports kept in the archive (`uncut trace --save`, and every trace
// run through the server), so that an evidence bundle of an item can carry
// the traces that found it.
//
//   saved_traces(id, saved_at, traced_at, query_kind, query_sha256, verdict,
//                report_json, report_html)
//   saved_trace_items(trace_id, item_id)   the sources each trace found
//
// The tables are created on first save, so archives written before them
// stay valid; readers treat a missing table as "no saved traces". Removing
// an item drops its links, not the traces.
//
// Thread-safety: like the Archive handle they are given.
#ifndef UNCUT_STORE_SAVED_TRACES_H_
#define UNCUT_STORE_SAVED_TRACES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/catalog_records.h"
#include "store/archive.h"

namespace uncut {

// Stores `trace` under the archive's writer lock (waiting for another
// writer to finish). Returns the new trace id.
absl::StatusOr<int64_t> SaveTrace(Archive* archive, const SavedTrace& trace);

// One saved trace, with its reports.
absl::StatusOr<SavedTrace> GetSavedTrace(Archive* archive, int64_t id);

// The saved traces that found `item_id`, oldest first, with their reports.
absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(Archive* archive, int64_t item_id);

}  // namespace uncut

#endif  // UNCUT_STORE_SAVED_TRACES_H_

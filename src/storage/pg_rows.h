// What the maintenance transactions of a PostgreSQL archive share: the
// sweep (storage/pg_sweep.cc) and the compaction (storage/pg_compact.cc).
#ifndef UNCUT_STORAGE_PG_ROWS_H_
#define UNCUT_STORAGE_PG_ROWS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/pg_conn.h"

namespace uncut {

// A bytea[] literal, each value in hex.
std::string ByteaArrayOf(const std::vector<std::string_view>& v);

// Rolls the session's transaction back unless `done` was set.
struct RollbackUnlessDone {
  PgConn* conn;
  bool done = false;
  ~RollbackUnlessDone() {
    if (!done) conn->ExecScript("ROLLBACK").IgnoreError();
  }
};

// Takes the maintenance turn for the session's transaction: removing
// sweeps and compactions take turns (writers never ask for it). False when
// another has it.
absl::StatusOr<bool> TakeSweepTurn(PgConn* c);

// The states (pg_xact_status) of the batches among `batches` whose
// transaction is not running: committed, aborted, or unknown (too old to
// say); once a batch is not running its outcome is final. Adds the number
// still running to *running.
absl::StatusOr<std::map<int64_t, std::string>> EndedBatches(PgConn* c, const std::set<int64_t>& batches,
                                                            uint64_t* running);

// The ids of the items in the catalog, sorted; only those postings can
// name (32 bits). Read through a cursor, in the session's transaction.
absl::StatusOr<std::vector<uint32_t>> ReadPostingItems(PgConn* c);

// The batches among `batches` whose postings index_batches counts.
absl::StatusOr<std::set<int64_t>> CountedBatches(PgConn* c, const std::vector<int64_t>& batches);

}  // namespace uncut

#endif  // UNCUT_STORAGE_PG_ROWS_H_

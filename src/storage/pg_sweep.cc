// PgArchive::Sweep: removing what removed items and batches that never
// committed left on the shards of a PostgreSQL archive.
//
// Why rows can be left: a batch is one coordinator transaction, and
// postgres_fdw commits its parts on the shards just before the
// coordinator's own commit. When a shard's commit fails after another's
// succeeded, or the coordinator fails between them, the shards keep rows of
// a batch the catalog never listed. Removing items (`uncut remove`) leaves
// their postings in blocks shared with other items. Neither is ever
// returned (a lookup keeps postings of listed items only; originals are
// read through their items), but both take space, and removed items'
// postings stay counted.
//
// The safety rule. Every row on the shards carries `batch`, the id (xid8)
// of the coordinator transaction that wrote it. A sweep first reads the
// shards, then asks the coordinator, for each batch it saw, whether that
// transaction is still running (pg_xact_status). A running batch's rows are
// left alone: it may still commit. A batch that is not running has
// committed or never will, and a catalog read after that answer shows which
// items and originals it published; what it wrote that the catalog does not
// list is no one's:
//   - a posting of batch B for item I is swept when B is not running and I
//     is not in items (never committed, or removed since: item ids are not
//     handed out twice by the sequence);
//   - the pieces of object O written by batch B are swept when B is not
//     running and O is not in objects (B never committed: a committed batch
//     that wrote pieces registered O in the same transaction; or O's items
//     were removed: a removal unregisters the originals no item uses), or
//     when B aborted (the object's pieces are then those of the batch that
//     did register it).
// A batch still uncommitted on the shards is not seen at all (MVCC), and
// deletions name the batch, so rows written by batches that start after
// the sweep's reads are never touched. Rows without a batch (written by an
// older uncut) are never swept. Writers take no lock for this; a sweep takes
// an advisory lock that only other sweeps ask for.
//
// How it goes, partition by partition (each addressed by its own table, so
// the statements go whole to the shard that holds it, filtered there):
//   0. registered originals that no item uses are unregistered (left so by
//      removals before schema 5; see Sweeper::UnregisterUnused);
//   1. the batches of each postings partition, and the pieces of each batch
//      in each chunks partition, grouped on the shards (no data leaves them);
//   2. which of those batches are still running;
//   3. the catalog: the ids of all items, the registered objects among the
//      ended batches' pieces, the batches whose postings are counted;
//   4. for each postings partition, only its blocks of the batches 1 saw
//      there and 2 found ended (a cursor, a thousand at a time, filtered
//      on the shard; rows of later batches are never read): each block
//      holding postings of items not in the catalog is rewritten without
//      them, hundreds of blocks per DELETE (by the rows' ctid, as read in
//      this transaction, and naming their batches) and one INSERT of what
//      stays of them;
//   5. the pieces, one DELETE per partition and batch; the counts lowered;
//      the audit entry; the commit.
// The blocks are read after the catalog (3), so each is read once and only
// what it keeps is held in memory, a few hundred blocks at a time. A row's
// ctid names the row version the cursor read: the shards' parts of the
// transaction run in one repeatable-read transaction on each shard, and a
// partition kept on the coordinator is written while the cursor (and its
// snapshot, which keeps those rows from being vacuumed) is open; a row
// deleted meanwhile by another transaction is not found again, and nothing
// of it is written back.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/pg_rows.h"
#include "storage/postgres_storage.h"
#include "storage/posting_block.h"

namespace uncut {
namespace {

// The bytes of new blocks one statement writes at most.
constexpr size_t kRewriteBytesPerStatement = 8u << 20;
// Rows per FETCH of the cursors.
constexpr int kFetchRows = 1000;

// A posting block to rewrite: which row it is, and what stays of it.
struct BlockRewrite {
  std::string ctid;      // the row as this transaction read it
  std::string modality;  // as stored (the modality's code)
  std::string span;      // as stored (int8range text): kept, so the row stays in its partition
  int64_t batch = 0;
  std::string new_data;  // empty: nothing stays, the block goes
  uint32_t new_postings = 0;
  uint64_t dropped = 0;
  uint64_t freed = 0;  // bytes
};

// The pieces of one object that one batch wrote, in one partition.
struct PieceGroup {
  std::string partition;
  std::string object;
  int64_t batch = 0;
  uint64_t pieces = 0;
  uint64_t bytes = 0;
};

// One sweep, in the coordinator transaction PgArchive::Sweep opened; the
// steps in the order the comment at the top gives.
class Sweeper {
 public:
  Sweeper(PgConn* conn, std::string name, bool remove, size_t blocks_per_statement)
      : c_(conn), name_(std::move(name)), remove_(remove), per_statement_(blocks_per_statement) {}

  // Narrows the sweep to the pieces of `objects` (no postings).
  void OnlyPiecesOf(std::vector<std::string> objects) { only_objects_ = std::move(objects); }
  absl::Status UnregisterUnused();
  absl::Status ReadShards();
  absl::Status AskStates();
  absl::Status ReadCatalog();
  absl::Status SweepPostings();
  absl::Status SweepPieces();
  absl::Status LowerCounts();
  const PgSweepReport& report() const { return report_; }

 private:
  absl::Status ReadPartitions();
  absl::Status ReadLiveItems();
  absl::Status SweepPartition(const std::string& partition, const std::vector<int64_t>& batches);
  // What stays of a block of an ended batch (nullopt: all of it).
  absl::StatusOr<std::optional<BlockRewrite>> Rewrite(const PgResult& r, int row);
  // Deletes the rows of `pending` and inserts what stays of those deleted.
  absl::Status Flush(const std::string& partition, std::vector<BlockRewrite>* pending);
  bool Ended(int64_t batch) const { return state_.count(batch) > 0; }
  bool Live(uint32_t item) const { return std::binary_search(live_.begin(), live_.end(), item); }

  PgConn* c_;
  const std::string name_;
  const bool remove_;
  const size_t per_statement_;  // blocks rewritten per statement
  std::optional<std::vector<std::string>> only_objects_;
  std::set<std::string> unused_;  // registered originals no item uses
  std::vector<std::string> postings_parts_, chunks_parts_;
  std::map<std::string, std::vector<int64_t>> batches_of_;  // by postings partition
  std::vector<PieceGroup> groups_;
  std::map<int64_t, std::string> state_;  // of the batches seen that are not running
  std::vector<uint32_t> live_;            // the items in the catalog, sorted
  std::set<std::string> registered_;      // objects of ended batches' pieces in the catalog
  std::set<int64_t> counted_;             // ended batches whose postings index_batches counts
  std::map<std::pair<int64_t, std::string>, uint64_t> uncounted_;  // by batch and modality
  PgSweepReport report_;
};

absl::Status Sweeper::ReadPartitions() {
  ASSIGN_OR_RETURN(PgResult r,
                   c_->Exec("SELECT p.relname, c.oid::regclass::text FROM pg_inherits i "
                            "JOIN pg_class c ON c.oid = i.inhrelid "
                            "JOIN pg_class p ON p.oid = i.inhparent "
                            "WHERE i.inhparent IN ('postings'::regclass, 'chunks'::regclass) "
                            "ORDER BY 1, 2"));
  for (int i = 0; i < r.rows(); ++i) {
    (r.Get(i, 0) == "postings" ? postings_parts_ : chunks_parts_).push_back(std::string(r.Get(i, 1)));
  }
  return absl::OkStatus();
}

// Registered originals that no item uses (left registered when their
// items were removed by an uncut before schema 5) are unregistered, so that
// their pieces are found no one's below; a count only counts them. An
// original a writer has found stored is locked by it (PgWriteBatch::HasObject)
// and skipped, as that writer is about to use it, and a second statement
// drops any that a batch committed meanwhile uses.
absl::Status Sweeper::UnregisterUnused() {
  ASSIGN_OR_RETURN(PgResult r,
                   c_->Exec(StrCat("SELECT sha256 FROM objects o WHERE NOT EXISTS "
                                   "(SELECT 1 FROM items i WHERE i.object = o.sha256)",
                                   remove_ ? " ORDER BY sha256 FOR UPDATE SKIP LOCKED" : "")));
  for (int i = 0; i < r.rows(); ++i) unused_.insert(std::string(r.Get(i, 0)));
  if (remove_) {
    ASSIGN_OR_RETURN(unused_, UnregisterUnusedOriginals(c_, std::move(unused_)));
  }
  report_.originals = unused_.size();
  return absl::OkStatus();
}

// Grouped on each shard: one statement per table, a branch per partition.
absl::Status Sweeper::ReadShards() {
  RETURN_IF_ERROR(ReadPartitions());
  std::string sql;
  if (only_objects_) postings_parts_.clear();
  for (const std::string& p : postings_parts_) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT ", c_->Literal(p), ", batch::text FROM ",
                  p, " WHERE batch IS NOT NULL GROUP BY batch");
  }
  if (!sql.empty()) {
    ASSIGN_OR_RETURN(PgResult r, c_->Exec(sql));
    for (int i = 0; i < r.rows(); ++i) batches_of_[std::string(r.Get(i, 0))].push_back(r.GetInt(i, 1));
  }
  sql.clear();
  for (const std::string& p : chunks_parts_) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT ", c_->Literal(p),
                  ", object, batch::text, count(*)::text, sum(length(data))::text FROM ", p,
                  " WHERE batch IS NOT NULL", only_objects_ ? " AND object = ANY($1::text[])" : "",
                  " GROUP BY object, batch");
  }
  if (sql.empty()) return absl::OkStatus();
  std::vector<PgParam> params;
  if (only_objects_) params.push_back(PgParam::Text(PgQuotedArray(*only_objects_)));
  ASSIGN_OR_RETURN(PgResult g, c_->Exec(sql, params));
  for (int i = 0; i < g.rows(); ++i) {
    groups_.push_back({std::string(g.Get(i, 0)), std::string(g.Get(i, 1)), g.GetInt(i, 2),
                       static_cast<uint64_t>(g.GetInt(i, 3)), static_cast<uint64_t>(g.GetInt(i, 4))});
  }
  return absl::OkStatus();
}

// A batch whose rows the shards showed has reached its commit at least;
// once it is not running its outcome is final.
absl::Status Sweeper::AskStates() {
  std::set<int64_t> seen;
  for (const auto& [partition, batches] : batches_of_) seen.insert(batches.begin(), batches.end());
  for (const PieceGroup& g : groups_) seen.insert(g.batch);
  ASSIGN_OR_RETURN(state_, EndedBatches(c_, seen, &report_.batches_running));
  return absl::OkStatus();
}

absl::Status Sweeper::ReadLiveItems() {
  ASSIGN_OR_RETURN(live_, ReadPostingItems(c_));
  return absl::OkStatus();
}

// Read after the batches' states, so it shows what each ended batch
// published.
absl::Status Sweeper::ReadCatalog() {
  bool postings_ended = false;
  for (const auto& [partition, batches] : batches_of_) {
    for (int64_t b : batches) postings_ended |= Ended(b);
  }
  if (postings_ended) RETURN_IF_ERROR(ReadLiveItems());
  std::set<std::string> objects;
  for (const PieceGroup& g : groups_) {
    if (Ended(g.batch)) objects.insert(g.object);
  }
  if (!objects.empty()) {
    ASSIGN_OR_RETURN(PgResult r, c_->Exec("SELECT sha256 FROM objects WHERE sha256 = ANY($1::text[])",
                                          {PgParam::Text(PgQuotedArray(objects))}));
    for (int i = 0; i < r.rows(); ++i) registered_.insert(std::string(r.Get(i, 0)));
  }
  for (const std::string& o : unused_) registered_.erase(o);  // a count: still registered
  if (state_.empty()) return absl::OkStatus();
  std::vector<int64_t> ended;
  for (const auto& [batch, s] : state_) ended.push_back(batch);
  ASSIGN_OR_RETURN(counted_, CountedBatches(c_, ended));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<BlockRewrite>> Sweeper::Rewrite(const PgResult& r, int row) {
  std::vector<Posting> block;
  absl::Status s = UnpackPostings(r.Get(row, 4), &block);
  if (!s.ok()) return absl::DataLossError(StrCat(name_, ": ", s.message()));
  std::vector<Posting> kept;
  for (const Posting& p : block) {
    if (Live(p.item)) kept.push_back(p);
  }
  if (kept.size() == block.size()) return std::optional<BlockRewrite>();
  BlockRewrite w;
  w.ctid = std::string(r.Get(row, 0));
  w.modality = std::string(r.Get(row, 1));
  w.span = std::string(r.Get(row, 2));
  w.batch = r.GetInt(row, 3);
  w.dropped = block.size() - kept.size();
  if (!kept.empty()) {
    std::vector<PostingBlock> packed = PackPostings(std::move(kept), SIZE_MAX);
    w.new_data = std::move(packed[0].data);
    w.new_postings = packed[0].postings;
  }
  const size_t old_size = r.Get(row, 4).size();
  w.freed = old_size > w.new_data.size() ? old_size - w.new_data.size() : 0;
  return std::optional<BlockRewrite>(std::move(w));
}

absl::Status Sweeper::SweepPostings() {
  for (const auto& [partition, batches] : batches_of_) {
    std::vector<int64_t> ended;
    for (int64_t b : batches) {
      if (Ended(b)) ended.push_back(b);
    }
    if (!ended.empty()) RETURN_IF_ERROR(SweepPartition(partition, ended));
  }
  return absl::OkStatus();
}

// Only the blocks of `batches` (ended ones) are read, filtered on the
// shard. The rewrites are written before the cursor closes (see the top).
absl::Status Sweeper::SweepPartition(const std::string& partition,
                                     const std::vector<int64_t>& batches) {
  RETURN_IF_ERROR(c_->ExecScript(StrCat(
      "DECLARE uncut_sweep NO SCROLL CURSOR FOR SELECT ctid::text, modality::text, span::text, "
      "batch::text, data FROM ",
      partition, " WHERE batch = ANY('", PgIntArray(batches), "'::bigint[])")));
  std::vector<BlockRewrite> pending;
  size_t pending_bytes = 0;
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, c_->Exec(StrCat("FETCH ", kFetchRows, " FROM uncut_sweep"), {}, true));
    if (r.rows() == 0) break;
    for (int i = 0; i < r.rows(); ++i) {
      ASSIGN_OR_RETURN(std::optional<BlockRewrite> w, Rewrite(r, i));
      if (!w) continue;
      if (!remove_) {
        report_.postings += w->dropped;
        report_.posting_bytes += w->freed;
        continue;
      }
      pending_bytes += w->new_data.size();
      pending.push_back(std::move(*w));
      if (pending.size() >= per_statement_ || pending_bytes >= kRewriteBytesPerStatement) {
        RETURN_IF_ERROR(Flush(partition, &pending));
        pending_bytes = 0;
      }
    }
  }
  RETURN_IF_ERROR(Flush(partition, &pending));
  return c_->ExecScript("CLOSE uncut_sweep");
}

absl::Status Sweeper::Flush(const std::string& partition, std::vector<BlockRewrite>* pending) {
  if (pending->empty()) return absl::OkStatus();
  std::vector<std::string> ctids;
  std::set<int64_t> batches;
  for (const BlockRewrite& w : *pending) {
    ctids.push_back(w.ctid);
    batches.insert(w.batch);
  }
  ASSIGN_OR_RETURN(PgResult gone,
                   c_->Exec(StrCat("DELETE FROM ", partition, " WHERE ctid = ANY($1::tid[]) AND "
                                   "batch = ANY($2::bigint[]) RETURNING ctid::text"),
                            {PgParam::Text(PgQuotedArray(ctids)),
                             PgParam::Text(PgIntArray({batches.begin(), batches.end()}))}));
  std::set<std::string> deleted;
  for (int i = 0; i < gone.rows(); ++i) deleted.insert(std::string(gone.Get(i, 0)));
  std::vector<std::string> modalities, spans, counts, kept_batches;
  std::vector<std::string_view> data;
  for (const BlockRewrite& w : *pending) {
    if (!deleted.count(w.ctid)) continue;  // gone meanwhile: nothing to write back
    report_.postings += w.dropped;
    report_.posting_bytes += w.freed;
    if (counted_.count(w.batch)) uncounted_[{w.batch, w.modality}] += w.dropped;
    if (w.new_data.empty()) continue;
    modalities.push_back(w.modality);
    spans.push_back(w.span);
    counts.push_back(StrCat(w.new_postings));
    kept_batches.push_back(StrCat(w.batch));
    data.push_back(w.new_data);
  }
  if (!data.empty()) {
    RETURN_IF_ERROR(c_->Exec(StrCat("INSERT INTO ", partition,
                                    "(modality, span, n, data, batch) SELECT * FROM unnest("
                                    "$1::smallint[], $2::int8range[], $3::integer[], $4::bytea[], "
                                    "$5::bigint[])"),
                             {PgParam::Text(PgQuotedArray(modalities)), PgParam::Text(PgQuotedArray(spans)),
                              PgParam::Text(PgQuotedArray(counts)), PgParam::Text(ByteaArrayOf(data)),
                              PgParam::Text(PgQuotedArray(kept_batches))})
                        .status());
  }
  pending->clear();
  return absl::OkStatus();
}

// Dead pieces: of an ended batch, and of an object not registered or of a
// batch that aborted. One DELETE per partition and batch.
absl::Status Sweeper::SweepPieces() {
  std::map<std::pair<std::string, int64_t>, std::vector<const PieceGroup*>> dead;
  for (const PieceGroup& g : groups_) {
    auto s = state_.find(g.batch);
    if (s == state_.end()) continue;
    if (s->second == "aborted" || !registered_.count(g.object)) {
      dead[{g.partition, g.batch}].push_back(&g);
    }
  }
  for (const auto& [where, gs] : dead) {
    std::set<std::string> objects;
    for (const PieceGroup* g : gs) objects.insert(g->object);
    std::map<std::string, uint64_t> gone;
    if (remove_) {
      ASSIGN_OR_RETURN(PgResult r, c_->Exec(StrCat("DELETE FROM ", where.first,
                                                   " WHERE batch = $1 AND object = ANY($2::text[]) "
                                                   "RETURNING object"),
                                            {PgParam::Int(where.second), PgParam::Text(PgQuotedArray(objects))}));
      for (int i = 0; i < r.rows(); ++i) ++gone[std::string(r.Get(i, 0))];
    }
    for (const PieceGroup* g : gs) {
      const uint64_t pieces = remove_ ? gone[g->object] : g->pieces;
      if (pieces == 0) continue;
      report_.pieces += pieces;
      report_.piece_bytes += g->bytes;
    }
  }
  return absl::OkStatus();
}

absl::Status Sweeper::LowerCounts() {
  for (const auto& [key, n] : uncounted_) {
    RETURN_IF_ERROR(c_->Exec(StrCat("UPDATE index_batches SET postings = postings - ", n,
                                    " WHERE batch = ", key.first, " AND modality = ", key.second))
                        .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PgSweepReport> PgArchive::Sweep(bool remove, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  if (!marked_) {
    return absl::FailedPreconditionError(StrCat(
        name_, ": the archive was made by an older uncut, whose rows on the shards do not say "
               "which batch wrote them: what failed batches left cannot be told apart from what "
               "is being written (copy it into a new archive to sweep it)"));
  }
  PgConn* c = conn_.get();
  // Read committed: each statement on the coordinator sees what committed
  // before it, so the catalog read after the batches' states shows their
  // outcome. (postgres_fdw reads each shard in one repeatable-read
  // transaction for the whole sweep, so every read of a shard sees the same
  // rows.)
  RETURN_IF_ERROR(c->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"));
  RollbackUnlessDone end{c};
  // Sweeps that remove take turns (a count needs no turn).
  bool turn = true;
  if (remove) {
    ASSIGN_OR_RETURN(turn, TakeSweepTurn(c));
  }
  if (!turn) {
    return absl::UnavailableError(
        StrCat(name_, ": another sweep is running on this archive; run it again when it is done"));
  }
  Sweeper sweep(c, name_, remove, sweep_blocks_);
  if (unregisters_) RETURN_IF_ERROR(sweep.UnregisterUnused());
  RETURN_IF_ERROR(sweep.ReadShards());
  RETURN_IF_ERROR(sweep.AskStates());
  RETURN_IF_ERROR(sweep.ReadCatalog());
  RETURN_IF_ERROR(sweep.SweepPostings());
  RETURN_IF_ERROR(sweep.SweepPieces());
  PgSweepReport report = sweep.report();
  // Nothing removed: the transaction rolls back, with no audit entry.
  if (!remove || report.empty()) return report;
  RETURN_IF_ERROR(sweep.LowerCounts());
  nlohmann::json details = {{"originals", report.originals},
                            {"postings", report.postings},
                            {"posting_bytes", report.posting_bytes},
                            {"pieces", report.pieces},
                            {"piece_bytes", report.piece_bytes}};
  RETURN_IF_ERROR(
      c->Exec("INSERT INTO audit_log(at, actor, client, action, details) "
              "VALUES ($1, $2, NULL, 'sweep', $3)",
              {PgParam::Text(NowRfc3339()), PgParam::Bytes(actor.empty() ? CurrentUserName() : actor),
               PgParam::Bytes(details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))})
          .status());
  RETURN_IF_ERROR(c->ExecScript("COMMIT"));
  end.done = true;
  return report;
}

absl::StatusOr<PgSweepReport> PgArchive::SweepPieces(const std::vector<std::string>& objects) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!marked_ || objects.empty()) return PgSweepReport();
  RETURN_IF_ERROR(EnsureConn());
  PgConn* c = conn_.get();
  RETURN_IF_ERROR(c->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"));
  RollbackUnlessDone end{c};
  // A sweep running meanwhile, or the next one, takes them instead.
  ASSIGN_OR_RETURN(const bool turn, TakeSweepTurn(c));
  if (!turn) return PgSweepReport();
  Sweeper sweep(c, name_, /*remove=*/true, sweep_blocks_);
  sweep.OnlyPiecesOf(objects);
  RETURN_IF_ERROR(sweep.ReadShards());
  RETURN_IF_ERROR(sweep.AskStates());
  RETURN_IF_ERROR(sweep.ReadCatalog());
  RETURN_IF_ERROR(sweep.SweepPieces());
  if (sweep.report().empty()) return sweep.report();
  RETURN_IF_ERROR(c->ExecScript("COMMIT"));
  end.done = true;
  return sweep.report();
}

}  // namespace uncut

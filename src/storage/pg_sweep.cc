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
//     that wrote pieces registered O in the same transaction), or when B
//     aborted (the object's pieces are then those of the batch that did
//     register it).
// A batch still uncommitted on the shards is not seen at all (MVCC), and
// deletions name the batch, so rows written by batches that start after
// the sweep's reads are never touched. Rows without a batch (written by an
// older uncut) are never swept. Writers take no lock for this; a sweep takes
// an advisory lock that only other sweeps ask for.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/postgres_storage.h"
#include "storage/posting_block.h"

namespace uncut {
namespace {

std::string ArrayOf(const std::vector<int64_t>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += StrCat(i ? "," : "", v[i]);
  return out + "}";
}

std::string TextArrayOf(const std::vector<std::string>& v) {
  // The values are hex digests: no quoting needed beyond the braces.
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += StrCat(i ? "," : "", "\"", v[i], "\"");
  return out + "}";
}

// A posting block to rewrite: where it is, and what stays of it.
struct BlockRewrite {
  std::string modality;  // as stored (the modality's code)
  std::string span;      // as stored (int8range text): kept, so the row stays in its partition
  int64_t batch = 0;
  std::string old_data;
  std::string new_data;  // empty: nothing stays, the block goes
  uint32_t new_postings = 0;
  uint64_t dropped = 0;
};

uint64_t FreedBytes(const BlockRewrite& w) {
  return w.old_data.size() > w.new_data.size() ? w.old_data.size() - w.new_data.size() : 0;
}

// The pieces of one object that one batch wrote.
struct PieceGroup {
  std::string object;
  int64_t batch = 0;
  uint64_t pieces = 0;
  uint64_t bytes = 0;
};

// The registered originals that no item uses. With `remove` they are
// unregistered, in the caller's transaction: an original a writer has
// found stored (PgWriteBatch::HasObject locks it) is skipped, as that writer
// is about to use it, and a second statement drops any that a batch
// committed meanwhile uses.
absl::StatusOr<std::set<std::string>> UnregisterUnusedOriginals(PgConn* c, bool remove) {
  ASSIGN_OR_RETURN(PgResult r,
                   c->Exec(StrCat("SELECT sha256 FROM objects o WHERE NOT EXISTS "
                                  "(SELECT 1 FROM items i WHERE i.object = o.sha256)",
                                  remove ? " ORDER BY sha256 FOR UPDATE SKIP LOCKED" : "")));
  std::set<std::string> unused;
  for (int i = 0; i < r.rows(); ++i) unused.insert(std::string(r.Get(i, 0)));
  if (!remove || unused.empty()) return unused;
  const std::string list = TextArrayOf({unused.begin(), unused.end()});
  ASSIGN_OR_RETURN(PgResult used, c->Exec("SELECT DISTINCT object FROM items WHERE object = "
                                          "ANY($1::text[])",
                                          {PgParam::Text(list)}));
  for (int i = 0; i < used.rows(); ++i) unused.erase(std::string(used.Get(i, 0)));
  if (unused.empty()) return unused;
  RETURN_IF_ERROR(c->Exec("DELETE FROM objects WHERE sha256 = ANY($1::text[])",
                          {PgParam::Text(TextArrayOf({unused.begin(), unused.end()}))})
                      .status());
  return unused;
}

// The pieces the shards hold that match `where`, grouped by object and
// batch on each shard (partitionwise), so the pieces' bytes stay there.
absl::StatusOr<std::vector<PieceGroup>> ReadPieceGroups(PgConn* c, const std::string& where,
                                                        const std::vector<PgParam>& params) {
  ASSIGN_OR_RETURN(PgResult grouped,
                   c->Exec(StrCat("SELECT object, batch::text, count(*)::text, "
                                  "sum(length(data))::text FROM chunks WHERE batch IS NOT NULL",
                                  where.empty() ? "" : " AND ", where, " GROUP BY object, batch"),
                           params));
  std::vector<PieceGroup> groups;
  for (int i = 0; i < grouped.rows(); ++i) {
    groups.push_back({std::string(grouped.Get(i, 0)), grouped.GetInt(i, 1),
                      static_cast<uint64_t>(grouped.GetInt(i, 2)),
                      static_cast<uint64_t>(grouped.GetInt(i, 3))});
  }
  return groups;
}

// The state of each of `batches` that is not running (committed, aborted,
// or unknown: too old to say); the running ones are counted in
// report->batches_running. A batch whose rows the shards showed has reached
// its commit at least; once it is not running its outcome is final.
absl::StatusOr<std::map<int64_t, std::string>> EndedBatches(PgConn* c,
                                                            const std::set<int64_t>& batches,
                                                            PgSweepReport* report) {
  std::map<int64_t, std::string> state;
  if (batches.empty()) return state;
  ASSIGN_OR_RETURN(PgResult st,
                   c->Exec("SELECT x::text, coalesce(pg_xact_status(x::text::xid8), 'unknown') "
                           "FROM unnest($1::bigint[]) x",
                           {PgParam::Text(ArrayOf({batches.begin(), batches.end()}))}));
  for (int i = 0; i < st.rows(); ++i) {
    const std::string s(st.Get(i, 1));
    if (s == "in progress") {
      ++report->batches_running;
    } else {
      state[st.GetInt(i, 0)] = s;
    }
  }
  return state;
}

// Which of `objects` the catalog registers now.
absl::StatusOr<std::set<std::string>> RegisteredOriginals(PgConn* c,
                                                          const std::vector<std::string>& objects) {
  std::set<std::string> registered;
  if (objects.empty()) return registered;
  ASSIGN_OR_RETURN(PgResult r, c->Exec("SELECT sha256 FROM objects WHERE sha256 = ANY($1::text[])",
                                       {PgParam::Text(TextArrayOf(objects))}));
  for (int i = 0; i < r.rows(); ++i) registered.insert(std::string(r.Get(i, 0)));
  return registered;
}

// The groups that are no one's: written by an ended batch that aborted, or
// of an original the catalog does not register (never published, or its
// items removed). Counted in report->pieces and piece_bytes.
std::vector<const PieceGroup*> DeadPieces(const std::vector<PieceGroup>& groups,
                                          const std::map<int64_t, std::string>& state,
                                          const std::set<std::string>& registered,
                                          PgSweepReport* report) {
  std::vector<const PieceGroup*> dead;
  for (const PieceGroup& g : groups) {
    auto s = state.find(g.batch);
    if (s == state.end()) continue;
    if (s->second == "aborted" || !registered.count(g.object)) {
      dead.push_back(&g);
      report->pieces += g.pieces;
      report->piece_bytes += g.bytes;
    }
  }
  return dead;
}

// Deletes the dead groups' pieces, each deletion naming its batch; counts
// what it deleted in report->pieces and piece_bytes.
absl::Status DeletePieces(PgConn* c, const std::vector<const PieceGroup*>& dead,
                          PgSweepReport* report) {
  report->pieces = report->piece_bytes = 0;
  for (const PieceGroup* g : dead) {
    ASSIGN_OR_RETURN(PgResult gone, c->Exec("DELETE FROM chunks WHERE object = $1 AND batch = $2 "
                                            "RETURNING 1",
                                            {PgParam::Text(g->object), PgParam::Int(g->batch)}));
    if (gone.rows() == 0) continue;
    report->pieces += gone.rows();
    report->piece_bytes += g->bytes;
  }
  return absl::OkStatus();
}

absl::Status InsertSweepAudit(PgConn* c, const PgSweepReport& report, const std::string& actor) {
  nlohmann::json details = {{"originals", report.originals},
                            {"postings", report.postings},
                            {"posting_bytes", report.posting_bytes},
                            {"pieces", report.pieces},
                            {"piece_bytes", report.piece_bytes}};
  return c
      ->Exec("INSERT INTO audit_log(at, actor, client, action, details) "
             "VALUES ($1, $2, NULL, 'sweep', $3)",
             {PgParam::Text(NowRfc3339()), PgParam::Bytes(actor.empty() ? CurrentUserName() : actor),
              PgParam::Bytes(details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))})
      .status();
}

// Rolls the session's transaction back unless `done` was set.
struct RollbackUnlessDone {
  PgConn* conn;
  bool done = false;
  ~RollbackUnlessDone() {
    if (!done) conn->ExecScript("ROLLBACK").IgnoreError();
  }
};

// Takes the removing sweeps' turn for the session's transaction (writers
// never ask for it): false when another sweep has it.
absl::StatusOr<bool> TakeSweepTurn(PgConn* c) {
  ASSIGN_OR_RETURN(PgResult locked,
                   c->Exec("SELECT pg_try_advisory_xact_lock(hashtext('uncut sweep'))::text"));
  return locked.Get(0, 0) == "true";
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
  // outcome. (postgres_fdw reads the shards in one repeatable-read
  // transaction for the whole sweep, so both passes below see the same rows.)
  RETURN_IF_ERROR(c->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED; "
                                "SET LOCAL enable_partitionwise_aggregate = on"));
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

  // 0. Originals registered that no item uses (left registered when their
  // items were removed by an uncut before schema 5): unregistered, so that
  // their pieces are found no one's below.
  PgSweepReport report;
  std::set<std::string> unused_originals;
  if (unregisters_) {
    ASSIGN_OR_RETURN(unused_originals, UnregisterUnusedOriginals(c, remove));
    report.originals = unused_originals.size();
  }

  // 1. What the shards hold: the items of each batch's postings, and the
  // pieces of each batch's objects.
  std::map<int64_t, std::set<uint32_t>> items_of;
  RETURN_IF_ERROR(c->ExecScript(
      "DECLARE uncut_sweep NO SCROLL CURSOR FOR SELECT batch::text, data FROM postings "
      "WHERE batch IS NOT NULL"));
  std::vector<Posting> block;
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, c->Exec("FETCH 256 FROM uncut_sweep", {}, true));
    if (r.rows() == 0) break;
    for (int i = 0; i < r.rows(); ++i) {
      block.clear();
      absl::Status s = UnpackPostings(r.Get(i, 1), &block);
      if (!s.ok()) return absl::DataLossError(StrCat(name_, ": ", s.message()));
      std::set<uint32_t>& items = items_of[r.GetInt(i, 0)];
      for (const Posting& p : block) items.insert(p.item);
    }
  }
  RETURN_IF_ERROR(c->ExecScript("CLOSE uncut_sweep"));
  ASSIGN_OR_RETURN(std::vector<PieceGroup> groups, ReadPieceGroups(c, "", {}));
  std::set<int64_t> seen;
  for (const auto& [batch, unused] : items_of) seen.insert(batch);
  for (const PieceGroup& g : groups) seen.insert(g.batch);

  // 2. Which of those batches are still running.
  ASSIGN_OR_RETURN(const auto state, EndedBatches(c, seen, &report));

  // 3. The catalog now: which of the ended batches' items and objects it
  // lists, and which batches' postings are counted.
  std::vector<int64_t> candidates, ended;
  for (const auto& [batch, s] : state) {
    ended.push_back(batch);
    auto it = items_of.find(batch);
    if (it != items_of.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::set<int64_t> live;
  if (!candidates.empty()) {
    ASSIGN_OR_RETURN(PgResult r, c->Exec("SELECT id::text FROM items WHERE id = ANY($1::bigint[])",
                                         {PgParam::Text(ArrayOf(candidates))}));
    for (int i = 0; i < r.rows(); ++i) live.insert(r.GetInt(i, 0));
  }
  std::vector<std::string> objects;
  for (const PieceGroup& g : groups) {
    if (state.count(g.batch)) objects.push_back(g.object);
  }
  ASSIGN_OR_RETURN(std::set<std::string> registered, RegisteredOriginals(c, objects));
  for (const std::string& o : unused_originals) registered.erase(o);  // a count: still registered
  std::set<int64_t> counted;  // batches whose postings index_batches counts
  if (!ended.empty()) {
    ASSIGN_OR_RETURN(PgResult r,
                     c->Exec("SELECT DISTINCT batch::text FROM index_batches WHERE batch = "
                             "ANY($1::bigint[])",
                             {PgParam::Text(ArrayOf(ended))}));
    for (int i = 0; i < r.rows(); ++i) counted.insert(r.GetInt(i, 0));
  }

  // 4. The blocks of the batches that hold postings of unlisted items,
  // and what stays of each.
  std::map<int64_t, std::set<uint32_t>> dead_of;
  for (const auto& [batch, items] : items_of) {
    if (!state.count(batch)) continue;
    for (uint32_t item : items) {
      if (!live.count(item)) dead_of[batch].insert(item);
    }
  }
  std::vector<BlockRewrite> rewrites;
  if (!dead_of.empty()) {
    std::vector<int64_t> batches;
    for (const auto& [batch, unused] : dead_of) batches.push_back(batch);
    RETURN_IF_ERROR(c->ExecScript(StrCat(
        "DECLARE uncut_sweep NO SCROLL CURSOR FOR SELECT modality::text, span::text, "
        "batch::text, data FROM postings WHERE batch = ANY('",
        ArrayOf(batches), "'::bigint[])")));
    while (true) {
      ASSIGN_OR_RETURN(PgResult r, c->Exec("FETCH 256 FROM uncut_sweep", {}, true));
      if (r.rows() == 0) break;
      for (int i = 0; i < r.rows(); ++i) {
        const int64_t batch = r.GetInt(i, 2);
        const std::set<uint32_t>& dead = dead_of[batch];
        block.clear();
        absl::Status s = UnpackPostings(r.Get(i, 3), &block);
        if (!s.ok()) return absl::DataLossError(StrCat(name_, ": ", s.message()));
        std::vector<Posting> kept;
        for (const Posting& p : block) {
          if (!dead.count(p.item)) kept.push_back(p);
        }
        if (kept.size() == block.size()) continue;
        BlockRewrite w;
        w.modality = std::string(r.Get(i, 0));
        w.span = std::string(r.Get(i, 1));
        w.batch = batch;
        w.old_data = std::string(r.Get(i, 3));
        w.dropped = block.size() - kept.size();
        if (!kept.empty()) {
          std::vector<PostingBlock> packed = PackPostings(std::move(kept), SIZE_MAX);
          w.new_data = std::move(packed[0].data);
          w.new_postings = packed[0].postings;
        }
        report.postings += w.dropped;
        report.posting_bytes += FreedBytes(w);
        rewrites.push_back(std::move(w));
      }
    }
    RETURN_IF_ERROR(c->ExecScript("CLOSE uncut_sweep"));
  }
  const std::vector<const PieceGroup*> dead_pieces = DeadPieces(groups, state, registered, &report);
  if (!remove || report.empty()) return report;

  // 5. The deletions, each naming the batch whose rows it removes, in this
  // one transaction with the lowered counts and the audit entry.
  std::map<std::pair<int64_t, std::string>, uint64_t> uncounted;  // by batch and modality
  report.postings = report.posting_bytes = 0;
  for (const BlockRewrite& w : rewrites) {
    const std::string where = StrCat("modality = ", w.modality, " AND span = ", c->Literal(w.span),
                                     "::int8range AND batch = ", w.batch, " AND data = $1");
    ASSIGN_OR_RETURN(PgResult gone, c->Exec(StrCat("DELETE FROM postings WHERE ", where, " RETURNING 1"),
                                            {PgParam::Bytes(w.old_data)}));
    for (int i = 0; i < gone.rows(); ++i) {
      if (!w.new_data.empty()) {
        RETURN_IF_ERROR(c->Exec(StrCat("INSERT INTO postings(modality, span, n, data, batch) "
                                       "VALUES (",
                                       w.modality, ", ", c->Literal(w.span), "::int8range, ",
                                       w.new_postings, ", $1, ", w.batch, ")"),
                                {PgParam::Bytes(w.new_data)})
                            .status());
      }
      report.postings += w.dropped;
      report.posting_bytes += FreedBytes(w);
      if (counted.count(w.batch)) uncounted[{w.batch, w.modality}] += w.dropped;
    }
  }
  for (const auto& [key, n] : uncounted) {
    RETURN_IF_ERROR(c->Exec(StrCat("UPDATE index_batches SET postings = postings - ", n,
                                   " WHERE batch = ", key.first, " AND modality = ", key.second))
                        .status());
  }
  RETURN_IF_ERROR(DeletePieces(c, dead_pieces, &report));
  RETURN_IF_ERROR(InsertSweepAudit(c, report, actor));
  RETURN_IF_ERROR(c->ExecScript("COMMIT"));
  end.done = true;
  return report;
}

absl::StatusOr<PgSweepReport> PgArchive::SweepPieces(const std::vector<std::string>& objects) {
  std::lock_guard<std::mutex> lock(mu_);
  PgSweepReport report;
  if (!marked_ || objects.empty()) return report;
  RETURN_IF_ERROR(EnsureConn());
  PgConn* c = conn_.get();
  RETURN_IF_ERROR(c->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"));
  RollbackUnlessDone end{c};
  // A sweep running meanwhile, or the next one, takes them instead.
  ASSIGN_OR_RETURN(const bool turn, TakeSweepTurn(c));
  if (!turn) return report;
  // Hash-partitioned on the object: each shard is asked about its own.
  ASSIGN_OR_RETURN(std::vector<PieceGroup> groups,
                   ReadPieceGroups(c, "object = ANY($1::text[])", {PgParam::Text(TextArrayOf(objects))}));
  std::set<int64_t> batches;
  for (const PieceGroup& g : groups) batches.insert(g.batch);
  ASSIGN_OR_RETURN(const auto state, EndedBatches(c, batches, &report));
  ASSIGN_OR_RETURN(std::set<std::string> registered, RegisteredOriginals(c, objects));
  const std::vector<const PieceGroup*> dead = DeadPieces(groups, state, registered, &report);
  if (report.empty()) return report;
  RETURN_IF_ERROR(DeletePieces(c, dead, &report));
  RETURN_IF_ERROR(c->ExecScript("COMMIT"));
  end.done = true;
  return report;
}

}  // namespace uncut

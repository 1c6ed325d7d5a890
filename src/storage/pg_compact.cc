// PgArchive::Compact: merging runs of posting blocks by levels, the merges
// of a log-structured merge-tree (O'Neil, Cheng, Gawlick & O'Neil, "The
// Log-Structured Merge-Tree (LSM-Tree)", Acta Informatica 33, 1996) with
// size-tiered levels as in Bigtable and Cassandra (storage/pg_levels.h).
//
// Why. Each batch packs its own postings into blocks of consecutive keys,
// a run on each server, so after B batches a key's postings lie in up to B
// blocks on each server, each also holding hundreds of other keys'
// postings, and a lookup reads and decodes all of them. At 1,000 synthetic
// hours loaded in 21 batches a 27 s clip's picture lookups read 336,000
// blocks (three quarters of the video postings) to keep 9 million
// postings. Merged, a key stands in one block per run, and a key common
// enough to fill a block has one of its own, which a lookup that drops
// common keys skips unread. Keys are hashes, so a new batch's run meets
// every block of the runs before it: merging it with all of them rewrites
// the whole archive. Levels keep the runs few and the rewriting bounded.
//
// Runs. A run is the blocks one batch wrote on a server for a modality, or
// those one merge wrote there (its steps' batches, named in posting_runs).
// A merge takes the runs of one level (or, kFull, all of a server's runs
// of a modality), in steps of about 16 Mi postings (cut between the
// blocks' first keys): each step is one coordinator transaction that
//   1. reads the runs' blocks whose first key lies in the step's stretch,
//      and the merge's own blocks there (see 3) (the runs' batches had
//      ended when the merge was planned; rows of batches still running
//      are in no run, and left alone, as a sweep leaves them);
//   2. drops the postings of items not in the catalog, as a sweep does
//      (counts lowered);
//   3. packs the rest into new blocks (PackPostings), those of keys past
//      the stretch apart: they start in a later stretch, whose step reads
//      them again, so the merged run holds each key in one block; each
//      block is placed in a partition of the same server: its span covers
//      its keys and is widened by a few keys where needed until the
//      partition bounds put it there (satisfies_hash_partition; lookups
//      compare keys exactly, so a wider span changes no answer);
//   4. deletes the blocks it read (by ctid, naming their batches: any row
//      changed meanwhile fails the step, which changes nothing) and inserts
//      the new ones, marked with the step's own transaction id, with an
//      index_batches row of 0 postings under that id, so that a later sweep
//      dropping removed items' postings from them keeps the counts' sum
//      right, and a posting_runs row naming the merge's run (its first
//      step's id).
// Planning reads each run's totals, not its blocks: one row per partition,
// modality and batch, grouped on the servers (postgres_fdw sends each
// partition's GROUP BY whole), so a compaction with nothing due reads
// rows in proportion to the runs, not the blocks; the blocks' first keys
// (to cut the steps) are read of the chosen runs only.
// A merge that ends removes its inputs' posting_runs rows. An archive made
// before schema 6 has every block packed again once (older writers could
// pack a common key with others; see HotKeyCondition), and then records
// that all are (uncut_meta's one_key_blocks).
// Every statement of a step touches partitions of one server only, so
// postgres_fdw commits the step there as one transaction: a reader sees
// either the old blocks or the new ones. Compactions and removing sweeps
// take turns (TakeSweepTurn); writers and readers never wait for one. A
// merge cut short (a process stopped, another compaction's turn) leaves
// part of its run written and part of its inputs unmerged: every key's
// postings are still in exactly one block of some run, and a later
// compaction plans from what it finds.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <map>
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

// Bytes of new blocks one INSERT writes at most.
constexpr size_t kInsertBytes = 8u << 20;
// How far a block's span may be widened to land on its server.
constexpr int kWidenAtMost = 64;

struct Partition {
  std::string table;  // the coordinator's partition (regclass text)
  int remainder = 0;
};

// The postings partitions one server holds ("" : the coordinator itself).
struct ServerPartitions {
  std::string server;
  int modulus = 0;
  std::vector<Partition> parts;
};

absl::StatusOr<std::vector<ServerPartitions>> PartitionsByServer(PgConn* c) {
  ASSIGN_OR_RETURN(PgResult r,
                   c->Exec("SELECT c.oid::regclass::text, coalesce(fs.srvname, ''), "
                           "pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                           "JOIN pg_class c ON c.oid = i.inhrelid "
                           "LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid "
                           "LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver "
                           "WHERE i.inhparent = 'postings'::regclass ORDER BY 2, 1"));
  std::vector<ServerPartitions> out;
  for (int i = 0; i < r.rows(); ++i) {
    int modulus = 0, remainder = 0;
    const std::string bound(r.Get(i, 2));
    if (std::sscanf(bound.c_str(), "FOR VALUES WITH (modulus %d, remainder %d)", &modulus,
                    &remainder) != 2) {
      return absl::FailedPreconditionError(
          StrCat("partition ", r.Get(i, 0), " of postings is not a hash partition: ", bound));
    }
    const std::string server(r.Get(i, 1));
    if (out.empty() || out.back().server != server) out.push_back({server, modulus, {}});
    out.back().parts.push_back({std::string(r.Get(i, 0)), remainder});
  }
  return out;
}

// A block of a step as read.
struct OldBlock {
  std::string table;
  std::string ctid;
  int64_t batch = 0;
};

// A stretch of first keys [from, to) on one server, for one modality.
struct Step {
  int64_t from = 0;
  std::optional<int64_t> to;
};

// A block as Plan sees it: its first key (as stored) and postings.
struct Head {
  int64_t first;
  uint64_t n;
};

// Runs of one server and modality merged into one.
struct Merge {
  std::vector<int64_t> batches;  // that wrote the runs' blocks
  size_t runs = 0;
  std::vector<Step> steps;
};

// Cuts `list` (sorted by first) into steps of about `postings` postings,
// between distinct first keys.
std::vector<Step> CutSteps(const std::vector<Head>& list, uint64_t postings) {
  std::vector<Step> out = {{std::numeric_limits<int64_t>::min(), std::nullopt}};
  uint64_t in_step = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0 && list[i].first != list[i - 1].first && in_step >= postings) {
      out.back().to = list[i].first;
      out.push_back({list[i].first, std::nullopt});
      in_step = 0;
    }
    in_step += list[i].n;
  }
  return out;
}

// A run of one server and modality, from its batches' totals.
struct RunTotals {
  uint64_t postings = 0;
  std::set<int64_t> batches;
};

class Compactor {
 public:
  // `repack`: every block is packed again, even a run's alone (they may
  // have been packed by an older writer).
  Compactor(PgConn* c, std::string name, PgCompactScope scope, bool repack, TierRules tiers,
            uint64_t step_postings, uint64_t small_postings)
      : c_(c), name_(std::move(name)), scope_(repack ? PgCompactScope::kFull : scope),
        repack_(repack), tiers_(tiers), step_postings_(step_postings),
        small_postings_(small_postings) {}

  absl::Status Run();
  const PgCompactReport& report() const { return report_; }

 private:
  // The runs of `server`'s blocks, by modality and run id, from each
  // batch's totals there (one row per partition, modality and batch, not
  // per block); rows of batches still running are left out.
  absl::StatusOr<std::map<int, std::map<int64_t, RunTotals>>> ReadRuns(const ServerPartitions& server);
  // The first keys and postings of `batches`' blocks of `modality` on
  // `server`, sorted by first key.
  absl::StatusOr<std::vector<Head>> ReadHeads(const ServerPartitions& server, int modality,
                                              const std::vector<int64_t>& batches);
  // The merge due on `server` for each modality (none when nothing is).
  absl::StatusOr<std::map<int, Merge>> Plan(const ServerPartitions& server);
  // The runs to merge among `runs` (of one server and modality), their
  // steps not cut yet; `over`: set when a merge is due that the scope leaves.
  std::optional<Merge> Choose(const std::map<int64_t, RunTotals>& runs, bool* over);
  absl::Status RunMerge(const ServerPartitions& server, int modality, const Merge& merge);
  // One step of `merge`; `written`: the batches of the merge's steps so far
  // (the first names its run), this step's added.
  absl::Status RunStep(const ServerPartitions& server, int modality, const Merge& merge,
                       const Step& step, std::vector<int64_t>* written);
  std::string StepRows(const ServerPartitions& server, int modality, const Step& step,
                       const std::vector<int64_t>& batches) const;
  // Where each block goes: (span text, partition table) in order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Place(
      const ServerPartitions& server, const std::vector<PostingBlock>& blocks);
  absl::Status DeleteOld(const std::vector<OldBlock>& old);
  absl::Status InsertNew(int modality, const std::string& batch,
                         const std::vector<PostingBlock>& blocks,
                         const std::vector<std::pair<std::string, std::string>>& places);

  PgConn* c_;
  const std::string name_;
  const PgCompactScope scope_;
  const bool repack_;
  const TierRules tiers_;
  const uint64_t step_postings_;
  const uint64_t small_postings_;
  std::set<int64_t> running_;
  std::set<std::pair<std::string, int>> left_;  // merges due and left: server, modality
  PgCompactReport report_;
};

// A server is merged until no level of it holds enough runs: a merge's run
// may fill the next level. kFull merges once.
absl::Status Compactor::Run() {
  // Far more than levels there can be; a guard against going round forever.
  constexpr int kRoundsAtMost = 64;
  ASSIGN_OR_RETURN(std::vector<ServerPartitions> servers, PartitionsByServer(c_));
  for (const ServerPartitions& server : servers) {
    for (int round = 0; round < kRoundsAtMost; ++round) {
      ASSIGN_OR_RETURN(auto merges, Plan(server));
      for (const auto& [modality, merge] : merges) RETURN_IF_ERROR(RunMerge(server, modality, merge));
      if (merges.empty() || scope_ == PgCompactScope::kFull) break;
    }
  }
  report_.batches_running = running_.size();
  report_.merges_left = left_.size();
  return absl::OkStatus();
}

absl::StatusOr<std::map<int, std::map<int64_t, RunTotals>>> Compactor::ReadRuns(
    const ServerPartitions& server) {
  // Grouped in each partition's own statement, which postgres_fdw sends
  // to its server whole: the totals travel, not the blocks' rows.
  std::string sql;
  for (const Partition& p : server.parts) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT modality::text, batch::text, "
                  "sum(n)::text FROM ", p.table, " WHERE batch IS NOT NULL GROUP BY modality, batch");
  }
  ASSIGN_OR_RETURN(PgResult r, c_->Exec(sql));
  report_.plan_rows += r.rows();
  std::set<int64_t> seen;
  for (int i = 0; i < r.rows(); ++i) seen.insert(r.GetInt(i, 1));
  uint64_t running = 0;
  ASSIGN_OR_RETURN(const auto ended, EndedBatches(c_, seen, &running));
  std::map<int64_t, int64_t> run_of;  // batches of merges: their run
  std::vector<int64_t> ended_ids;
  for (const auto& [b, state] : ended) ended_ids.push_back(b);
  ASSIGN_OR_RETURN(PgResult m, c_->Exec("SELECT batch::text, run::text FROM posting_runs "
                                        "WHERE batch = ANY($1::bigint[])",
                                        {PgParam::Text(PgIntArray(ended_ids))}));
  for (int i = 0; i < m.rows(); ++i) run_of[m.GetInt(i, 0)] = m.GetInt(i, 1);
  std::map<int, std::map<int64_t, RunTotals>> runs;
  for (int i = 0; i < r.rows(); ++i) {
    const int64_t batch = r.GetInt(i, 1);
    if (!ended.count(batch)) {
      running_.insert(batch);
      continue;
    }
    auto it = run_of.find(batch);
    RunTotals& run = runs[static_cast<int>(r.GetInt(i, 0))][it == run_of.end() ? batch : it->second];
    run.postings += static_cast<uint64_t>(r.GetInt(i, 2));
    run.batches.insert(batch);
  }
  return runs;
}

absl::StatusOr<std::vector<Head>> Compactor::ReadHeads(const ServerPartitions& server, int modality,
                                                       const std::vector<int64_t>& batches) {
  std::string sql;
  for (const Partition& p : server.parts) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT lower(span)::text, n::text FROM ",
                  p.table, " WHERE modality = ", modality, " AND batch = ANY('",
                  PgIntArray(batches), "'::bigint[])");
  }
  ASSIGN_OR_RETURN(PgResult r, c_->Exec(sql));
  report_.plan_rows += r.rows();
  std::vector<Head> heads;
  heads.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    heads.push_back({r.GetInt(i, 0), static_cast<uint64_t>(r.GetInt(i, 1))});
  }
  std::sort(heads.begin(), heads.end(), [](const Head& a, const Head& b) { return a.first < b.first; });
  return heads;
}

// Only the chosen runs' blocks are read, for the cuts between steps.
absl::StatusOr<std::map<int, Merge>> Compactor::Plan(const ServerPartitions& server) {
  ASSIGN_OR_RETURN(auto runs, ReadRuns(server));
  std::map<int, Merge> merges;
  for (const auto& [modality, of_modality] : runs) {
    bool over = false;
    std::optional<Merge> merge = Choose(of_modality, &over);
    if (over) left_.insert({server.server, modality});
    if (!merge) continue;
    ASSIGN_OR_RETURN(const std::vector<Head> heads, ReadHeads(server, modality, merge->batches));
    merge->steps = CutSteps(heads, step_postings_);
    merges[modality] = std::move(*merge);
  }
  return merges;
}

std::optional<Merge> Compactor::Choose(const std::map<int64_t, RunTotals>& runs, bool* over) {
  std::vector<const RunTotals*> list;
  std::vector<uint64_t> sizes;
  for (const auto& [id, run] : runs) {
    list.push_back(&run);
    sizes.push_back(run.postings);
  }
  std::vector<size_t> chosen;
  if (scope_ == PgCompactScope::kFull) {
    if (list.size() < (repack_ ? 1u : 2u)) return std::nullopt;
    for (size_t i = 0; i < list.size(); ++i) chosen.push_back(i);
  } else {
    const MergePick pick =
        PickMerge(sizes, tiers_,
                  scope_ == PgCompactScope::kSmallRuns ? small_postings_
                                                       : std::numeric_limits<uint64_t>::max());
    *over = pick.over;
    if (pick.runs.empty()) return std::nullopt;
    chosen = pick.runs;
  }
  Merge merge;
  for (size_t i : chosen) {
    merge.batches.insert(merge.batches.end(), list[i]->batches.begin(), list[i]->batches.end());
  }
  merge.runs = chosen.size();
  return merge;
}

absl::Status Compactor::RunMerge(const ServerPartitions& server, int modality, const Merge& merge) {
  std::vector<int64_t> written;  // its steps' batches: the first names its run
  for (const Step& step : merge.steps) {
    RETURN_IF_ERROR(RunStep(server, modality, merge, step, &written));
  }
  if (written.empty()) return absl::OkStatus();
  report_.runs_merged += merge.runs;
  ++report_.merges;
  // The merged runs' blocks are gone: what said which run a merge's
  // batches wrote is no longer needed (writers' batches have no row).
  return c_->Exec("DELETE FROM posting_runs WHERE batch = ANY($1::bigint[])",
                  {PgParam::Text(PgIntArray(merge.batches))})
      .status();
}

// Blocks of `batches` whose first key lies in the step's stretch.
std::string Compactor::StepRows(const ServerPartitions& server, int modality, const Step& step,
                                const std::vector<int64_t>& batches) const {
  std::string range = StrCat("int8range(", step.from, ", ", step.to ? StrCat(*step.to) : "NULL", ")");
  std::string sql;
  for (const Partition& p : server.parts) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT ", c_->Literal(p.table),
                  ", ctid::text, batch::text, data FROM ", p.table, " WHERE modality = ", modality,
                  " AND batch = ANY('", PgIntArray(batches), "'::bigint[]) AND span && ", range,
                  " AND lower(span) >= ", step.from,
                  step.to ? StrCat(" AND lower(span) < ", *step.to) : "");
  }
  return sql;
}

// Postings of keys at or past `to` (a stored key) are packed apart: their
// blocks start in a later stretch, whose step reads them again (they are
// the merge's own), so the merged run holds each key in one block.
std::vector<PostingBlock> PackSplit(std::vector<Posting> postings, std::optional<int64_t> to) {
  auto past = postings.end();
  if (to) {
    past = std::partition(postings.begin(), postings.end(),
                          [&](const Posting& p) { return StoredKey(p.key) < *to; });
  }
  std::vector<Posting> later(past, postings.end());
  postings.erase(past, postings.end());
  std::vector<PostingBlock> blocks = PackPostings(std::move(postings));
  std::vector<PostingBlock> rest = PackPostings(std::move(later));
  for (PostingBlock& b : rest) blocks.push_back(std::move(b));
  return blocks;
}

absl::Status Compactor::RunStep(const ServerPartitions& server, int modality, const Merge& merge,
                                const Step& step, std::vector<int64_t>* written) {
  RETURN_IF_ERROR(c_->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"));
  RollbackUnlessDone end{c_};
  ASSIGN_OR_RETURN(const bool turn, TakeSweepTurn(c_));
  if (!turn) {
    return absl::UnavailableError(
        StrCat(name_, ": a sweep or compaction is running on this archive; run it again when it is done"));
  }
  std::vector<int64_t> batches = merge.batches;
  batches.insert(batches.end(), written->begin(), written->end());
  ASSIGN_OR_RETURN(PgResult rows, c_->Exec(StepRows(server, modality, step, batches), {}, true));
  // The runs' batches had ended when planned; the catalog read now shows
  // what each published.
  ASSIGN_OR_RETURN(const std::vector<uint32_t> live, ReadPostingItems(c_));
  ASSIGN_OR_RETURN(const std::set<int64_t> counted, CountedBatches(c_, batches));
  std::vector<OldBlock> old;
  std::vector<Posting> postings, block;
  std::map<int64_t, uint64_t> dropped;  // by batch
  uint64_t old_bytes = 0;
  for (int i = 0; i < rows.rows(); ++i) {
    const int64_t batch = rows.GetInt(i, 2);
    block.clear();
    absl::Status s = UnpackPostings(rows.Get(i, 3), &block);
    if (!s.ok()) return absl::DataLossError(StrCat(name_, ": ", s.message()));
    for (const Posting& p : block) {
      if (std::binary_search(live.begin(), live.end(), p.item)) {
        postings.push_back(p);
      } else {
        ++dropped[batch];
      }
    }
    old_bytes += rows.Get(i, 3).size();
    old.push_back({std::string(rows.Get(i, 0)), std::string(rows.Get(i, 1)), batch});
  }
  if (old.empty()) return absl::OkStatus();  // rolls back
  const uint64_t kept = postings.size();
  std::vector<PostingBlock> blocks = PackSplit(std::move(postings), step.to);
  ASSIGN_OR_RETURN(auto places, Place(server, blocks));
  ASSIGN_OR_RETURN(PgResult x, c_->Exec("SELECT pg_current_xact_id()::text"));
  const std::string batch(x.Get(0, 0));
  const std::string run = written->empty() ? batch : StrCat(written->front());
  RETURN_IF_ERROR(DeleteOld(old));
  RETURN_IF_ERROR(InsertNew(modality, batch, blocks, places));
  RETURN_IF_ERROR(c_->ExecScript(StrCat("INSERT INTO index_batches(modality, postings, batch) VALUES (",
                                        modality, ", 0, ", batch, "); INSERT INTO posting_runs(batch, "
                                        "run) VALUES (", batch, ", ", run, ")")));
  uint64_t gone = 0;
  for (const auto& [b, n] : dropped) {
    gone += n;
    if (!counted.count(b)) continue;
    RETURN_IF_ERROR(c_->Exec(StrCat("UPDATE index_batches SET postings = postings - ", n,
                                    " WHERE batch = ", b, " AND modality = ", modality))
                        .status());
  }
  RETURN_IF_ERROR(c_->ExecScript("COMMIT"));
  end.done = true;
  written->push_back(x.GetInt(0, 0));
  report_.blocks_read += old.size();
  report_.blocks_written += blocks.size();
  report_.postings += kept;
  report_.postings_dropped += gone;
  report_.bytes_read += old_bytes;
  for (const PostingBlock& b : blocks) report_.bytes_written += b.data.size();
  ++report_.steps;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Compactor::Place(
    const ServerPartitions& server, const std::vector<PostingBlock>& blocks) {
  std::vector<int64_t> lo, hi, remainders;
  for (const PostingBlock& b : blocks) {
    lo.push_back(StoredKey(b.first_key));
    hi.push_back(StoredKey(b.last_key));
  }
  std::map<int64_t, std::string> table_of;
  for (const Partition& p : server.parts) {
    remainders.push_back(p.remainder);
    table_of[p.remainder] = p.table;
  }
  // Widened upwards, or downwards at the top of the key range (an int8range
  // ends one past its last key), by as few keys as land it on the server:
  // a span hashes to one partition, so the blocks spread over the server's
  // partitions as evenly as writers' blocks do (taking the first partition
  // that some widening reaches put nearly all in one, and adding a server
  // moves whole partitions).
  const int64_t top = std::numeric_limits<int64_t>::max() - 1 - kWidenAtMost;
  ASSIGN_OR_RETURN(
      PgResult r,
      c_->Exec(StrCat("SELECT b.i::text, w.s::text, w.r::text FROM unnest($1::int8[], $2::int8[]) "
                      "WITH ORDINALITY AS b(lo, hi, i) CROSS JOIN LATERAL (SELECT s, r FROM "
                      "(SELECT d, CASE WHEN b.hi <= ", top, " THEN int8range(b.lo, b.hi + d, '[]') "
                      "ELSE int8range(b.lo - d, b.hi, '[]') END AS s FROM generate_series(0, ",
                      kWidenAtMost, ") d) c, unnest($3::int[]) r WHERE satisfies_hash_partition("
                      "'postings'::regclass, ", server.modulus, ", r, s) ORDER BY d LIMIT 1) w"),
               {PgParam::Text(PgIntArray(lo)), PgParam::Text(PgIntArray(hi)),
                PgParam::Text(PgIntArray(remainders))}));
  std::vector<std::pair<std::string, std::string>> places(blocks.size());
  for (int i = 0; i < r.rows(); ++i) {
    const int64_t at = r.GetInt(i, 0) - 1;
    if (at < 0 || at >= static_cast<int64_t>(blocks.size())) continue;
    places[at] = {std::string(r.Get(i, 1)), table_of[r.GetInt(i, 2)]};
  }
  for (size_t i = 0; i < places.size(); ++i) {
    if (places[i].second.empty()) {
      return absl::InternalError(StrCat(name_, ": no span within ", kWidenAtMost,
                                        " keys of a merged block lands on server ", server.server));
    }
  }
  return places;
}

absl::Status Compactor::DeleteOld(const std::vector<OldBlock>& old) {
  std::map<std::string, std::pair<std::vector<std::string>, std::set<int64_t>>> by_table;
  for (const OldBlock& b : old) {
    by_table[b.table].first.push_back(b.ctid);
    by_table[b.table].second.insert(b.batch);
  }
  for (const auto& [table, rows] : by_table) {
    ASSIGN_OR_RETURN(PgResult gone,
                     c_->Exec(StrCat("DELETE FROM ", table, " WHERE ctid = ANY($1::tid[]) AND "
                                     "batch = ANY($2::bigint[]) RETURNING 1"),
                              {PgParam::Text(PgQuotedArray(rows.first)),
                               PgParam::Text(PgIntArray({rows.second.begin(), rows.second.end()}))}));
    if (static_cast<size_t>(gone.rows()) != rows.first.size()) {
      return absl::AbortedError(StrCat(name_, ": posting blocks of ", table,
                                       " changed during the compaction; run it again"));
    }
  }
  return absl::OkStatus();
}

absl::Status Compactor::InsertNew(int modality, const std::string& batch,
                                  const std::vector<PostingBlock>& blocks,
                                  const std::vector<std::pair<std::string, std::string>>& places) {
  std::map<std::string, std::vector<size_t>> by_table;
  for (size_t i = 0; i < blocks.size(); ++i) by_table[places[i].second].push_back(i);
  for (const auto& [table, list] : by_table) {
    for (size_t start = 0; start < list.size();) {
      std::vector<std::string> spans, counts;
      std::vector<std::string_view> data;
      size_t bytes = 0;
      size_t i = start;
      for (; i < list.size() && (i == start || bytes < kInsertBytes); ++i) {
        const PostingBlock& b = blocks[list[i]];
        spans.push_back(places[list[i]].first);
        counts.push_back(StrCat(b.postings));
        data.push_back(b.data);
        bytes += b.data.size();
      }
      RETURN_IF_ERROR(c_->Exec(StrCat("INSERT INTO ", table,
                                      "(modality, span, n, data, batch) SELECT ", modality,
                                      ", s, c, d, ", batch,
                                      " FROM unnest($1::int8range[], $2::integer[], $3::bytea[]) "
                                      "AS u(s, c, d)"),
                               {PgParam::Text(PgQuotedArray(spans)), PgParam::Text(PgQuotedArray(counts)),
                                PgParam::Text(ByteaArrayOf(data))})
                          .status());
      start = i;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PgCompactReport> PgArchive::Compact(const std::string& actor, PgCompactScope scope) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  if (!marked_) {
    return absl::FailedPreconditionError(StrCat(
        name_, ": the archive was made by an older uncut, whose rows on the shards do not say "
               "which batch wrote them (copy it into a new archive to compact it)"));
  }
  Compactor compactor(conn_.get(), name_, scope, !one_key_blocks_, tiers_, compact_step_postings_,
                      compact_small_postings_);
  RETURN_IF_ERROR(compactor.Run());
  const PgCompactReport& report = compactor.report();
  if (!one_key_blocks_ && report.batches_running == 0) {
    // Every block has been packed by this uncut (writers of schema 6 pack
    // so too; older ones cannot write to it).
    RETURN_IF_ERROR(conn_->Exec("INSERT INTO uncut_meta VALUES ('one_key_blocks', 'true') "
                                "ON CONFLICT (key) DO UPDATE SET value = 'true'")
                        .status());
    one_key_blocks_ = true;
  }
  if (report.steps == 0) return report;
  RETURN_IF_ERROR(InsertAudit(conn_.get(), "compact",
                              {{"blocks_read", report.blocks_read},
                               {"blocks_written", report.blocks_written},
                               {"postings", report.postings},
                               {"postings_dropped", report.postings_dropped},
                               {"runs_merged", report.runs_merged},
                               {"merges", report.merges}},
                              actor, ""));
  return report;
}

}  // namespace uncut

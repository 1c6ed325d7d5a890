// PgArchive::Compact: gathering the posting blocks that many batches wrote
// into one run of key-ordered blocks per shard server and modality, the
// merge of a log-structured merge-tree (O'Neil, Cheng, Gawlick & O'Neil,
// "The Log-Structured Merge-Tree (LSM-Tree)", Acta Informatica 33, 1996).
//
// Why. Each batch packs its own postings into blocks of consecutive keys,
// so after B batches a key's postings lie in up to B blocks on each server,
// each also holding hundreds of other keys' postings, and a lookup reads
// and decodes all of them. At 1,000 synthetic hours loaded in 21 batches a
// 27 s clip's picture lookups read 336,000 blocks (three quarters of the
// video postings) to keep 9 million postings. Merged, a key stands in one
// block per server, and a key common enough to fill a block has one of its
// own, which a lookup that drops common keys skips unread.
//
// How, server by server and modality by modality, in steps of about
// 16 Mi postings (cut between the blocks' first keys): each step is
// one coordinator transaction that
//   1. reads the step's blocks from the server's partitions (rows of
//      batches still running are left alone, as a sweep leaves them);
//   2. drops the postings of items not in the catalog, as a sweep does
//      (the catalog read after the batches' states; counts lowered);
//   3. packs the rest into new blocks (PackPostings), each placed in a
//      partition of the same server: its span covers its keys and is
//      widened by a few keys where needed until the partition bounds put it
//      there (satisfies_hash_partition; lookups compare keys exactly, so a
//      wider span changes no answer);
//   4. deletes the blocks it read (by ctid, naming their batches: any row
//      changed meanwhile fails the step, which changes nothing) and inserts
//      the new ones, marked with the step's own transaction id, with an
//      index_batches row of 0 postings under that id, so that a later sweep
//      dropping removed items' postings from them keeps the counts' sum
//      right.
// An archive made before schema 6 has every block packed again once (older
// writers could pack a common key with others; see HotKeyCondition), and
// then records that all are (uncut_meta's one_key_blocks).
// Every statement of a step touches partitions of one server only, so
// postgres_fdw commits the step there as one transaction: a reader sees
// either the old blocks or the new ones. Compactions and removing sweeps
// take turns (TakeSweepTurn); writers and readers never wait for one.
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

// Whether any two of the key ranges [first, last] overlap.
bool Interleave(std::vector<std::pair<uint64_t, uint64_t>> ranges) {
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first <= ranges[i - 1].second) return true;
  }
  return false;
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
  bool overlaps = false;  // a block's span in it meets one of another batch
};

// A block as PlanSteps sees it: its span [first, end) as stored.
struct Head {
  int64_t first;
  int64_t end;
  uint64_t n;
  int64_t batch;
};

// Which blocks of `list` (sorted by first) meet a block of another batch.
std::vector<bool> Meeting(const std::vector<Head>& list) {
  std::vector<bool> meets(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    for (size_t j = i + 1; j < list.size() && list[j].first < list[i].end; ++j) {
      if (list[j].batch == list[i].batch) continue;
      meets[i] = meets[j] = true;
      break;
    }
  }
  return meets;
}

// Cuts `list` (sorted by first) into steps of about `postings` postings,
// between distinct first keys, and also where blocks that meet another
// batch's begin or end, so that a step over blocks that meet none (marked
// so) can be left out.
std::vector<Step> CutSteps(const std::vector<Head>& list, uint64_t postings) {
  const std::vector<bool> meets = Meeting(list);
  std::vector<Step> out = {{std::numeric_limits<int64_t>::min(), std::nullopt}};
  uint64_t in_step = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0 && list[i].first != list[i - 1].first &&
        (in_step >= postings || meets[i] != meets[i - 1])) {
      out.back().to = list[i].first;
      out.push_back({list[i].first, std::nullopt});
      in_step = 0;
    }
    in_step += list[i].n;
    if (meets[i]) out.back().overlaps = true;
  }
  return out;
}

class Compactor {
 public:
  // `all`: every block is packed again, even where one batch wrote all of
  // a server's blocks (they may have been packed by an older writer).
  Compactor(PgConn* c, std::string name, bool all, uint64_t step_postings)
      : c_(c), name_(std::move(name)), all_(all), step_postings_(step_postings) {}

  absl::Status Run();
  const PgCompactReport& report() const { return report_; }

 private:
  // The steps of `server`'s blocks of each modality worth merging.
  absl::StatusOr<std::map<int, std::vector<Step>>> PlanSteps(const ServerPartitions& server);
  absl::Status RunStep(const ServerPartitions& server, int modality, const Step& step);
  std::string StepRows(const ServerPartitions& server, int modality, const Step& step) const;
  // Where each block goes: (span text, partition table) in order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Place(
      const ServerPartitions& server, const std::vector<PostingBlock>& blocks);
  absl::Status DeleteOld(const std::vector<OldBlock>& old);
  absl::Status InsertNew(int modality, const std::string& batch,
                         const std::vector<PostingBlock>& blocks,
                         const std::vector<std::pair<std::string, std::string>>& places);

  PgConn* c_;
  const std::string name_;
  const bool all_;
  const uint64_t step_postings_;
  // The batches of this compaction's steps: a block a step wrote may start
  // past the step's stretch, and is not read again by the next.
  std::vector<int64_t> written_;
  PgCompactReport report_;
};

absl::Status Compactor::Run() {
  ASSIGN_OR_RETURN(std::vector<ServerPartitions> servers, PartitionsByServer(c_));
  for (const ServerPartitions& server : servers) {
    ASSIGN_OR_RETURN(auto steps, PlanSteps(server));
    for (const auto& [modality, list] : steps) {
      for (const Step& step : list) RETURN_IF_ERROR(RunStep(server, modality, step));
    }
  }
  return absl::OkStatus();
}

// Steps are cut between blocks' first keys, every step_postings_; a step
// is run where a block's key range overlaps one another batch wrote (one
// batch's blocks never share a key; a compaction step's may overlap by
// the few keys their spans were widened, which the step then finds and
// leaves). So a second compaction of a compacted archive reads few blocks.
// Removed items' postings outside such steps are the sweep's to drop.
absl::StatusOr<std::map<int, std::vector<Step>>> Compactor::PlanSteps(
    const ServerPartitions& server) {
  std::string sql;
  for (const Partition& p : server.parts) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT modality::text, lower(span)::text, "
                  "upper(span)::text, n::text, batch::text FROM ", p.table,
                  " WHERE batch IS NOT NULL");
  }
  ASSIGN_OR_RETURN(PgResult r, c_->Exec(sql));
  std::map<int, std::vector<Head>> heads;
  for (int i = 0; i < r.rows(); ++i) {
    heads[static_cast<int>(r.GetInt(i, 0))].push_back(
        {r.GetInt(i, 1), r.GetInt(i, 2), static_cast<uint64_t>(r.GetInt(i, 3)), r.GetInt(i, 4)});
  }
  std::map<int, std::vector<Step>> steps;
  for (auto& [m, list] : heads) {
    std::sort(list.begin(), list.end(), [](const Head& a, const Head& b) { return a.first < b.first; });
    std::vector<Step> cut = CutSteps(list, step_postings_);
    for (Step& step : cut) {
      if (all_ || step.overlaps) steps[m].push_back(step);
    }
  }
  return steps;
}

std::string Compactor::StepRows(const ServerPartitions& server, int modality,
                                const Step& step) const {
  std::string range = StrCat("int8range(", step.from, ", ", step.to ? StrCat(*step.to) : "NULL", ")");
  std::string sql;
  for (const Partition& p : server.parts) {
    sql += StrCat(sql.empty() ? "" : " UNION ALL ", "SELECT ", c_->Literal(p.table),
                  ", ctid::text, batch::text, data FROM ", p.table, " WHERE modality = ", modality,
                  " AND batch IS NOT NULL AND span && ", range, " AND lower(span) >= ", step.from,
                  step.to ? StrCat(" AND lower(span) < ", *step.to) : "",
                  written_.empty() ? "" : StrCat(" AND batch <> ALL('", PgIntArray(written_), "')"));
  }
  return sql;
}

absl::Status Compactor::RunStep(const ServerPartitions& server, int modality, const Step& step) {
  RETURN_IF_ERROR(c_->ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"));
  RollbackUnlessDone end{c_};
  ASSIGN_OR_RETURN(const bool turn, TakeSweepTurn(c_));
  if (!turn) {
    return absl::UnavailableError(
        StrCat(name_, ": a sweep or compaction is running on this archive; run it again when it is done"));
  }
  ASSIGN_OR_RETURN(PgResult rows, c_->Exec(StepRows(server, modality, step), {}, true));
  std::set<int64_t> seen;
  for (int i = 0; i < rows.rows(); ++i) seen.insert(rows.GetInt(i, 2));
  uint64_t running = 0;
  ASSIGN_OR_RETURN(const auto ended, EndedBatches(c_, seen, &running));
  // Read after the batches' states, so it shows what each ended one published.
  ASSIGN_OR_RETURN(const std::vector<uint32_t> live, ReadPostingItems(c_));
  std::vector<int64_t> ended_ids;
  for (const auto& [b, state] : ended) ended_ids.push_back(b);
  ASSIGN_OR_RETURN(const std::set<int64_t> counted, CountedBatches(c_, ended_ids));
  std::vector<OldBlock> old;
  std::vector<Posting> postings, block;
  std::map<int64_t, uint64_t> dropped;  // by batch
  uint64_t old_bytes = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // each block's first and last key
  for (int i = 0; i < rows.rows(); ++i) {
    const int64_t batch = rows.GetInt(i, 2);
    if (!ended.count(batch)) continue;  // still running: left alone
    block.clear();
    absl::Status s = UnpackPostings(rows.Get(i, 3), &block);
    if (!s.ok()) return absl::DataLossError(StrCat(name_, ": ", s.message()));
    if (!block.empty()) ranges.push_back({block.front().key, block.back().key});
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
  report_.batches_running += running;
  // Nothing to merge (no two blocks share a key) nor drop: rolls back.
  if (old.empty() || (!Interleave(std::move(ranges)) && dropped.empty() && !all_)) {
    return absl::OkStatus();
  }
  const uint64_t kept = postings.size();
  std::vector<PostingBlock> blocks = PackPostings(std::move(postings));
  ASSIGN_OR_RETURN(auto places, Place(server, blocks));
  ASSIGN_OR_RETURN(PgResult x, c_->Exec("SELECT pg_current_xact_id()::text"));
  const std::string batch(x.Get(0, 0));
  RETURN_IF_ERROR(DeleteOld(old));
  RETURN_IF_ERROR(InsertNew(modality, batch, blocks, places));
  RETURN_IF_ERROR(c_->Exec(StrCat("INSERT INTO index_batches(modality, postings, batch) VALUES (",
                                  modality, ", 0, ", batch, ")"))
                      .status());
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
  written_.push_back(x.GetInt(0, 0));
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

absl::StatusOr<PgCompactReport> PgArchive::Compact(const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  if (!marked_) {
    return absl::FailedPreconditionError(StrCat(
        name_, ": the archive was made by an older uncut, whose rows on the shards do not say "
               "which batch wrote them (copy it into a new archive to compact it)"));
  }
  Compactor compactor(conn_.get(), name_, !one_key_blocks_, compact_step_postings_);
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
                               {"postings_dropped", report.postings_dropped}},
                              actor, ""));
  return report;
}

}  // namespace uncut

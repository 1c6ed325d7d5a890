#include "storage/postgres_storage.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <unordered_set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "extract/offset_map.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/pg_shards.h"
#include "storage/posting_block.h"

namespace uncut {
namespace {

// 2: saved traces and the audit log (an archive of version 1 gets their
// tables when it is opened).
// 3: rows of chunks, postings and index_batches carry the batch (coordinator
// transaction id) that wrote them, for sweeping. Archives of version 2 are
// written and read as they are, unmarked, and cannot be swept.
// 4: the jobs of `uncut serve` (jobs), so that any server answers for a job
// another one runs. An archive of version 3 gets the table when it is
// opened and becomes version 4; one of version 2 gets the table too but
// stays version 2 (its rows are still unmarked).
// 5: an index of items by original (removals unregister unused originals).
// 6: writers give a key with kBlockTarget postings or more a block of its
// own (PackPostings), so that a block of more than 2 * kBlockTarget - 2
// postings holds one key. A version-5 archive becomes version 6 when opened
// (older writers must not write to it); its older blocks may not hold to
// that until a compaction has packed them all again, which uncut_meta's
// one_key_blocks records (a new archive has it from the start).
// 7: compaction merges runs of blocks by levels (pg_levels.h), and
// posting_runs says which run each merge's batches wrote (a writer's batch
// is a run of its own). A version-6 archive becomes version 7 when opened
// (older compactions would merge every run at once): the batches its
// compactions wrote, those with an index_batches row of 0 postings, are
// taken for one run per modality (each server's were one key-ordered run).
constexpr int kSchemaVersion = 7;
constexpr int kPartitionsPerServer = 4;

// The modality as a column value; stored, so it must not change.
int ModalityCode(Modality m) {
  switch (m) {
    case Modality::kText:
      return 1;
    case Modality::kVideo:
      return 2;
    case Modality::kAudio:
      return 3;
    case Modality::kLegacyAudio:
      return 4;
    case Modality::kImage:
      return 5;
  }
  return 0;
}

// Keys of a lookup at most this far apart go as one span (KeySpans): a
// posting block's keys span far more than this once an archive holds more
// than a few minutes of sound, so the spans rarely cover a block that holds
// none of the keys. Picture keys are dense (sixteen 16-bit chunk values per
// hash space): at 1,000 hours a compacted block holds about 30 consecutive
// keys, and spans of keys 64 apart read 213,000 blocks for a 27 s clip where
// spans of keys 8 apart read 135,000 (exact keys: 134,000).
constexpr uint64_t kKeySpanGap = 64;
constexpr uint64_t kPictureKeySpanGap = 8;

}  // namespace

// Keys are unsigned; int8 is signed. Flipping the top bit keeps the order.
// Range bounds stop one short of the largest int8 (int8range's canonical
// form adds one to an inclusive upper bound); blocks are decoded and their
// keys compared exactly, so the two largest keys sharing a bound is harmless.
int64_t StoredKey(uint64_t key) {
  const int64_t k = static_cast<int64_t>(key ^ (uint64_t{1} << 63));
  return std::min(k, std::numeric_limits<int64_t>::max() - 1);
}

namespace {

// A block holding more than `max_per_key` postings of a single key (its
// first, lower(span)): that key has more than max_per_key postings in all,
// so a lookup drops it whatever its other blocks hold, and need not read
// any of them. Where every block holds to PackPostings' rule (one_key_blocks)
// and max_per_key > 2 * kBlockTarget - 2, any block of more than
// max_per_key postings is such a block; else none is taken for one. A
// compaction (PgArchive::Compact) gathers each key's postings on a server
// into one block, so a common key's all come to stand in blocks of their own.
std::string HotKeyCondition(bool one_key_blocks, size_t max_per_key) {
  if (!one_key_blocks || max_per_key <= 2 * kBlockTarget - 2) return "false";
  return StrCat("n > ", std::min<uint64_t>(max_per_key, std::numeric_limits<int32_t>::max()));
}

constexpr char kCatalogSchema[] = R"sql(
CREATE TABLE uncut_meta(key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE item_ids;
CREATE TABLE items(
  id bigint PRIMARY KEY,
  sha256 text NOT NULL,
  parent_id bigint REFERENCES items(id) ON DELETE CASCADE,
  kind text NOT NULL,
  format text NOT NULL,
  size bigint NOT NULL,
  name bytea NOT NULL,
  added_from bytea NOT NULL,
  added_at text NOT NULL,
  source_url bytea, captured_at text, title bytea, note bytea,
  info bytea NOT NULL,
  object text NOT NULL,
  object_offset bigint NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX items_top_sha ON items(sha256) WHERE parent_id IS NULL;
CREATE INDEX items_sha ON items(sha256 text_pattern_ops);
CREATE INDEX items_parent ON items(parent_id);
CREATE INDEX items_object ON items(object);
CREATE TABLE texts(
  item_id bigint PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  text bytea NOT NULL,
  offset_map bytea NOT NULL,
  anchors bytea NOT NULL);
CREATE TABLE blobs(
  item_id bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  name text NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY(item_id, name));
CREATE TABLE objects(sha256 text PRIMARY KEY, size bigint NOT NULL);
CREATE TABLE index_batches(id bigserial PRIMARY KEY, modality smallint NOT NULL,
                           postings bigint NOT NULL, batch bigint);
CREATE INDEX index_batches_batch ON index_batches(batch);
CREATE TABLE chunks(object text NOT NULL, seq integer NOT NULL, data bytea NOT NULL, batch bigint)
  PARTITION BY HASH (object);
CREATE TABLE postings(modality smallint NOT NULL, span int8range NOT NULL, n integer NOT NULL,
                      data bytea NOT NULL, batch bigint)
  PARTITION BY HASH (span);
)sql";

// Which run of posting blocks each batch of a compaction's merges wrote
// (storage/pg_compact.cc).
constexpr char kRunsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS posting_runs(batch bigint PRIMARY KEY, run bigint NOT NULL);
)sql";

// Saved traces (as store/saved_traces.h keeps them) and the audit log.
constexpr char kRecordsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS saved_traces(
  id bigserial PRIMARY KEY,
  saved_at text NOT NULL,
  traced_at text NOT NULL,
  query_kind text NOT NULL,
  query_sha256 text NOT NULL,
  verdict bytea NOT NULL,
  report_json bytea NOT NULL,
  report_html bytea NOT NULL);
CREATE TABLE IF NOT EXISTS saved_trace_items(
  trace_id bigint NOT NULL REFERENCES saved_traces(id) ON DELETE CASCADE,
  item_id bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  PRIMARY KEY(trace_id, item_id));
CREATE INDEX IF NOT EXISTS saved_trace_items_item ON saved_trace_items(item_id);
CREATE TABLE IF NOT EXISTS audit_log(
  seq bigserial PRIMARY KEY,
  at text NOT NULL,
  actor bytea NOT NULL,
  client bytea,
  action text NOT NULL,
  details bytea NOT NULL);
)sql";

// The jobs of the servers on the archive (server/catalog_jobs.h): one row
// per job, written by the server that runs it (`server`), which renews
// `lease_at` while the job is queued or running. A trace job's result
// names its saved trace (saved_trace) instead of repeating it.
constexpr char kJobsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS jobs(
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  kind text NOT NULL,
  state text NOT NULL,
  progress bytea NOT NULL,
  client bytea NOT NULL,
  with_token boolean NOT NULL,
  server text NOT NULL,
  created_at text NOT NULL,
  started_at text,
  finished_at text,
  started timestamptz,
  elapsed_ms double precision NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  lease_at timestamptz NOT NULL DEFAULT now(),
  error_code integer,
  error bytea,
  result bytea,
  report_html bytea,
  saved_trace bigint REFERENCES saved_traces(id) ON DELETE SET NULL);
CREATE INDEX IF NOT EXISTS jobs_server ON jobs(server, seq);
)sql";

std::string JsonBytes(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// Appends an audit entry in `conn`'s transaction, by `actor` (the OS user
// when empty) for `client` (none when empty).
absl::Status InsertAudit(PgConn* conn, const std::string& action, const nlohmann::json& details,
                         const std::string& actor, const std::string& client) {
  return conn
      ->Exec("INSERT INTO audit_log(at, actor, client, action, details) VALUES ($1, $2, $3, $4, $5)",
             {PgParam::Text(NowRfc3339()), PgParam::Bytes(actor.empty() ? CurrentUserName() : actor),
              client.empty() ? PgParam::Null() : PgParam::Bytes(client), PgParam::Text(action),
              PgParam::Bytes(JsonBytes(details))})
      .status();
}

namespace {

// A posting block is kept in its row, not in the table's TOAST relation,
// up to this many bytes (the most a row may hold in an 8 KiB page): by
// default a row over ~2 KiB moves its data out of line, and a picture block
// (~2.4 KiB; packed varints, which don't compress) then costs a lookup the
// row, an index probe of the TOAST relation and two TOAST chunks. A shard's
// share of the picture blocks a 27 s clip's lookup reads at 1,000 synthetic
// hours (58,831 of 204,533; bench/cluster/block_rows.sh): 255 ms out of
// line, 209 ms in their rows on a quiet machine, 630 and 400 ms on a busy
// one (the server's own time, warm cache). Blocks of common keys over it
// still go out of line.
constexpr int kPostingsToastTarget = 8160;

// A partition's own table, on a shard (or on the coordinator without shards).
std::string PartitionTables(int i) {
  std::string sql = StrCat(
      "CREATE TABLE chunks_p", i, "(object text NOT NULL, seq integer NOT NULL, data bytea NOT NULL,"
      " batch bigint);"
      "CREATE INDEX ON chunks_p", i, "(object, seq);"
      "CREATE TABLE postings_p", i, "(modality smallint NOT NULL, span int8range NOT NULL,"
      " n integer NOT NULL, data bytea NOT NULL, batch bigint) WITH (toast_tuple_target = ",
      kPostingsToastTarget, ");"
      // A compaction totals each run's postings from this alone (an
      // index-only scan), not from the blocks' rows.
      "CREATE INDEX ON postings_p", i, "(modality, batch) INCLUDE (n);");
  for (Modality m : kAllModalities) {
    sql += StrCat("CREATE INDEX ON postings_p", i, " USING gist (span) WHERE modality = ",
                  ModalityCode(m), ";");
  }
  return sql;
}

constexpr char kItemColumns[] =
    "id::text, sha256, parent_id::text, kind, format, size::text, name, added_from, added_at, "
    "source_url, captured_at, title, note, info, object, object_offset::text";

Item ReadItem(const PgResult& r, int row) {
  Item it;
  it.id = r.GetInt(row, 0);
  it.sha256 = std::string(r.Get(row, 1));
  if (!r.IsNull(row, 2)) it.parent_id = r.GetInt(row, 2);
  it.kind = std::string(r.Get(row, 3));
  it.format = std::string(r.Get(row, 4));
  it.size = static_cast<uint64_t>(r.GetInt(row, 5));
  it.name = std::string(r.Get(row, 6));
  it.added_from = std::string(r.Get(row, 7));
  it.added_at = std::string(r.Get(row, 8));
  it.meta.source_url = r.GetOpt(row, 9);
  it.meta.captured_at = r.GetOpt(row, 10);
  it.meta.title = r.GetOpt(row, 11);
  it.meta.note = r.GetOpt(row, 12);
  it.info = nlohmann::json::parse(r.Get(row, 13), nullptr, false);
  if (it.info.is_discarded()) it.info = nlohmann::json::object();
  it.object = std::string(r.Get(row, 14));
  it.object_offset = static_cast<uint64_t>(r.GetInt(row, 15));
  return it;
}


}  // namespace

std::vector<std::pair<int64_t, int64_t>> KeySpans(const std::vector<int64_t>& keys, uint64_t gap) {
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (int64_t k : keys) {
    // Unsigned: the distance between two int8 keys may exceed int64's range.
    if (!spans.empty() &&
        static_cast<uint64_t>(k) - static_cast<uint64_t>(spans.back().second) <= gap) {
      spans.back().second = k;
    } else {
      spans.push_back({k, k});
    }
  }
  return spans;
}

absl::Status PgArchive::Init(const std::string& uri, const std::vector<std::string>& shard_uris) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> coord, PgConn::Connect(uri));
  ASSIGN_OR_RETURN(PgResult exists, coord->Exec("SELECT to_regclass('uncut_meta') IS NOT NULL"));
  if (exists.Get(0, 0) == "t") {
    return absl::AlreadyExistsError(StrCat(coord->name(), ": already holds an uncut archive"));
  }
  const int servers = std::max<int>(1, static_cast<int>(shard_uris.size()));
  const int partitions = kPartitionsPerServer * servers;
  // The shards' own tables first: the coordinator's foreign tables name them.
  std::vector<std::unique_ptr<PgConn>> shards;
  for (const std::string& s : shard_uris) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConn> c, PgConn::Connect(s));
    shards.push_back(std::move(c));
  }
  for (size_t j = 0; j < shards.size(); ++j) {
    std::string sql = "BEGIN;";
    for (int i = static_cast<int>(j); i < partitions; i += servers) sql += PartitionTables(i);
    sql += "COMMIT;";
    RETURN_IF_ERROR(shards[j]->ExecScript(sql));
  }
  std::string sql = StrCat("BEGIN;", kCatalogSchema, kRecordsSchema, kJobsSchema, kRunsSchema);
  if (!shards.empty()) sql += "CREATE EXTENSION IF NOT EXISTS postgres_fdw;";
  for (size_t j = 0; j < shard_uris.size(); ++j) {
    ASSIGN_OR_RETURN(PgTarget t, ParsePgUri(shard_uris[j]));
    std::string options = StrCat("async_capable 'true', fetch_size '10000', batch_size '200'");
    if (!t.host.empty()) options += StrCat(", host ", coord->Literal(t.host));
    if (!t.port.empty()) options += StrCat(", port ", coord->Literal(t.port));
    if (!t.dbname.empty()) options += StrCat(", dbname ", coord->Literal(t.dbname));
    sql += StrCat("CREATE SERVER uncut_shard", j + 1, " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (",
                  options, ");");
    sql += StrCat("CREATE USER MAPPING FOR PUBLIC SERVER uncut_shard", j + 1,
                  t.user.empty() ? std::string() : StrCat(" OPTIONS (user ", coord->Literal(t.user), ")"),
                  ";");
  }
  for (int i = 0; i < partitions; ++i) {
    for (const char* table : {"chunks", "postings"}) {
      std::string bound = StrCat(" PARTITION OF ", table, " FOR VALUES WITH (MODULUS ", partitions,
                                 ", REMAINDER ", i, ")");
      if (shards.empty()) {
        sql += StrCat("CREATE TABLE ", table, "_p", i, bound, ";");
      } else {
        sql += StrCat("CREATE FOREIGN TABLE ", table, "_p", i, bound, " SERVER uncut_shard",
                      i % servers + 1, " OPTIONS (table_name '", table, "_p", i, "');");
      }
    }
  }
  if (shards.empty()) {
    sql += "CREATE INDEX ON chunks(object, seq);";
    for (Modality m : kAllModalities) {
      sql += StrCat("CREATE INDEX ON postings USING gist (span) WHERE modality = ", ModalityCode(m),
                    ";");
    }
  }
  sql += StrCat("INSERT INTO uncut_meta VALUES ('schema_version', '", kSchemaVersion,
                "'), ('partitions', '", partitions, "'), ('shards', '", shard_uris.size(),
                "'), ('one_key_blocks', 'true');");
  sql += "COMMIT;";
  return coord->ExecScript(sql);
}

absl::StatusOr<std::unique_ptr<PgArchive>> PgArchive::Open(const std::string& uri) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(uri));
  ASSIGN_OR_RETURN(PgResult exists, conn->Exec("SELECT to_regclass('uncut_meta') IS NOT NULL"));
  if (exists.Get(0, 0) != "t") {
    return absl::FailedPreconditionError(
        StrCat(conn->name(), ": holds no uncut archive (create one with `uncut init`)"));
  }
  ASSIGN_OR_RETURN(PgResult v,
                   conn->Exec("SELECT value FROM uncut_meta WHERE key = 'schema_version'"));
  int32_t version = 0;
  if (v.rows() != 1 || !absl::SimpleAtoi(std::string(v.Get(0, 0)), &version) || version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        StrCat(conn->name(), ": the archive was made by a newer uncut (schema ",
               v.rows() ? std::string(v.Get(0, 0)) : "?", ")"));
  }
  if (version < 2) {
    // Its writers and readers may be at work: the tables come at once (the
    // lock keeps two upgrades apart), and older processes ignore them.
    RETURN_IF_ERROR(conn->ExecScript(StrCat(
        "BEGIN; LOCK TABLE uncut_meta IN EXCLUSIVE MODE;", kRecordsSchema,
        "UPDATE uncut_meta SET value = '2' WHERE key = 'schema_version' AND value = '1'; "
        "COMMIT;")));
    version = 2;
  }
  if (version < 4) {
    ASSIGN_OR_RETURN(PgResult jobs, conn->Exec("SELECT to_regclass('jobs') IS NOT NULL"));
    if (jobs.Get(0, 0) != "t" || version == 3) {
      // As above: at once, under the lock; older processes ignore the table.
      RETURN_IF_ERROR(conn->ExecScript(StrCat(
          "BEGIN; LOCK TABLE uncut_meta IN EXCLUSIVE MODE;", kJobsSchema,
          "UPDATE uncut_meta SET value = '4' WHERE key = 'schema_version' AND value = '3'; "
          "COMMIT;")));
      if (version == 3) version = 4;
    }
  }
  if (version == 4) {
    // Removing an item unregisters an original no other item uses, which
    // asks which items use it. Older processes would not lock an original
    // they find stored (HasObject): they must not write to a schema-5
    // archive.
    RETURN_IF_ERROR(conn->ExecScript(
        "BEGIN; LOCK TABLE uncut_meta IN EXCLUSIVE MODE;"
        "CREATE INDEX IF NOT EXISTS items_object ON items(object);"
        "UPDATE uncut_meta SET value = '5' WHERE key = 'schema_version' AND value = '4'; "
        "COMMIT;"));
    version = 5;
  }
  if (version == 5) {
    // Older writers would pack a common key with others (PackPostings).
    RETURN_IF_ERROR(conn->ExecScript(
        "BEGIN; LOCK TABLE uncut_meta IN EXCLUSIVE MODE;"
        "UPDATE uncut_meta SET value = '6' WHERE key = 'schema_version' AND value = '5'; "
        "COMMIT;"));
    version = 6;
  }
  if (version == 6) {
    // Older compactions would merge every run at once.
    RETURN_IF_ERROR(conn->ExecScript(StrCat(
        "BEGIN; LOCK TABLE uncut_meta IN EXCLUSIVE MODE;", kRunsSchema,
        "INSERT INTO posting_runs(batch, run) SELECT DISTINCT ON (batch) batch, "
        "min(batch) OVER (PARTITION BY modality) FROM index_batches "
        "WHERE postings = 0 AND batch IS NOT NULL ORDER BY batch ON CONFLICT DO NOTHING;"
        "UPDATE uncut_meta SET value = '7' WHERE key = 'schema_version' AND value = '6'; "
        "COMMIT;")));
    version = 7;
  }
  ASSIGN_OR_RETURN(PgResult one_key,
                   conn->Exec("SELECT value FROM uncut_meta WHERE key = 'one_key_blocks'"));
  std::unique_ptr<PgArchive> a(new PgArchive(std::move(conn)));
  a->marked_ = version >= 3;
  a->unregisters_ = version >= 5;
  a->one_key_blocks_ = version >= 6 && one_key.rows() == 1 && one_key.Get(0, 0) == "true";
  a->uri_ = uri;
  a->name_ = a->conn_->name();
  return a;
}

PgArchive::~PgArchive() = default;

absl::StatusOr<std::vector<Item>> PgArchive::QueryItems(const std::string& where,
                                                        const std::vector<PgParam>& params) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Exec(StrCat("SELECT ", kItemColumns, " FROM items ", where), params, true));
  std::vector<Item> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadItem(r, i));
  return out;
}

absl::StatusOr<std::vector<Item>> PgArchive::ListItems() { return QueryItems("ORDER BY items.id", {}); }

absl::StatusOr<std::vector<Item>> PgArchive::ListTranscripts() {
  // The details are JSON bytes: the coordinator sends only the rows naming
  // "transcript", then they are checked as the default does.
  ASSIGN_OR_RETURN(std::vector<Item> items,
                   QueryItems("WHERE position(convert_to('\"transcript\"', 'UTF8') in info) > 0 "
                              "ORDER BY items.id",
                              {}));
  std::erase_if(items, [](const Item& it) { return !IsTranscriptItem(it); });
  return items;
}

absl::StatusOr<Item> PgArchive::GetItem(int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Item> items, QueryItems("WHERE id = $1", {PgParam::Int(id)}));
  if (items.empty()) return absl::NotFoundError(StrCat("no item ", id, " in the archive"));
  return items[0];
}

absl::StatusOr<std::optional<Item>> PgArchive::FindBySha(const std::string& sha256) {
  ASSIGN_OR_RETURN(std::vector<Item> items,
                   QueryItems("WHERE sha256 = $1 AND parent_id IS NULL", {PgParam::Text(sha256)}));
  if (items.empty()) return std::optional<Item>();
  return std::optional<Item>(items[0]);
}

absl::StatusOr<Item> PgArchive::FindItem(const std::string& ref) {
  int64_t id;
  if (ref.size() < 6 && absl::SimpleAtoi(ref, &id)) return GetItem(id);
  std::string prefix = absl::AsciiStrToLower(ref);
  for (char c : prefix) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          StrCat("\"", ref, "\" is neither an item id nor a SHA-256 (prefix)"));
    }
  }
  if (prefix.size() < 6) {
    return absl::InvalidArgumentError(StrCat("SHA-256 prefix \"", ref, "\" is too short"));
  }
  ASSIGN_OR_RETURN(std::vector<Item> items,
                   QueryItems("WHERE sha256 >= $1 AND sha256 < $2 "
                              "ORDER BY parent_id IS NOT NULL, items.id LIMIT 2",
                              {PgParam::Text(prefix), PgParam::Text(prefix + "g")}));
  if (items.empty()) return absl::NotFoundError(StrCat("no item matches \"", ref, "\""));
  if (items.size() > 1 && items[1].sha256 != items[0].sha256) {
    return absl::InvalidArgumentError(StrCat("\"", ref, "\" matches several items"));
  }
  return items[0];
}

absl::StatusOr<std::vector<Item>> PgArchive::Children(int64_t id) {
  return QueryItems("WHERE parent_id = $1 ORDER BY items.id", {PgParam::Int(id)});
}

absl::StatusOr<int64_t> PgArchive::SaveTrace(const SavedTrace& trace) {
  std::vector<int64_t> ids = trace.item_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  // One statement: the trace and its links commit together. Sources
  // removed since the trace ran are not linked.
  ASSIGN_OR_RETURN(
      PgResult r,
      conn_->Exec("WITH t AS (INSERT INTO saved_traces(saved_at, traced_at, query_kind, "
                  "query_sha256, verdict, report_json, report_html) VALUES ($1,$2,$3,$4,$5,$6,$7) "
                  "RETURNING id), "
                  "l AS (INSERT INTO saved_trace_items(trace_id, item_id) SELECT t.id, i.id "
                  "FROM t, items i WHERE i.id = ANY($8::bigint[])) "
                  "SELECT id::text FROM t",
                  {PgParam::Text(NowRfc3339()), PgParam::Text(trace.traced_at),
                   PgParam::Text(trace.query_kind), PgParam::Text(trace.query_sha256),
                   PgParam::Bytes(trace.verdict), PgParam::Bytes(trace.report_json),
                   PgParam::Bytes(trace.report_html), PgParam::Text(PgIntArray(ids))}));
  return r.GetInt(0, 0);
}

absl::StatusOr<std::vector<SavedTrace>> PgArchive::QueryTraces(const std::string& where,
                                                               const std::vector<PgParam>& params) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(
      PgResult r,
      conn_->Exec(StrCat("SELECT id::text, saved_at, traced_at, query_kind, query_sha256, verdict, "
                         "report_json, report_html, coalesce((SELECT string_agg(item_id::text, ',' "
                         "ORDER BY item_id) FROM saved_trace_items WHERE trace_id = t.id), '') "
                         "FROM saved_traces t ",
                         where, " ORDER BY t.id"),
                  params, true));
  std::vector<SavedTrace> out;
  for (int i = 0; i < r.rows(); ++i) {
    SavedTrace t;
    t.id = r.GetInt(i, 0);
    t.saved_at = std::string(r.Get(i, 1));
    t.traced_at = std::string(r.Get(i, 2));
    t.query_kind = std::string(r.Get(i, 3));
    t.query_sha256 = std::string(r.Get(i, 4));
    t.verdict = std::string(r.Get(i, 5));
    t.report_json = std::string(r.Get(i, 6));
    t.report_html = std::string(r.Get(i, 7));
    const std::string ids(r.Get(i, 8));
    for (absl::string_view id : absl::StrSplit(ids, ',', absl::SkipEmpty())) {
      int64_t v = 0;
      if (absl::SimpleAtoi(id, &v)) t.item_ids.push_back(v);
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<SavedTrace> PgArchive::GetSavedTrace(int64_t id) {
  ASSIGN_OR_RETURN(std::vector<SavedTrace> found, QueryTraces("WHERE id = $1", {PgParam::Int(id)}));
  if (found.empty()) return absl::NotFoundError(StrCat("no saved trace ", id));
  return std::move(found[0]);
}

absl::StatusOr<std::vector<int64_t>> PgArchive::SavedTraceIds() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT id::text FROM saved_traces t ORDER BY t.id"));
  std::vector<int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.GetInt(i, 0));
  return out;
}

absl::StatusOr<std::vector<SavedTrace>> PgArchive::SavedTracesOfItem(int64_t item_id) {
  return QueryTraces("WHERE id IN (SELECT trace_id FROM saved_trace_items WHERE item_id = $1)",
                     {PgParam::Int(item_id)});
}

absl::StatusOr<std::vector<AuditEntry>> PgArchive::AuditLog() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT seq::text, at, actor, client, action, details "
                                           "FROM audit_log ORDER BY audit_log.seq",
                                           {}, true));
  std::vector<AuditEntry> out;
  for (int i = 0; i < r.rows(); ++i) {
    AuditEntry e;
    e.seq = r.GetInt(i, 0);
    e.at = std::string(r.Get(i, 1));
    e.actor = std::string(r.Get(i, 2));
    if (!r.IsNull(i, 3)) e.client = std::string(r.Get(i, 3));
    e.action = std::string(r.Get(i, 4));
    e.details = nlohmann::json::parse(r.Get(i, 5), nullptr, false);
    if (e.details.is_discarded()) e.details = nlohmann::json::object();
    out.push_back(std::move(e));
  }
  return out;
}

absl::Status PgArchive::RecordAction(std::string action, nlohmann::json details) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  return InsertAudit(conn_.get(), action, details);
}

absl::StatusOr<StoredText> PgArchive::LoadText(int64_t item_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Exec("SELECT text, offset_map, anchors FROM texts WHERE item_id = $1",
                               {PgParam::Int(item_id)}, true));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("item ", item_id, " has no text"));
  StoredText out;
  out.text.text = std::string(r.Get(0, 0));
  ASSIGN_OR_RETURN(out.text.map, OffsetMap::Parse(r.Get(0, 1)));
  nlohmann::json anchors = nlohmann::json::parse(r.Get(0, 2), nullptr, false);
  if (anchors.is_array()) {
    for (const auto& a : anchors) {
      out.text.anchors.push_back(
          {a.value("at", uint64_t{0}), a.value("kind", ""), a.value("value", nlohmann::json())});
    }
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> PgArchive::LoadBlob(int64_t item_id,
                                                               const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Exec("SELECT data FROM blobs WHERE item_id = $1 AND name = $2",
                               {PgParam::Int(item_id), PgParam::Text(name)}, true));
  if (r.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.Get(0, 0)));
}

absl::Status PgArchive::ReadOriginal(const Item& item, const ByteSink& sink) {
  const auto damaged = [&](std::string_view why) {
    return absl::DataLossError(StrCat("item ", item.id, " (", item.name, "): ", why));
  };
  Sha256 hasher;
  uint64_t got = 0;
  if (item.size > 0) {
    // A few pieces per query, so no result holds the whole of a large original.
    constexpr uint64_t kPiecesPerQuery = 8;
    const uint64_t first = item.object_offset / kPgChunkBytes;
    const uint64_t last = (item.object_offset + item.size - 1) / kPgChunkBytes;
    for (uint64_t from = first; from <= last; from += kPiecesPerQuery) {
      const uint64_t to = std::min(last, from + kPiecesPerQuery - 1);
      ASSIGN_OR_RETURN(std::vector<Piece> pieces, ReadPieces(item.object, from, to));
      if (static_cast<uint64_t>(pieces.size()) != to - from + 1) {
        return damaged(StrCat("pieces of its original are missing from ", name()));
      }
      for (size_t i = 0; i < pieces.size(); ++i) {
        const uint64_t seq = pieces[i].seq;
        std::string_view piece = pieces[i].data;
        const uint64_t start = seq * kPgChunkBytes;
        const uint64_t lo = std::max(start, item.object_offset);
        const uint64_t hi = std::min(start + piece.size(), item.object_offset + item.size);
        if (seq != from + i || hi < lo) return damaged("its original's pieces do not fit together");
        std::string_view part = piece.substr(lo - start, hi - lo);
        hasher.Update(part);
        got += part.size();
        RETURN_IF_ERROR(sink(part));
      }
    }
  }
  if (got != item.size || hasher.FinishHex() != item.sha256) {
    return damaged("the stored original is not the archived bytes (SHA-256 differs)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PgArchive::BlobNames(int64_t item_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT name FROM blobs WHERE item_id = $1 "
                                           "ORDER BY convert_to(name, 'UTF8')",
                                           {PgParam::Int(item_id)}));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

absl::StatusOr<Original> PgArchive::OpenOriginal(const Item& item) {
  // A large original goes to a temporary file (mapped, and unlinked once
  // mapped), so memory stays bounded whatever its size.
  const bool spill = item.size > spill_bytes_;
  std::string bytes, path;
  File file;
  struct Unlink {
    std::string* path;
    ~Unlink() {
      if (!path->empty()) ::unlink(path->c_str());
    }
  } unlink_at_end{&path};
  if (spill) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = StrCat(tmp && *tmp ? tmp : "/tmp", "/uncut-original-XXXXXX");
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) return absl::InternalError(StrCat(pattern, ": cannot make a temporary file"));
    ::close(fd);
    path = pattern;
    ASSIGN_OR_RETURN(file, File::Create(path, 0600));
  } else {
    bytes.reserve(item.size);
  }
  RETURN_IF_ERROR(ReadOriginal(item, [&](std::string_view part) -> absl::Status {
    if (spill) return file.WriteAll(part);
    bytes.append(part);
    return absl::OkStatus();
  }));
  if (!spill) return Original::InMemory(std::move(bytes), StrCat(name(), " object ", item.object));
  return Original::FileRange(path, 0, item.size, item.name);
}

absl::Status PgArchive::EnsureConn() {
  // A session the coordinator cut (a restart) is replaced: the call that
  // found it lost failed, the next ones work.
  if (conn_ && conn_->Broken()) conn_.reset();
  if (conn_) return absl::OkStatus();
  ASSIGN_OR_RETURN(conn_, PgConn::Connect(uri_));
  return absl::OkStatus();
}

void PgArchive::TakeBack(std::unique_ptr<PgConn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!conn_ && conn->Idle()) conn_ = std::move(conn);
}

absl::Status PgArchive::ConnectShards() {
  if (shards_) return absl::OkStatus();
  ASSIGN_OR_RETURN(shards_, PgShards::Connect(conn_.get(), uri_, {"postings", "chunks"}));
  shards_used_ = false;
  return absl::OkStatus();
}

void PgArchive::ConnectShardsSoon() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shards_ || !EnsureConn().ok()) return;
  auto shards = PgShards::Connect(conn_.get(), uri_, {"postings", "chunks"}, /*wait=*/false);
  if (!shards.ok()) return;  // the first read reads the catalog again, and says why
  shards_ = std::move(*shards);
  shards_used_ = false;
}

absl::Status PgArchive::ReadShards(const std::function<absl::Status()>& read) {
  const bool reused = shards_used_;
  shards_used_ = true;
  absl::Status s = read();
  if (!absl::IsUnavailable(s)) return s;
  // A server lost or restarted: its sessions are gone. Sessions this
  // handle kept from earlier reads may just be stale (the server is back),
  // so the read is tried once more on new ones; new sessions that fail
  // mean the server is out of reach.
  shards_.reset();
  shards_used_ = false;
  if (!reused) return s;
  RETURN_IF_ERROR(ConnectShards());
  shards_used_ = true;
  s = read();
  if (absl::IsUnavailable(s)) {
    shards_.reset();
    shards_used_ = false;
  }
  return s;
}

absl::StatusOr<std::vector<PgArchive::Piece>> PgArchive::ReadPieces(const std::string& object,
                                                                    uint64_t from, uint64_t to) {
  const std::string select = " WHERE object = $1 AND seq BETWEEN $2 AND $3";
  const std::vector<PgParam> params = {PgParam::Text(object),
                                       PgParam::Int(static_cast<int64_t>(from)),
                                       PgParam::Int(static_cast<int64_t>(to))};
  std::vector<Piece> pieces;
  const auto keep = [&](const PgResult& r) {
    for (int i = 0; i < r.rows(); ++i) {
      pieces.push_back({static_cast<uint64_t>(r.GetInt(i, 0)), std::string(r.Get(i, 1))});
    }
    return absl::OkStatus();
  };
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  RETURN_IF_ERROR(ConnectShards());
  if (shards_->empty()) {
    ASSIGN_OR_RETURN(PgResult r, conn_->Exec(StrCat("SELECT seq::text, data FROM chunks", select),
                                             params, true));
    RETURN_IF_ERROR(keep(r));
  } else {
    RETURN_IF_ERROR(ReadShards([&] {
      pieces.clear();
      return shards_->ForEachServer(
          "chunks", "",
          [&](const std::string& table) {
            return StrCat("SELECT seq::text, data FROM \"", table, "\"", select);
          },
          params, keep);
    }));
  }
  // Two writers storing the same object at once may both have stored its
  // pieces: they are the same bytes (checked as they were written).
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& a, const Piece& b) { return a.seq < b.seq; });
  pieces.erase(std::unique(pieces.begin(), pieces.end(),
                           [](const Piece& a, const Piece& b) { return a.seq == b.seq; }),
               pieces.end());
  return pieces;
}

absl::Status PgArchive::Lookup(Modality modality, const std::vector<uint64_t>& keys,
                               size_t max_per_key, std::vector<Posting>* out) {
  if (keys.empty()) return absl::OkStatus();
  std::vector<int64_t> stored;
  for (uint64_t k : keys) stored.push_back(StoredKey(k));
  std::sort(stored.begin(), stored.end());
  stored.erase(std::unique(stored.begin(), stored.end()), stored.end());
  // The keys go as two int8 arrays (the first and last key of each span),
  // made into a multirange on the server: a multirange literal of a sound
  // clip's ~25,000 keys took the server ~500 ms to read; an array of every
  // key and range_agg over it ~40-70 ms on a loaded shard (reading the array,
  // building a range per key); spans of nearby keys ~3 ms (KeySpans).
  std::vector<int64_t> firsts, lasts;
  const uint64_t gap = modality == Modality::kVideo ? kPictureKeySpanGap : kKeySpanGap;
  for (const auto& [first, last] : KeySpans(stored, gap)) {
    firsts.push_back(first);
    lasts.push_back(last);
  }
  const std::vector<PgParam> spans = {PgParam::Text(PgIntArray(firsts)),
                                      PgParam::Text(PgIntArray(lasts))};
  const std::string with =
      "WITH keys AS MATERIALIZED (SELECT range_agg(int8range(f, l, '[]')) AS m "
      "FROM unnest($1::int8[], $2::int8[]) AS s(f, l)) ";
  // Each key's postings as the blocks give them; a block's postings of
  // keys not asked for (a span covers them, or the block holds them) are
  // decoded but not kept.
  std::vector<uint64_t> wanted(keys.begin(), keys.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::vector<Posting>> found(wanted.size());
  // Keys known to have more than max_per_key postings (a block of theirs
  // alone holds more: see HotKeyCondition) are skipped unread.
  std::vector<bool> skipped(wanted.size());
  const auto keep = [&](const PgResult& r) -> absl::Status {
    for (int i = 0; i < r.rows(); ++i) {
      if (r.IsNull(i, 0)) {
        const uint64_t key = static_cast<uint64_t>(r.GetInt(i, 1)) ^ (uint64_t{1} << 63);
        auto it = std::lower_bound(wanted.begin(), wanted.end(), key);
        if (it != wanted.end() && *it == key) skipped[it - wanted.begin()] = true;
        continue;
      }
      absl::Status s = UnpackPostingsOfKeys(r.Get(i, 0), wanted, &found);
      if (!s.ok()) return absl::DataLossError(StrCat(name(), ": ", s.message()));
    }
    return absl::OkStatus();
  };
  const std::string hot = HotKeyCondition(one_key_blocks_, max_per_key);
  const std::string columns = StrCat("SELECT CASE WHEN ", hot, " THEN NULL ELSE data END, CASE WHEN ",
                                     hot, " THEN lower(span)::text END FROM ");
  const std::string where = StrCat(" WHERE modality = ", ModalityCode(modality),
                                   " AND span && (SELECT m FROM keys)");
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  RETURN_IF_ERROR(ConnectShards());
  // The coordinator's snapshot is taken before the shards are read: an
  // item listed in it committed its postings on the shards before, so the
  // shards' reads see all of them (postgres_fdw commits the shards' parts
  // before the coordinator's).
  RETURN_IF_ERROR(conn_->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1"));
  struct EndRead {
    PgConn* conn;
    ~EndRead() { conn->ExecScript("COMMIT").IgnoreError(); }
  } end_read{conn_.get()};
  if (shards_->empty()) {
    ASSIGN_OR_RETURN(PgResult r, conn_->Exec(StrCat(with, columns, "postings", where), spans, true));
    RETURN_IF_ERROR(keep(r));
  } else {
    RETURN_IF_ERROR(ReadShards([&] {
      for (std::vector<Posting>& f : found) f.clear();
      skipped.assign(wanted.size(), false);
      return shards_->ForEachServer(
          "postings", with,
          [&](const std::string& table) { return StrCat(columns, "\"", table, "\"", where); },
          spans, keep);
    }));
  }
  // Keys with more than max_per_key postings are dropped; the others'
  // postings of items the catalog lists are kept (not those of removed
  // items, nor of writes that never committed).
  std::vector<int64_t> ids;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (skipped[i] || found[i].size() > max_per_key) {
      found[i].clear();
      continue;
    }
    std::sort(found[i].begin(), found[i].end());
    for (const Posting& p : found[i]) {
      if (ids.empty() || ids.back() != p.item) ids.push_back(p.item);
    }
  }
  ASSIGN_OR_RETURN(const std::unordered_set<uint32_t> live, ListedItems(std::move(ids)));
  for (uint64_t key : keys) {
    const size_t i = std::lower_bound(wanted.begin(), wanted.end(), key) - wanted.begin();
    for (const Posting& p : found[i]) {
      if (live.count(p.item)) out->push_back(p);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unordered_set<uint32_t>> PgArchive::ListedItems(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_set<uint32_t> live;
  if (ids.empty()) return live;
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT id::text FROM items WHERE id = ANY($1::bigint[])",
                                           {PgParam::Text(PgIntArray(ids))}));
  for (int i = 0; i < r.rows(); ++i) live.insert(static_cast<uint32_t>(r.GetInt(i, 0)));
  return live;
}

absl::Status PgArchive::ForEachPosting(Modality modality,
                                       const std::function<bool(const Posting&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  RETURN_IF_ERROR(conn_->ExecScript(StrCat(
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
      "DECLARE uncut_postings NO SCROLL CURSOR FOR SELECT data FROM postings WHERE modality = ",
      ModalityCode(modality))));
  struct EndRead {
    PgConn* conn;
    ~EndRead() { conn->ExecScript("ROLLBACK").IgnoreError(); }
  } end_read{conn_.get()};
  std::vector<Posting> block;
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, conn_->Exec("FETCH 256 FROM uncut_postings", {}, true));
    if (r.rows() == 0) return absl::OkStatus();
    for (int i = 0; i < r.rows(); ++i) {
      block.clear();
      absl::Status s = UnpackPostings(r.Get(i, 0), &block);
      if (!s.ok()) return absl::DataLossError(StrCat(name(), ": ", s.message()));
      for (const Posting& p : block) {
        if (!fn(p)) return absl::OkStatus();
      }
    }
  }
}

absl::StatusOr<uint64_t> PgArchive::PostingCount(Modality modality) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec(StrCat("SELECT coalesce(sum(postings), 0)::text FROM "
                                                  "index_batches WHERE modality = ",
                                                  ModalityCode(modality))));
  return static_cast<uint64_t>(r.GetInt(0, 0));
}

absl::StatusOr<int64_t> PgArchive::LastItemId() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT greatest((SELECT max(id) FROM items), (SELECT "
                                           "CASE WHEN is_called THEN last_value ELSE 0 END FROM "
                                           "item_ids))::text"));
  return r.GetInt(0, 0);
}

absl::StatusOr<int64_t> PgArchive::CatalogGeneration() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT coalesce(max(seq), 0)::text FROM audit_log"));
  return r.GetInt(0, 0);
}

absl::StatusOr<std::optional<std::string>> PgArchive::MetaValue(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT value FROM uncut_meta WHERE key = $1",
                                           {PgParam::Text(key)}));
  if (r.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.Get(0, 0)));
}

// Settings are kept in uncut_meta under this prefix (as the embedded
// archive keeps them in its meta table).
constexpr char kSettingKeyPrefix[] = "setting.";

absl::StatusOr<std::map<std::string, std::string>> PgArchive::Settings() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT substr(key, $1), value FROM uncut_meta WHERE "
                                           "starts_with(key, $2)",
                                           {PgParam::Int(sizeof(kSettingKeyPrefix)),
                                            PgParam::Text(kSettingKeyPrefix)}));
  std::map<std::string, std::string> out;
  for (int i = 0; i < r.rows(); ++i) out[std::string(r.Get(i, 0))] = std::string(r.Get(i, 1));
  return out;
}

absl::Status PgArchive::SetSetting(const std::string& name, std::optional<std::string> value) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  const std::string key = StrCat(kSettingKeyPrefix, name);
  RETURN_IF_ERROR(conn_->ExecScript("BEGIN"));
  struct EndWrite {
    PgConn* conn;
    bool done = false;
    ~EndWrite() {
      if (!done) conn->ExecScript("ROLLBACK").IgnoreError();
    }
  } end{conn_.get()};
  // The row is locked while the change and its audit entry are written, so
  // two changes at once are logged in the order they were made.
  ASSIGN_OR_RETURN(PgResult old, conn_->Exec("SELECT value FROM uncut_meta WHERE key = $1 FOR UPDATE",
                                             {PgParam::Text(key)}));
  nlohmann::json details = {{"setting", name},
                            {"old", old.rows() ? nlohmann::json(std::string(old.Get(0, 0)))
                                               : nlohmann::json(nullptr)},
                            {"new", value ? nlohmann::json(*value) : nlohmann::json(nullptr)}};
  if (value) {
    RETURN_IF_ERROR(conn_->Exec("INSERT INTO uncut_meta(key, value) VALUES ($1, $2) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                {PgParam::Text(key), PgParam::Text(*value)})
                        .status());
  } else {
    RETURN_IF_ERROR(
        conn_->Exec("DELETE FROM uncut_meta WHERE key = $1", {PgParam::Text(key)}).status());
  }
  RETURN_IF_ERROR(InsertAudit(conn_.get(), "config", details));
  RETURN_IF_ERROR(conn_->ExecScript("COMMIT"));
  end.done = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> PgArchive::PutMetaValueOnce(const std::string& key,
                                                        const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(EnsureConn());
  // One statement: of two processes storing at once, one value is kept and
  // both read it.
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Exec("WITH put AS (INSERT INTO uncut_meta(key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO NOTHING RETURNING value) "
                               "SELECT value FROM put UNION ALL "
                               "SELECT value FROM uncut_meta WHERE key = $1",
                               {PgParam::Text(key), PgParam::Text(value)}));
  if (r.rows() > 0) return std::string(r.Get(0, 0));
  // The other process committed after this statement's snapshot was taken.
  ASSIGN_OR_RETURN(PgResult again, conn_->Exec("SELECT value FROM uncut_meta WHERE key = $1",
                                               {PgParam::Text(key)}));
  if (again.rows() == 0) return absl::InternalError(StrCat(name_, ": cannot store ", key));
  return std::string(again.Get(0, 0));
}

absl::StatusOr<std::unique_ptr<PgWriteBatch>> PgArchive::BeginWrite() {
  std::unique_ptr<PgWriteBatch> b(new PgWriteBatch());
  {
    // The handle's own session, when it is idle, goes to the batch (and
    // comes back when the batch is done), so a process that reads a little
    // and then writes connects once, and its batches share one session and
    // its postgres_fdw connections to the shards. Reads meanwhile connect
    // anew.
    std::lock_guard<std::mutex> lock(mu_);
    if (conn_ && conn_->Idle()) b->conn_ = std::move(conn_);
  }
  if (!b->conn_) {
    ASSIGN_OR_RETURN(b->conn_, PgConn::Connect(uri_));
  }
  b->owner_ = this;
  b->marked_ = marked_;
  b->unregisters_ = unregisters_;
  RETURN_IF_ERROR(b->Begin());
  return b;
}

absl::Status PgArchive::RemoveItems(const std::vector<int64_t>& ids, const std::string& actor,
                                    const std::string& client) {
  std::vector<std::string> unregistered;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, BeginWrite());
    if (!actor.empty()) batch->SetActor(actor, client);
    for (int64_t id : ids) RETURN_IF_ERROR(batch->RemoveItem(id));
    RETURN_IF_ERROR(batch->Commit());
    unregistered = batch->unregistered();
  }
  SweepPieces(unregistered).IgnoreError();
  return absl::OkStatus();
}

absl::Status PgWriteBatch::Begin() {
  RETURN_IF_ERROR(conn_->ExecScript("BEGIN"));
  open_ = true;
  if (!marked_) return absl::OkStatus();
  // The id is the transaction's own (assigned now), so a sweep can ask the
  // coordinator whether this batch is running, committed or gone.
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT pg_current_xact_id()::text"));
  batch_ = r.GetInt(0, 0);
  return absl::OkStatus();
}

PgWriteBatch::~PgWriteBatch() {
  if (open_) conn_->ExecScript("ROLLBACK").IgnoreError();
  if (owner_ && conn_) owner_->TakeBack(std::move(conn_));
}

absl::StatusOr<bool> PgWriteBatch::HasObject(const std::string& sha256) {
  if (objects_.count(sha256)) return true;
  // Read committed: a row a remover deleted while this waited for its lock
  // is not returned, and the object is stored again.
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT 1 FROM objects WHERE sha256 = $1 FOR KEY SHARE",
                                           {PgParam::Text(sha256)}));
  return r.rows() > 0;
}

absl::Status PgWriteBatch::PutObject(
    const std::string& sha256, uint64_t size,
    const std::function<absl::StatusOr<size_t>(char*, size_t)>& read) {
  ASSIGN_OR_RETURN(bool stored, HasObject(sha256));
  if (stored) return absl::OkStatus();
  Sha256 hasher;
  std::string piece;
  uint64_t total = 0;
  for (int seq = 0;; ++seq) {
    piece.resize(kPgChunkBytes);
    size_t filled = 0;
    while (filled < piece.size()) {
      ASSIGN_OR_RETURN(size_t n, read(piece.data() + filled, piece.size() - filled));
      if (n == 0) break;
      filled += n;
    }
    piece.resize(filled);
    if (filled == 0 && seq > 0) break;
    hasher.Update(piece);
    total += filled;
    if (total > size) break;
    RETURN_IF_ERROR(
        conn_->Exec(marked_ ? "INSERT INTO chunks(object, seq, data, batch) VALUES ($1, $2, $3, $4)"
                            : "INSERT INTO chunks(object, seq, data) VALUES ($1, $2, $3)",
                    marked_ ? std::vector<PgParam>{PgParam::Text(sha256), PgParam::Int(seq),
                                                   PgParam::Bytes(piece), PgParam::Int(batch_)}
                            : std::vector<PgParam>{PgParam::Text(sha256), PgParam::Int(seq),
                                                   PgParam::Bytes(piece)})
            .status());
    if (filled < kPgChunkBytes) break;
  }
  if (total != size || hasher.FinishHex() != sha256) {
    return absl::DataLossError(StrCat("object ", sha256.substr(0, 12),
                                      ": the bytes read are not the ones named (SHA-256 or size "
                                      "differs); nothing was stored"));
  }
  RETURN_IF_ERROR(conn_->Exec("INSERT INTO objects(sha256, size) VALUES ($1, $2) "
                              "ON CONFLICT DO NOTHING",
                              {PgParam::Text(sha256), PgParam::Int(static_cast<int64_t>(size))})
                      .status());
  objects_.insert(sha256);
  return absl::OkStatus();
}

absl::Status PgWriteBatch::PutObjectBytes(const std::string& sha256, std::string_view bytes) {
  size_t at = 0;
  return PutObject(sha256, bytes.size(), [&](char* out, size_t n) -> absl::StatusOr<size_t> {
    n = std::min(n, bytes.size() - at);
    std::copy_n(bytes.data() + at, n, out);
    at += n;
    return n;
  });
}

absl::StatusOr<int64_t> PgWriteBatch::ClaimId(std::optional<int64_t> wanted) {
  if (wanted && *wanted > 0 && *wanted <= UINT32_MAX && !claimed_.count(*wanted)) {
    ASSIGN_OR_RETURN(PgResult r,
                     conn_->Exec("SELECT 1 FROM items WHERE id = $1", {PgParam::Int(*wanted)}));
    if (r.rows() == 0) {
      // Later new ids come after it (setval is not undone by a rollback: an
      // id is never handed out twice, though some may go unused). A fresh
      // sequence's last_value is its first value, not yet handed out: `>=`
      // so that id 1 taken here is not handed out again by nextval.
      RETURN_IF_ERROR(conn_->Exec("SELECT setval('item_ids', $1) WHERE $1 >= "
                                  "(SELECT last_value FROM item_ids)",
                                  {PgParam::Int(*wanted)})
                          .status());
      claimed_.insert(*wanted);
      return *wanted;
    }
  }
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, conn_->Exec("SELECT nextval('item_ids')::text"));
    const int64_t id = r.GetInt(0, 0);
    if (id > UINT32_MAX) {
      return absl::ResourceExhaustedError("the archive has run out of item ids");
    }
    if (claimed_.insert(id).second) return id;
  }
}

absl::StatusOr<int64_t> PgWriteBatch::AddItem(PgNewItem n) {
  Item& it = n.item;
  if (it.id == 0) {
    ASSIGN_OR_RETURN(it.id, ClaimId());
  }
  ASSIGN_OR_RETURN(bool stored, HasObject(it.object));
  if (!stored) {
    return absl::FailedPreconditionError(
        StrCat("item ", it.id, " (", it.name, "): its original's object is not stored"));
  }
  RETURN_IF_ERROR(
      conn_->Exec("INSERT INTO items(id, sha256, parent_id, kind, format, size, name, added_from, "
                  "added_at, source_url, captured_at, title, note, info, object, object_offset) "
                  "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
                  {PgParam::Int(it.id), PgParam::Text(it.sha256),
                   it.parent_id ? PgParam::Int(*it.parent_id) : PgParam::Null(),
                   PgParam::Text(it.kind), PgParam::Text(it.format),
                   PgParam::Int(static_cast<int64_t>(it.size)), PgParam::Bytes(it.name),
                   PgParam::Bytes(it.added_from), PgParam::Text(it.added_at),
                   it.meta.source_url ? PgParam::Bytes(*it.meta.source_url) : PgParam::Null(),
                   PgParam::OptText(it.meta.captured_at),
                   it.meta.title ? PgParam::Bytes(*it.meta.title) : PgParam::Null(),
                   it.meta.note ? PgParam::Bytes(*it.meta.note) : PgParam::Null(),
                   PgParam::Bytes(it.info.dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace)),
                   PgParam::Text(it.object), PgParam::Int(static_cast<int64_t>(it.object_offset))})
          .status());
  if (n.text) {
    nlohmann::json anchors = nlohmann::json::array();
    for (const Anchor& a : n.text->anchors) {
      anchors.push_back({{"at", a.text_offset}, {"kind", a.kind}, {"value", a.value}});
    }
    RETURN_IF_ERROR(
        conn_->Exec("INSERT INTO texts(item_id, text, offset_map, anchors) VALUES ($1,$2,$3,$4)",
                    {PgParam::Int(it.id), PgParam::Bytes(n.text->text),
                     PgParam::Bytes(n.text->map.Serialize()),
                     PgParam::Bytes(anchors.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace))})
            .status());
  }
  for (const auto& [name, data] : n.blobs) {
    RETURN_IF_ERROR(conn_->Exec("INSERT INTO blobs(item_id, name, data) VALUES ($1,$2,$3)",
                                {PgParam::Int(it.id), PgParam::Text(name), PgParam::Bytes(data)})
                        .status());
  }
  ++added_parts_;
  if (!it.parent_id) added_.push_back(AuditItem(it));
  for (auto& [modality, postings] : n.postings) {
    std::vector<Posting>& all = postings_[modality];
    for (Posting p : postings) {
      p.item = static_cast<uint32_t>(it.id);
      all.push_back(p);
    }
  }
  return it.id;
}

absl::Status PgWriteBatch::RemoveItem(int64_t id) {
  if (unregisters_) {
    // The originals of the item and of every item under it, locked before
    // the items go (in one order, so that two removers do not deadlock): a
    // writer that finds one stored waits until this batch ends.
    ASSIGN_OR_RETURN(
        PgResult objects,
        conn_->Exec("WITH RECURSIVE tree(id, object) AS ("
                    "SELECT id, object FROM items WHERE id = $1 UNION "
                    "SELECT i.id, i.object FROM items i JOIN tree t ON i.parent_id = t.id) "
                    "SELECT sha256 FROM objects WHERE sha256 IN (SELECT object FROM tree) "
                    "ORDER BY sha256 FOR UPDATE",
                    {PgParam::Int(id)}));
    for (int i = 0; i < objects.rows(); ++i) removed_objects_.insert(std::string(objects.Get(i, 0)));
  }
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("DELETE FROM items WHERE id = $1 "
                                           "RETURNING id::text, sha256, name",
                                           {PgParam::Int(id)}, true));
  for (int i = 0; i < r.rows(); ++i) {
    Item gone;
    gone.id = r.GetInt(i, 0);
    gone.sha256 = std::string(r.Get(i, 1));
    gone.name = std::string(r.Get(i, 2));
    removed_.push_back(AuditItem(gone));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::set<std::string>> UnregisterUnusedOriginals(PgConn* c,
                                                                std::set<std::string> locked) {
  if (locked.empty()) return locked;
  // A statement of its own (read committed): it sees the items of every
  // batch that committed while the caller waited for the originals' locks,
  // and the caller's own removals and additions.
  ASSIGN_OR_RETURN(PgResult used, c->Exec("SELECT DISTINCT object FROM items "
                                          "WHERE object = ANY($1::text[])",
                                          {PgParam::Text(PgQuotedArray(locked))}));
  for (int i = 0; i < used.rows(); ++i) locked.erase(std::string(used.Get(i, 0)));
  if (locked.empty()) return locked;
  RETURN_IF_ERROR(c->Exec("DELETE FROM objects WHERE sha256 = ANY($1::text[])",
                          {PgParam::Text(PgQuotedArray(locked))})
                      .status());
  return locked;
}

absl::Status PgWriteBatch::UnregisterUnused() {
  ASSIGN_OR_RETURN(std::set<std::string> unused,
                   UnregisterUnusedOriginals(conn_.get(), std::move(removed_objects_)));
  removed_objects_.clear();
  // Listed once the commit is through (a failed one unregisters nothing).
  pending_unregistered_.assign(unused.begin(), unused.end());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Item>> PgWriteBatch::LockItem(int64_t id) {
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec(StrCat("SELECT ", kItemColumns,
                                                  " FROM items WHERE id = $1 FOR UPDATE"),
                                           {PgParam::Int(id)}, true));
  if (r.rows() == 0) return std::optional<Item>();
  return std::optional<Item>(ReadItem(r, 0));
}

absl::StatusOr<std::optional<std::string>> PgWriteBatch::LoadBlob(int64_t item_id,
                                                                  const std::string& name) {
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Exec("SELECT data FROM blobs WHERE item_id = $1 AND name = $2",
                               {PgParam::Int(item_id), PgParam::Text(name)}, true));
  if (r.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.Get(0, 0)));
}

absl::Status PgWriteBatch::Reindex(int64_t id, const nlohmann::json& info,
                                   const std::map<std::string, std::string>& blobs,
                                   std::map<Modality, std::vector<Posting>> postings) {
  ASSIGN_OR_RETURN(PgResult r, conn_->Exec("UPDATE items SET info = $2 WHERE id = $1 "
                                           "RETURNING id::text",
                                           {PgParam::Int(id), PgParam::Bytes(JsonBytes(info))}));
  if (r.rows() == 0) return absl::NotFoundError(StrCat("no item ", id, " in the archive"));
  for (const auto& [name, data] : blobs) {
    RETURN_IF_ERROR(conn_->Exec("INSERT INTO blobs(item_id, name, data) VALUES ($1,$2,$3) "
                                "ON CONFLICT (item_id, name) DO UPDATE SET data = EXCLUDED.data",
                                {PgParam::Int(id), PgParam::Text(name), PgParam::Bytes(data)})
                        .status());
  }
  for (auto& [modality, list] : postings) {
    std::vector<Posting>& all = postings_[modality];
    for (Posting p : list) {
      p.item = static_cast<uint32_t>(id);
      all.push_back(p);
    }
  }
  reindexed_.push_back(id);
  return absl::OkStatus();
}

absl::Status PgWriteBatch::DropModality(Modality modality) {
  const int code = ModalityCode(modality);
  RETURN_IF_ERROR(conn_->Exec(StrCat("DELETE FROM postings WHERE modality = ", code)).status());
  RETURN_IF_ERROR(
      conn_->Exec(StrCat("DELETE FROM index_batches WHERE modality = ", code)).status());
  postings_.erase(modality);
  dropped_.push_back(std::string(ModalityName(modality)));
  return absl::OkStatus();
}

absl::Status PgWriteBatch::Commit() {
  // Rows of many blocks per statement (postgres_fdw sends them to each
  // shard in batches).
  constexpr size_t kRowsPerInsert = 500;
  for (auto& [modality, postings] : postings_) {
    if (postings.empty()) continue;
    const uint64_t count = postings.size();
    std::vector<PostingBlock> blocks = PackPostings(std::move(postings));
    for (size_t start = 0; start < blocks.size(); start += kRowsPerInsert) {
      const size_t end = std::min(blocks.size(), start + kRowsPerInsert);
      std::string sql = StrCat("INSERT INTO postings(modality, span, n, data",
                               marked_ ? ", batch" : "", ") VALUES ");
      const std::string batch = marked_ ? StrCat(", ", batch_) : "";
      std::vector<PgParam> params;
      for (size_t i = start; i < end; ++i) {
        const PostingBlock& b = blocks[i];
        sql += StrCat(i > start ? "," : "", "(", ModalityCode(modality), ", int8range(",
                      StoredKey(b.first_key), ",", StoredKey(b.last_key), ",'[]'), ", b.postings,
                      ", $", params.size() + 1, batch, ")");
        params.push_back(PgParam::Bytes(b.data));
      }
      RETURN_IF_ERROR(conn_->Exec(sql, params).status());
    }
    RETURN_IF_ERROR(conn_->Exec(StrCat("INSERT INTO index_batches(modality, postings",
                                       marked_ ? ", batch" : "", ") VALUES (",
                                       ModalityCode(modality), ", ", count,
                                       marked_ ? StrCat(", ", batch_) : "", ")"))
                        .status());
  }
  postings_.clear();
  // The audit entries of this commit, written with it.
  if (added_parts_ > 0) {
    RETURN_IF_ERROR(InsertAudit(conn_.get(), "add",
                                {{"items", added_},
                                 {"count", added_.size()},
                                 {"with_parts", added_parts_}},
                                actor_, client_));
  }
  RETURN_IF_ERROR(UnregisterUnused());
  if (!removed_.empty()) {
    RETURN_IF_ERROR(InsertAudit(conn_.get(), "remove",
                                {{"items", removed_}, {"count", removed_.size()}}, actor_,
                                client_));
  }
  if (!reindexed_.empty() || !dropped_.empty()) {
    RETURN_IF_ERROR(InsertAudit(conn_.get(), "upgrade",
                                {{"reindexed", reindexed_},
                                 {"count", reindexed_.size()},
                                 {"dropped_indexes", dropped_}},
                                actor_, client_));
  }
  added_ = nlohmann::json::array();
  added_parts_ = 0;
  removed_ = nlohmann::json::array();
  reindexed_ = nlohmann::json::array();
  dropped_ = nlohmann::json::array();
  RETURN_IF_ERROR(conn_->ExecScript("COMMIT"));
  open_ = false;
  unregistered_.insert(unregistered_.end(), pending_unregistered_.begin(),
                       pending_unregistered_.end());
  pending_unregistered_.clear();
  objects_.clear();
  claimed_.clear();
  // The next items go into a new transaction.
  return Begin();
}

}  // namespace uncut

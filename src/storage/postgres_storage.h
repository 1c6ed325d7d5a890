// An archive kept in PostgreSQL: the server backend of the storage
// interfaces (storage/storage.h), beside the embedded directory
// (store/archive.h) and the in-memory one (storage/memory_storage.h).
//
// Layout. One coordinator server holds the catalog: items, texts, blobs,
// the registry of stored originals (objects), the posting counts
// (index_batches), saved traces, the audit log and the jobs of the servers
// on the archive (server/catalog_jobs.h). The two tables that grow with the hours archived, the
// originals' bytes (chunks) and the postings, are declaratively
// hash-partitioned on the coordinator, and each partition is a postgres_fdw
// foreign table on one of the shard servers (async_capable, so a lookup
// scans every shard at once). There are more partitions than servers
// (4 per server), so adding a server moves whole partitions.
//
// Why this design: it keeps the data spread and the distributed commit to
// PostgreSQL itself (declarative partitions, postgres_fdw, each shard a
// plain PostgreSQL server that can be replicated and backed up as usual),
// and needs nothing beyond Debian's postgresql-15 (PL/Proxy would need an
// extension on every server and a function per query). A writer's batch is
// one coordinator transaction; postgres_fdw commits the shards' parts just
// before the coordinator's, and the item rows (on the coordinator) are what
// makes an item exist: postings and chunks of an item whose transaction did
// not commit on the coordinator are never returned (a lookup keeps only
// postings of listed items; an original is read through its item).
//
//   chunks(object, seq, data)       an original in pieces of at most 4 MiB,
//                                   content-addressed by the SHA-256 of the
//                                   whole object, checked as it is written
//   postings(modality, span, n, data)  a block of a batch's postings: keys
//                                   span (an int8range, GiST-indexed per
//                                   modality), n postings, varint/delta-coded
//                                   (storage/posting_block.h)
//
// Each row of chunks and postings carries `batch`: the coordinator
// transaction id (xid8) of the batch that wrote it. A sweep (Sweep) tells
// by it what a batch that never committed left on the shards, and never
// touches the rows of a batch whose transaction is still running.
//
// Thread-safety: a handle serves one thread at a time (its calls are
// serialised); processes and threads each open their own. Readers are never
// blocked by writers (MVCC); writers take no global lock.
#ifndef UNCUT_STORAGE_POSTGRES_STORAGE_H_
#define UNCUT_STORAGE_POSTGRES_STORAGE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "index/posting_source.h"
#include "nlohmann/json.hpp"
#include "storage/catalog_reader.h"
#include "storage/catalog_records.h"
#include "storage/pg_conn.h"
#include "storage/pg_levels.h"
#include "storage/pg_shards.h"
#include "storage/storage.h"

namespace uncut {

// The largest piece of an original in one row.
inline constexpr uint64_t kPgChunkBytes = 4u << 20;
// Originals larger than this are read into a temporary file, not memory.
inline constexpr uint64_t kPgSpillBytes = 64u << 20;

class PgWriteBatch;

// What a sweep found on the shards (PgArchive::Sweep) and, unless it was
// only counting, removed.
struct PgSweepReport {
  // Postings of items that are not in the catalog (removed, or written by
  // a batch that never committed), and the bytes of posting blocks they
  // freed.
  uint64_t postings = 0;
  uint64_t posting_bytes = 0;
  // Pieces of originals (chunks rows) that no committed batch stored or
  // that are no longer registered (their items removed).
  uint64_t pieces = 0;
  uint64_t piece_bytes = 0;
  // Originals still registered that no item used (their items removed by
  // an uncut before schema 5): unregistered by the sweep.
  uint64_t originals = 0;
  // Batches whose transaction was still running: their rows were left alone.
  uint64_t batches_running = 0;
  bool empty() const { return postings == 0 && pieces == 0 && originals == 0; }
};

// What a compaction did (PgArchive::Compact).
struct PgCompactReport {
  uint64_t steps = 0;           // transactions that merged blocks
  uint64_t blocks_read = 0;     // posting blocks merged...
  uint64_t blocks_written = 0;  // ...into these
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t postings = 0;          // postings in the new blocks
  uint64_t postings_dropped = 0;  // of items not in the catalog, as a sweep drops them
  uint64_t batches_running = 0;   // seen still running: their blocks were left alone
  uint64_t runs_merged = 0;       // runs (pg_levels.h) merged...
  uint64_t merges = 0;            // ...by this many merges
  // Merges due but left (PgCompactScope::kSmallRuns: their runs hold more
  // postings than it merges), by server and modality.
  uint64_t merges_left = 0;
  // Rows the planning read from the servers (block heads, or runs' totals).
  uint64_t plan_rows = 0;
};

// What a compaction merges (PgArchive::Compact).
enum class PgCompactScope {
  // The runs of every level that holds enough of them (pg_levels.h).
  kLevels,
  // As kLevels, but only merges of runs holding at most
  // set_compact_small_postings() postings together: what an add runs.
  kSmallRuns,
  // Every server's runs of a modality into one run.
  kFull,
};

class PgArchive : public CatalogReader,
                  public OriginalSource,
                  public PostingSource,
                  public CatalogRecords {
 public:
  // Creates an empty archive's schema on the coordinator at `uri`, its
  // chunks and postings partitioned over `shard_uris` (on the coordinator
  // itself when there are none). kAlreadyExists when `uri` holds one.
  static absl::Status Init(const std::string& uri, const std::vector<std::string>& shard_uris);
  // Opens an archive made by Init. kFailedPrecondition when `uri` holds none.
  static absl::StatusOr<std::unique_ptr<PgArchive>> Open(const std::string& uri);

  ~PgArchive() override;

  Storage storage() { return {this, this, this, this}; }
  const std::string& name() const { return name_; }
  // OpenOriginal reads originals larger than this into a temporary file
  // (mapped, and unlinked at once: nothing stays behind), smaller ones into
  // memory.
  void set_spill_bytes(uint64_t bytes) { spill_bytes_ = bytes; }
  // Sweep rewrites at most this many posting blocks per statement (500).
  void set_sweep_blocks_per_statement(size_t n) { sweep_blocks_ = std::max<size_t>(1, n); }
  // A compaction's step reads about this many postings (16 Mi).
  void set_compact_step_postings(uint64_t n) { compact_step_postings_ = std::max<uint64_t>(1, n); }
  // Runs below this many postings (on a server, of a modality) are at the
  // first level (256 Ki); runs of a level are merged this many at once (4).
  void set_compact_levels(uint64_t unit, uint64_t fan_in) {
    tiers_ = {std::max<uint64_t>(1, unit), std::max<uint64_t>(2, fan_in)};
  }
  // PgCompactScope::kSmallRuns merges runs of at most this many postings
  // together (16 Mi).
  void set_compact_small_postings(uint64_t n) { compact_small_postings_ = n; }

  absl::StatusOr<std::vector<Item>> ListItems() override;
  absl::StatusOr<Item> GetItem(int64_t id) override;
  absl::StatusOr<StoredText> LoadText(int64_t item_id) override;
  absl::StatusOr<std::optional<std::string>> LoadBlob(int64_t item_id,
                                                      const std::string& name) override;
  absl::StatusOr<std::vector<std::string>> BlobNames(int64_t item_id) override;
  absl::StatusOr<std::vector<Item>> Children(int64_t id) override;
  absl::StatusOr<std::vector<Item>> ListTranscripts() override;
  absl::StatusOr<Original> OpenOriginal(const Item& item) override;
  // Reads the pieces a few at a time, so memory stays bounded.
  absl::Status ReadOriginal(const Item& item, const ByteSink& sink) override;
  // Finds an item by numeric id, full SHA-256, or a unique SHA-256 prefix of
  // at least 6 hex digits (as Archive::FindItem).
  absl::StatusOr<Item> FindItem(const std::string& ref);
  // The top-level item with these bytes, if any.
  absl::StatusOr<std::optional<Item>> FindBySha(const std::string& sha256);

  absl::Status Lookup(Modality modality, const std::vector<uint64_t>& keys, size_t max_per_key,
                      std::vector<Posting>* out) override;
  absl::StatusOr<uint64_t> PostingCount(Modality modality) override;
  // Reads the blocks through the coordinator's partitioned table, with a
  // cursor (a few hundred blocks at a time).
  absl::Status ForEachPosting(Modality modality,
                              const std::function<bool(const Posting&)>& fn) override;
  std::string IndexName() const override { return name_; }

  // Saved traces and the audit log, in the coordinator's catalog.
  absl::StatusOr<int64_t> SaveTrace(const SavedTrace& trace) override;
  absl::StatusOr<SavedTrace> GetSavedTrace(int64_t id) override;
  absl::StatusOr<std::vector<int64_t>> SavedTraceIds() override;
  absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(int64_t item_id) override;
  absl::StatusOr<std::vector<AuditEntry>> AuditLog() override;
  absl::Status RecordAction(std::string action, nlohmann::json details) override;

  // The largest item id handed out so far (0 for none).
  absl::StatusOr<int64_t> LastItemId();
  // A number that changes whenever a writer commits items or removals
  // (the audit log's last entry: each commit writes one), for caches of
  // what ListItems returns.
  absl::StatusOr<int64_t> CatalogGeneration();

  // A value kept in the catalog under `key` (nullopt when there is none),
  // shared by every process on the archive.
  absl::StatusOr<std::optional<std::string>> MetaValue(const std::string& key);
  // The archive's settings (`uncut config`), by name.
  absl::StatusOr<std::map<std::string, std::string>> Settings();
  // Sets (or, with nullopt, removes) a setting, with its audit entry
  // ("config": the setting, its old and new value), in one transaction.
  absl::Status SetSetting(const std::string& name, std::optional<std::string> value);

  // Stores `value` under `key` unless one is there; returns the value kept
  // (this one, or the one another process stored first).
  absl::StatusOr<std::string> PutMetaValueOnce(const std::string& key, const std::string& value);

  // Starts a batch: one transaction, published by Commit. The batch must
  // not outlive this handle.
  absl::StatusOr<std::unique_ptr<PgWriteBatch>> BeginWrite();

  // Removes the items and their children in one batch (audit entry
  // "remove" naming `actor` and `client`), unregistering the originals no
  // item uses any more; then deletes those originals' pieces on the shards
  // (SweepPieces). The removal stands when only that last step fails: the
  // next sweep deletes the pieces.
  absl::Status RemoveItems(const std::vector<int64_t>& ids, const std::string& actor = "",
                           const std::string& client = "");

  // Finds what removed items and batches that never committed left on the
  // shards: postings of items not in the catalog, and pieces of originals
  // that no committed batch stored. With `remove`, deletes them (posting
  // blocks that also hold live postings are rewritten without the others,
  // and the posting counts lowered to match) in one transaction with an
  // audit entry "sweep" naming `actor` (the OS user when empty); without,
  // only counts. Rows are judged by the batch that wrote them (their
  // `batch` mark): a batch whose coordinator transaction is still running
  // is left alone, so a sweep is safe beside any number of writers (see
  // docs/cluster.md, "Sweeping"). One removing sweep runs at a time
  // (kUnavailable for a second one). kFailedPrecondition on an archive made before rows
  // were marked (schema 2).
  absl::StatusOr<PgSweepReport> Sweep(bool remove, const std::string& actor = "");
  // The part of Sweep for the pieces of `objects` alone (the originals a
  // removal unregistered): deletes those that are no one's, by the same
  // rule, in one transaction (the removal's audit entry stands for it).
  // Returns an empty report, leaving them to the next sweep, when a sweep
  // is running.
  absl::StatusOr<PgSweepReport> SweepPieces(const std::vector<std::string>& objects);

  // Merges runs of posting blocks (those one batch or one merge wrote on a
  // shard server for a modality) into one key-ordered run: on each server
  // and for each modality, the runs of every level that holds enough of
  // them (pg_levels.h), or only small ones, or all (`scope`). A lookup reads
  // one block per key and run, so runs stay few, and a posting is rewritten
  // once per level (storage/pg_compact.cc says how, and why it is safe
  // beside writers and readers). Drops the postings of items not in the
  // catalog, as a sweep does. Takes turns with removing sweeps
  // (kUnavailable while one runs; kAborted when another compaction changed
  // a step's blocks first). An audit entry "compact" names `actor` when it
  // merged anything.
  absl::StatusOr<PgCompactReport> Compact(const std::string& actor = "",
                                          PgCompactScope scope = PgCompactScope::kLevels);

  // Starts opening the sessions to the shard servers that lookups and
  // originals are read from, so that they are open by the first read while
  // the caller does other work (decoding a query). A server out of reach
  // fails that read, as it would without this.
  void ConnectShardsSoon();

 private:
  friend class PgWriteBatch;
  explicit PgArchive(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
  // Connects shards_ unless it is; mu_ held.
  absl::Status ConnectShards();
  // Runs `read` (of the shards, through shards_, which must be connected),
  // once more on new sessions when it lost sessions kept from an earlier
  // read; mu_ held. `read` must start its results afresh.
  absl::Status ReadShards(const std::function<absl::Status()>& read);
  // Of the items `ids`, those the catalog lists, in the read's transaction;
  // mu_ held.
  absl::StatusOr<std::unordered_set<uint32_t>> ListedItems(std::vector<int64_t> ids);
  // Connects conn_ unless it is (a batch may have it); mu_ held.
  absl::Status EnsureConn();
  // A batch's session, back for reads and the next batch when the handle
  // has none and it is idle; else it is closed.
  void TakeBack(std::unique_ptr<PgConn> conn);
  struct Piece {
    uint64_t seq;
    std::string data;
  };
  // The pieces from..to of an object, in order, each once.
  absl::StatusOr<std::vector<Piece>> ReadPieces(const std::string& object, uint64_t from,
                                                uint64_t to);
  absl::StatusOr<std::vector<Item>> QueryItems(const std::string& where,
                                               const std::vector<PgParam>& params);
  absl::StatusOr<std::vector<SavedTrace>> QueryTraces(const std::string& where,
                                                      const std::vector<PgParam>& params);

  std::mutex mu_;
  // The coordinator session for reads; lent to a batch while it lasts.
  std::unique_ptr<PgConn> conn_;
  std::string name_;  // the coordinator, for messages
  // The shard servers lookups and originals are read from (straight, not
  // through the coordinator's foreign tables); connected at the first read.
  std::unique_ptr<PgShards> shards_;
  bool shards_used_ = false;  // shards_ has served a read
  // Rows of chunks and postings carry the batch that wrote them (schema 3
  // and later).
  bool marked_ = true;
  // Removing items unregisters originals no other item uses (schema 5 and
  // later, whose writers all lock the originals they find stored).
  bool unregisters_ = true;
  // Every posting block holds to PackPostings' rule (a key of kBlockTarget
  // postings or more alone): uncut_meta's one_key_blocks.
  bool one_key_blocks_ = false;
  std::string uri_;
  uint64_t spill_bytes_ = kPgSpillBytes;
  size_t sweep_blocks_ = 500;
  uint64_t compact_step_postings_ = 16u << 20;
  TierRules tiers_;
  uint64_t compact_small_postings_ = 16u << 20;
};

// Of the originals in `locked` (rows of objects the caller's transaction
// holds FOR UPDATE), unregisters those no item uses, asking in a statement
// of its own; returns them. A removal's batch and the sweep use it.
absl::StatusOr<std::set<std::string>> UnregisterUnusedOriginals(PgConn* c,
                                                                std::set<std::string> locked);

// An item for PgWriteBatch::AddItem. Postings carry item = 0; AddItem fills
// in the id.
struct PgNewItem {
  Item item;  // item.object must be stored (PutObject) in this batch or before
  std::optional<ExtractedText> text;
  std::map<std::string, std::string> blobs;
  std::map<Modality, std::vector<Posting>> postings;
};

// One writer's batch: everything it adds becomes visible at Commit, at once;
// destroyed without Commit, nothing of it stays. Uses its own connection,
// so readers of the same archive handle are not held up.
class PgWriteBatch {
 public:
  ~PgWriteBatch();

  // Reads an object's bytes from `read` (which fills up to n bytes and
  // returns how many, 0 at the end) and stores them in chunks of at most
  // kPgChunkBytes, hashing as it goes: kDataLoss when they are not `sha256`
  // or not `size` bytes. Nothing is read when the object is already stored.
  absl::Status PutObject(const std::string& sha256, uint64_t size,
                         const std::function<absl::StatusOr<size_t>(char*, size_t)>& read);
  absl::Status PutObjectBytes(const std::string& sha256, std::string_view bytes);
  // Whether the object is stored (committed, or put in this batch). A
  // stored object is locked (FOR KEY SHARE) until the batch ends, so a
  // batch removing the last item that uses it cannot unregister it meanwhile
  // (it waits, then sees this batch's items using it).
  absl::StatusOr<bool> HasObject(const std::string& sha256);

  // An id for a new item: `wanted` when it is free, else a new one.
  absl::StatusOr<int64_t> ClaimId(std::optional<int64_t> wanted = std::nullopt);
  // Queues the item (its id from ClaimId, or 0 for a new one); returns its id.
  absl::StatusOr<int64_t> AddItem(PgNewItem item);
  // Removes an item and its children; their postings stay counted (as in
  // the embedded index until a compaction) and are no longer returned.
  // Their originals that no item uses at Commit are unregistered with them
  // (unregistered() lists them; their pieces on the shards are then no
  // one's: PgArchive::SweepPieces right after the commit, or the next Sweep,
  // deletes them).
  absl::Status RemoveItem(int64_t id);
  // The item as committed, its row locked until the batch ends (another
  // batch that locks or removes it waits for this one); nullopt when there
  // is no such item.
  absl::StatusOr<std::optional<Item>> LockItem(int64_t id);
  // An item's blob as this batch sees it (nullopt when there is none).
  absl::StatusOr<std::optional<std::string>> LoadBlob(int64_t item_id, const std::string& name);
  // Re-derived fingerprints of an item already in the archive (a newer
  // fingerprint format, a transcript's link): its info becomes `info`, its
  // blobs of the same names become `blobs`, and `postings` (item = 0; the id
  // is filled in) join the index, all at Commit with the rest of the batch,
  // under an audit entry "upgrade" naming the item. Its original, name and
  // provenance are untouched. kNotFound when the item is gone.
  absl::Status Reindex(int64_t id, const nlohmann::json& info,
                       const std::map<std::string, std::string>& blobs,
                       std::map<Modality, std::vector<Posting>> postings);
  // Drops a modality's whole index (a format no longer read), at Commit.
  absl::Status DropModality(Modality modality);
  // Who the audit entries name: the OS user by default, or "token" and the
  // client's address for the server.
  void SetActor(std::string actor, std::string client = "") {
    actor_ = std::move(actor);
    client_ = std::move(client);
  }
  // Publishes the batch, with the audit entries of the items it added and
  // removed (audit_log, as the embedded archive keeps it).
  absl::Status Commit();
  // The originals unregistered by this batch's commits (RemoveItem).
  const std::vector<std::string>& unregistered() const { return unregistered_; }
  // The mark of the rows it writes (`batch`): its coordinator transaction's
  // id, new after each Commit. 0 on an archive made before rows were marked.
  int64_t id() const { return batch_; }

 private:
  friend class PgArchive;
  PgWriteBatch() = default;
  // Opens the transaction and, on a marked archive, learns its id.
  absl::Status Begin();
  // Unregisters the originals of removed_objects_ that no item uses now.
  absl::Status UnregisterUnused();
  PgArchive* owner_ = nullptr;  // takes the session back
  std::unique_ptr<PgConn> conn_;
  bool marked_ = true;
  bool unregisters_ = true;
  // Originals of the items removed in this batch, locked (FOR UPDATE) from
  // RemoveItem to the end of the batch.
  std::set<std::string> removed_objects_;
  std::vector<std::string> unregistered_;
  std::vector<std::string> pending_unregistered_;  // until the commit is through
  // The coordinator transaction's id (xid8), the `batch` of the rows it writes.
  int64_t batch_ = 0;
  std::set<std::string> objects_;  // put in this batch
  std::set<int64_t> claimed_;
  std::map<Modality, std::vector<Posting>> postings_;
  // What the batch's audit entries name: top-level items added (and how
  // many items in all), items removed.
  nlohmann::json added_ = nlohmann::json::array();
  size_t added_parts_ = 0;
  nlohmann::json removed_ = nlohmann::json::array();
  // Items re-indexed, and modalities dropped, for the "upgrade" entry.
  nlohmann::json reindexed_ = nlohmann::json::array();
  nlohmann::json dropped_ = nlohmann::json::array();
  std::string actor_, client_;
  bool open_ = false;
};

// The key ranges a lookup sends for `keys` (sorted, distinct, as stored):
// runs of keys at most `gap` apart become one closed range [first, last].
// A range may then cover keys that were not asked for; the lookup drops
// their postings on the client, so the answer is the same, and far fewer
// ranges make the shards' multirange cheap to build (a sound clip's ~25,000
// keys become ~4,000 ranges with a gap of 64).
std::vector<std::pair<int64_t, int64_t>> KeySpans(const std::vector<int64_t>& keys, uint64_t gap);

// A key as the postings' spans store it (int8: the top bit flipped, so the
// order stays; the largest key shares the bound of the one before).
int64_t StoredKey(uint64_t key);

// Appends an audit entry in `conn`'s transaction, by `actor` (the OS user
// when empty) for `client` (none when empty).
absl::Status InsertAudit(PgConn* conn, const std::string& action, const nlohmann::json& details,
                         const std::string& actor = "", const std::string& client = "");

}  // namespace uncut

#endif  // UNCUT_STORAGE_POSTGRES_STORAGE_H_

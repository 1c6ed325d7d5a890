// The archive: one directory that holds everything uncut knows.
//
//   ARCHIVE/catalog.sqlite   items, their metadata and extracted text, and
//                            the list of live index segments (SQLite, WAL)
//   ARCHIVE/objects/ab/<sha256>   every original, byte for byte, read-only
//   ARCHIVE/index/<modality>/<n>.seg   immutable posting segments
//   ARCHIVE/lock             held by the one writer at a time
//
// Readers never block. A writer stages originals and segment files under
// new names first and then publishes them in one catalog transaction, so a
// writer killed at any moment leaves each item either fully present or
// absent; files it staged but never published are swept by the next writer.
// The sweep deletes only files the writer named in objects/staging/journal
// before creating them, and only when the catalog reads and passes SQLite's
// quick check: a damaged or replaced catalog never costs an original.
#ifndef UNCUT_STORE_ARCHIVE_H_
#define UNCUT_STORE_ARCHIVE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file.h"
#include "extract/extractor.h"
#include "index/index_manager.h"
#include "index/posting.h"
#include "index/posting_source.h"
#include "index/segment_file.h"
#include "nlohmann/json.hpp"
#include "storage/catalog_reader.h"
#include "storage/catalog_records.h"
#include "storage/item.h"
#include "storage/storage.h"
#include "store/sqlite.h"

namespace uncut {

// Postings for one modality ("text", "video", "audio").
using PostingsByModality = std::map<std::string, std::vector<Posting>>;

// An original copied into the object store but not yet referenced.
// Where staged bytes live: a file of their own (object = SHA-256), or a
// range of a pack shared with other small originals (object = pack name,
// offset = where the bytes start).
struct StagedObject {
  std::string sha256;
  uint64_t size = 0;
  std::string object;
  uint64_t offset = 0;
  std::string path;      // the file holding them inside the archive
  bool existed = false;  // identical bytes were already stored
  // False when the bytes are certainly new to the archive and the batch (no
  // need to look for an item that has them).
  bool seen = true;
  std::string contents;  // the bytes, when StageFile packed them
};

// How StageFile stores a file: media stays a file of its own, since its
// decoders read it by path; small documents go into the batch's pack, which
// saves creating a file (and a directory) per original.
enum class Placement { kOwnFile, kPackIfSmall };

// A new item for WriteBatch::AddItem. Postings carry item = 0; the batch
// fills in the id.
struct NewItem {
  Item item;
  std::optional<ExtractedText> text;
  PostingsByModality postings;
  // Named binary blobs stored with the item (e.g. a frame-hash sequence).
  std::map<std::string, std::string> blobs;
  // The text is the original's bytes exactly (plain UTF-8): the catalog
  // points at them instead of holding a second copy.
  bool text_is_original = false;
  // The text's search form (storage/text_search.h SearchForm) when it was
  // computed with the fingerprints; otherwise the commit computes it.
  std::optional<std::string> search_form;
};

class WriteBatch;


// Thread-safety: one Archive handle (and a WriteBatch from it) serves one
// thread at a time. Threads and processes that share an archive directory
// each open their own handle: SQLite (WAL) gives every handle consistent
// reads while a writer works, and the writer lock (flock on each batch's own
// open of ARCHIVE/lock, so two handles in one process exclude each other
// too) lets one writer in at a time.
//
// The embedded backend of the storage interfaces (storage/storage.h).
class Archive : public CatalogReader,
                public OriginalSource,
                public PostingSource,
                public CatalogRecords {
 public:
  enum class Mode { kReadOnly, kCreate };
  // kReadOnly opens an existing archive (writes are still possible through
  // BeginWrite); kCreate also makes a new one where there is none.
  //
  // A catalog that is missing, empty or unreadable beside files under
  // objects/ or index/ is damage (kDataLoss): nothing is created or deleted.
  // An archive the process cannot write (read-only medium, another owner) is
  // opened for reading only: no lock file, no sweep, and BeginWrite fails
  // with kFailedPrecondition.
  static absl::StatusOr<std::unique_ptr<Archive>> Open(const std::string& dir, Mode mode);
  ~Archive() override;

  const std::string& dir() const { return dir_; }
  bool read_only() const { return !read_only_reason_.empty(); }
  // The archive as the matchers read it.
  Storage storage() { return {this, this, this, this}; }

  absl::StatusOr<std::vector<Item>> ListItems() override;
  // A number that changes whenever a writer commits (items or segments
  // change), for caches of what ListItems returns.
  absl::StatusOr<int64_t> CatalogGeneration();
  absl::StatusOr<Item> GetItem(int64_t id) override;
  // Finds an item by numeric id, full SHA-256, or a unique SHA-256 prefix of
  // at least 6 hex digits.
  absl::StatusOr<Item> FindItem(const std::string& ref);
  absl::StatusOr<std::optional<Item>> FindBySha(const std::string& sha256);
  absl::StatusOr<std::vector<Item>> Children(int64_t id) override;
  absl::StatusOr<std::vector<Item>> ListTranscripts() override;
  // Items whose name starts with `prefix` (ASCII case-insensitively).
  absl::StatusOr<std::vector<Item>> ItemsNamedLike(const std::string& prefix);
  absl::StatusOr<StoredText> LoadText(int64_t item_id) override;
  absl::StatusOr<std::optional<std::string>> LoadBlob(int64_t item_id,
                                                      const std::string& name) override;
  absl::StatusOr<std::vector<std::string>> BlobNames(int64_t item_id) override;
  std::string ObjectPath(const std::string& sha256) const;
  // By the text search index (store/text_search_index.h); by reading every
  // text while an older archive's texts are not all in it.
  absl::StatusOr<std::vector<TextHit>> SearchText(const std::string& query,
                                                  size_t limit) override;
  // Puts the texts that the search index lacks into it (an archive made
  // before it existed); returns how many. Safe to interrupt and run again.
  absl::StatusOr<size_t> IndexTextsForSearch();
  // Rebuilds the search index of an archive made before it was contentless
  // (store/text_search_index.h) from the search forms it holds; false when
  // it already was.
  absl::StatusOr<bool> MakeTextSearchContentless();
  // The item's own file, or its range of a pack or container.
  absl::StatusOr<Original> OpenOriginal(const Item& item) override;

  // Postings of live items for each key; keys with more than max_per_key
  // postings (in all segments together) are skipped as uninformative.
  absl::Status Lookup(const std::string& modality, const std::vector<uint64_t>& keys,
                      size_t max_per_key, std::vector<Posting>* out);
  // How many postings a modality's index holds (those of removed items
  // included until a compaction): the scale against which a key is common.
  absl::StatusOr<uint64_t> PostingCount(const std::string& modality);
  // The same, for a modality the matchers read (its stored name).
  absl::Status Lookup(Modality modality, const std::vector<uint64_t>& keys, size_t max_per_key,
                      std::vector<Posting>* out) override {
    return Lookup(std::string(ModalityName(modality)), keys, max_per_key, out);
  }
  absl::StatusOr<uint64_t> PostingCount(Modality modality) override {
    return PostingCount(std::string(ModalityName(modality)));
  }
  // Reads the live segments as listed when it starts.
  absl::Status ForEachPosting(Modality modality,
                              const std::function<bool(const Posting&)>& fn) override;
  std::string IndexName() const override { return dir_; }

  // Takes the writer lock (waiting for another writer to finish) and sweeps
  // what an interrupted writer left behind.
  absl::StatusOr<std::unique_ptr<WriteBatch>> BeginWrite();

  struct VerifyProblem {
    std::string what;  // item reference or file
    std::string problem;
  };
  struct VerifySummary {
    size_t items = 0;
    size_t texts_checked = 0;
    // Texts stored before the catalog kept their digests: not checkable.
    size_t texts_without_digest = 0;
    size_t files = 0;  // files under objects/ and index/
    // Files an interrupted writer staged and named in its journal (not
    // damage: the next writer deletes those the catalog does not use).
    std::vector<std::string> left_by_writer;
  };
  // Runs SQLite's integrity check on the catalog, re-hashes every stored
  // original, checks every index segment and every stored text against the
  // digest taken when it was added, and reports every file under objects/
  // and index/ that nothing references (unless a writer's journal names it).
  absl::StatusOr<std::vector<VerifyProblem>> Verify(
      const std::function<void(size_t done, size_t total)>& progress = nullptr,
      VerifySummary* summary = nullptr);

  // The audit log, oldest first (empty for a read-only catalog made before
  // the log was kept). There is no way to change or delete an entry.
  absl::StatusOr<std::vector<AuditEntry>> AuditLog() override;
  // Saved traces (store/saved_traces.h) and audit entries of actions that
  // change nothing else, each under the writer lock.
  absl::StatusOr<int64_t> SaveTrace(const SavedTrace& trace) override;
  absl::StatusOr<SavedTrace> GetSavedTrace(int64_t id) override;
  absl::StatusOr<std::vector<int64_t>> SavedTraceIds() override;
  absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(int64_t item_id) override;
  absl::Status RecordAction(std::string action, nlohmann::json details) override;

  // The archive's settings (`uncut config`): name -> value, as the last
  // committed WriteBatch::SetSetting left them. Kept in the catalog's meta
  // table under "setting.NAME".
  absl::StatusOr<std::map<std::string, std::string>> Settings();
  absl::StatusOr<std::optional<std::string>> Setting(const std::string& name);

  SqliteDb* db() { return db_.get(); }

 private:
  friend class WriteBatch;
  Archive() = default;
  absl::Status EnsureSchema(bool create);
  // Opens the live segments of `modality` (of every modality when empty).
  absl::Status RefreshSegments(const std::string& modality = "");
  absl::Status RefreshLive();
  bool IsLive(uint32_t item) const;

  absl::Status OpenCatalog(Mode mode);
  absl::Status CreateCatalog();

  std::string dir_;
  std::unique_ptr<SqliteDb> db_;
  // Why the archive cannot be written; empty when it can.
  std::string read_only_reason_;
  std::mutex mu_;  // guards the caches below
  // The open live segments, following the catalog's list.
  std::unique_ptr<IndexManager> index_;
  std::vector<bool> live_;
  int64_t live_version_ = -1;
};

class WriteBatch {
 public:
  ~WriteBatch();

  // Copies the file at `path` into the object store, hashing as it goes.
  absl::StatusOr<StagedObject> StageFile(const std::string& path,
                                         Placement placement = Placement::kOwnFile);
  // Stores `bytes` (parts of a container with their own bytes), packed when
  // small.
  absl::StatusOr<StagedObject> StageBytes(std::string_view bytes);
  // Stores the bytes `produce` hands, in order, to the sink it is given
  // (an original streamed from another archive), hashing as they come:
  // packed when placement allows and they are small, else in a file of
  // their own, written as they arrive (memory stays bounded). An error from
  // `produce` leaves nothing staged and is returned.
  using StreamSink = std::function<absl::Status(std::string_view)>;
  absl::StatusOr<StagedObject> StageStream(
      const std::function<absl::Status(const StreamSink&)>& produce, Placement placement);
  // Forgets an object staged by this batch that will not be used.
  void Discard(const StagedObject& object);
  // The top-level item with these bytes, if already archived or staged in this batch.
  absl::StatusOr<std::optional<Item>> Existing(const std::string& sha256);
  // Queues an item; returns its id as it will be after Commit (ids are
  // reserved at once, so children can name their parent).
  absl::StatusOr<int64_t> AddItem(NewItem item);
  // Replaces the queued item with the same id (a container whose text and
  // info are known only after its children were queued).
  absl::Status ReplaceItem(NewItem item);
  // Adds a named blob to a queued item (a proof obtained once its bytes were
  // read, such as a timestamp token); it commits with the item or not at all.
  absl::Status AddBlob(int64_t id, std::string name, std::string data);
  absl::Status RemoveItem(int64_t id);
  // The next item AddItem queues gets id `id` when no id at or above it
  // was handed out (ids are never reused), so a copy keeps its source's ids.
  void PreferNextId(int64_t id) { next_id_ = std::max(next_id_, id); }
  size_t pending_items() const { return items_.size(); }
  // Drops the items queued after the first `mark` (a value pending_items()
  // returned), and the objects only they staged: a file that fails half way
  // leaves nothing behind.
  void Truncate(size_t mark);
  // Items queued and not yet committed, in order.
  std::vector<Item> PendingItems() const;
  // Re-derived fingerprints of an archived item (a newer fingerprint
  // format): its info is replaced by `info`, its blobs of the same names by
  // `blobs`, and `postings` (item ids filled in) join the index. The item's
  // original, name and provenance are untouched.
  absl::Status Reindex(int64_t id, nlohmann::json info, PostingsByModality postings,
                       std::map<std::string, std::string> blobs);
  // Drops a modality's whole index (a format no longer read) at Commit.
  absl::Status DropModality(const std::string& modality);
  Archive* archive() const { return archive_; }
  // Who the audit entries of this batch name (default: CurrentUserName(),
  // no client address).
  void SetActor(std::string actor, std::string client = "") {
    actor_ = std::move(actor);
    client_ = std::move(client);
  }
  // Queues an audit entry for an action that changes nothing in the catalog
  // (an export); Commit writes it. Adds, removals and re-indexing are
  // recorded by Commit itself.
  void Record(std::string action, nlohmann::json details);
  // Queues an entry copied from another archive's log as it was there
  // (time, actor, client, action, details); Commit appends it.
  void ImportAuditEntry(AuditEntry entry);
  // Sets (or, with nullopt, removes) an archive setting at Commit, with an
  // audit entry "config" naming it and its old and new values.
  void SetSetting(std::string name, std::optional<std::string> value);
  uint64_t pending_bytes() const { return pending_bytes_; }
  // Publishes everything queued in one transaction.
  absl::Status Commit();
  // Merges small segments; run after Commit.
  absl::Status Compact();
  // Rewrites the index segments of an older format in the current one (each
  // modality that has one is merged whole), and merges small segments as
  // Compact does; returns how many merges it made. For `uncut upgrade`:
  // older segments are read as they are.
  absl::StatusOr<size_t> RewriteOlderSegments();

 private:
  friend class Archive;
  explicit WriteBatch(Archive* a) : archive_(a) {}
  absl::Status Sweep();
  absl::StatusOr<size_t> CompactSegments(bool rewrite_older_formats);
  // Deletes the search index rows of the items being removed (and of their
  // parts), inside Commit's transaction, before the items go.
  absl::Status UnindexRemovedTexts();

  Archive* archive_;
  File lock_;  // the writer lock (flock on ARCHIVE/lock), held until the batch is gone
  std::vector<NewItem> items_;
  std::vector<int64_t> removals_;
  struct Reindexed {
    int64_t id;
    nlohmann::json info;
    std::map<std::string, std::string> blobs;
  };
  std::vector<Reindexed> reindexed_;
  PostingsByModality reindexed_postings_;
  std::vector<std::string> dropped_modalities_;
  std::vector<AuditEntry> recorded_;
  std::map<std::string, std::optional<std::string>> settings_;  // to set at Commit
  std::string actor_;
  std::string client_;
  std::set<std::string> staged_;  // objects staged in this batch
  std::string copy_buffer_;       // reused by StageFile
  bool staging_made_ = false;
  // The pack this batch appends small originals to, created on first use.
  std::string pack_name_;
  File pack_;
  uint64_t pack_size_ = 0;
  std::map<std::string, uint64_t> packed_;  // SHA-256 -> offset in pack_

  absl::Status MakeStagingMarker();
  // Notes `rel_path` (under the archive) in the staging journal before the
  // file is created, or before a committed change stops referencing it: the
  // sweep deletes only files named there that the catalog does not use. The
  // names are on disk (one append, one fsync) when this returns, so a power
  // cut after the file is created cannot leave it unnamed.
  absl::Status Journal(const std::vector<std::string>& rel_paths);
  absl::Status Journal(const std::string& rel_path) {
    return Journal(std::vector<std::string>{rel_path});
  }
  // After a commit: keeps in the journal only what the catalog still does
  // not reference, and removes journal and marker when that is nothing.
  absl::Status SettleJournal();
  File journal_;
  // Appends `bytes` to the batch's pack (or finds them there) and fills in
  // where they are.
  absl::Status Pack(std::string_view bytes, StagedObject* out);
  absl::Status PlaceObject(const std::string& tmp, StagedObject* out);
  // Finds bytes already stored or staged; fills `out` and returns true if so.
  absl::StatusOr<bool> FindStored(StagedObject* out);
  // Cuts the pack back to the bytes queued items still use.
  void TrimPack();
  // Rewrites a pack without the bytes no item uses any more.
  absl::Status Repack(const std::string& pack);
  uint64_t pending_bytes_ = 0;
  int64_t next_id_ = 0;
};

// Checks that s is an RFC 3339 timestamp.
absl::Status ValidateRfc3339(const std::string& s);

}  // namespace uncut

#endif  // UNCUT_STORE_ARCHIVE_H_

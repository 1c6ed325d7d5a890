#include "store/archive.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

// 2: small originals may live in packs (objects/packs/pack-*); a text that
//    is its original byte for byte is not stored twice (texts.in_original).
constexpr int kSchemaVersion = 2;
// Originals up to this size are packed (see Placement).
constexpr uint64_t kPackLimit = 16u << 20;
constexpr char kPackPrefix[] = "pack-";

bool IsPack(const std::string& object) { return object.rfind(kPackPrefix, 0) == 0; }

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT NOT NULL,
  parent_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  format TEXT NOT NULL,
  size INTEGER NOT NULL,
  name TEXT NOT NULL,
  added_from TEXT NOT NULL,
  added_at TEXT NOT NULL,
  source_url TEXT, captured_at TEXT, title TEXT, note TEXT,
  info TEXT NOT NULL DEFAULT '{}',
  object TEXT NOT NULL,
  object_offset INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS items_top_sha ON items(sha256) WHERE parent_id IS NULL;
CREATE INDEX IF NOT EXISTS items_sha ON items(sha256);
CREATE INDEX IF NOT EXISTS items_parent ON items(parent_id);
CREATE INDEX IF NOT EXISTS items_object ON items(object);
CREATE TABLE IF NOT EXISTS texts(
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  text BLOB NOT NULL,
  offset_map BLOB NOT NULL,
  anchors TEXT NOT NULL DEFAULT '[]',
  in_original INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS blobs(
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(item_id, name));
CREATE TABLE IF NOT EXISTS segments(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  modality TEXT NOT NULL,
  file TEXT NOT NULL UNIQUE,
  postings INTEGER NOT NULL,
  created_at TEXT NOT NULL);
)sql";

constexpr char kItemColumns[] =
    "id, sha256, parent_id, kind, format, size, name, added_from, added_at, source_url, "
    "captured_at, title, note, info, object, object_offset";

Item ReadItem(const SqliteStmt& s) {
  Item it;
  it.id = s.ColumnInt(0);
  it.sha256 = s.ColumnText(1);
  if (!s.ColumnIsNull(2)) it.parent_id = s.ColumnInt(2);
  it.kind = s.ColumnText(3);
  it.format = s.ColumnText(4);
  it.size = s.ColumnInt(5);
  it.name = s.ColumnText(6);
  it.added_from = s.ColumnText(7);
  it.added_at = s.ColumnText(8);
  it.meta.source_url = s.ColumnOptText(9);
  it.meta.captured_at = s.ColumnOptText(10);
  it.meta.title = s.ColumnOptText(11);
  it.meta.note = s.ColumnOptText(12);
  it.info = nlohmann::json::parse(s.ColumnText(13), nullptr, false);
  if (it.info.is_discarded()) it.info = nlohmann::json::object();
  it.object = s.ColumnText(14);
  it.object_offset = s.ColumnInt(15);
  return it;
}

// Every row a statement selecting kItemColumns returns.
absl::StatusOr<std::vector<Item>> ReadItems(SqliteStmt& s) {
  std::vector<Item> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadItem(s));
  }
  return out;
}

absl::StatusOr<int64_t> Generation(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt s, db->Prepare("SELECT value FROM meta WHERE key='generation'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  int64_t g = 0;
  if (row && !absl::SimpleAtoi(s.ColumnText(0), &g)) g = 0;
  return g;
}

absl::Status BumpGeneration(SqliteDb* db) {
  return db->Exec(
      "INSERT INTO meta(key, value) VALUES('generation', '1') ON CONFLICT(key) DO UPDATE SET "
      "value = CAST(value AS INTEGER) + 1");
}

// Makes `written` (a file nothing references yet) part of the archive: runs
// `update` in one transaction that also bumps the generation; if that fails,
// `written` is removed.
absl::Status Publish(SqliteDb* db, const std::string& written,
                     const std::function<absl::Status()>& update) {
  absl::Status s = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
    RETURN_IF_ERROR(update());
    RETURN_IF_ERROR(BumpGeneration(db));
    return tx->Commit();
  }();
  if (!s.ok()) RemoveFile(written).IgnoreError();
  return s;
}

// A file name no other writer uses: time, process and a counter.
std::string UniqueName() {
  static std::atomic<uint64_t> counter{0};
  return StrCat(absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()), "-", ::getpid(),
                "-", counter.fetch_add(1));
}

bool IsHexSha(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(c))
      return false;
  }
  return true;
}


}  // namespace

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
}

absl::Status ValidateRfc3339(const std::string& s) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
    return absl::InvalidArgumentError(
        StrCat("\"", s, "\" is not an RFC 3339 time (e.g. 2024-05-01T12:00:00Z)"));
  }
  return absl::OkStatus();
}

Archive::~Archive() = default;

absl::StatusOr<std::unique_ptr<Archive>> Archive::Open(const std::string& dir, Mode mode) {
  std::string catalog = JoinPath(dir, "catalog.sqlite");
  if (!PathExists(catalog)) {
    if (mode == Mode::kReadOnly) {
      if (PathExists(dir) && !IsDirectory(dir)) {
        return absl::FailedPreconditionError(StrCat(dir, ": not an archive directory"));
      }
      return absl::NotFoundError(
          StrCat(dir, ": no archive here (add sources with `uncut add` to create it)"));
    }
    RETURN_IF_ERROR(MakeDirs(dir));
  }
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "objects")));
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "index")));
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  a->index_ = std::make_unique<IndexManager>(JoinPath(dir, "index"));
  ASSIGN_OR_RETURN(a->db_, SqliteDb::Open(catalog, true));
  RETURN_IF_ERROR(a->EnsureSchema(true));
  return a;
}

absl::Status Archive::EnsureSchema(bool create) {
  ASSIGN_OR_RETURN(
      SqliteStmt q,
      db_->Prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  bool exists = row && q.ColumnInt(0) > 0;
  if (exists) {
    ASSIGN_OR_RETURN(SqliteStmt v,
                     db_->Prepare("SELECT value FROM meta WHERE key='schema_version'"));
    ASSIGN_OR_RETURN(bool has, v.Step());
    int version = 0;
    if (!has || !absl::SimpleAtoi(v.ColumnText(0), &version)) {
      return absl::DataLossError(StrCat(db_->path(), ": catalog has no schema version"));
    }
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(
          StrCat(db_->path(), ": archive was written by a newer uncut (schema ", version, ")"));
    }
    if (version < 2) {
      // Catalogs made before texts could live in their originals gain the
      // column (all their texts are stored whole, so 0 is right for them).
      ASSIGN_OR_RETURN(SqliteStmt c, db_->Prepare("SELECT count(*) FROM pragma_table_info('texts') "
                                                  "WHERE name = 'in_original'"));
      ASSIGN_OR_RETURN(bool has_row, c.Step());
      if (has_row && c.ColumnInt(0) == 0) {
        RETURN_IF_ERROR(db_->Exec(
            "ALTER TABLE texts ADD COLUMN in_original INTEGER NOT NULL DEFAULT 0"));
      }
    }
    return absl::OkStatus();
  }
  if (!create) return absl::DataLossError(StrCat(db_->path(), ": catalog is empty"));
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  RETURN_IF_ERROR(db_->Exec(kSchema));
  RETURN_IF_ERROR(
      db_->Exec(StrCat("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '",
                       kSchemaVersion, "'), ('generation', '0')")));
  return tx->Commit();
}

std::string Archive::ObjectPath(const std::string& object) const {
  if (IsPack(object)) return JoinPath(JoinPath(JoinPath(dir_, "objects"), "packs"), object);
  return JoinPath(JoinPath(JoinPath(dir_, "objects"), object.substr(0, 2)), object);
}

absl::StatusOr<Original> Archive::OpenOriginal(const Item& item) {
  std::string path = ObjectPath(item.object);
  if (item.object == item.sha256 && item.object_offset == 0) return Original::WholeFile(path);
  return Original::FileRange(std::move(path), item.object_offset, item.size, item.name);
}

absl::StatusOr<std::vector<Item>> Archive::ListItems() {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(StrCat("SELECT ", kItemColumns, " FROM items ORDER BY id")));
  return ReadItems(s);
}

absl::StatusOr<int64_t> Archive::CatalogGeneration() { return Generation(db_.get()); }

absl::StatusOr<Item> Archive::GetItem(int64_t id) {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(StrCat("SELECT ", kItemColumns, " FROM items WHERE id = ?")));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::NotFoundError(StrCat("no item ", id, " in the archive"));
  return ReadItem(s);
}

absl::StatusOr<Item> Archive::FindItem(const std::string& ref) {
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
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(StrCat("SELECT ", kItemColumns,
                                       " FROM items WHERE sha256 >= ? AND sha256 < ? "
                                       "ORDER BY parent_id IS NOT NULL, id LIMIT 2")));
  s.Bind(1, prefix).Bind(2, prefix + "g");
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::NotFoundError(StrCat("no item matches \"", ref, "\""));
  Item first = ReadItem(s);
  ASSIGN_OR_RETURN(bool second, s.Step());
  if (second && ReadItem(s).sha256 != first.sha256) {
    return absl::InvalidArgumentError(StrCat("\"", ref, "\" matches several items"));
  }
  return first;
}

absl::StatusOr<std::optional<Item>> Archive::FindBySha(const std::string& sha256) {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(StrCat("SELECT ", kItemColumns,
                                       " FROM items WHERE sha256 = ? AND parent_id IS NULL")));
  s.Bind(1, sha256);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Item>();
  return std::optional<Item>(ReadItem(s));
}

absl::StatusOr<std::vector<Item>> Archive::Children(int64_t id) {
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare(StrCat("SELECT ", kItemColumns, " FROM items WHERE parent_id = ? ORDER BY id")));
  s.Bind(1, id);
  return ReadItems(s);
}

absl::StatusOr<std::vector<Item>> Archive::ItemsNamedLike(const std::string& prefix) {
  std::string pattern;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare(StrCat("SELECT ", kItemColumns,
                                                     " FROM items WHERE name LIKE ? ESCAPE '\\' "
                                                     "ORDER BY id")));
  s.Bind(1, pattern);
  return ReadItems(s);
}

absl::StatusOr<StoredText> Archive::LoadText(int64_t item_id) {
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("SELECT text, offset_map, anchors, in_original FROM texts WHERE item_id = ?"));
  s.Bind(1, item_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::NotFoundError(StrCat("item ", item_id, " has no text"));
  StoredText out;
  if (s.ColumnInt(3) != 0) {
    // The text is the original's bytes (UTF-8 plain text): read them there.
    ASSIGN_OR_RETURN(Item item, GetItem(item_id));
    const std::string path = ObjectPath(item.object);
    ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
    out.text.text.resize(item.size);
    ASSIGN_OR_RETURN(size_t n, f.ReadAt(out.text.text.data(), item.size, item.object_offset));
    if (n != item.size) {
      return absl::DataLossError(StrCat(path, ": shorter than the catalog says"));
    }
  } else {
    out.text.text = std::string(s.ColumnBlob(0));
  }
  ASSIGN_OR_RETURN(out.text.map, OffsetMap::Parse(s.ColumnBlob(1)));
  nlohmann::json anchors = nlohmann::json::parse(s.ColumnText(2), nullptr, false);
  if (anchors.is_array()) {
    for (const auto& a : anchors) {
      out.text.anchors.push_back(
          {a.value("at", uint64_t{0}), a.value("kind", ""), a.value("value", nlohmann::json())});
    }
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> Archive::LoadBlob(int64_t item_id,
                                                             const std::string& name) {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("SELECT data FROM blobs WHERE item_id = ? AND name = ?"));
  s.Bind(1, item_id).Bind(2, name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(s.ColumnBlob(0)));
}

absl::Status Archive::RefreshSegments() {
  ASSIGN_OR_RETURN(int64_t gen, Generation(db_.get()));
  // A compaction in another process may delete a file between reading the
  // list and opening it; then the list is read again.
  return index_->Refresh(gen, [&]() -> absl::StatusOr<std::vector<IndexManager::Listed>> {
    ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT modality, file FROM segments ORDER BY id"));
    std::vector<IndexManager::Listed> listed;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      listed.push_back({s.ColumnText(0), s.ColumnText(1)});
    }
    return listed;
  });
}

absl::Status Archive::RefreshLive() {
  ASSIGN_OR_RETURN(int64_t gen, Generation(db_.get()));
  if (gen == live_version_) return absl::OkStatus();
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT id FROM items"));
  std::vector<bool> live;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    int64_t id = s.ColumnInt(0);
    if (id >= static_cast<int64_t>(live.size())) live.resize(id + 1024);
    live[id] = true;
  }
  live_ = std::move(live);
  live_version_ = gen;
  return absl::OkStatus();
}

bool Archive::IsLive(uint32_t item) const { return item < live_.size() && live_[item]; }

absl::Status Archive::Lookup(const std::string& modality, const std::vector<uint64_t>& keys,
                             size_t max_per_key, std::vector<Posting>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(RefreshSegments());
  RETURN_IF_ERROR(RefreshLive());
  index_->Lookup(modality, keys, max_per_key, [&](uint32_t item) { return IsLive(item); }, out);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Archive::PostingCount(const std::string& modality) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(RefreshSegments());
  return index_->PostingCount(modality);
}

absl::StatusOr<std::unique_ptr<WriteBatch>> Archive::BeginWrite() {
  std::unique_ptr<WriteBatch> b(new WriteBatch(this));
  std::string lock_path = JoinPath(dir_, "lock");
  b->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (b->lock_fd_ < 0) return ErrnoStatus(lock_path, "cannot open lock file", errno);
  while (::flock(b->lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus(lock_path, "cannot lock", errno);
  }
  RETURN_IF_ERROR(b->Sweep());
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT coalesce((SELECT seq FROM "
                                              "sqlite_sequence WHERE name='items'), 0)"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  b->next_id_ = (row ? s.ColumnInt(0) : 0) + 1;
  return b;
}

absl::StatusOr<std::vector<Archive::VerifyProblem>> Archive::Verify(
    const std::function<void(size_t, size_t)>& progress) {
  std::vector<VerifyProblem> problems;
  ASSIGN_OR_RETURN(std::vector<Item> items, ListItems());
  size_t done = 0;
  for (const Item& it : items) {
    std::string ref = StrCat("item ", it.id, " (", it.name, ")");
    std::string path = ObjectPath(it.object);
    if (!PathExists(path)) {
      problems.push_back({ref, StrCat("original is missing: ", path)});
    } else if (it.object_offset == 0 && it.object == it.sha256) {
      auto sha = Sha256OfFile(path);
      if (!sha.ok()) {
        problems.push_back({ref, std::string(sha.status().message())});
      } else if (*sha != it.sha256) {
        problems.push_back(
            {ref, StrCat("original has changed: SHA-256 is ", *sha, ", expected ", it.sha256)});
      }
    } else {
      auto f = File::OpenForRead(path);
      std::string bytes(it.size, '\0');
      auto n = f.ok() ? f->ReadAt(bytes.data(), it.size, it.object_offset)
                      : absl::StatusOr<size_t>(f.status());
      if (!n.ok()) {
        problems.push_back({ref, std::string(n.status().message())});
      } else if (*n != it.size || Sha256Hex(bytes) != it.sha256) {
        problems.push_back({ref, StrCat("original has changed: its ", it.size, " bytes at offset ",
                                        it.object_offset, " of ", path, " no longer hash to ",
                                        it.sha256)});
      }
    }
    if (progress) progress(++done, items.size());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    index_->Invalidate();
    absl::Status s = RefreshSegments();
    if (!s.ok()) {
      problems.push_back({"index", std::string(s.message())});
    } else {
      for (const auto& [file, problem] : index_->VerifyAll()) {
        problems.push_back({StrCat("index segment ", file), problem});
      }
    }
  }
  return problems;
}

WriteBatch::~WriteBatch() {
  // Staged objects that were never published are swept now; if the process
  // dies instead, the next writer finds the staging marker and sweeps.
  pack_ = File();
  if (!staged_.empty() || !items_.empty() || !pack_name_.empty()) Sweep().IgnoreError();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

absl::Status WriteBatch::Sweep() {
  // Objects and segments not referenced by the catalog were staged by a
  // writer that did not commit. We hold the writer lock, so no one else is
  // staging now.
  SqliteDb* db = archive_->db_.get();
  std::set<std::string> objects, segments;
  {
    ASSIGN_OR_RETURN(SqliteStmt s, db->Prepare("SELECT DISTINCT object FROM items"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      objects.insert(s.ColumnText(0));
    }
    ASSIGN_OR_RETURN(SqliteStmt g, db->Prepare("SELECT file FROM segments"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, g.Step());
      if (!row) break;
      segments.insert(g.ColumnText(0));
    }
  }
  std::string marker = JoinPath(archive_->dir_, "objects/staging");
  if (!PathExists(marker)) return absl::OkStatus();
  std::string objects_dir = JoinPath(archive_->dir_, "objects");
  for (const std::string& sub : ListDir(objects_dir)) {
    std::string d = JoinPath(objects_dir, sub);
    if (sub == "staging") {
      for (const std::string& f : ListDir(d)) RETURN_IF_ERROR(RemoveFile(JoinPath(d, f)));
      continue;
    }
    if (sub == "packs") {
      for (const std::string& f : ListDir(d)) {
        if (!objects.count(f)) RETURN_IF_ERROR(RemoveFile(JoinPath(d, f)));
      }
      continue;
    }
    if (!IsDirectory(d)) continue;
    for (const std::string& f : ListDir(d)) {
      if (!IsHexSha(f) || !objects.count(f)) RETURN_IF_ERROR(RemoveFile(JoinPath(d, f)));
    }
  }
  std::string index_dir = JoinPath(archive_->dir_, "index");
  for (const std::string& mod : ListDir(index_dir)) {
    std::string d = JoinPath(index_dir, mod);
    if (!IsDirectory(d)) continue;
    for (const std::string& f : ListDir(d)) {
      if (!segments.count(JoinPath(mod, f))) RETURN_IF_ERROR(RemoveFile(JoinPath(d, f)));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteBatch::Reindex(int64_t id, nlohmann::json info, PostingsByModality postings,
                                 std::map<std::string, std::string> blobs) {
  // Segments written by Commit must be swept should this writer die first.
  RETURN_IF_ERROR(MakeStagingMarker());
  for (auto& [modality, list] : postings) {
    auto& dst = reindexed_postings_[modality];
    for (Posting p : list) {
      p.item = static_cast<uint32_t>(id);
      dst.push_back(p);
    }
  }
  reindexed_.push_back({id, std::move(info), std::move(blobs)});
  return absl::OkStatus();
}

absl::Status WriteBatch::DropModality(const std::string& modality) {
  RETURN_IF_ERROR(MakeStagingMarker());
  dropped_modalities_.push_back(modality);
  return absl::OkStatus();
}

absl::Status WriteBatch::MakeStagingMarker() {
  // The marker tells the next writer to sweep, should this one die.
  if (!staging_made_) RETURN_IF_ERROR(MakeDirs(JoinPath(archive_->dir_, "objects/staging")));
  staging_made_ = true;
  return absl::OkStatus();
}

absl::StatusOr<bool> WriteBatch::FindStored(StagedObject* out) {
  auto packed = packed_.find(out->sha256);
  if (packed != packed_.end()) {
    out->object = pack_name_;
    out->offset = packed->second;
    out->path = archive_->ObjectPath(pack_name_);
    return true;
  }
  if (staged_.count(out->sha256)) {
    out->object = out->sha256;
    out->path = archive_->ObjectPath(out->sha256);
    return true;
  }
  // Any stored item with these bytes will do, a part of a container too.
  ASSIGN_OR_RETURN(SqliteStmt q, archive_->db_->Prepare(
                                     "SELECT object, object_offset FROM items WHERE sha256 = ? "
                                     "ORDER BY parent_id IS NOT NULL LIMIT 1"));
  q.Bind(1, out->sha256);
  ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return false;
  out->object = q.ColumnText(0);
  out->offset = static_cast<uint64_t>(q.ColumnInt(1));
  out->path = archive_->ObjectPath(out->object);
  out->existed = true;
  return true;
}

absl::Status WriteBatch::Pack(std::string_view bytes, StagedObject* out) {
  ASSIGN_OR_RETURN(bool stored, FindStored(out));
  out->seen = stored;
  if (stored) return absl::OkStatus();
  if (pack_name_.empty()) {
    RETURN_IF_ERROR(MakeStagingMarker());
    RETURN_IF_ERROR(MakeDirs(JoinPath(archive_->dir_, "objects/packs")));
    std::string name = StrCat(kPackPrefix, UniqueName());
    ASSIGN_OR_RETURN(pack_, File::Create(archive_->ObjectPath(name), 0444));
    pack_name_ = name;
    pack_size_ = 0;
  }
  absl::Status w = pack_.WriteAll(bytes);
  if (!w.ok()) {
    TrimPack();
    return w;
  }
  out->object = pack_name_;
  out->offset = pack_size_;
  out->path = archive_->ObjectPath(pack_name_);
  packed_[out->sha256] = pack_size_;
  pack_size_ += bytes.size();
  return absl::OkStatus();
}

void WriteBatch::TrimPack() {
  if (pack_name_.empty()) return;
  uint64_t keep = 0;
  for (const NewItem& n : items_) {
    if (n.item.object == pack_name_) keep = std::max(keep, n.item.object_offset + n.item.size);
  }
  if (keep >= pack_size_) return;
  if (::ftruncate(pack_.fd(), static_cast<off_t>(keep)) != 0) return;
  if (::lseek(pack_.fd(), static_cast<off_t>(keep), SEEK_SET) < 0) return;
  pack_size_ = keep;
  for (auto it = packed_.begin(); it != packed_.end();) {
    it = it->second >= keep ? packed_.erase(it) : std::next(it);
  }
}

absl::StatusOr<StagedObject> WriteBatch::StageFile(const std::string& path, Placement placement) {
  if (placement == Placement::kPackIfSmall) {
    auto contents = ReadFileToString(path, kPackLimit);
    if (contents.ok()) {
      StagedObject out;
      out.contents = std::move(*contents);
      out.size = out.contents.size();
      out.sha256 = Sha256Hex(out.contents);
      RETURN_IF_ERROR(Pack(out.contents, &out));
      return out;
    }
    // Too large to pack: stored on its own below.
    if (!absl::IsResourceExhausted(contents.status())) return contents.status();
  }
  ASSIGN_OR_RETURN(File in, File::OpenForRead(path));
  RETURN_IF_ERROR(MakeStagingMarker());
  std::string tmp = JoinPath(JoinPath(archive_->dir_, "objects/staging"), UniqueName());
  StagedObject out;
  {
    ASSIGN_OR_RETURN(File f, File::Create(tmp, 0444));
    Sha256 h;
    std::string& buf = copy_buffer_;
    buf.resize(1 << 20);
    while (true) {
      auto n = in.Read(buf.data(), buf.size());
      if (!n.ok()) {
        RemoveFile(tmp).IgnoreError();
        return n.status();
      }
      if (*n == 0) break;
      std::string_view chunk(buf.data(), *n);
      h.Update(chunk);
      absl::Status w = f.WriteAll(chunk);
      if (!w.ok()) {
        RemoveFile(tmp).IgnoreError();
        return w;
      }
      out.size += *n;
    }
    out.sha256 = h.FinishHex();
    // Durability comes from one syncfs() before the catalog commit.
    absl::Status s = f.Close();
    if (!s.ok()) {
      RemoveFile(tmp).IgnoreError();
      return s;
    }
  }
  out.object = out.sha256;
  out.path = archive_->ObjectPath(out.sha256);
  if (PathExists(out.path)) {
    out.existed = true;
    RETURN_IF_ERROR(RemoveFile(tmp));
    return out;
  }
  std::string dir = out.path.substr(0, out.path.find_last_of('/'));
  RETURN_IF_ERROR(MakeDirs(dir));
  if (::rename(tmp.c_str(), out.path.c_str()) != 0) {
    int err = errno;
    RemoveFile(tmp).IgnoreError();
    return ErrnoStatus(out.path, "cannot store original", err);
  }
  staged_.insert(out.sha256);
  return out;
}

absl::StatusOr<StagedObject> WriteBatch::StageBytes(std::string_view bytes) {
  StagedObject out;
  out.sha256 = Sha256Hex(bytes);
  out.size = bytes.size();
  if (bytes.size() <= kPackLimit) {
    RETURN_IF_ERROR(Pack(bytes, &out));
    return out;
  }
  out.object = out.sha256;
  out.path = archive_->ObjectPath(out.sha256);
  if (PathExists(out.path)) {
    out.existed = true;
    return out;
  }
  RETURN_IF_ERROR(MakeStagingMarker());
  RETURN_IF_ERROR(MakeDirs(out.path.substr(0, out.path.find_last_of('/'))));
  std::string tmp = JoinPath(JoinPath(archive_->dir_, "objects/staging"), UniqueName());
  {
    ASSIGN_OR_RETURN(File f, File::Create(tmp, 0444));
    absl::Status w = f.WriteAll(bytes);
    if (w.ok()) w = f.Close();
    if (!w.ok() || ::rename(tmp.c_str(), out.path.c_str()) != 0) {
      RemoveFile(tmp).IgnoreError();
      return w.ok() ? ErrnoStatus(out.path, "cannot store", errno) : w;
    }
  }
  staged_.insert(out.sha256);
  return out;
}

void WriteBatch::Discard(const StagedObject& object) {
  if (object.existed) return;
  if (IsPack(object.object)) {
    if (object.object == pack_name_) TrimPack();
    return;
  }
  if (!staged_.count(object.sha256)) return;
  // Another queued item may use the same bytes.
  for (const NewItem& n : items_) {
    if (n.item.object == object.sha256) return;
  }
  RemoveFile(object.path).IgnoreError();
  staged_.erase(object.sha256);
}

void WriteBatch::Truncate(size_t mark) {
  if (mark >= items_.size()) return;
  std::set<std::string> dropped;
  for (size_t i = mark; i < items_.size(); ++i) {
    const NewItem& n = items_[i];
    if (n.text) pending_bytes_ -= std::min<uint64_t>(pending_bytes_, n.text->text.size());
    dropped.insert(n.item.object);
  }
  items_.resize(mark);
  if (!pack_name_.empty() && dropped.count(pack_name_)) TrimPack();
  for (const std::string& object : dropped) {
    if (!staged_.count(object)) continue;
    StagedObject o;
    o.sha256 = object;
    o.object = object;
    o.path = archive_->ObjectPath(object);
    Discard(o);
  }
}

std::vector<Item> WriteBatch::PendingItems() const {
  std::vector<Item> out;
  out.reserve(items_.size());
  for (const NewItem& n : items_) out.push_back(n.item);
  return out;
}

absl::StatusOr<std::optional<Item>> WriteBatch::Existing(const std::string& sha256) {
  for (const NewItem& n : items_) {
    if (n.item.sha256 == sha256 && !n.item.parent_id) return std::optional<Item>(n.item);
  }
  return archive_->FindBySha(sha256);
}

absl::StatusOr<int64_t> WriteBatch::AddItem(NewItem item) {
  item.item.id = next_id_++;
  for (auto& [modality, postings] : item.postings) {
    for (Posting& p : postings) p.item = static_cast<uint32_t>(item.item.id);
  }
  if (item.text) pending_bytes_ += item.text->text.size();
  for (const auto& [m, p] : item.postings) pending_bytes_ += p.size() * sizeof(Posting);
  int64_t id = item.item.id;
  items_.push_back(std::move(item));
  return id;
}

absl::Status WriteBatch::ReplaceItem(NewItem item) {
  for (NewItem& n : items_) {
    if (n.item.id != item.item.id) continue;
    for (auto& [modality, postings] : item.postings) {
      for (Posting& p : postings) p.item = static_cast<uint32_t>(item.item.id);
    }
    if (n.text) pending_bytes_ -= std::min<uint64_t>(pending_bytes_, n.text->text.size());
    if (item.text) pending_bytes_ += item.text->text.size();
    for (const auto& [m, p] : item.postings) pending_bytes_ += p.size() * sizeof(Posting) / 4;
    n = std::move(item);
    return absl::OkStatus();
  }
  return absl::InternalError(StrCat("no queued item ", item.item.id, " to replace"));
}

absl::Status WriteBatch::RemoveItem(int64_t id) {
  removals_.push_back(id);
  return absl::OkStatus();
}

absl::Status WriteBatch::Commit() {
  // The pack is complete: later stages start a new one.
  const bool packed = !pack_name_.empty();
  if (packed) {
    absl::Status closed = pack_.Close();
    if (closed.ok() && pack_size_ == 0) closed = RemoveFile(archive_->ObjectPath(pack_name_));
    pack_name_.clear();
    packed_.clear();
    pack_size_ = 0;
    if (!closed.ok()) return closed;
  }
  if (items_.empty() && removals_.empty() && reindexed_.empty() && dropped_modalities_.empty()) {
    return absl::OkStatus();
  }
  SqliteDb* db = archive_->db_.get();
  // Segment files first (under names no one references yet), then the
  // catalog transaction that makes items and segments visible together.
  std::map<std::string, std::vector<Posting>> merged;
  {
    std::map<std::string, size_t> total;
    for (const NewItem& n : items_) {
      for (const auto& [modality, postings] : n.postings) total[modality] += postings.size();
    }
    for (const auto& [modality, n] : total) merged[modality].reserve(n);
  }
  for (NewItem& n : items_) {
    for (auto& [modality, postings] : n.postings) {
      auto& dst = merged[modality];
      dst.insert(dst.end(), postings.begin(), postings.end());
      std::vector<Posting>().swap(postings);
    }
  }
  for (auto& [modality, postings] : reindexed_postings_) {
    auto& dst = merged[modality];
    dst.insert(dst.end(), postings.begin(), postings.end());
    std::vector<Posting>().swap(postings);
  }
  std::vector<std::pair<std::string, size_t>> new_segments;
  std::vector<std::string> written;
  std::set<std::string> removed_objects;
  auto cleanup = [&] {
    for (const std::string& f : written) RemoveFile(f).IgnoreError();
  };
  // Make every staged original durable before anything references it.
  {
    std::string objects_dir = JoinPath(archive_->dir_, "objects");
    int fd = ::open(objects_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(objects_dir, "cannot open", errno);
    int rc = ::syncfs(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus(objects_dir, "syncfs failed", err);
  }
  for (auto& [modality, postings] : merged) {
    if (postings.empty()) continue;
    auto name = archive_->index_->WriteNew(modality, UniqueName(), &postings);
    if (!name.ok()) {
      cleanup();
      return name.status();
    }
    written.push_back(archive_->index_->PathOf(*name));
    new_segments.push_back({*name, postings.size()});
  }
  absl::Status s = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
    ASSIGN_OR_RETURN(
        SqliteStmt ins,
        db->Prepare("INSERT INTO items(id, sha256, parent_id, kind, format, size, name, "
                    "added_from, added_at, "
                    "source_url, captured_at, title, note, info, object, object_offset) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    ASSIGN_OR_RETURN(
        SqliteStmt txt,
        db->Prepare("INSERT INTO texts(item_id, text, offset_map, anchors, in_original) "
                    "VALUES(?,?,?,?,?)"));
    // OR REPLACE: a re-indexed item's blobs take the place of its older ones.
    ASSIGN_OR_RETURN(SqliteStmt blob, db->Prepare("INSERT OR REPLACE INTO blobs(item_id, name, "
                                                  "data) VALUES(?,?,?)"));
    auto put_blobs = [&](int64_t id, const std::map<std::string, std::string>& blobs) {
      for (const auto& [name, data] : blobs) {
        blob.Reset().IgnoreError();
        blob.Bind(1, id).Bind(2, name).BindBlob(3, data);
        RETURN_IF_ERROR(blob.Run());
      }
      return absl::OkStatus();
    };
    for (const NewItem& n : items_) {
      const Item& it = n.item;
      ins.Reset().IgnoreError();
      ins.Bind(1, it.id).Bind(2, it.sha256);
      if (it.parent_id) {
        ins.Bind(3, *it.parent_id);
      } else {
        ins.BindNull(3);
      }
      ins.Bind(4, it.kind).Bind(5, it.format).Bind(6, static_cast<int64_t>(it.size));
      ins.Bind(7, it.name).Bind(8, it.added_from).Bind(9, it.added_at);
      ins.Bind(10, it.meta.source_url).Bind(11, it.meta.captured_at);
      ins.Bind(12, it.meta.title).Bind(13, it.meta.note);
      ins.Bind(14, it.info.dump()).Bind(15, it.object);
      ins.Bind(16, static_cast<int64_t>(it.object_offset));
      RETURN_IF_ERROR(ins.Run());
      if (n.text) {
        nlohmann::json anchors = nlohmann::json::array();
        for (const Anchor& a : n.text->anchors) {
          anchors.push_back({{"at", a.text_offset}, {"kind", a.kind}, {"value", a.value}});
        }
        txt.Reset().IgnoreError();
        txt.Bind(1, it.id).BindBlob(2, n.text_is_original ? std::string_view() : n.text->text);
        txt.BindBlob(3, n.text->map.Serialize()).Bind(4, anchors.dump());
        txt.Bind(5, static_cast<int64_t>(n.text_is_original ? 1 : 0));
        RETURN_IF_ERROR(txt.Run());
      }
      RETURN_IF_ERROR(put_blobs(it.id, n.blobs));
    }
    {
      ASSIGN_OR_RETURN(SqliteStmt upd, db->Prepare("UPDATE items SET info = ? WHERE id = ?"));
      for (const Reindexed& r : reindexed_) {
        upd.Reset().IgnoreError();
        upd.Bind(1, r.info.dump()).Bind(2, r.id);
        RETURN_IF_ERROR(upd.Run());
        RETURN_IF_ERROR(put_blobs(r.id, r.blobs));
      }
      ASSIGN_OR_RETURN(SqliteStmt drop, db->Prepare("DELETE FROM segments WHERE modality = ?"));
      for (const std::string& modality : dropped_modalities_) {
        drop.Reset().IgnoreError();
        drop.Bind(1, modality);
        RETURN_IF_ERROR(drop.Run());
      }
    }
    ASSIGN_OR_RETURN(
        SqliteStmt seg,
        db->Prepare("INSERT INTO segments(modality, file, postings, created_at) VALUES(?,?,?,?)"));
    for (const auto& [name, count] : new_segments) {
      seg.Reset().IgnoreError();
      seg.Bind(1, name.substr(0, name.find('/'))).Bind(2, name);
      seg.Bind(3, static_cast<int64_t>(count)).Bind(4, NowRfc3339());
      RETURN_IF_ERROR(seg.Run());
    }
    ASSIGN_OR_RETURN(
        SqliteStmt objs,
        db->Prepare("SELECT DISTINCT object FROM items WHERE id = ?1 OR parent_id = ?1"));
    ASSIGN_OR_RETURN(SqliteStmt del, db->Prepare("DELETE FROM items WHERE id = ?"));
    for (int64_t id : removals_) {
      objs.Reset().IgnoreError();
      objs.Bind(1, id);
      while (true) {
        ASSIGN_OR_RETURN(bool row, objs.Step());
        if (!row) break;
        removed_objects.insert(objs.ColumnText(0));
      }
      del.Reset().IgnoreError();
      del.Bind(1, id);
      RETURN_IF_ERROR(del.Run());
    }
    if (!items_.empty()) {
      // Older readers know neither packs nor texts kept in their originals.
      RETURN_IF_ERROR(db->Exec(StrCat("UPDATE meta SET value = '", kSchemaVersion,
                                      "' WHERE key = 'schema_version' AND "
                                      "CAST(value AS INTEGER) < ",
                                      kSchemaVersion)));
    }
    RETURN_IF_ERROR(BumpGeneration(db));
    return tx->Commit();
  }();
  if (!s.ok()) {
    cleanup();
    return s;
  }
  // Originals no item references any more can go now.
  if (!removed_objects.empty()) {
    ASSIGN_OR_RETURN(SqliteStmt used, db->Prepare("SELECT 1 FROM items WHERE object = ? LIMIT 1"));
    for (const std::string& object : removed_objects) {
      used.Reset().IgnoreError();
      used.Bind(1, object);
      ASSIGN_OR_RETURN(bool row, used.Step());
      if (!row) {
        RETURN_IF_ERROR(RemoveFile(archive_->ObjectPath(object)));
      } else if (IsPack(object)) {
        RETURN_IF_ERROR(Repack(object));
      }
    }
  }
  // A dropped index's files are referenced no more (killed before this,
  // the next writer's sweep removes them).
  for (const std::string& modality : dropped_modalities_) {
    std::string dir = JoinPath(JoinPath(archive_->dir_, "index"), modality);
    for (const std::string& f : ListDir(dir)) RETURN_IF_ERROR(RemoveFile(JoinPath(dir, f)));
    ::rmdir(dir.c_str());
  }
  items_.clear();
  removals_.clear();
  reindexed_.clear();
  reindexed_postings_.clear();
  dropped_modalities_.clear();
  staged_.clear();
  pending_bytes_ = 0;
  // Nothing is staged any more: drop the marker that makes the next writer sweep.
  ::rmdir(JoinPath(archive_->dir_, "objects/staging").c_str());
  staging_made_ = false;
  return absl::OkStatus();
}

absl::Status WriteBatch::Repack(const std::string& pack) {
  // The ranges items still use, merged (a container's parts lie inside it).
  struct Use {
    int64_t id;
    uint64_t offset, size;
  };
  std::vector<Use> uses;
  {
    ASSIGN_OR_RETURN(SqliteStmt q, archive_->db_->Prepare(
                                       "SELECT id, object_offset, size FROM items WHERE object = ? "
                                       "ORDER BY object_offset"));
    q.Bind(1, pack);
    while (true) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      uses.push_back({q.ColumnInt(0), static_cast<uint64_t>(q.ColumnInt(1)),
                      static_cast<uint64_t>(q.ColumnInt(2))});
    }
  }
  struct Range {
    uint64_t from, to, moved_to;
  };
  std::vector<Range> live;
  for (const Use& u : uses) {
    if (!live.empty() && u.offset <= live.back().to) {
      live.back().to = std::max(live.back().to, u.offset + u.size);
    } else {
      live.push_back({u.offset, u.offset + u.size, 0});
    }
  }
  if (live.empty()) return absl::OkStatus();
  const std::string old_path = archive_->ObjectPath(pack);
  ASSIGN_OR_RETURN(File in, File::OpenForRead(old_path));
  ASSIGN_OR_RETURN(uint64_t old_size, in.Size());
  uint64_t kept = 0;
  for (Range& r : live) {
    r.moved_to = kept;
    kept += r.to - r.from;
  }
  if (kept == old_size) return absl::OkStatus();
  // Written under a name nothing references, with the sweep marker in place:
  // killed here, the next writer deletes it and the old pack stays in use.
  RETURN_IF_ERROR(MakeStagingMarker());
  const std::string name = StrCat(kPackPrefix, UniqueName());
  const std::string new_path = archive_->ObjectPath(name);
  {
    ASSIGN_OR_RETURN(File out, File::Create(new_path, 0444));
    std::string& buf = copy_buffer_;
    buf.resize(1 << 20);
    for (const Range& r : live) {
      for (uint64_t at = r.from; at < r.to;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), r.to - at));
        ASSIGN_OR_RETURN(size_t n, in.ReadAt(buf.data(), want, at));
        if (n == 0) return absl::DataLossError(StrCat(old_path, ": shorter than the catalog says"));
        RETURN_IF_ERROR(out.WriteAll(std::string_view(buf.data(), n)));
        at += n;
      }
    }
    RETURN_IF_ERROR(out.Sync());
    RETURN_IF_ERROR(out.Close());
  }
  RETURN_IF_ERROR(SyncDir(JoinPath(archive_->dir_, "objects/packs")));
  SqliteDb* db = archive_->db_.get();
  RETURN_IF_ERROR(Publish(db, new_path, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStmt up,
                     db->Prepare("UPDATE items SET object = ?, object_offset = ? WHERE id = ?"));
    size_t r = 0;
    for (const Use& u : uses) {
      while (r + 1 < live.size() && u.offset >= live[r + 1].from) ++r;
      up.Reset().IgnoreError();
      up.Bind(1, name).Bind(2, static_cast<int64_t>(live[r].moved_to + (u.offset - live[r].from)));
      up.Bind(3, u.id);
      RETURN_IF_ERROR(up.Run());
    }
    return absl::OkStatus();
  }));
  return RemoveFile(old_path);
}

absl::Status WriteBatch::Compact() {
  SqliteDb* db = archive_->db_.get();
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db->Prepare("SELECT modality, file, postings FROM segments ORDER BY modality, id"));
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> by_modality;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    by_modality[s.ColumnText(0)].push_back({s.ColumnText(1), s.ColumnInt(2)});
  }
  {
    std::lock_guard<std::mutex> lock(archive_->mu_);
    RETURN_IF_ERROR(archive_->RefreshLive());
  }
  IndexManager* index = archive_->index_.get();
  for (auto& [modality, segs] : by_modality) {
    ASSIGN_OR_RETURN(std::optional<IndexManager::Merge> merge,
                     index->MergeNewest(modality, segs, UniqueName(),
                                        [&](uint32_t item) { return archive_->IsLive(item); }));
    if (!merge) continue;
    const std::string& name = merge->output;
    RETURN_IF_ERROR(Publish(db, index->PathOf(name), [&]() -> absl::Status {
      ASSIGN_OR_RETURN(SqliteStmt del, db->Prepare("DELETE FROM segments WHERE file = ?"));
      for (const std::string& n : merge->inputs) {
        del.Reset().IgnoreError();
        del.Bind(1, n);
        RETURN_IF_ERROR(del.Run());
      }
      ASSIGN_OR_RETURN(
          SqliteStmt ins,
          db->Prepare(
              "INSERT INTO segments(modality, file, postings, created_at) VALUES(?,?,?,?)"));
      ins.Bind(1, modality).Bind(2, name).Bind(3, static_cast<int64_t>(merge->postings));
      ins.Bind(4, NowRfc3339());
      return ins.Run();
    }));
    index->RemoveFiles(merge->inputs);
  }
  return absl::OkStatus();
}

}  // namespace uncut

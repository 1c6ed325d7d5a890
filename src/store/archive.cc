#include "store/archive.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "store/original.h"
#include "store/text_search_index.h"
#include "storage/text_search.h"

namespace uncut {
namespace {

// 2: small originals may live in packs (objects/packs/pack-*); a text that
//    is its original byte for byte is not stored twice (texts.in_original).
// 3: the text search index may be contentless (store/text_search_index.h),
// which older writers cannot delete from.
constexpr int kSchemaVersion = 3;
// Originals up to this size are packed (see Placement).
constexpr uint64_t kPackLimit = 16u << 20;
constexpr char kPackPrefix[] = "pack-";

// Settings live in the meta table under this prefix.
constexpr char kSettingPrefix[] = "setting.";

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
  in_original INTEGER NOT NULL DEFAULT 0,
  digest TEXT);
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

// The audit log (AuditEntry), append-only: the triggers refuse any change to
// an entry, through uncut or any other SQLite client that keeps them.
constexpr char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_log(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  client TEXT,
  action TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}');
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

absl::StatusOr<bool> HasTable(SqliteDb* db, const std::string& table) {
  ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT count(*) FROM sqlite_master WHERE "
                                             "type='table' AND name=?"));
  q.Bind(1, table);
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row && q.ColumnInt(0) > 0;
}

}  // namespace

namespace {

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

// What verify compares a stored text with: the SHA-256 of the text's length,
// the offset map's length, the text, the serialized offset map and the
// anchors' JSON, as they were when the item was added.
std::string TextDigest(std::string_view text, std::string_view map, std::string_view anchors) {
  // Hashed piece by piece: a long text is not copied to be hashed.
  Sha256 h;
  h.Update(StrCat(text.size(), ":", map.size(), ":"));
  h.Update(text);
  h.Update(map);
  h.Update(anchors);
  return h.FinishHex();
}

enum class CatalogFile { kMissing, kEmpty, kPresent };

CatalogFile InspectCatalog(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return CatalogFile::kMissing;
  return st.st_size == 0 ? CatalogFile::kEmpty : CatalogFile::kPresent;
}

// Whether a regular file lies anywhere under `dir`.
bool HoldsFiles(const std::string& dir) {
  bool any = false;
  if (!IsDirectory(dir)) return false;
  WalkFiles(dir, [&](const std::string&) { any = true; },
            [](const std::string&, const absl::Status&) {});
  return any;
}

// Why the process cannot write the archive (access(2) answers for
// read-only mounts too); empty when it can.
std::string NotWritable(const std::string& dir, const std::string& catalog) {
  for (const std::string& p : {dir, catalog, catalog + "-wal", catalog + "-shm"}) {
    if (::access(p.c_str(), W_OK) != 0 && errno != ENOENT) {
      return StrCat(p, ": ", std::strerror(errno));
    }
  }
  return "";
}

// The writer lock: an exclusive flock on ARCHIVE/lock, waited for.
absl::StatusOr<File> LockWriter(const std::string& dir) {
  std::string lock_path = JoinPath(dir, "lock");
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(lock_path, "cannot open lock file", errno);
  File lock(fd, lock_path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus(lock_path, "cannot lock", errno);
  }
  return lock;
}

// A catalog SQLite cannot read, as one line naming it.
absl::Status Damaged(const std::string& catalog, const absl::Status& s) {
  std::string why(s.message());
  size_t colon = why.rfind(": ");
  if (colon != std::string::npos) why = why.substr(colon + 2);
  return absl::DataLossError(StrCat(catalog, ": the catalog is damaged (", why, ")"));
}

absl::StatusOr<bool> HasSchema(SqliteDb* db) {
  ASSIGN_OR_RETURN(
      SqliteStmt q,
      db->Prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row && q.ColumnInt(0) > 0;
}

absl::StatusOr<bool> HasColumn(SqliteDb* db, const std::string& table, const std::string& column) {
  ASSIGN_OR_RETURN(SqliteStmt c,
                   db->Prepare(StrCat("SELECT count(*) FROM pragma_table_info('", table,
                                      "') WHERE name = '", column, "'")));
  ASSIGN_OR_RETURN(bool row, c.Step());
  return row && c.ColumnInt(0) > 0;
}

// An object's file, relative to the archive directory.
std::string ObjectRelPath(const std::string& object) {
  if (IsPack(object)) return StrCat("objects/packs/", object);
  return StrCat("objects/", object.substr(0, 2), "/", object);
}

bool IsHexSha(const std::string& s);

// Whether the catalog references the file at `rel` (relative to the
// archive): nullopt when `rel` is not a name the archive gives its files.
absl::StatusOr<std::optional<bool>> Referenced(SqliteDb* db, const std::string& rel) {
  if (rel.find("..") != std::string::npos) return std::optional<bool>();
  std::vector<std::string> parts = absl::StrSplit(rel, '/');
  std::string sql, key;
  if (parts.size() == 3 && parts[0] == "objects" && parts[1] == "packs" && IsPack(parts[2])) {
    sql = "SELECT 1 FROM items WHERE object = ? LIMIT 1";
    key = parts[2];
  } else if (parts.size() == 3 && parts[0] == "objects" && IsHexSha(parts[2]) &&
             parts[1] == parts[2].substr(0, 2)) {
    sql = "SELECT 1 FROM items WHERE object = ? LIMIT 1";
    key = parts[2];
  } else if (parts.size() == 3 && parts[0] == "index" && !parts[1].empty() && !parts[2].empty()) {
    sql = "SELECT 1 FROM segments WHERE file = ?";
    key = StrCat(parts[1], "/", parts[2]);
  } else {
    return std::optional<bool>();
  }
  ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare(sql));
  q.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, q.Step());
  return std::optional<bool>(row);
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
  if (PathExists(dir) && !IsDirectory(dir)) {
    return absl::FailedPreconditionError(StrCat(dir, ": not an archive directory"));
  }
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  a->index_ = std::make_unique<IndexManager>(JoinPath(dir, "index"));
  RETURN_IF_ERROR(a->OpenCatalog(mode));
  return a;
}

absl::Status Archive::OpenCatalog(Mode mode) {
  const std::string catalog = JoinPath(dir_, "catalog.sqlite");
  const CatalogFile state = InspectCatalog(catalog);
  if (state == CatalogFile::kPresent) {
    read_only_reason_ = NotWritable(dir_, catalog);
    absl::StatusOr<std::unique_ptr<SqliteDb>> db;
    if (read_only()) {
      db = SqliteDb::OpenReadOnly(catalog, false);
      // A cleanly closed WAL catalog has no -wal or -shm file, and where
      // the directory cannot be written SQLite cannot make them; with no
      // -wal there are no commits outside the main file, and no writer.
      struct stat wal;
      if (!db.ok() && (::stat((catalog + "-wal").c_str(), &wal) != 0 || wal.st_size == 0)) {
        db = SqliteDb::OpenReadOnly(catalog, true);
      }
    } else {
      db = SqliteDb::Open(catalog, false);
    }
    if (!db.ok()) {
      if (absl::IsDataLoss(db.status())) return Damaged(catalog, db.status());
      return db.status();
    }
    db_ = std::move(*db);
    auto has = HasSchema(db_.get());
    if (!has.ok()) {
      return absl::IsDataLoss(has.status()) ? Damaged(catalog, has.status()) : has.status();
    }
    if (*has) {
      if (!read_only()) {
        RETURN_IF_ERROR(MakeDirs(JoinPath(dir_, "objects")));
        RETURN_IF_ERROR(MakeDirs(JoinPath(dir_, "index")));
      }
      return EnsureSchema(false);
    }
    db_.reset();
  }
  // No catalog, an empty one or one without tables: a new archive (or one
  // being created by another process right now), unless it holds files.
  if (HoldsFiles(JoinPath(dir_, "objects")) || HoldsFiles(JoinPath(dir_, "index"))) {
    // Another first writer may have finished creating the catalog and
    // staged files since it was looked at: then it is an archive to open.
    if (InspectCatalog(catalog) == CatalogFile::kPresent) {
      auto db = SqliteDb::OpenReadOnly(catalog, false);
      if (db.ok() && HasSchema(db->get()).value_or(false)) {
        db->reset();
        return OpenCatalog(mode);
      }
    }
    const char* what = state == CatalogFile::kMissing ? "missing"
                       : state == CatalogFile::kEmpty ? "empty"
                                                      : "without tables";
    return absl::DataLossError(
        StrCat(catalog, ": the catalog is ", what, " but ", dir_,
               " holds originals or index files: the archive is damaged and was left as it is "
               "(restore the catalog from a backup)"));
  }
  if (mode == Mode::kReadOnly) {
    return absl::NotFoundError(
        StrCat(dir_, ": no archive here (add sources with `uncut add` to create it)"));
  }
  read_only_reason_.clear();
  return CreateCatalog();
}

absl::Status Archive::CreateCatalog() {
  RETURN_IF_ERROR(MakeDirs(dir_));
  // Two first writers at once: the writer lock makes one create the
  // catalog (file, WAL mode, tables) while the other waits, then finds it.
  ASSIGN_OR_RETURN(File lock, LockWriter(dir_));
  const std::string catalog = JoinPath(dir_, "catalog.sqlite");
  if (InspectCatalog(catalog) == CatalogFile::kPresent) {
    // The other writer made it while this one waited.
    auto db = SqliteDb::Open(catalog, false);
    if (!db.ok()) {
      return absl::IsDataLoss(db.status()) ? Damaged(catalog, db.status()) : db.status();
    }
    db_ = std::move(*db);
    ASSIGN_OR_RETURN(bool made, HasSchema(db_.get()));
    if (made) return EnsureSchema(false);
    db_.reset();
  }
  if (HoldsFiles(JoinPath(dir_, "objects")) || HoldsFiles(JoinPath(dir_, "index"))) {
    return absl::DataLossError(StrCat(catalog, ": the catalog is missing or empty but ", dir_,
                                      " holds originals or index files: the archive is damaged "
                                      "and was left as it is"));
  }
  auto db = SqliteDb::Open(catalog, true);
  if (!db.ok()) {
    return absl::IsDataLoss(db.status()) ? Damaged(catalog, db.status()) : db.status();
  }
  db_ = std::move(*db);
  RETURN_IF_ERROR(EnsureSchema(true));
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir_, "objects")));
  return MakeDirs(JoinPath(dir_, "index"));
}

absl::Status Archive::EnsureSchema(bool create) {
  ASSIGN_OR_RETURN(bool exists, HasSchema(db_.get()));
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
    if (read_only()) return absl::OkStatus();
    if (version < 2) {
      // Catalogs made before texts could live in their originals gain the
      // column (all their texts are stored whole, so 0 is right for them).
      ASSIGN_OR_RETURN(bool has_in_original, HasColumn(db_.get(), "texts", "in_original"));
      if (!has_in_original) {
        RETURN_IF_ERROR(db_->Exec(
            "ALTER TABLE texts ADD COLUMN in_original INTEGER NOT NULL DEFAULT 0"));
      }
    }
    // Texts stored before their digests were kept have none (NULL): verify
    // says it cannot check them.
    ASSIGN_OR_RETURN(bool has_digest, HasColumn(db_.get(), "texts", "digest"));
    if (!has_digest) {
      ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
      ASSIGN_OR_RETURN(has_digest, HasColumn(db_.get(), "texts", "digest"));
      if (!has_digest) RETURN_IF_ERROR(db_->Exec("ALTER TABLE texts ADD COLUMN digest TEXT"));
      RETURN_IF_ERROR(tx->Commit());
    }
    // Catalogs made before the audit log was kept gain it (empty: what
    // happened before is not known).
    ASSIGN_OR_RETURN(bool has_log, HasTable(db_.get(), "audit_log"));
    if (!has_log) {
      ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
      RETURN_IF_ERROR(db_->Exec(kAuditSchema));
      RETURN_IF_ERROR(tx->Commit());
    }
    return EnsureTextSearchIndex(db_.get());
  }
  if (!create) return absl::DataLossError(StrCat(db_->path(), ": catalog is empty"));
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  RETURN_IF_ERROR(db_->Exec(kSchema));
  RETURN_IF_ERROR(db_->Exec(kAuditSchema));
  RETURN_IF_ERROR(
      db_->Exec(StrCat("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '",
                       kSchemaVersion, "'), ('generation', '0')")));
  RETURN_IF_ERROR(CreateTextSearchIndex(db_.get(), /*complete=*/true));
  return tx->Commit();
}

std::string Archive::ObjectPath(const std::string& object) const {
  if (IsPack(object)) return JoinPath(JoinPath(JoinPath(dir_, "objects"), "packs"), object);
  return JoinPath(JoinPath(JoinPath(dir_, "objects"), object.substr(0, 2)), object);
}

absl::StatusOr<Original> Archive::OpenOriginal(const Item& item) {
  std::string path = ObjectPath(item.object);
  Original original;
  if (item.object == item.sha256 && item.object_offset == 0) {
    original = Original::WholeFile(std::move(path));
  } else {
    ASSIGN_OR_RETURN(original, Original::FileRange(std::move(path), item.object_offset,
                                                   item.size, item.name));
  }
  // Mapped once, hashed from the mapping (once per process and state of the
  // file: one stat after that), and the caller reads the same mapping.
  ASSIGN_OR_RETURN(std::string_view bytes, original.Bytes());
  RETURN_IF_ERROR(CheckOriginalBytes(this, item, bytes));
  return original;
}

absl::StatusOr<std::vector<Item>> Archive::ListItems() {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(StrCat("SELECT ", kItemColumns, " FROM items ORDER BY id")));
  return ReadItems(s);
}

absl::StatusOr<std::vector<AuditEntry>> Archive::AuditLog() {
  std::vector<AuditEntry> out;
  ASSIGN_OR_RETURN(bool has_log, HasTable(db_.get(), "audit_log"));
  if (!has_log) return out;
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT seq, at, actor, client, action, details "
                                              "FROM audit_log ORDER BY seq"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    AuditEntry e;
    e.seq = s.ColumnInt(0);
    e.at = s.ColumnText(1);
    e.actor = s.ColumnText(2);
    if (!s.ColumnIsNull(3)) e.client = s.ColumnText(3);
    e.action = s.ColumnText(4);
    e.details = nlohmann::json::parse(s.ColumnText(5), nullptr, false);
    if (e.details.is_discarded()) e.details = nlohmann::json::object();
    out.push_back(std::move(e));
  }
  return out;
}

absl::Status Archive::RecordAction(std::string action, nlohmann::json details) {
  ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, BeginWrite());
  batch->Record(std::move(action), std::move(details));
  return batch->Commit();
}

absl::StatusOr<std::map<std::string, std::string>> Archive::Settings() {
  std::map<std::string, std::string> out;
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT key, value FROM meta WHERE key >= ? AND "
                                              "key < ? ORDER BY key"));
  s.Bind(1, std::string(kSettingPrefix)).Bind(2, StrCat(kSettingPrefix, "\x7f"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.ColumnText(0).substr(std::strlen(kSettingPrefix))] = s.ColumnText(1);
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> Archive::Setting(const std::string& name) {
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT value FROM meta WHERE key = ?"));
  s.Bind(1, StrCat(kSettingPrefix, name));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnText(0));
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

absl::StatusOr<std::vector<Item>> Archive::ListTranscripts() {
  // The details are JSON text: only rows naming "transcript" are read into
  // items, then checked as the default does.
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare(StrCat("SELECT ", kItemColumns,
                                                     " FROM items WHERE instr(info, '\"transcript\"') > 0 "
                                                     "ORDER BY id")));
  ASSIGN_OR_RETURN(std::vector<Item> items, ReadItems(s));
  std::erase_if(items, [](const Item& it) { return !IsTranscriptItem(it); });
  return items;
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
    // The text is the original's bytes (UTF-8 plain text): read them there,
    // checked against the item's SHA-256 like any other read of an original.
    ASSIGN_OR_RETURN(Item item, GetItem(item_id));
    if (item.size > 0) {
      ASSIGN_OR_RETURN(MappedOriginal original, MappedOriginal::Open(this, item));
      out.text.text = std::string(original.data());
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

absl::StatusOr<std::vector<TextHit>> Archive::SearchText(const std::string& query,
                                                         size_t limit) {
  ASSIGN_OR_RETURN(bool indexed, TextSearchIndexComplete(db_.get()));
  if (!indexed) return CatalogReader::SearchText(query, limit);
  std::vector<std::string> terms = SearchTerms(query);
  ASSIGN_OR_RETURN(auto ranked, QueryTextSearchIndex(db_.get(), terms, limit));
  std::vector<TextHit> hits;
  for (const auto& [id, score] : ranked) {
    ASSIGN_OR_RETURN(StoredText text, LoadText(id));
    hits.push_back({id, score, MakeSnippet(text.text.text, terms)});
  }
  return hits;
}

absl::StatusOr<size_t> Archive::IndexTextsForSearch() {
  if (read_only()) return absl::FailedPreconditionError(read_only_reason_);
  ASSIGN_OR_RETURN(bool indexed, TextSearchIndexComplete(db_.get()));
  if (indexed) return 0;
  ASSIGN_OR_RETURN(std::vector<int64_t> missing, TextsNotInSearchIndex(db_.get()));
  for (int64_t id : missing) {
    auto text = LoadText(id);
    if (absl::IsNotFound(text.status())) continue;  // removed meanwhile
    if (!text.ok()) return text.status();
    ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    RETURN_IF_ERROR(IndexTextForSearch(db_.get(), id, text->text.text));
    RETURN_IF_ERROR(tx->Commit());
  }
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(std::vector<int64_t> left, TextsNotInSearchIndex(db_.get()));
  if (left.empty()) RETURN_IF_ERROR(MarkTextSearchIndexComplete(db_.get()));
  RETURN_IF_ERROR(tx->Commit());
  return missing.size();
}

absl::StatusOr<bool> Archive::MakeTextSearchContentless() {
  if (read_only()) return absl::FailedPreconditionError(read_only_reason_);
  ASSIGN_OR_RETURN(bool made, uncut::MakeTextSearchContentless(db_.get()));
  if (made) {
    RETURN_IF_ERROR(db_->Exec(StrCat("UPDATE meta SET value = '", kSchemaVersion,
                                     "' WHERE key = 'schema_version' AND "
                                     "CAST(value AS INTEGER) < ",
                                     kSchemaVersion)));
  }
  return made;
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

absl::StatusOr<std::vector<std::string>> Archive::BlobNames(int64_t item_id) {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("SELECT name FROM blobs WHERE item_id = ? ORDER BY name"));
  s.Bind(1, item_id);
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.ColumnText(0));
  }
  return out;
}

absl::Status Archive::ForEachPosting(Modality modality,
                                     const std::function<bool(const Posting&)>& fn) {
  std::vector<std::shared_ptr<SegmentReader>> segments;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(RefreshSegments(std::string(ModalityName(modality))));
    segments = index_->Segments(std::string(ModalityName(modality)));
  }
  bool more = true;
  for (const auto& segment : segments) {
    if (!more) break;
    segment->ForEach([&](const Posting& p) { return more = fn(p); });
  }
  return absl::OkStatus();
}

absl::Status Archive::RefreshSegments(const std::string& modality) {
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
  }, modality);
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
  RETURN_IF_ERROR(RefreshSegments(modality));
  RETURN_IF_ERROR(RefreshLive());
  index_->Lookup(modality, keys, max_per_key, [&](uint32_t item) { return IsLive(item); }, out);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Archive::PostingCount(const std::string& modality) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(RefreshSegments(modality));
  return index_->PostingCount(modality);
}

absl::StatusOr<std::unique_ptr<WriteBatch>> Archive::BeginWrite() {
  if (read_only()) {
    return absl::FailedPreconditionError(
        StrCat(dir_, ": the archive is read-only (", read_only_reason_, ")"));
  }
  std::unique_ptr<WriteBatch> b(new WriteBatch(this));
  b->actor_ = CurrentUserName();
  ASSIGN_OR_RETURN(File lock, LockWriter(dir_));
  struct stat st;
  if (::fstat(lock.fd(), &st) == 0 && st.st_nlink == 0) {
    return absl::UnavailableError(
        StrCat(dir_, ": the archive was removed while this writer waited for it"));
  }
  b->lock_ = std::move(lock);
  RETURN_IF_ERROR(b->Sweep());
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT coalesce((SELECT seq FROM "
                                              "sqlite_sequence WHERE name='items'), 0)"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  b->next_id_ = (row ? s.ColumnInt(0) : 0) + 1;
  return b;
}

absl::StatusOr<std::vector<Archive::VerifyProblem>> Archive::Verify(
    const std::function<void(size_t, size_t)>& progress, VerifySummary* summary) {
  VerifySummary local;
  if (!summary) summary = &local;
  *summary = VerifySummary();
  std::vector<VerifyProblem> problems;
  // Every page, index and constraint of the catalog (quick_check skips
  // index contents).
  {
    auto check = db_->Check(/*full=*/true);
    if (!check.ok()) {
      problems.push_back({db_->path(), std::string(check.status().message())});
      return problems;
    }
    if (!(check->size() == 1 && (*check)[0] == "ok")) {
      for (const std::string& line : *check) problems.push_back({db_->path(), line});
    }
  }
  auto listed = ListItems();
  if (!listed.ok()) {
    problems.push_back({db_->path(), std::string(listed.status().message())});
    return problems;
  }
  const std::vector<Item>& items = *listed;
  summary->items = items.size();
  std::map<int64_t, const Item*> by_id;
  for (const Item& it : items) by_id[it.id] = &it;
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
  // Stored texts, offset maps and anchors against their digests.
  {
    ASSIGN_OR_RETURN(bool has_digest, HasColumn(db_.get(), "texts", "digest"));
    ASSIGN_OR_RETURN(SqliteStmt t,
                     db_->Prepare(StrCat("SELECT item_id, text, offset_map, anchors, in_original, ",
                                         has_digest ? "digest" : "NULL", " FROM texts")));
    while (true) {
      auto row = t.Step();
      if (!row.ok()) {
        problems.push_back({db_->path(), std::string(row.status().message())});
        break;
      }
      if (!*row) break;
      const int64_t id = t.ColumnInt(0);
      auto it = by_id.find(id);
      std::string ref = it == by_id.end() ? StrCat("text of item ", id)
                                          : StrCat("item ", id, " (", it->second->name, ")");
      if (it == by_id.end()) {
        problems.push_back({ref, "text stored for an item the catalog does not hold"});
        continue;
      }
      if (t.ColumnIsNull(5)) {
        ++summary->texts_without_digest;
        continue;
      }
      std::string text;
      if (t.ColumnInt(4) != 0) {
        const Item& item = *it->second;
        auto f = File::OpenForRead(ObjectPath(item.object));
        text.resize(item.size);
        auto n = f.ok() ? f->ReadAt(text.data(), item.size, item.object_offset)
                        : absl::StatusOr<size_t>(f.status());
        if (!n.ok() || *n != item.size) {
          problems.push_back({ref, "its text (its original's bytes) cannot be read"});
          continue;
        }
      } else {
        text = std::string(t.ColumnBlob(1));
      }
      ++summary->texts_checked;
      if (TextDigest(text, t.ColumnBlob(2), t.ColumnText(3)) != t.ColumnText(5)) {
        problems.push_back({ref, "extracted text or its offset map differs from what was stored "
                                 "when it was added"});
      }
    }
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
  // Every file under objects/ and index/ must be something the catalog
  // uses. The directories are listed before the catalog is read, so a file
  // a writer publishes meanwhile is found referenced. What a writer named in
  // its journal is not damage: staged by a running writer, or left by one
  // that was interrupted, for the next writer to delete.
  std::vector<std::string> files;
  for (const char* top : {"objects", "index"}) {
    const std::string root = JoinPath(dir_, top);
    for (const std::string& sub : ListDir(root)) {
      const std::string d = JoinPath(root, sub);
      if (!IsDirectory(d)) {
        files.push_back(StrCat(top, "/", sub));
        continue;
      }
      for (const std::string& f : ListDir(d)) files.push_back(StrCat(top, "/", sub, "/", f));
    }
  }
  summary->files = files.size();
  std::set<std::string> in_progress;
  bool writing = false;
  {
    int fd = ::open(JoinPath(dir_, "lock").c_str(), O_RDONLY | O_CLOEXEC);
    writing = fd >= 0 && ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    if (fd >= 0) ::close(fd);
    {
      auto journal = ReadFileToString(JoinPath(dir_, "objects/staging/journal"));
      if (journal.ok()) {
        for (const std::string& line : std::vector<std::string>(absl::StrSplit(*journal, '\n'))) {
          in_progress.insert(std::string(line));
          in_progress.insert(StrCat(line, ".tmp"));
        }
      }
    }
  }
  for (const std::string& rel : files) {
    const bool staging = rel.rfind("objects/staging/", 0) == 0;
    if (in_progress.count(rel) || staging) {
      if (!writing && rel != "objects/staging/journal") summary->left_by_writer.push_back(rel);
      continue;
    }
    auto used = Referenced(db_.get(), rel);
    if (!used.ok()) {
      problems.push_back({rel, std::string(used.status().message())});
    } else if (!used->has_value()) {
      problems.push_back({rel, "not a file the archive makes, and not referenced by the catalog"});
    } else if (!**used) {
      problems.push_back({rel, "not referenced by the catalog"});
    }
  }
  return problems;
}

WriteBatch::~WriteBatch() {
  // Staged objects that were never published are swept now; if the process
  // dies instead, the next writer finds the staging journal and sweeps.
  pack_ = File();
  if (!staged_.empty() || !items_.empty() || !pack_name_.empty() || journal_.fd() >= 0) {
    Sweep().IgnoreError();
  }
  // lock_, released as the members go, outlives the sweep.
}

absl::Status WriteBatch::Sweep() {
  // Deletes what a writer that did not commit left: the temporary files in
  // objects/staging, and the files its journal names that the catalog does
  // not reference. Nothing else is ever deleted here, and nothing at all
  // unless the catalog passes SQLite's quick check. We hold the writer
  // lock, so no one else is staging now.
  const std::string& root = archive_->dir_;
  const std::string staging = JoinPath(root, "objects/staging");
  journal_ = File();
  if (!IsDirectory(staging)) return absl::OkStatus();
  SqliteDb* db = archive_->db_.get();
  const std::string journal_path = JoinPath(staging, "journal");
  auto journal = ReadFileToString(journal_path);
  if (journal.ok() && !journal->empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string> check, db->Check(/*full=*/false, 1));
    if (!(check.size() == 1 && check[0] == "ok")) {
      return absl::DataLossError(
          StrCat(db->path(), ": the catalog fails SQLite's quick check (",
                 check.empty() ? "no answer" : check[0],
                 "); nothing was cleaned up: run `uncut verify`"));
    }
    for (const std::string& line :
         std::vector<std::string>(absl::StrSplit(*journal, '\n', absl::SkipEmpty()))) {
      const std::string rel(line);
      ASSIGN_OR_RETURN(std::optional<bool> used, Referenced(db, rel));
      if (!used.has_value() || *used) continue;
      RETURN_IF_ERROR(RemoveFile(JoinPath(root, rel)));
      // A segment being written lives under its name plus ".tmp".
      if (rel.rfind("index/", 0) == 0) RETURN_IF_ERROR(RemoveFile(JoinPath(root, rel + ".tmp")));
    }
  }
  // Copies in progress: staging holds nothing else.
  for (const std::string& f : ListDir(staging)) {
    if (f != "journal") RETURN_IF_ERROR(RemoveFile(JoinPath(staging, f)));
  }
  RETURN_IF_ERROR(RemoveFile(journal_path));
  ::rmdir(staging.c_str());
  staging_made_ = false;
  return absl::OkStatus();
}

absl::Status WriteBatch::Journal(const std::vector<std::string>& rel_paths) {
  if (rel_paths.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(MakeStagingMarker());
  if (journal_.fd() < 0) {
    const std::string staging = JoinPath(archive_->dir_, "objects/staging");
    const std::string path = JoinPath(staging, "journal");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
    journal_ = File(fd, path);
    // The journal's own name must outlive a power cut as well.
    RETURN_IF_ERROR(SyncDir(staging));
  }
  std::string lines;
  for (const std::string& rel : rel_paths) StrAppend(&lines, rel, "\n");
  RETURN_IF_ERROR(journal_.WriteAll(lines));
  return journal_.Sync();
}

absl::Status WriteBatch::SettleJournal() {
  const std::string staging = JoinPath(archive_->dir_, "objects/staging");
  const std::string journal_path = JoinPath(staging, "journal");
  journal_ = File();
  std::string keep;
  auto journal = ReadFileToString(journal_path);
  if (journal.ok()) {
    SqliteDb* db = archive_->db_.get();
    for (const std::string& line :
         std::vector<std::string>(absl::StrSplit(*journal, '\n', absl::SkipEmpty()))) {
      const std::string rel(line);
      if (!PathExists(JoinPath(archive_->dir_, rel))) continue;
      ASSIGN_OR_RETURN(std::optional<bool> used, Referenced(db, rel));
      if (used.has_value() && *used) continue;
      StrAppend(&keep, rel, "\n");
    }
  }
  if (!keep.empty()) {
    // Staged and not used yet (a later commit of this batch may): the next
    // sweep decides.
    return WriteFileAtomic(journal_path, keep);
  }
  RETURN_IF_ERROR(RemoveFile(journal_path));
  // Nothing is staged any more: drop the marker that makes the next writer sweep.
  for (const std::string& f : ListDir(staging)) {
    if (f != "journal") return absl::OkStatus();
  }
  ::rmdir(staging.c_str());
  staging_made_ = false;
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
    RETURN_IF_ERROR(MakeDirs(JoinPath(archive_->dir_, "objects/packs")));
    std::string name = StrCat(kPackPrefix, UniqueName());
    RETURN_IF_ERROR(Journal(ObjectRelPath(name)));
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

// Moves a file written at `tmp`, whose SHA-256 *out holds, to its place in
// the object store (journaled, so a failed batch removes it); an object
// already stored is kept and `tmp` removed.
absl::Status WriteBatch::PlaceObject(const std::string& tmp, StagedObject* out) {
  out->object = out->sha256;
  out->path = archive_->ObjectPath(out->sha256);
  if (PathExists(out->path)) {
    out->existed = true;
    return RemoveFile(tmp);
  }
  absl::Status moved = MakeDirs(out->path.substr(0, out->path.find_last_of('/')));
  if (moved.ok()) moved = Journal(ObjectRelPath(out->sha256));
  if (moved.ok()) moved = RenameFile(tmp, out->path);
  if (!moved.ok()) {
    RemoveFile(tmp).IgnoreError();
    return moved;
  }
  staged_.insert(out->sha256);
  return absl::OkStatus();
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
  RETURN_IF_ERROR(PlaceObject(tmp, &out));
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
    if (w.ok()) w = Journal(ObjectRelPath(out.sha256));
    if (w.ok()) w = RenameFile(tmp, out.path);
    if (!w.ok()) {
      RemoveFile(tmp).IgnoreError();
      return w;
    }
  }
  staged_.insert(out.sha256);
  return out;
}

absl::StatusOr<StagedObject> WriteBatch::StageStream(
    const std::function<absl::Status(const StreamSink&)>& produce, Placement placement) {
  StagedObject out;
  Sha256 h;
  // Small bytes wait in memory for the pack; from kPackLimit on (or at
  // once, for a file of their own) they go to a staging file.
  std::string held;
  std::string tmp;
  File f;
  const auto open_file = [&]() -> absl::Status {
    RETURN_IF_ERROR(MakeStagingMarker());
    tmp = JoinPath(JoinPath(archive_->dir_, "objects/staging"), UniqueName());
    ASSIGN_OR_RETURN(f, File::Create(tmp, 0444));
    RETURN_IF_ERROR(f.WriteAll(held));
    held.clear();
    held.shrink_to_fit();
    return absl::OkStatus();
  };
  absl::Status s = produce([&](std::string_view piece) -> absl::Status {
    h.Update(piece);
    out.size += piece.size();
    if (tmp.empty() && (placement == Placement::kOwnFile || held.size() + piece.size() > kPackLimit)) {
      RETURN_IF_ERROR(open_file());
    }
    if (tmp.empty()) {
      held.append(piece);
      return absl::OkStatus();
    }
    return f.WriteAll(piece);
  });
  if (s.ok() && tmp.empty() && placement == Placement::kOwnFile) s = open_file();  // empty bytes
  if (s.ok() && !tmp.empty()) s = f.Close();
  if (!s.ok()) {
    if (!tmp.empty()) RemoveFile(tmp).IgnoreError();
    return s;
  }
  out.sha256 = h.FinishHex();
  if (tmp.empty()) {
    out.contents = std::move(held);
    RETURN_IF_ERROR(Pack(out.contents, &out));
    return out;
  }
  RETURN_IF_ERROR(PlaceObject(tmp, &out));
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
  if (item.search_form) pending_bytes_ += item.search_form->size();
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
    if (n.search_form) pending_bytes_ -= std::min<uint64_t>(pending_bytes_, n.search_form->size());
    if (item.text) pending_bytes_ += item.text->text.size();
    if (item.search_form) pending_bytes_ += item.search_form->size();
    for (const auto& [m, p] : item.postings) pending_bytes_ += p.size() * sizeof(Posting) / 4;
    n = std::move(item);
    return absl::OkStatus();
  }
  return absl::InternalError(StrCat("no queued item ", item.item.id, " to replace"));
}

absl::Status WriteBatch::AddBlob(int64_t id, std::string name, std::string data) {
  for (NewItem& n : items_) {
    if (n.item.id != id) continue;
    pending_bytes_ += data.size();
    n.blobs[std::move(name)] = std::move(data);
    return absl::OkStatus();
  }
  return absl::InternalError(StrCat("no queued item ", id, " to add a blob to"));
}

void WriteBatch::SetSetting(std::string name, std::optional<std::string> value) {
  settings_[std::move(name)] = std::move(value);
}

void WriteBatch::ImportAuditEntry(AuditEntry entry) {
  if (entry.actor.empty()) entry.actor = "unknown";
  recorded_.push_back(std::move(entry));
}

void WriteBatch::Record(std::string action, nlohmann::json details) {
  recorded_.push_back({.at = NowRfc3339(), .actor = actor_, .client = client_,
                       .action = std::move(action), .details = std::move(details)});
}

absl::Status WriteBatch::RemoveItem(int64_t id) {
  removals_.push_back(id);
  return absl::OkStatus();
}

absl::Status WriteBatch::UnindexRemovedTexts() {
  SqliteDb* db = archive_->db_.get();
  for (int64_t removed : removals_) {
    ASSIGN_OR_RETURN(std::vector<int64_t> rows, TextSearchRowsUnder(db, removed));
    for (int64_t id : rows) {
      // The row goes with the search form it was indexed with, which the
      // item's text gives again. When it cannot (the text is unreadable, or
      // the folding changed since), the index starts anew, and searches
      // read every text until `uncut upgrade` refills it.
      absl::StatusOr<StoredText> text = archive_->LoadText(id);
      absl::Status s = text.status();
      if (text.ok()) s = DeleteFromTextSearch(db, id, SearchForm(text->text.text));
      if (s.ok()) continue;
      if (text.ok() && !absl::IsFailedPrecondition(s)) return s;
      return ResetTextSearchIndex(db);
    }
  }
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
  if (items_.empty() && removals_.empty() && reindexed_.empty() && dropped_modalities_.empty() &&
      recorded_.empty() && settings_.empty()) {
    return absl::OkStatus();
  }
  SqliteDb* db = archive_->db_.get();
  // Segment files first (under names no one references yet), then the
  // catalog transaction that makes items and segments visible together.
  std::map<std::string, std::vector<Posting>> merged;
  std::map<std::string, size_t> total;
  for (const NewItem& n : items_) {
    for (const auto& [modality, postings] : n.postings) total[modality] += postings.size();
  }
  for (NewItem& n : items_) {
    for (auto& [modality, postings] : n.postings) {
      auto& dst = merged[modality];
      if (dst.empty() && postings.size() == total[modality]) {
        dst = std::move(postings);  // the only item with postings here: no copy
      } else {
        if (dst.capacity() < total[modality]) dst.reserve(total[modality]);
        dst.insert(dst.end(), postings.begin(), postings.end());
      }
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
  std::vector<std::string> dropped_segments;
  auto cleanup = [&] {
    for (const std::string& f : written) RemoveFile(f).IgnoreError();
  };
  // Make every staged original durable before anything references it.
  RETURN_IF_ERROR(SyncFileSystem(JoinPath(archive_->dir_, "objects")));
  for (auto& [modality, postings] : merged) {
    if (postings.empty()) continue;
    auto name = archive_->index_->WriteNew(
        modality, UniqueName(), &postings,
        [&](const std::string& file) { return Journal(StrCat("index/", file)); });
    if (!name.ok()) {
      cleanup();
      return name.status();
    }
    written.push_back(archive_->index_->PathOf(*name));
    new_segments.push_back({*name, postings.size()});
  }
  std::vector<std::string> to_delete;
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
        db->Prepare("INSERT INTO texts(item_id, text, offset_map, anchors, in_original, digest) "
                    "VALUES(?,?,?,?,?,?)"));
    ASSIGN_OR_RETURN(TextSearchWriter search, TextSearchWriter::Prepare(db));
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
        const std::string map = n.text->map.Serialize();
        const std::string anchors_json = anchors.dump();
        txt.Bind(1, it.id).BindBlob(2, n.text_is_original ? std::string_view() : n.text->text);
        txt.BindBlob(3, map).Bind(4, anchors_json);
        txt.Bind(5, static_cast<int64_t>(n.text_is_original ? 1 : 0));
        txt.Bind(6, TextDigest(n.text->text, map, anchors_json));
        RETURN_IF_ERROR(txt.Run());
        RETURN_IF_ERROR(search.Index(
            it.id, n.search_form ? std::string_view(*n.search_form) : SearchForm(n.text->text)));
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
      ASSIGN_OR_RETURN(SqliteStmt files,
                       db->Prepare("SELECT file FROM segments WHERE modality = ?"));
      for (const std::string& modality : dropped_modalities_) {
        // Deleted after the commit: journaled first, so that a writer
        // killed in between leaves them to the next sweep.
        files.Reset().IgnoreError();
        files.Bind(1, modality);
        while (true) {
          ASSIGN_OR_RETURN(bool row, files.Step());
          if (!row) break;
          dropped_segments.push_back(files.ColumnText(0));
          to_delete.push_back(StrCat("index/", dropped_segments.back()));
        }
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
    // The audit entries of this commit, written with it.
    std::vector<AuditEntry> entries = recorded_;
    if (!items_.empty()) {
      nlohmann::json added = nlohmann::json::array();
      for (const NewItem& n : items_) {
        if (!n.item.parent_id) added.push_back(AuditItem(n.item));
      }
      entries.push_back({.action = "add",
                         .details = {{"items", added},
                                     {"count", added.size()},
                                     {"with_parts", items_.size()}}});
    }
    if (!reindexed_.empty() || !dropped_modalities_.empty()) {
      nlohmann::json ids = nlohmann::json::array();
      for (const Reindexed& r : reindexed_) ids.push_back(r.id);
      entries.push_back({.action = "upgrade",
                         .details = {{"reindexed", ids},
                                     {"count", ids.size()},
                                     {"dropped_indexes", dropped_modalities_}}});
    }
    if (!removals_.empty()) {
      nlohmann::json removed = nlohmann::json::array();
      ASSIGN_OR_RETURN(SqliteStmt what, db->Prepare(StrCat("SELECT ", kItemColumns,
                                                           " FROM items WHERE id = ?")));
      for (int64_t id : removals_) {
        what.Reset().IgnoreError();
        what.Bind(1, id);
        ASSIGN_OR_RETURN(bool row, what.Step());
        if (row) removed.push_back(AuditItem(ReadItem(what)));
      }
      entries.push_back(
          {.action = "remove", .details = {{"items", removed}, {"count", removed.size()}}});
    }
    {
      ASSIGN_OR_RETURN(SqliteStmt old, db->Prepare("SELECT value FROM meta WHERE key = ?"));
      ASSIGN_OR_RETURN(SqliteStmt put, db->Prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                                   "ON CONFLICT(key) DO UPDATE SET value = "
                                                   "excluded.value"));
      ASSIGN_OR_RETURN(SqliteStmt unset, db->Prepare("DELETE FROM meta WHERE key = ?"));
      for (const auto& [name, value] : settings_) {
        const std::string key = StrCat(kSettingPrefix, name);
        old.Reset().IgnoreError();
        old.Bind(1, key);
        ASSIGN_OR_RETURN(bool had, old.Step());
        nlohmann::json details = {{"setting", name},
                                  {"old", had ? nlohmann::json(old.ColumnText(0)) : nullptr},
                                  {"new", value ? nlohmann::json(*value) : nullptr}};
        if (value) {
          put.Reset().IgnoreError();
          put.Bind(1, key).Bind(2, *value);
          RETURN_IF_ERROR(put.Run());
        } else {
          unset.Reset().IgnoreError();
          unset.Bind(1, key);
          RETURN_IF_ERROR(unset.Run());
        }
        entries.push_back({.action = "config", .details = std::move(details)});
      }
    }
    ASSIGN_OR_RETURN(SqliteStmt log, db->Prepare("INSERT INTO audit_log(at, actor, client, action, "
                                                 "details) VALUES(?,?,?,?,?)"));
    for (const AuditEntry& e : entries) {
      log.Reset().IgnoreError();
      log.Bind(1, e.at.empty() ? NowRfc3339() : e.at).Bind(2, e.actor.empty() ? actor_ : e.actor);
      const std::string& client = e.actor.empty() ? client_ : e.client;
      if (client.empty()) {
        log.BindNull(3);
      } else {
        log.Bind(3, client);
      }
      log.Bind(4, e.action).Bind(5, e.details.dump());
      RETURN_IF_ERROR(log.Run());
    }
    ASSIGN_OR_RETURN(
        SqliteStmt objs,
        db->Prepare("SELECT DISTINCT object FROM items WHERE id = ?1 OR parent_id = ?1"));
    ASSIGN_OR_RETURN(SqliteStmt del, db->Prepare("DELETE FROM items WHERE id = ?"));
    ASSIGN_OR_RETURN(const bool contentless_search, TextSearchIsContentless(db));
    if (contentless_search && !removals_.empty()) RETURN_IF_ERROR(UnindexRemovedTexts());
    for (int64_t id : removals_) {
      objs.Reset().IgnoreError();
      objs.Bind(1, id);
      while (true) {
        ASSIGN_OR_RETURN(bool row, objs.Step());
        if (!row) break;
        removed_objects.insert(objs.ColumnText(0));
        to_delete.push_back(ObjectRelPath(objs.ColumnText(0)));
      }
      del.Reset().IgnoreError();
      del.Bind(1, id);
      RETURN_IF_ERROR(del.Run());
    }
    if (!contentless_search && !removals_.empty()) {
      RETURN_IF_ERROR(DropRemovedFromTextSearch(db));
    }
    if (!items_.empty()) {
      // Older readers know neither packs nor texts kept in their originals.
      RETURN_IF_ERROR(db->Exec(StrCat("UPDATE meta SET value = '", kSchemaVersion,
                                      "' WHERE key = 'schema_version' AND "
                                      "CAST(value AS INTEGER) < ",
                                      kSchemaVersion)));
    }
    // Files the commit stops referencing, on disk before it: deleted after
    // it, or by the next sweep if this writer dies in between.
    RETURN_IF_ERROR(Journal(to_delete));
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
  for (const std::string& file : dropped_segments) {
    RETURN_IF_ERROR(RemoveFile(JoinPath(JoinPath(archive_->dir_, "index"), file)));
  }
  for (const std::string& modality : dropped_modalities_) {
    ::rmdir(JoinPath(JoinPath(archive_->dir_, "index"), modality).c_str());
  }
  items_.clear();
  removals_.clear();
  reindexed_.clear();
  reindexed_postings_.clear();
  dropped_modalities_.clear();
  recorded_.clear();
  settings_.clear();
  staged_.clear();
  pending_bytes_ = 0;
  return SettleJournal();
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
  const std::string name = StrCat(kPackPrefix, UniqueName());
  const std::string new_path = archive_->ObjectPath(name);
  RETURN_IF_ERROR(Journal({ObjectRelPath(name), ObjectRelPath(pack)}));
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

absl::Status WriteBatch::Compact() { return CompactSegments(false).status(); }

absl::StatusOr<size_t> WriteBatch::RewriteOlderSegments() { return CompactSegments(true); }

absl::StatusOr<size_t> WriteBatch::CompactSegments(bool rewrite_older_formats) {
  size_t merged = 0;
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
    ASSIGN_OR_RETURN(
        std::optional<IndexManager::Merge> merge,
        index->MergeNewest(
            modality, segs, UniqueName(), [&](uint32_t item) { return archive_->IsLive(item); },
            [&](const std::string& file) { return Journal(StrCat("index/", file)); },
            rewrite_older_formats));
    if (!merge) continue;
    ++merged;
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
  RETURN_IF_ERROR(SettleJournal());
  return merged;
}

}  // namespace uncut

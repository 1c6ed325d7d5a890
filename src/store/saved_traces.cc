#include "store/saved_traces.h"

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr char kTables[] = R"sql(
CREATE TABLE IF NOT EXISTS saved_traces(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  saved_at TEXT NOT NULL,
  traced_at TEXT NOT NULL,
  query_kind TEXT NOT NULL,
  query_sha256 TEXT NOT NULL,
  verdict TEXT NOT NULL,
  report_json TEXT NOT NULL,
  report_html BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS saved_trace_items(
  trace_id INTEGER NOT NULL REFERENCES saved_traces(id) ON DELETE CASCADE,
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  PRIMARY KEY(trace_id, item_id));
CREATE INDEX IF NOT EXISTS saved_trace_items_item ON saved_trace_items(item_id);
)sql";

constexpr char kColumns[] =
    "id, saved_at, traced_at, query_kind, query_sha256, verdict, report_json, report_html";

absl::StatusOr<bool> HaveTables(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt s, db->Prepare("SELECT count(*) FROM sqlite_master WHERE "
                                             "type='table' AND name='saved_traces'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row && s.ColumnInt(0) > 0;
}

SavedTrace ReadTrace(const SqliteStmt& s) {
  SavedTrace t;
  t.id = s.ColumnInt(0);
  t.saved_at = s.ColumnText(1);
  t.traced_at = s.ColumnText(2);
  t.query_kind = s.ColumnText(3);
  t.query_sha256 = s.ColumnText(4);
  t.verdict = s.ColumnText(5);
  t.report_json = s.ColumnText(6);
  t.report_html = std::string(s.ColumnBlob(7));
  return t;
}

absl::Status LoadItems(SqliteDb* db, SavedTrace* t) {
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db->Prepare("SELECT item_id FROM saved_trace_items WHERE trace_id = ? ORDER BY item_id"));
  s.Bind(1, t->id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return absl::OkStatus();
    t->item_ids.push_back(s.ColumnInt(0));
  }
}

}  // namespace

absl::StatusOr<int64_t> SaveTrace(Archive* archive, const SavedTrace& trace) {
  // The batch holds the writer lock; the trace is written in its own
  // transaction while it is held.
  ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> lock, archive->BeginWrite());
  SqliteDb* db = archive->db();
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RETURN_IF_ERROR(db->Exec(kTables));
  ASSIGN_OR_RETURN(
      SqliteStmt ins,
      db->Prepare(
          "INSERT INTO saved_traces(saved_at, traced_at, query_kind, query_sha256, verdict, "
          "report_json, report_html) VALUES(?,?,?,?,?,?,?)"));
  ins.Bind(1, NowRfc3339()).Bind(2, trace.traced_at).Bind(3, trace.query_kind);
  ins.Bind(4, trace.query_sha256).Bind(5, trace.verdict).Bind(6, trace.report_json);
  ins.BindBlob(7, trace.report_html);
  RETURN_IF_ERROR(ins.Run());
  int64_t id = db->LastInsertRowId();
  // Sources removed since the trace ran are not linked.
  ASSIGN_OR_RETURN(SqliteStmt link,
                   db->Prepare("INSERT OR IGNORE INTO saved_trace_items(trace_id, item_id) "
                               "SELECT ?1, id FROM items WHERE id = ?2"));
  for (int64_t item : trace.item_ids) {
    link.Reset().IgnoreError();
    link.Bind(1, id).Bind(2, item);
    RETURN_IF_ERROR(link.Run());
  }
  RETURN_IF_ERROR(tx->Commit());
  return id;
}

absl::StatusOr<SavedTrace> GetSavedTrace(Archive* archive, int64_t id) {
  SqliteDb* db = archive->db();
  ASSIGN_OR_RETURN(bool have, HaveTables(db));
  if (!have) return absl::NotFoundError(StrCat("no saved trace ", id));
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db->Prepare(StrCat("SELECT ", kColumns, " FROM saved_traces WHERE id = ?")));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::NotFoundError(StrCat("no saved trace ", id));
  SavedTrace t = ReadTrace(s);
  RETURN_IF_ERROR(LoadItems(db, &t));
  return t;
}

absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(Archive* archive, int64_t item_id) {
  SqliteDb* db = archive->db();
  std::vector<SavedTrace> out;
  ASSIGN_OR_RETURN(bool have, HaveTables(db));
  if (!have) return out;
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db->Prepare(StrCat(
                       "SELECT ", kColumns,
                       " FROM saved_traces WHERE id IN "
                       "(SELECT trace_id FROM saved_trace_items WHERE item_id = ?) ORDER BY id")));
  s.Bind(1, item_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadTrace(s));
  }
  for (SavedTrace& t : out) RETURN_IF_ERROR(LoadItems(db, &t));
  return out;
}

absl::StatusOr<int64_t> Archive::SaveTrace(const SavedTrace& trace) {
  return ::uncut::SaveTrace(this, trace);
}

absl::StatusOr<SavedTrace> Archive::GetSavedTrace(int64_t id) {
  return ::uncut::GetSavedTrace(this, id);
}

absl::StatusOr<std::vector<SavedTrace>> Archive::SavedTracesOfItem(int64_t item_id) {
  return ::uncut::SavedTracesOfItem(this, item_id);
}

}  // namespace uncut

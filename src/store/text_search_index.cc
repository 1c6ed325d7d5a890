#include "store/text_search_index.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/text_search.h"

namespace uncut {
namespace {

// The words are folded already; the tokenizer only splits on the spaces.
constexpr char kTable[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS text_search USING "
    "fts5(words, tokenize = 'unicode61 remove_diacritics 0')";

absl::StatusOr<bool> HasTextSearch(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT count(*) FROM sqlite_master WHERE "
                                             "type='table' AND name='text_search'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row && q.ColumnInt(0) > 0;
}

// A term as an FTS5 string: in double quotes, quotes doubled.
std::string Quoted(const std::string& term) {
  std::string out = "\"";
  for (char c : term) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

}  // namespace

absl::Status CreateTextSearchIndex(SqliteDb* db, bool complete) {
  RETURN_IF_ERROR(db->Exec(kTable));
  return complete ? MarkTextSearchIndexComplete(db) : absl::OkStatus();
}

absl::Status EnsureTextSearchIndex(SqliteDb* db) {
  ASSIGN_OR_RETURN(bool has, HasTextSearch(db));
  if (has) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  ASSIGN_OR_RETURN(has, HasTextSearch(db));
  if (!has) {
    bool empty = false;
    {
      ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT count(*) FROM texts"));
      ASSIGN_OR_RETURN(bool row, q.Step());
      empty = row && q.ColumnInt(0) == 0;
    }
    RETURN_IF_ERROR(CreateTextSearchIndex(db, empty));
  }
  return tx->Commit();
}

absl::StatusOr<bool> TextSearchIndexComplete(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT value FROM meta WHERE key='text_search'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row && q.ColumnText(0) == "complete";
}

absl::Status MarkTextSearchIndexComplete(SqliteDb* db) {
  return db->Exec("INSERT OR REPLACE INTO meta(key, value) VALUES('text_search', 'complete')");
}

absl::Status IndexTextForSearch(SqliteDb* db, int64_t item_id, std::string_view text) {
  ASSIGN_OR_RETURN(TextSearchWriter w, TextSearchWriter::Prepare(db));
  return w.Index(item_id, SearchForm(text));
}

absl::StatusOr<TextSearchWriter> TextSearchWriter::Prepare(SqliteDb* db) {
  TextSearchWriter w;
  ASSIGN_OR_RETURN(w.del_, db->Prepare("DELETE FROM text_search WHERE rowid = ?"));
  ASSIGN_OR_RETURN(w.ins_, db->Prepare("INSERT INTO text_search(rowid, words) VALUES(?, ?)"));
  return w;
}

absl::Status TextSearchWriter::Index(int64_t item_id, std::string_view search_form) {
  del_.Reset().IgnoreError();
  del_.Bind(1, item_id);
  RETURN_IF_ERROR(del_.Run());
  ins_.Reset().IgnoreError();
  ins_.Bind(1, item_id).Bind(2, search_form);
  return ins_.Run();
}

absl::Status DropRemovedFromTextSearch(SqliteDb* db) {
  return db->Exec("DELETE FROM text_search WHERE rowid NOT IN (SELECT id FROM items)");
}

absl::StatusOr<std::vector<int64_t>> TextsNotInSearchIndex(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt q,
                   db->Prepare("SELECT item_id FROM texts WHERE item_id NOT IN "
                               "(SELECT rowid FROM text_search) ORDER BY item_id"));
  std::vector<int64_t> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.ColumnInt(0));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<int64_t, double>>> QueryTextSearchIndex(
    SqliteDb* db, const std::vector<std::string>& terms, size_t limit) {
  std::vector<std::pair<int64_t, double>> out;
  if (terms.empty() || limit == 0) return out;
  std::string match;
  for (const std::string& t : terms) match += StrCat(match.empty() ? "" : " AND ", Quoted(t));
  ASSIGN_OR_RETURN(SqliteStmt q,
                   db->Prepare("SELECT rowid, bm25(text_search) FROM text_search "
                               "WHERE text_search MATCH ? AND rowid IN (SELECT id FROM items) "
                               "ORDER BY bm25(text_search), rowid LIMIT ?"));
  q.Bind(1, match).Bind(2, static_cast<int64_t>(limit));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.ColumnInt(0), -q.ColumnDouble(1)});  // bm25() is lower for better
  }
  return out;
}

}  // namespace uncut

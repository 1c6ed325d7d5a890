#include "store/text_search_index.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/text_search.h"

namespace uncut {
namespace {

// The words are folded already; the tokenizer only splits on the spaces.
// Contentless: the forms are not kept (see the header).
constexpr char kTokenizer[] = "tokenize = 'unicode61 remove_diacritics 0'";
constexpr char kTable[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS text_search USING "
    "fts5(words, content = '', tokenize = 'unicode61 remove_diacritics 0')";

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

// SQLite's record varint (what FTS5 writes in its docsize rows).
uint64_t GetSqliteVarint(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size() && i < 9; ++i) {
    const uint8_t c = static_cast<uint8_t>(b[i]);
    if (i == 8) return (v << 8) | c;
    v = (v << 7) | (c & 0x7f);
    if (!(c & 0x80)) break;
  }
  return v;
}

int CountToken(void* count, int, const char*, int, int, int) {
  ++*static_cast<uint64_t*>(count);
  return SQLITE_OK;
}

// How many tokens the table's tokenizer makes of `words`.
absl::StatusOr<uint64_t> CountTokens(SqliteDb* db, std::string_view words) {
  fts5_api* api = nullptr;
  {
    ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT fts5(?1)"));
    sqlite3_bind_pointer(q.raw(), 1, &api, "fts5_api_ptr", nullptr);
    RETURN_IF_ERROR(q.Run());
  }
  void* user = nullptr;
  fts5_tokenizer tokenizer;
  if (api == nullptr || api->xFindTokenizer(api, "unicode61", &user, &tokenizer) != SQLITE_OK) {
    return absl::InternalError("SQLite's FTS5 unicode61 tokenizer is missing");
  }
  const char* args[] = {"remove_diacritics", "0"};
  Fts5Tokenizer* t = nullptr;
  if (tokenizer.xCreate(user, args, 2, &t) != SQLITE_OK) {
    return absl::InternalError("could not make an FTS5 unicode61 tokenizer");
  }
  uint64_t count = 0;
  const int rc = tokenizer.xTokenize(t, &count, FTS5_TOKENIZE_DOCUMENT, words.data(),
                                     static_cast<int>(words.size()), CountToken);
  tokenizer.xDelete(t);
  if (rc != SQLITE_OK) return absl::InternalError("FTS5 could not tokenize a search form");
  return count;
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

absl::StatusOr<bool> TextSearchIsContentless(SqliteDb* db) {
  ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT sql FROM sqlite_master WHERE "
                                             "type='table' AND name='text_search'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  // FTS5 keeps its options in the table's CREATE statement, as written.
  return row && q.ColumnText(0).find("content = ''") != std::string::npos;
}

absl::StatusOr<bool> MakeTextSearchContentless(SqliteDb* db) {
  ASSIGN_OR_RETURN(bool has, HasTextSearch(db));
  if (!has) return false;
  ASSIGN_OR_RETURN(bool contentless, TextSearchIsContentless(db));
  if (contentless) return false;
  ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  ASSIGN_OR_RETURN(contentless, TextSearchIsContentless(db));
  if (contentless) return false;
  RETURN_IF_ERROR(db->Exec(StrCat("CREATE VIRTUAL TABLE text_search_contentless USING "
                                  "fts5(words, content = '', ",
                                  kTokenizer, ")")));
  // In rowid order, as they went in.
  RETURN_IF_ERROR(db->Exec("INSERT INTO text_search_contentless(rowid, words) "
                           "SELECT rowid, words FROM text_search ORDER BY rowid"));
  RETURN_IF_ERROR(db->Exec("DROP TABLE text_search"));
  RETURN_IF_ERROR(db->Exec("ALTER TABLE text_search_contentless RENAME TO text_search"));
  RETURN_IF_ERROR(tx->Commit());
  return true;
}

absl::Status IndexTextForSearch(SqliteDb* db, int64_t item_id, std::string_view text) {
  ASSIGN_OR_RETURN(TextSearchWriter w, TextSearchWriter::Prepare(db));
  return w.Index(item_id, SearchForm(text));
}

absl::StatusOr<TextSearchWriter> TextSearchWriter::Prepare(SqliteDb* db) {
  TextSearchWriter w;
  ASSIGN_OR_RETURN(w.contentless_, TextSearchIsContentless(db));
  // A contentless table cannot delete by rowid (nor needs to: the item is new).
  if (!w.contentless_) {
    ASSIGN_OR_RETURN(w.del_, db->Prepare("DELETE FROM text_search WHERE rowid = ?"));
  }
  ASSIGN_OR_RETURN(w.ins_, db->Prepare("INSERT INTO text_search(rowid, words) VALUES(?, ?)"));
  return w;
}

absl::Status TextSearchWriter::Index(int64_t item_id, std::string_view search_form) {
  if (!contentless_) {
    del_.Reset().IgnoreError();
    del_.Bind(1, item_id);
    RETURN_IF_ERROR(del_.Run());
  }
  ins_.Bind(1, item_id).BindUncopied(2, search_form);
  absl::Status s = ins_.Run();
  ins_.Reset().IgnoreError();  // lets go of search_form
  return s;
}

absl::StatusOr<std::vector<int64_t>> TextSearchRowsUnder(SqliteDb* db, int64_t item_id) {
  ASSIGN_OR_RETURN(SqliteStmt q,
                   db->Prepare("WITH RECURSIVE under(id) AS (SELECT ?1 UNION ALL "
                               "SELECT items.id FROM items JOIN under ON items.parent_id = "
                               "under.id) "
                               "SELECT rowid FROM text_search WHERE rowid IN (SELECT id FROM "
                               "under) ORDER BY rowid"));
  q.Bind(1, item_id);
  std::vector<int64_t> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.ColumnInt(0));
  }
  return out;
}

absl::Status DeleteFromTextSearch(SqliteDb* db, int64_t item_id, std::string_view search_form) {
  ASSIGN_OR_RETURN(bool contentless, TextSearchIsContentless(db));
  if (!contentless) {
    ASSIGN_OR_RETURN(SqliteStmt del, db->Prepare("DELETE FROM text_search WHERE rowid = ?"));
    del.Bind(1, item_id);
    return del.Run();
  }
  uint64_t kept_words = 0;
  {
    ASSIGN_OR_RETURN(SqliteStmt q, db->Prepare("SELECT sz FROM text_search_docsize WHERE id = ?"));
    q.Bind(1, item_id);
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return absl::OkStatus();  // not in the index
    kept_words = GetSqliteVarint(q.ColumnBlob(0));
  }
  ASSIGN_OR_RETURN(uint64_t words, CountTokens(db, search_form));
  if (words != kept_words) {
    return absl::FailedPreconditionError(
        StrCat("the search index kept ", kept_words, " words for item ", item_id,
               " where its text now gives ", words));
  }
  ASSIGN_OR_RETURN(SqliteStmt del, db->Prepare("INSERT INTO text_search(text_search, rowid, "
                                               "words) VALUES('delete', ?, ?)"));
  del.Bind(1, item_id).BindUncopied(2, search_form);
  absl::Status s = del.Run();
  del.Reset().IgnoreError();
  return s;
}

absl::Status ResetTextSearchIndex(SqliteDb* db) {
  RETURN_IF_ERROR(db->Exec("DROP TABLE IF EXISTS text_search"));
  RETURN_IF_ERROR(db->Exec("DELETE FROM meta WHERE key = 'text_search'"));
  return CreateTextSearchIndex(db, /*complete=*/false);
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

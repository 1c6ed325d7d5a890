// The embedded archive's text search index: an SQLite FTS5 table of each
// item's text in its folded search form (storage/text_search.h), ranked by
// FTS5's BM25. Items added before the index existed are indexed by
// `uncut upgrade`; until then searches read every text instead.
#ifndef UNCUT_STORE_TEXT_SEARCH_INDEX_H_
#define UNCUT_STORE_TEXT_SEARCH_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/sqlite.h"

namespace uncut {

// Creates the index, inside the caller's transaction (a new catalog's:
// `complete` then, as it holds no texts yet).
absl::Status CreateTextSearchIndex(SqliteDb* db, bool complete);

// Creates the index of an existing catalog when missing. In a new archive (no texts yet) it is
// complete from the start; in an older one it is complete once filled.
absl::Status EnsureTextSearchIndex(SqliteDb* db);

// Whether every text of the catalog is in the index.
absl::StatusOr<bool> TextSearchIndexComplete(SqliteDb* db);
absl::Status MarkTextSearchIndexComplete(SqliteDb* db);

// Indexes one item's text (replacing what it had).
absl::Status IndexTextForSearch(SqliteDb* db, int64_t item_id, std::string_view text);

// Indexes items one after another, inside the caller's transaction, with
// statements prepared once.
class TextSearchWriter {
 public:
  static absl::StatusOr<TextSearchWriter> Prepare(SqliteDb* db);
  // Indexes one item (replacing what it had) by its text's search form
  // (storage/text_search.h SearchForm).
  absl::Status Index(int64_t item_id, std::string_view search_form);

 private:
  SqliteStmt del_, ins_;
};

// Drops the entries of items no longer in the catalog.
absl::Status DropRemovedFromTextSearch(SqliteDb* db);

// Ids of the items with text that the index lacks, in id order.
absl::StatusOr<std::vector<int64_t>> TextsNotInSearchIndex(SqliteDb* db);

// (item id, score) of the items holding every one of `terms` (folded
// words), best first, at most `limit`.
absl::StatusOr<std::vector<std::pair<int64_t, double>>> QueryTextSearchIndex(
    SqliteDb* db, const std::vector<std::string>& terms, size_t limit);

}  // namespace uncut

#endif  // UNCUT_STORE_TEXT_SEARCH_INDEX_H_

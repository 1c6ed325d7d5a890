// The embedded archive's text search index: an SQLite FTS5 table of each
// item's text in its folded search form (storage/text_search.h), ranked by
// FTS5's BM25. Items added before the index existed are indexed by
// `uncut upgrade`; until then searches read every text instead.
//
// The table is contentless (content=''): it keeps the words' positions and
// each text's length, which BM25 needs, but not the search form itself,
// which the item's stored text gives again. Deleting a row therefore needs
// the search form it was indexed with: SearchForm of the item's text, as
// long as the folding (text/normalize.h) is unchanged. A change to the
// folding must rebuild the table (ResetTextSearchIndex; `uncut upgrade`
// refills it). A removal checks the form's word count against the one the
// table kept and resets the index when they differ. Archives made before
// the table was contentless keep their table, which holds the forms, until
// `uncut upgrade` rebuilds it from them (MakeTextSearchContentless).
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

// Whether the table is contentless (false: the layout of older archives,
// which holds every search form).
absl::StatusOr<bool> TextSearchIsContentless(SqliteDb* db);

// Rebuilds an older archive's table as a contentless one from the search
// forms it holds (the same words, so the same answers), inside a
// transaction of its own. False when there was nothing to do.
absl::StatusOr<bool> MakeTextSearchContentless(SqliteDb* db);

// Indexes one item's text, which the index must not hold yet.
absl::Status IndexTextForSearch(SqliteDb* db, int64_t item_id, std::string_view text);

// Indexes items one after another, inside the caller's transaction, with
// statements prepared once.
class TextSearchWriter {
 public:
  static absl::StatusOr<TextSearchWriter> Prepare(SqliteDb* db);
  // Indexes one item, which the index must not hold yet, by its text's
  // search form (storage/text_search.h SearchForm).
  absl::Status Index(int64_t item_id, std::string_view search_form);

 private:
  bool contentless_ = true;
  SqliteStmt del_, ins_;
};

// Ids of the items of the index among `item_id` and its parts (all
// levels), in id order: what removing the item drops from the index.
absl::StatusOr<std::vector<int64_t>> TextSearchRowsUnder(SqliteDb* db, int64_t item_id);

// Deletes one item's row, inside the caller's transaction, given the
// search form it was indexed with. FailedPrecondition, and nothing
// deleted, when the form's word count is not the one the index kept for
// the row (the folding changed since): then only ResetTextSearchIndex
// keeps the index right.
absl::Status DeleteFromTextSearch(SqliteDb* db, int64_t item_id, std::string_view search_form);

// Empties the index and marks it incomplete, inside the caller's
// transaction: searches read every text until `uncut upgrade` refills it.
absl::Status ResetTextSearchIndex(SqliteDb* db);

// Drops the entries of items no longer in the catalog. Only for a table of
// the older layout (a contentless one needs each row's search form).
absl::Status DropRemovedFromTextSearch(SqliteDb* db);

// Ids of the items with text that the index lacks, in id order.
absl::StatusOr<std::vector<int64_t>> TextsNotInSearchIndex(SqliteDb* db);

// (item id, score) of the items holding every one of `terms` (folded
// words), best first, at most `limit`.
absl::StatusOr<std::vector<std::pair<int64_t, double>>> QueryTextSearchIndex(
    SqliteDb* db, const std::vector<std::string>& terms, size_t limit);

}  // namespace uncut

#endif  // UNCUT_STORE_TEXT_SEARCH_INDEX_H_

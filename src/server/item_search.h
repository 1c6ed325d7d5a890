// Searching the archive's items for the web page, the API and `uncut
// search`: an item matches when its extracted text holds every word of the
// query (CatalogReader::SearchText), or when every word occurs
// (case-insensitively) in its name, title, source URL, note, kind or
// format, or is a prefix of its SHA-256, or is its id.
#ifndef UNCUT_SERVER_ITEM_SEARCH_H_
#define UNCUT_SERVER_ITEM_SEARCH_H_

#include <string>
#include <vector>

#include "store/archive.h"

namespace uncut::server {

bool ItemMatches(const Item& item, const std::string& query);

struct ItemPage {
  size_t total = 0;  // matching items
  std::vector<Item> items;
  // For each of `items`, the snippet of its text where the query's words
  // are (empty when it matched by its metadata only).
  std::vector<std::vector<SnippetPart>> snippets;
};

// Items matching `query` (all items when empty) and `kind` (any when
// empty), newest first, from `offset`, at most `limit`.
ItemPage SearchItems(const std::vector<Item>& items, const std::string& query,
                     const std::string& kind, size_t offset, size_t limit);

// The kinds of item there are; any other `kind` is an error.
bool IsItemKind(const std::string& kind);
absl::Status CheckItemKind(const std::string& kind);

// How many of an archive's text matches a search ranks (enough for every
// page anyone reads; docs/api.md says so).
inline constexpr size_t kMaxTextHits = 1000;

// Items whose text holds the query's words, best first (`text_hits`, from
// CatalogReader::SearchText), then those matching by metadata only, newest
// first; of `kind` (any when empty), from `offset`, at most `limit`.
ItemPage RankItems(const std::vector<Item>& items, const std::vector<TextHit>& text_hits,
                   const std::string& query, const std::string& kind, size_t offset,
                   size_t limit);

// A snippet as JSON: [{"text": "… the ", "hit": false}, {"text": "soldiers", "hit": true}, …].
nlohmann::json SnippetToJson(const std::vector<SnippetPart>& parts);

// The whole search: RankItems over `catalog`'s text hits for `query`.
absl::StatusOr<ItemPage> SearchArchive(CatalogReader* catalog, const std::vector<Item>& items,
                                       const std::string& query, const std::string& kind,
                                       size_t offset, size_t limit);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ITEM_SEARCH_H_

// Searching the archive's items for the web page and the API: every word of
// the query must occur (case-insensitively) in the item's name, title,
// source URL, note, kind or format, or be a prefix of its SHA-256, or be its
// id.
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
};

// Items matching `query` (all items when empty) and `kind` (any when
// empty), newest first, from `offset`, at most `limit`.
ItemPage SearchItems(const std::vector<Item>& items, const std::string& query,
                     const std::string& kind, size_t offset, size_t limit);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ITEM_SEARCH_H_

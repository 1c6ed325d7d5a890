#include "server/item_search.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "base/strings.h"

namespace uncut::server {
namespace {

bool Contains(const std::string& haystack, const std::string& lower_needle) {
  return absl::AsciiStrToLower(haystack).find(lower_needle) != std::string::npos;
}

bool WordMatches(const Item& item, const std::string& word) {
  if (StrCat(item.id) == word) return true;
  if (word.size() >= 4 && item.sha256.rfind(word, 0) == 0) return true;
  for (const std::string* field : {&item.name, &item.kind, &item.format}) {
    if (Contains(*field, word)) return true;
  }
  for (const auto* field :
       {&item.meta.title, &item.meta.source_url, &item.meta.note, &item.meta.captured_at}) {
    if (*field && Contains(**field, word)) return true;
  }
  return false;
}

}  // namespace

bool ItemMatches(const Item& item, const std::string& query) {
  std::string lower = absl::AsciiStrToLower(query);
  for (absl::string_view w : absl::StrSplit(lower, ' ', absl::SkipEmpty())) {
    if (!WordMatches(item, std::string(w))) return false;
  }
  return true;
}

ItemPage SearchItems(const std::vector<Item>& items, const std::string& query,
                     const std::string& kind, size_t offset, size_t limit) {
  ItemPage page;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (!kind.empty() && it->kind != kind) continue;
    if (!ItemMatches(*it, query)) continue;
    if (page.total >= offset && page.items.size() < limit) page.items.push_back(*it);
    ++page.total;
  }
  return page;
}

}  // namespace uncut::server

#include "server/item_search.h"

#include "absl/strings/ascii.h"
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_split.h"
#include "base/strings.h"
#include "base/utf8.h"

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

bool IsItemKind(const std::string& kind) {
  return kind == "text" || kind == "video" || kind == "audio" || kind == "container";
}

absl::Status CheckItemKind(const std::string& kind) {
  if (kind.empty() || IsItemKind(kind)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("kind: no such kind \"", kind, "\"; kinds are text, video, audio, container"));
}

ItemPage RankItems(const std::vector<Item>& items, const std::vector<TextHit>& text_hits,
                   const std::string& query, const std::string& kind, size_t offset,
                   size_t limit) {
  std::unordered_map<int64_t, const Item*> by_id;
  for (const Item& it : items) by_id[it.id] = &it;
  ItemPage page;
  std::unordered_set<int64_t> listed;
  auto take = [&](const Item& it, const std::vector<SnippetPart>* snippet) {
    if (!kind.empty() && it.kind != kind) return;
    if (!listed.insert(it.id).second) return;
    if (page.total >= offset && page.items.size() < limit) {
      page.items.push_back(it);
      page.snippets.push_back(snippet ? *snippet : std::vector<SnippetPart>());
    }
    ++page.total;
  };
  for (const TextHit& h : text_hits) {
    auto it = by_id.find(h.item_id);
    if (it != by_id.end()) take(*it->second, &h.snippet);
  }
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (ItemMatches(*it, query)) take(*it, nullptr);
  }
  return page;
}

nlohmann::json SnippetToJson(const std::vector<SnippetPart>& parts) {
  nlohmann::json out = nlohmann::json::array();
  for (const SnippetPart& p : parts) {
    nlohmann::json j = {{"text", ToValidUtf8(p.text)}, {"hit", p.hit}};
    out.push_back(std::move(j));
  }
  return out;
}

absl::StatusOr<ItemPage> SearchArchive(CatalogReader* catalog, const std::vector<Item>& items,
                                       const std::string& query, const std::string& kind,
                                       size_t offset, size_t limit) {
  absl::Status known = CheckItemKind(kind);
  if (!known.ok()) return known;
  std::vector<TextHit> hits;
  if (!SearchTerms(query).empty()) {
    auto found = catalog->SearchText(query, kMaxTextHits);
    if (!found.ok()) return found.status();
    hits = std::move(*found);
  }
  return RankItems(items, hits, query, kind, offset, limit);
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

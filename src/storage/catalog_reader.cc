#include "storage/catalog_reader.h"

#include <algorithm>
#include <cmath>

namespace uncut {
namespace {

// Okapi BM25's usual constants (Robertson & Zaragoza, "The Probabilistic
// Relevance Framework: BM25 and Beyond", 2009), as SQLite's FTS5 uses them.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

}  // namespace

absl::StatusOr<std::vector<TextHit>> CatalogReader::SearchText(const std::string& query,
                                                               size_t limit) {
  std::vector<std::string> terms = SearchTerms(query);
  std::vector<TextHit> hits;
  if (terms.empty() || limit == 0) return hits;
  auto items = ListItems();
  if (!items.ok()) return items.status();
  struct Candidate {
    int64_t id;
    std::vector<uint32_t> counts;
    size_t words;
  };
  std::vector<Candidate> found;
  std::vector<size_t> docs_with(terms.size(), 0);
  size_t docs = 0, all_words = 0;
  for (const Item& item : *items) {
    auto text = LoadText(item.id);
    if (absl::IsNotFound(text.status())) continue;
    if (!text.ok()) return text.status();
    size_t words = 0;
    std::vector<uint32_t> counts = TermCounts(text->text.text, terms, &words);
    ++docs;
    all_words += words;
    bool all = true;
    for (size_t t = 0; t < terms.size(); ++t) {
      if (counts[t] > 0) ++docs_with[t];
      all = all && counts[t] > 0;
    }
    if (all) found.push_back({item.id, std::move(counts), words});
  }
  const double avg_words = docs ? static_cast<double>(all_words) / docs : 1;
  for (const Candidate& c : found) {
    double score = 0;
    for (size_t t = 0; t < terms.size(); ++t) {
      double idf = std::log(1 + (docs - docs_with[t] + 0.5) / (docs_with[t] + 0.5));
      double tf = c.counts[t];
      score += idf * tf * (kK1 + 1) / (tf + kK1 * (1 - kB + kB * c.words / std::max(1.0, avg_words)));
    }
    hits.push_back({c.id, score, {}});
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const TextHit& a, const TextHit& b) { return a.score > b.score; });
  if (hits.size() > limit) hits.resize(limit);
  for (TextHit& h : hits) {
    auto text = LoadText(h.item_id);
    if (!text.ok()) return text.status();
    h.snippet = MakeSnippet(text->text.text, terms);
  }
  return hits;
}

absl::StatusOr<std::vector<Item>> CatalogReader::Children(int64_t id) {
  auto items = ListItems();
  if (!items.ok()) return items.status();
  std::vector<Item> out;
  for (Item& it : *items) {
    if (it.parent_id == id) out.push_back(std::move(it));
  }
  return out;
}

}  // namespace uncut

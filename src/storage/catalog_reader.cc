#include "storage/catalog_reader.h"

#include <algorithm>
#include <cmath>

#include "base/sha256.h"
#include "base/strings.h"

namespace uncut {
namespace {

// Okapi BM25's usual constants (Robertson & Zaragoza, "The Probabilistic
// Relevance Framework: BM25 and Beyond", 2009), as SQLite's FTS5 uses them.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

}  // namespace

absl::Status OriginalSource::ReadOriginal(const Item& item, const ByteSink& sink) {
  absl::StatusOr<Original> original = OpenOriginal(item);
  if (!original.ok()) return original.status();
  absl::StatusOr<std::string_view> bytes = original->Bytes();
  if (!bytes.ok()) return bytes.status();
  // Hashed here whatever the backend checked when it opened them: the bytes
  // handed on are the bytes checked.
  constexpr size_t kPieceBytes = 4u << 20;
  Sha256 hasher;
  for (size_t at = 0; at < bytes->size(); at += kPieceBytes) {
    std::string_view piece = bytes->substr(at, kPieceBytes);
    hasher.Update(piece);
    absl::Status s = sink(piece);
    if (!s.ok()) return s;
  }
  if (bytes->size() != item.size || hasher.FinishHex() != item.sha256) {
    return absl::DataLossError(StrCat("item ", item.id, " (", item.name,
                                      "): the stored original is not the archived bytes "
                                      "(SHA-256 differs)"));
  }
  return absl::OkStatus();
}

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

bool IsTranscriptItem(const Item& item) {
  return item.info.is_object() && item.info.contains("transcript") &&
         item.info["transcript"].is_object();
}

absl::StatusOr<std::vector<Item>> CatalogReader::ListTranscripts() {
  auto items = ListItems();
  if (!items.ok()) return items.status();
  std::vector<Item> out;
  for (Item& it : *items) {
    if (IsTranscriptItem(it)) out.push_back(std::move(it));
  }
  return out;
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

#include "trace/text_trace.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "align/token_align.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "text/fingerprint.h"
#include "text/normalize.h"
#include "trace/text_chain.h"
#include "trace/text_location.h"

namespace uncut {
namespace {

// A source document loaded for alignment, cached per trace.
struct SourceDoc {
  Item item;
  StoredText stored;
  NormalizedText norm;
  Original original_file;      // checked against the item's SHA-256
  std::string_view original;  // the item's bytes
};

char32_t FoldPunct(char32_t c) {
  switch (c) {
    case U'\u2018':
    case U'\u2019':
    case U'\u201B':
    case U'\u2032':
      return U'\'';
    case U'\u201C':
    case U'\u201D':
    case U'\u201F':
    case U'\u2033':
      return U'"';
    case U'\u2010':
    case U'\u2011':
    case U'\u2012':
    case U'\u2013':
    case U'\u2014':
    case U'\u2015':
    case U'\u2212':
      return U'-';
    default:
      return c;
  }
}

bool IsSpaceByte(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

// Decodes the code point ending before byte `i` (moving i back) or starting at i.
char32_t PrevCp(std::string_view s, size_t* i) {
  size_t j = *i;
  if (j == 0) return 0;
  --j;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) --j;
  size_t len = *i - j;
  *i = j;
  unsigned char c = s[j];
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[j + k] & 0x3f);
  return cp;
}
char32_t NextCp(std::string_view s, size_t* i) {
  size_t j = *i;
  if (j >= s.size()) return 0;
  unsigned char c = s[j];
  size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
  len = std::min(len, s.size() - j);
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[j + k] & 0x3f);
  *i = j + len;
  return cp;
}

bool IsEdgePunct(char32_t c) {
  return c != 0 && !(c < 0x80 && (std::isalnum(static_cast<int>(c)) || IsSpaceByte(char(c)))) &&
         c != U'\u2026';
}

// Widens [*s_b, *s_e) of the source and [*q_b, *q_e) of the query over
// punctuation both have at the edges (a closing period, quotes), so the
// span reads as the extract does.
void ExtendOverSharedPunctuation(std::string_view src, uint64_t* s_b, uint64_t* s_e,
                                 std::string_view qry, uint64_t* q_b, uint64_t* q_e) {
  for (int guard = 0; guard < 4; ++guard) {
    size_t si = *s_e, qi = *q_e;
    char32_t a = NextCp(src, &si), b = NextCp(qry, &qi);
    if (!IsEdgePunct(a) || FoldPunct(a) != FoldPunct(b)) break;
    *s_e = si;
    *q_e = qi;
  }
  for (int guard = 0; guard < 4; ++guard) {
    size_t si = *s_b, qi = *q_b;
    char32_t a = PrevCp(src, &si), b = PrevCp(qry, &qi);
    if (!IsEdgePunct(a) || FoldPunct(a) != FoldPunct(b)) break;
    *s_b = si;
    *q_b = qi;
  }
}

std::string Excerpt(std::string_view text, size_t max_bytes) {
  std::string s = CollapseSpace(text);
  if (s.size() <= max_bytes) return s;
  size_t half = max_bytes / 2;
  size_t a = half, b = s.size() - half;
  while (a > 0 && (static_cast<unsigned char>(s[a]) & 0xc0) == 0x80) --a;
  while (b < s.size() && (static_cast<unsigned char>(s[b]) & 0xc0) == 0x80) ++b;
  return StrCat(s.substr(0, a), " […] ", s.substr(b));
}

// One piece of the extract aligned to one item.
struct Piece {
  uint32_t item = 0;
  TokenAlignment a;
  bool alternate = false;  // the same text as another piece, in another item
};

size_t MatchedChars(const NormalizedText& q, const TokenAlignment& a) {
  size_t n = 0;
  for (const EditRun& r : a.runs) {
    if (r.kind == EditKind::kSame && r.q_end > r.q_begin) {
      n += q.SkelEnd(r.q_end - 1) - q.tokens[r.q_begin].skel;
    }
  }
  return n;
}

// Short extracts, of kMinQueryWords to this many words, are looked up as
// exact (normalized) phrases: the chaining below needs longer input.
constexpr size_t kMaxPhraseWords = 7;
// Keys that common are left out of a phrase lookup (a phrase made only of
// them is not worth tracing to its sources).
constexpr size_t kMaxPhrasePostingsPerKey = 200000;
// A phrase too short for the index is searched for in at most this much
// archived text (original bytes).
constexpr uint64_t kPhraseScanBudgetBytes = uint64_t{64} << 20;
// At most this many sources are named for one phrase.
constexpr size_t kMaxPhraseSources = 100;

class TextTracer {
 public:
  TextTracer(const Storage& storage, std::string_view query, const TextTraceOptions& options)
      : storage_(storage), query_(query), options_(options) {}

  absl::StatusOr<TraceReport> Run();

 private:
  absl::StatusOr<SourceDoc*> Doc(uint32_t item);
  absl::StatusOr<std::vector<Chain>> Retrieve();
  // Exact (normalized) phrase lookup for a short extract: one piece per
  // source that holds it, best first; `occurrences` counts them per item.
  absl::StatusOr<std::vector<Piece>> FindPhrase(std::map<uint32_t, size_t>* occurrences,
                                                TraceReport* report);
  // Skeleton positions where the whole extract occurs in `doc`, starting
  // and ending at token edges.
  std::vector<uint32_t> PhraseStarts(const SourceDoc& doc) const;
  absl::StatusOr<std::vector<Piece>> AlignChains(const std::vector<Chain>& chains);
  std::vector<Piece> ResolveClashes(std::vector<Piece> pieces) const;
  absl::Status MergeAcrossMarkers(std::vector<Piece>* pieces);
  absl::Status ExtendAcrossMarkers(std::vector<Piece>* pieces);
  absl::Status FindFragmentsInKnownSources(std::vector<Piece>* pieces);
  void DropWeakPieces(std::vector<Piece>* pieces) const;
  void DropUnsupportedShortPieces(std::vector<Piece>* pieces) const;
  absl::Status ExtendEdges(std::vector<Piece>* pieces);
  absl::Status BuildReport(const std::vector<Piece>& pieces, TraceReport* report);
  absl::StatusOr<Segment> MakeSegment(const Piece& p, std::pair<uint64_t, uint64_t>* text_span);
  void AddIntervals(SourceMatch* m);

  // Marker-delimited region [begin, end) of query tokens around token t.
  std::pair<size_t, size_t> Region(size_t t) const;
  // Neighbouring primary pieces of pieces[i]: the query tokens it may grow into.
  std::pair<size_t, size_t> Room(const std::vector<Piece>& pieces, size_t i) const;
  size_t Reach() const { return static_cast<size_t>(options_.max_omission_chars) / 5; }

  Storage storage_;
  std::string_view query_;
  TextTraceOptions options_;
  WinnowParams params_ = DefaultTextWinnowParams();
  NormalizedText qn_;
  std::map<uint32_t, std::unique_ptr<SourceDoc>> docs_;
  // Extracted-text range of each segment, per item, parallel to its segments.
  std::map<int64_t, std::vector<std::pair<uint64_t, uint64_t>>> text_spans_;
};

absl::StatusOr<SourceDoc*> TextTracer::Doc(uint32_t item) {
  auto it = docs_.find(item);
  if (it != docs_.end()) return it->second.get();
  auto doc = std::make_unique<SourceDoc>();
  ASSIGN_OR_RETURN(doc->item, storage_.catalog->GetItem(item));
  // The report names the original by its SHA-256, so opening it checks the
  // archive's copy before anything is quoted, also where the quotes come
  // from the catalog (PDF text).
  ASSIGN_OR_RETURN(doc->original_file, storage_.originals->OpenOriginal(doc->item));
  ASSIGN_OR_RETURN(doc->stored, storage_.catalog->LoadText(item));
  doc->norm = Normalize(doc->stored.text.text);
  if (doc->item.info.value("offsets", "") == "text") {
    // Offsets into the extracted text (PDF): locations count its lines.
    doc->original = doc->stored.text.text;
  } else {
    ASSIGN_OR_RETURN(doc->original, doc->original_file.Bytes());
  }
  SourceDoc* raw = doc.get();
  docs_[item] = std::move(doc);
  return raw;
}

std::pair<size_t, size_t> TextTracer::Region(size_t t) const {
  size_t b = t;
  while (b > 0 && !qn_.tokens[b].after_marker) --b;
  size_t e = t + 1;
  while (e < qn_.tokens.size() && !qn_.tokens[e].after_marker) ++e;
  return {b, e};
}

std::pair<size_t, size_t> TextTracer::Room(const std::vector<Piece>& pieces, size_t i) const {
  size_t lo = 0, hi = qn_.tokens.size();
  const TokenAlignment& a = pieces[i].a;
  for (size_t j = 0; j < pieces.size(); ++j) {
    if (j == i || pieces[j].alternate) continue;
    const TokenAlignment& o = pieces[j].a;
    if (o.q_end <= a.q_begin) lo = std::max(lo, o.q_end);
    if (o.q_begin >= a.q_end) hi = std::min(hi, o.q_begin);
  }
  return {lo, hi};
}

absl::StatusOr<std::vector<Chain>> TextTracer::Retrieve() {
  std::vector<uint64_t> hashes = KgramHashes(qn_.skeleton, params_.k);
  std::unordered_map<uint64_t, std::vector<uint32_t>> where;
  for (uint32_t i = 0; i < hashes.size(); ++i) where[hashes[i]].push_back(i);
  std::vector<uint64_t> keys;
  keys.reserve(where.size());
  for (const auto& [k, v] : where) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::vector<Posting> postings;
  RETURN_IF_ERROR(
      storage_.postings->Lookup(Modality::kText, keys, options_.max_postings_per_key, &postings));
  std::unordered_map<uint32_t, std::vector<Hit>> by_item;
  for (const Posting& p : postings) {
    for (uint32_t q : where[p.key]) by_item[p.item].push_back({q, p.pos});
  }
  // Region of each skeleton position: how many markers precede it.
  std::vector<uint16_t> region(qn_.skeleton.size(), 0);
  uint16_t r = 0;
  for (size_t t = 0; t < qn_.tokens.size(); ++t) {
    if (qn_.tokens[t].after_marker && r < UINT16_MAX) ++r;
    for (uint32_t i = qn_.tokens[t].skel; i < qn_.SkelEnd(t); ++i) region[i] = r;
  }
  ChainParams cp;
  cp.k = params_.k;
  cp.max_omission = options_.max_omission_chars;
  std::vector<Chain> chains;
  for (auto& [item, hits] : by_item) {
    std::vector<Chain> c = ChainSeeds(item, MakeSeeds(hits, params_.k), region, cp);
    chains.insert(chains.end(), std::make_move_iterator(c.begin()),
                  std::make_move_iterator(c.end()));
  }
  return SelectChains(std::move(chains), params_.k + 2, 64);
}

std::vector<uint32_t> TextTracer::PhraseStarts(const SourceDoc& doc) const {
  const NormalizedText& sn = doc.norm;
  std::u32string_view hay = sn.skeleton, needle = qn_.skeleton;
  std::vector<uint32_t> out;
  if (needle.empty()) return out;
  for (size_t at = hay.find(needle); at != std::u32string_view::npos;
       at = hay.find(needle, at + 1)) {
    size_t tb = sn.TokenAt(static_cast<uint32_t>(at));
    size_t end = at + needle.size();
    size_t te = sn.TokenAt(static_cast<uint32_t>(end - 1));
    if (sn.tokens[tb].skel == at && sn.SkelEnd(te) == end) out.push_back(static_cast<uint32_t>(at));
  }
  return out;
}

absl::StatusOr<std::vector<Piece>> TextTracer::FindPhrase(std::map<uint32_t, size_t>* occurrences,
                                                          TraceReport* report) {
  // Candidates: every k-gram of the extract (not winnowed) is looked up; a
  // posting of k-gram q at source position p puts the phrase at p - q.
  // Winnowing stores one k-gram of every w consecutive ones, so a source
  // holding a run of at least w + k - 1 skeleton characters of the extract
  // has one of its k-grams in the index: for such extracts the lookup
  // misses no source. Every candidate is confirmed by exact search of its
  // normalized text.
  const size_t letters = qn_.skeleton.size();
  const size_t guaranteed = static_cast<size_t>(params_.w + params_.k - 1);
  std::map<uint32_t, bool> candidates;  // item -> seen (ordered, for a stable result)
  if (letters >= static_cast<size_t>(params_.k)) {
    std::vector<uint64_t> keys = KgramHashes(qn_.skeleton, params_.k);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<Posting> postings;
    RETURN_IF_ERROR(
        storage_.postings->Lookup(Modality::kText, keys, kMaxPhrasePostingsPerKey, &postings));
    for (const Posting& p : postings) candidates[p.item] = true;
  }
  std::vector<uint32_t> items;
  for (const auto& [item, seen] : candidates) items.push_back(item);
  if (letters < guaranteed) {
    // Too short for the index to promise anything: the texts themselves
    // are searched, up to a budget; beyond it the report says how many
    // were left unsearched.
    ASSIGN_OR_RETURN(std::vector<Item> all, storage_.catalog->ListItems());
    uint64_t scanned_bytes = 0;
    size_t unsearched = 0;
    for (const Item& it : all) {
      // Texts, and pictures with text read by OCR.
      if ((it.kind != "text" && !it.info.contains("ocr")) ||
          candidates.count(static_cast<uint32_t>(it.id))) {
        continue;
      }
      if (scanned_bytes >= kPhraseScanBudgetBytes) {
        ++unsearched;
        continue;
      }
      scanned_bytes += it.size;
      items.push_back(static_cast<uint32_t>(it.id));
    }
    report->warnings.push_back(StrCat(
        "the extract has ", letters, " letters, fewer than the ", guaranteed,
        " the index needs to find every source that holds it; ",
        unsearched == 0 ? "every archived text was searched for it instead"
                        : StrCat("archived texts were searched for it instead, but ", unsearched,
                                 " were left unsearched (over ", kPhraseScanBudgetBytes >> 20,
                                 " MiB)")));
  }
  struct Found {
    Piece piece;
    bool exact;  // the same characters as the extract, not just the same words
    size_t count;
  };
  std::vector<Found> found;
  const std::string query_shown = CollapseSpace(query_);
  for (uint32_t item : items) {
    absl::StatusOr<SourceDoc*> doc = Doc(item);
    if (absl::IsNotFound(doc.status())) continue;  // an item with no text
    if (!doc.ok()) return doc.status();
    std::vector<uint32_t> starts = PhraseStarts(**doc);
    if (starts.empty()) {
      docs_.erase(item);
      continue;
    }
    const NormalizedText& sn = (*doc)->norm;
    const std::string& text = (*doc)->stored.text.text;
    Found f;
    f.count = starts.size();
    f.exact = false;
    size_t best = starts.front();
    for (uint32_t at : starts) {
      size_t tb = sn.TokenAt(at), te = sn.TokenAt(at + letters - 1) + 1;
      std::string shown = CollapseSpace(
          std::string_view(text).substr(sn.tokens[tb].start, sn.tokens[te - 1].end - sn.tokens[tb].start));
      if (query_shown.find(shown) != std::string::npos) {
        f.exact = true;
        best = at;
        break;
      }
    }
    size_t tb = sn.TokenAt(static_cast<uint32_t>(best));
    size_t te = sn.TokenAt(static_cast<uint32_t>(best + letters - 1)) + 1;
    TokenAlignment& a = f.piece.a;
    f.piece.item = item;
    a.q_begin = 0;
    a.q_end = qn_.tokens.size();
    a.s_begin = tb;
    a.s_end = te;
    a.matched_query_tokens = qn_.tokens.size();
    a.longest_run = qn_.tokens.size();
    a.score = 2.0 * qn_.tokens.size();
    a.runs = {{EditKind::kSame, 0, qn_.tokens.size(), tb, te}};
    found.push_back(std::move(f));
  }
  // Best first: the extract's very characters, then the most occurrences,
  // then the earliest archived.
  std::stable_sort(found.begin(), found.end(), [](const Found& x, const Found& y) {
    if (x.exact != y.exact) return x.exact;
    if (x.count != y.count) return x.count > y.count;
    return x.piece.item < y.piece.item;
  });
  if (found.size() > kMaxPhraseSources) {
    report->warnings.push_back(StrCat(found.size(), " sources hold the extract; the first ",
                                      kMaxPhraseSources, " are shown"));
    found.resize(kMaxPhraseSources);
  }
  std::vector<Piece> pieces;
  for (Found& f : found) {
    (*occurrences)[f.piece.item] = f.count;
    pieces.push_back(std::move(f.piece));
  }
  return pieces;
}

absl::StatusOr<std::vector<Piece>> TextTracer::AlignChains(const std::vector<Chain>& chains) {
  // Chains in query order bound how far each piece may grow.
  std::vector<std::pair<size_t, size_t>> tok(chains.size());
  for (size_t i = 0; i < chains.size(); ++i) {
    tok[i] = {qn_.TokenAt(chains[i].q_begin), qn_.TokenAt(chains[i].q_end - 1) + 1};
  }
  std::vector<Piece> pieces;
  for (size_t i = 0; i < chains.size(); ++i) {
    const Chain& c = chains[i];
    size_t lo = 0, hi = qn_.tokens.size();
    for (size_t j = 0; j < chains.size(); ++j) {
      if (j == i || chains[j].alternate_of >= 0 || static_cast<int>(j) == c.alternate_of) continue;
      if (tok[j].second <= tok[i].first) lo = std::max(lo, tok[j].second);
      if (tok[j].first >= tok[i].second) hi = std::min(hi, tok[j].first);
    }
    ASSIGN_OR_RETURN(SourceDoc * doc, Doc(c.item));
    const NormalizedText& sn = doc->norm;
    if (sn.tokens.empty()) continue;
    auto [tq_b, tq_e] = tok[i];
    size_t ql = tq_b;
    while (ql > lo && !qn_.tokens[ql].after_marker) --ql;
    size_t qr = tq_e;
    while (qr < hi && !qn_.tokens[qr].after_marker) ++qr;
    size_t ts_b = sn.TokenAt(c.s_begin), ts_e = sn.TokenAt(c.s_end - 1) + 1;
    size_t margin_l = (tq_b - ql) + 4, margin_r = (qr - tq_e) + 4;
    size_t wa = ts_b > margin_l ? ts_b - margin_l : 0;
    size_t wb = std::min(sn.tokens.size(), ts_e + margin_r);
    Piece p;
    p.item = c.item;
    p.alternate = c.alternate_of >= 0;
    // The chain's seeds guide the aligner's band (align/token_align.h).
    std::vector<TokenAnchor> anchors;
    for (const Seed& seed : c.seeds) {
      anchors.push_back({qn_.TokenAt(seed.q), sn.TokenAt(seed.s)});
      anchors.push_back({qn_.TokenAt(seed.q + seed.len - 1), sn.TokenAt(seed.s + seed.len - 1)});
    }
    p.a = AlignTokens(qn_, ql, qr, sn, wa, wb, anchors);
    const TokenAlignment& a = p.a;
    bool plausible = a.matched_query_tokens >= 3 && MatchedChars(qn_, a) >= 12 &&
                     a.matched_query_tokens * 10 >= (a.q_end - a.q_begin) * 6 && a.score >= 6;
    if (plausible) pieces.push_back(std::move(p));
  }
  return pieces;
}

std::vector<Piece> TextTracer::ResolveClashes(std::vector<Piece> pieces) const {
  // Pieces may have grown into each other; keep the better of any two that
  // cover the same query words, unless one is the same text in another item.
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& a, const Piece& b) { return a.a.score > b.a.score; });
  std::vector<Piece> kept;
  for (Piece& p : pieces) {
    bool clash = false, duplicate = false;
    for (const Piece& k : kept) {
      size_t ov = std::max<int64_t>(
          0, int64_t(std::min(p.a.q_end, k.a.q_end)) - int64_t(std::max(p.a.q_begin, k.a.q_begin)));
      size_t len = p.a.q_end - p.a.q_begin;
      if (ov * 2 <= len) continue;
      if (p.item != k.item && ov * 10 >= len * 9 && p.a.score >= 0.95 * k.a.score) {
        duplicate = true;
      } else {
        clash = true;
      }
    }
    if (clash) continue;
    p.alternate = duplicate;
    kept.push_back(std::move(p));
  }
  std::sort(kept.begin(), kept.end(), [](const Piece& a, const Piece& b) {
    return a.a.q_begin != b.a.q_begin ? a.a.q_begin < b.a.q_begin : a.a.score > b.a.score;
  });
  return kept;
}

absl::Status TextTracer::MergeAcrossMarkers(std::vector<Piece>* pieces) {
  // "A ... B" where B follows A closely in the same source is one passage
  // with a marked omission, not two passages.
  for (size_t i = 0; i < pieces->size(); ++i) {
    Piece& a = (*pieces)[i];
    if (a.alternate) continue;
    for (size_t j = i + 1; j < pieces->size(); ++j) {
      Piece& b = (*pieces)[j];
      if (b.alternate || b.item != a.item) continue;
      bool adjacent = b.a.q_begin >= a.a.q_end && b.a.q_begin - a.a.q_end <= 1 &&
                      b.a.s_begin >= a.a.s_end && b.a.s_begin - a.a.s_end <= Reach();
      if (!adjacent) break;
      if (b.a.s_begin > a.a.s_end) {
        a.a.runs.push_back({EditKind::kOmitted, b.a.q_begin, b.a.q_begin, a.a.s_end, b.a.s_begin});
      }
      if (b.a.q_begin > a.a.q_end) {
        a.a.runs.push_back({EditKind::kAdded, a.a.q_end, b.a.q_begin, b.a.s_begin, b.a.s_begin});
      }
      a.a.runs.insert(a.a.runs.end(), b.a.runs.begin(), b.a.runs.end());
      a.a.q_end = b.a.q_end;
      a.a.s_end = b.a.s_end;
      a.a.score += b.a.score;
      a.a.matched_query_tokens += b.a.matched_query_tokens;
      a.a.longest_run = std::max(a.a.longest_run, b.a.longest_run);
      pieces->erase(pieces->begin() + j);
      j = i;  // look again from the grown piece
    }
  }
  return absl::OkStatus();
}

absl::Status TextTracer::ExtendAcrossMarkers(std::vector<Piece>* pieces) {
  // An extract like "As I kept passing … the warp, using my own hand" keeps a
  // short fragment before (or after) a marked omission. The fragment joins
  // the piece when its words occur, exactly and in order, within an
  // omission's reach of the piece in the source.
  for (size_t i = 0; i < pieces->size(); ++i) {
    Piece& p = (*pieces)[i];
    ASSIGN_OR_RETURN(SourceDoc * doc, Doc(p.item));
    const NormalizedText& sn = doc->norm;
    auto [lo, hi] = Room(*pieces, i);
    TokenAlignment* a = &p.a;
    auto same = [&](size_t q, size_t s, size_t len) {
      for (size_t k = 0; k < len; ++k) {
        if (qn_.TokenSkeleton(q + k) != sn.TokenSkeleton(s + k)) return false;
      }
      return true;
    };
    auto substantial = [&](size_t b, size_t e) {
      return e - b >= 2 && e - b <= 80 && qn_.SkelEnd(e - 1) - qn_.tokens[b].skel >= 6;
    };
    if (a->q_begin > lo && qn_.tokens[a->q_begin].after_marker) {
      size_t fb = a->q_begin - 1;
      while (fb > lo && !qn_.tokens[fb].after_marker) --fb;
      size_t len = a->q_begin - fb;
      if (substantial(fb, a->q_begin) && a->s_begin >= len) {
        size_t lowest = a->s_begin > Reach() + len ? a->s_begin - Reach() - len : 0;
        for (size_t s = a->s_begin - len + 1; s-- > lowest;) {
          if (!same(fb, s, len)) continue;
          std::vector<EditRun> front = {{EditKind::kSame, fb, a->q_begin, s, s + len}};
          if (s + len < a->s_begin) {
            front.push_back({EditKind::kOmitted, a->q_begin, a->q_begin, s + len, a->s_begin});
          }
          a->runs.insert(a->runs.begin(), front.begin(), front.end());
          a->matched_query_tokens += len;
          a->score += 2.0 * len;
          a->q_begin = fb;
          a->s_begin = s;
          break;
        }
      }
    }
    if (a->q_end < hi && qn_.tokens[a->q_end].after_marker) {
      size_t fe = a->q_end + 1;
      while (fe < hi && !qn_.tokens[fe].after_marker) ++fe;
      size_t len = fe - a->q_end;
      if (substantial(a->q_end, fe)) {
        size_t highest = std::min(sn.tokens.size(), a->s_end + Reach() + len);
        for (size_t s = a->s_end; s + len <= highest; ++s) {
          if (!same(a->q_end, s, len)) continue;
          if (s > a->s_end)
            a->runs.push_back({EditKind::kOmitted, a->q_end, a->q_end, a->s_end, s});
          a->runs.push_back({EditKind::kSame, a->q_end, fe, s, s + len});
          a->matched_query_tokens += len;
          a->score += 2.0 * len;
          a->q_end = fe;
          a->s_end = s + len;
          break;
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TextTracer::FindFragmentsInKnownSources(std::vector<Piece>* pieces) {
  // A fragment too short for the index ("will go back up.") that the
  // extract sets between markers is looked for in the sources its other
  // pieces came from; it counts only where it occurs exactly once.
  if (pieces->empty()) return absl::OkStatus();
  std::vector<bool> covered(qn_.tokens.size(), false);
  std::vector<uint32_t> items;
  for (const Piece& p : *pieces) {
    for (size_t t = p.a.q_begin; t < p.a.q_end; ++t) covered[t] = true;
    if (std::find(items.begin(), items.end(), p.item) == items.end()) items.push_back(p.item);
  }
  std::vector<Piece> found;
  for (size_t t = 0; t < qn_.tokens.size();) {
    if (covered[t]) {
      ++t;
      continue;
    }
    auto [rb, re] = Region(t);
    size_t b = std::max(rb, t), e = b;
    while (e < re && !covered[e]) ++e;
    t = e;
    // Only whole regions: the fragment is all the extract says between markers.
    if (b != rb || e != re || e - b < 2 || qn_.SkelEnd(e - 1) - qn_.tokens[b].skel < 8) continue;
    for (uint32_t item : items) {
      ASSIGN_OR_RETURN(SourceDoc * doc, Doc(item));
      const NormalizedText& sn = doc->norm;
      size_t len = e - b, hits = 0, at = 0;
      for (size_t s = 0; s + len <= sn.tokens.size() && hits < 2; ++s) {
        bool same = true;
        for (size_t k = 0; k < len && same; ++k)
          same = qn_.TokenSkeleton(b + k) == sn.TokenSkeleton(s + k);
        if (same) {
          ++hits;
          at = s;
        }
      }
      if (hits != 1) continue;
      Piece p;
      p.item = item;
      p.a.q_begin = b;
      p.a.q_end = e;
      p.a.s_begin = at;
      p.a.s_end = at + len;
      p.a.matched_query_tokens = len;
      p.a.longest_run = len;
      p.a.score = 2.0 * len;
      p.a.runs = {{EditKind::kSame, b, e, at, at + len}};
      found.push_back(std::move(p));
      break;
    }
  }
  for (Piece& p : found) pieces->push_back(std::move(p));
  std::sort(pieces->begin(), pieces->end(), [](const Piece& a, const Piece& b) {
    return a.a.q_begin != b.a.q_begin ? a.a.q_begin < b.a.q_begin : a.a.score > b.a.score;
  });
  return absl::OkStatus();
}

// Fewer matched words than this makes a piece "short": a common phrase can
// match that much by chance.
constexpr size_t kShortPiece = 8;

void TextTracer::DropUnsupportedShortPieces(std::vector<Piece>* pieces) const {
  // Where the extract has a substantial piece, a short piece counts only in
  // a source that also holds a substantial piece of the same extract.
  std::vector<uint32_t> strong_items;
  for (const Piece& p : *pieces) {
    if (p.a.matched_query_tokens >= kShortPiece) strong_items.push_back(p.item);
  }
  if (strong_items.empty()) return;
  std::vector<Piece> kept;
  for (Piece& p : *pieces) {
    // A standalone fragment of six or more words that is all the extract
    // says between two markers is evidence on its own.
    auto [rb, re] = Region(p.a.q_begin);
    bool whole_fragment = p.a.matched_query_tokens >= 6 && p.a.q_begin == rb && p.a.q_end == re &&
                          p.a.matched_query_tokens == re - rb;
    bool supported =
        p.a.matched_query_tokens >= kShortPiece || whole_fragment ||
        std::find(strong_items.begin(), strong_items.end(), p.item) != strong_items.end();
    if (supported) kept.push_back(std::move(p));
  }
  *pieces = std::move(kept);
}

void TextTracer::DropWeakPieces(std::vector<Piece>* pieces) const {
  // A short piece is believed only when it is most of what the extract says
  // between markers; a common phrase inside unrelated text is no evidence.
  std::vector<Piece> kept;
  for (Piece& p : *pieces) {
    size_t rb = Region(p.a.q_begin).first, re = Region(p.a.q_end - 1).second;
    size_t matched = p.a.matched_query_tokens;
    bool strong = matched >= kShortPiece || matched * 10 >= (re - rb) * 6;
    if (strong && matched >= std::min<size_t>(3, qn_.tokens.size())) kept.push_back(std::move(p));
  }
  *pieces = std::move(kept);
}

absl::Status TextTracer::ExtendEdges(std::vector<Piece>* pieces) {
  // Words of the extract just outside a piece, where the piece meets the
  // start or end of the extract, a marker or another piece, are changes of
  // the source's words there: say so rather than drop them. One or two
  // words are always paired; up to six when the outermost word matches
  // again ("slanting spoils written usurper wrinkles" for "slanting folds
  // of large wrinkles").
  constexpr size_t kAlways = 2, kMax = 6;
  for (size_t i = 0; i < pieces->size(); ++i) {
    auto [lo, hi] = Room(*pieces, i);
    TokenAlignment* a = &(*pieces)[i].a;
    ASSIGN_OR_RETURN(SourceDoc * doc, Doc((*pieces)[i].item));
    const NormalizedText& sn = doc->norm;
    auto paired = [&](size_t q, size_t s, size_t len) {
      std::vector<EditRun> runs;
      for (size_t k = 0; k < len; ++k) {
        EditKind kind = qn_.TokenSkeleton(q + k) == sn.TokenSkeleton(s + k) ? EditKind::kSame
                                                                            : EditKind::kChanged;
        if (kind == EditKind::kSame) ++a->matched_query_tokens;
        if (!runs.empty() && runs.back().kind == kind) {
          runs.back().q_end = q + k + 1;
          runs.back().s_end = s + k + 1;
        } else {
          runs.push_back({kind, q + k, q + k + 1, s + k, s + k + 1});
        }
      }
      return runs;
    };
    lo = std::max(lo, Region(a->q_begin).first);
    hi = std::min(hi, Region(a->q_end - 1).second);
    size_t left = a->q_begin - std::min(lo, a->q_begin);
    if (left >= 1 && left <= kMax && a->s_begin >= left &&
        (left <= kAlways || qn_.TokenSkeleton(lo) == sn.TokenSkeleton(a->s_begin - left))) {
      std::vector<EditRun> front = paired(a->q_begin - left, a->s_begin - left, left);
      a->runs.insert(a->runs.begin(), front.begin(), front.end());
      a->q_begin -= left;
      a->s_begin -= left;
    }
    size_t right = std::max(hi, a->q_end) - a->q_end;
    if (right >= 1 && right <= kMax && a->s_end + right <= sn.tokens.size() &&
        (right <= kAlways ||
         qn_.TokenSkeleton(a->q_end + right - 1) == sn.TokenSkeleton(a->s_end + right - 1))) {
      std::vector<EditRun> back = paired(a->q_end, a->s_end, right);
      a->runs.insert(a->runs.end(), back.begin(), back.end());
      a->q_end += right;
      a->s_end += right;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Segment> TextTracer::MakeSegment(const Piece& p,
                                                std::pair<uint64_t, uint64_t>* text_span) {
  ASSIGN_OR_RETURN(SourceDoc * doc, Doc(p.item));
  const NormalizedText& sn = doc->norm;
  const std::string& text = doc->stored.text.text;
  const TokenAlignment& a = p.a;
  uint64_t s_b = sn.tokens[a.s_begin].start, s_e = sn.tokens[a.s_end - 1].end;
  uint64_t q_b = qn_.tokens[a.q_begin].start, q_e = qn_.tokens[a.q_end - 1].end;
  ExtendOverSharedPunctuation(text, &s_b, &s_e, query_, &q_b, &q_e);
  *text_span = {s_b, s_e};
  Segment seg;
  seg.evidence = {EvidenceKind::kText};
  seg.location = LocateText(doc->stored.text, doc->original, s_b, s_e);
  seg.source_start = static_cast<double>(seg.location->start_byte);
  seg.source_end = static_cast<double>(seg.location->end_byte);
  seg.query_start = static_cast<double>(q_b);
  seg.query_end = static_cast<double>(q_e);
  size_t span = a.q_end - a.q_begin;
  seg.confidence =
      std::min(1.0, static_cast<double>(a.matched_query_tokens) / std::max<size_t>(span, 1)) *
      std::min(1.0, a.score / 20.0);
  seg.source_text = CollapseSpace(std::string_view(text).substr(s_b, s_e - s_b));
  seg.query_text = CollapseSpace(query_.substr(q_b, q_e - q_b));
  bool omitted = false, altered = false;
  for (const EditRun& r : a.runs) {
    TextEdit e;
    uint64_t rb = 0, re = 0;
    if (r.s_end > r.s_begin) {
      rb = sn.tokens[r.s_begin].start;
      re = sn.tokens[r.s_end - 1].end;
      e.source_text = CollapseSpace(std::string_view(text).substr(rb, re - rb));
    }
    if (r.q_end > r.q_begin) {
      uint64_t qb = qn_.tokens[r.q_begin].start, qe = qn_.tokens[r.q_end - 1].end;
      e.query_text = CollapseSpace(query_.substr(qb, qe - qb));
    }
    switch (r.kind) {
      case EditKind::kSame:
        e.kind = TextEditKind::kSame;
        break;
      case EditKind::kOmitted:
        e.kind = TextEditKind::kOmitted;
        omitted = true;
        e.source = LocateText(doc->stored.text, doc->original, rb, re);
        break;
      case EditKind::kChanged:
        e.kind = TextEditKind::kChanged;
        altered = true;
        e.source = LocateText(doc->stored.text, doc->original, rb, re);
        break;
      case EditKind::kAdded:
        e.kind = TextEditKind::kAdded;
        altered = true;
        break;
    }
    seg.edits.push_back(std::move(e));
  }
  seg.verdict = altered   ? MatchVerdict::kAltered
                : omitted ? MatchVerdict::kVerbatimWithOmissions
                          : MatchVerdict::kVerbatim;
  if (!altered && !omitted && seg.source_text != seg.query_text) {
    // Same words, different characters (case, punctuation, spelling variants).
    seg.extra["normalized_match"] = true;
  }
  return seg;
}

void TextTracer::AddIntervals(SourceMatch* m) {
  SourceDoc* doc = docs_[m->item.id].get();
  const ExtractedText& et = doc->stored.text;
  struct Span {
    uint64_t b, e;
    size_t seg;
  };
  std::vector<Span> spans;
  const auto& text_spans = text_spans_[m->item.id];
  for (size_t i = 0; i < text_spans.size(); ++i) {
    spans.push_back({text_spans[i].first, text_spans[i].second, i});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.b < b.b; });
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].seg < spans[i - 1].seg) {
      m->notes.push_back(
          "the extract presents these passages in a different order than the source");
      break;
    }
  }
  auto interval = [&](IntervalRole role, uint64_t b, uint64_t e) {
    SourceInterval iv;
    iv.role = role;
    iv.location = LocateText(et, doc->original, b, e);
    iv.start = static_cast<double>(iv.location->start_byte);
    iv.end = static_cast<double>(iv.location->end_byte);
    iv.text = Excerpt(std::string_view(et.text).substr(b, e - b),
                      role == IntervalRole::kCut ? 600 : 2000);
    return iv;
  };
  uint64_t first = spans.front().b;
  bool clipped = false;
  uint64_t before =
      ContextBefore(et.text, first, options_.context_sentences, kMaxContextBytes, &clipped);
  if (before < first) {
    SourceInterval iv = interval(IntervalRole::kBefore, before, first);
    if (clipped) iv.text = StrCat("… ", iv.text);
    m->intervals.push_back(std::move(iv));
  }
  const auto& toks = doc->norm.tokens;
  for (size_t i = 1; i < spans.size(); ++i) {
    uint64_t b = spans[i - 1].e, e = spans[i].b;
    if (e <= b) continue;
    SourceInterval iv = interval(IntervalRole::kCut, b, e);
    auto first_tok = std::lower_bound(toks.begin(), toks.end(), b,
                                      [](const Token& t, uint64_t v) { return t.start < v; });
    auto last_tok = std::lower_bound(toks.begin(), toks.end(), e,
                                     [](const Token& t, uint64_t v) { return t.start < v; });
    iv.note = StrCat(last_tok - first_tok, " words left out");
    m->intervals.push_back(std::move(iv));
  }
  uint64_t last = spans.back().e;
  uint64_t after =
      ContextAfter(et.text, last, options_.context_sentences, kMaxContextBytes, &clipped);
  if (after > last) {
    SourceInterval iv = interval(IntervalRole::kAfter, last, after);
    if (clipped) StrAppend(&iv.text, " …");
    m->intervals.push_back(std::move(iv));
  }
}

absl::Status TextTracer::BuildReport(const std::vector<Piece>& pieces, TraceReport* report) {
  std::map<uint32_t, size_t> source_index;
  std::vector<bool> covered(qn_.tokens.size(), false);
  for (const Piece& p : pieces) {
    std::pair<uint64_t, uint64_t> text_span;
    ASSIGN_OR_RETURN(Segment seg, MakeSegment(p, &text_span));
    auto it = source_index.find(p.item);
    if (it == source_index.end()) {
      SourceMatch m;
      m.item = docs_[p.item]->item;
      it = source_index.emplace(p.item, report->sources.size()).first;
      report->sources.push_back(std::move(m));
    }
    SourceMatch& m = report->sources[it->second];
    m.score += p.a.score;
    m.segments.push_back(std::move(seg));
    text_spans_[p.item].push_back(text_span);
    for (size_t t = p.a.q_begin; t < p.a.q_end; ++t) covered[t] = true;
  }
  for (SourceMatch& m : report->sources) {
    bool altered = false, omitted = m.segments.size() > 1;
    for (const Segment& s : m.segments) {
      altered |= s.verdict == MatchVerdict::kAltered;
      omitted |= s.verdict == MatchVerdict::kVerbatimWithOmissions;
    }
    m.verdict = altered   ? MatchVerdict::kAltered
                : omitted ? MatchVerdict::kVerbatimWithOmissions
                          : MatchVerdict::kVerbatim;
    AddIntervals(&m);
  }
  for (size_t t = 0; t < covered.size();) {
    if (covered[t]) {
      ++t;
      continue;
    }
    size_t u = t;
    while (u < covered.size() && !covered[u]) ++u;
    QueryGap g;
    g.start = qn_.tokens[t].start;
    g.end = qn_.tokens[u - 1].end;
    g.text = CollapseSpace(
        query_.substr(qn_.tokens[t].start, qn_.tokens[u - 1].end - qn_.tokens[t].start));
    report->not_in_archive.push_back(std::move(g));
    t = u;
  }
  report->verdict = report->sources.empty()          ? TraceVerdict::kNotFound
                    : report->not_in_archive.empty() ? TraceVerdict::kFound
                                                     : TraceVerdict::kPartlyFound;
  return absl::OkStatus();
}

absl::StatusOr<TraceReport> TextTracer::Run() {
  auto t0 = std::chrono::steady_clock::now();
  TraceReport report;
  report.query_kind = "text";
  report.unit = "byte";
  report.query_text = std::string(query_);
  report.query_sha256 = Sha256Hex(query_);
  report.query_length = static_cast<double>(query_.size());
  report.traced_at = NowRfc3339();
  report.parameters = {{"k", params_.k},
                       {"w", params_.w},
                       {"context_sentences", options_.context_sentences},
                       {"max_omission_chars", options_.max_omission_chars}};
  qn_ = Normalize(query_);
  if (qn_.tokens.size() < kMinQueryWords) {
    return absl::InvalidArgumentError(StrCat("extract too short: ", qn_.tokens.size(),
                                             qn_.tokens.size() == 1 ? " word" : " words",
                                             "; at least ", kMinQueryWords, " are needed"));
  }
  if (qn_.tokens.size() < 8) {
    report.warnings.push_back(
        StrCat("a short extract (", qn_.tokens.size(), " words) may match common phrases"));
  }
  bool marked = std::any_of(qn_.tokens.begin(), qn_.tokens.end(),
                            [](const Token& t) { return t.after_marker; });
  if (qn_.tokens.size() <= kMaxPhraseWords && !marked) {
    std::map<uint32_t, size_t> occurrences;
    ASSIGN_OR_RETURN(std::vector<Piece> phrase, FindPhrase(&occurrences, &report));
    if (!phrase.empty()) {
      RETURN_IF_ERROR(BuildReport(phrase, &report));
      for (SourceMatch& m : report.sources) {
        size_t n = occurrences[static_cast<uint32_t>(m.item.id)];
        if (n > 1) {
          m.notes.push_back(
              StrCat("the extract occurs ", n, " times in this source; one is shown"));
        }
      }
      report.parameters["lookup"] = "phrase";
      report.elapsed_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      return report;
    }
  }
  ASSIGN_OR_RETURN(std::vector<Chain> chains, Retrieve());
  ASSIGN_OR_RETURN(std::vector<Piece> pieces, AlignChains(chains));
  pieces = ResolveClashes(std::move(pieces));
  DropUnsupportedShortPieces(&pieces);
  RETURN_IF_ERROR(MergeAcrossMarkers(&pieces));
  RETURN_IF_ERROR(ExtendAcrossMarkers(&pieces));
  RETURN_IF_ERROR(FindFragmentsInKnownSources(&pieces));
  RETURN_IF_ERROR(MergeAcrossMarkers(&pieces));
  DropWeakPieces(&pieces);
  RETURN_IF_ERROR(ExtendEdges(&pieces));
  RETURN_IF_ERROR(BuildReport(pieces, &report));
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace

absl::Status CheckExtractSize(uint64_t bytes) {
  if (bytes <= kMaxExtractBytes) return absl::OkStatus();
  std::string size = bytes >= (1 << 20) ? absl::StrFormat("%.1f MiB", bytes / double(1 << 20))
                                        : StrCat(bytes >> 10, " KiB");
  return absl::ResourceExhaustedError(StrCat("the extract is ", size, "; one trace takes at most ",
                                             kMaxExtractBytes >> 10, " KiB"));
}

absl::StatusOr<TraceReport> TraceText(const Storage& storage, std::string_view query,
                                      const TextTraceOptions& options) {
  RETURN_IF_ERROR(CheckExtractSize(query.size()));
  TextTracer tracer(storage, query, options);
  return tracer.Run();
}

}  // namespace uncut

#include "trace/text_trace.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <unordered_map>

#include "base/strings.h"
#include "align/token_align.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "text/fingerprint.h"
#include "text/normalize.h"
#include "trace/text_location.h"

namespace uncut {
namespace {

struct Hit {
  uint32_t q, s;
};

struct Seed {
  uint32_t q, s, len;
};

struct Chain {
  uint32_t item = 0;
  double score = 0;
  uint32_t q_begin = 0, q_end = 0, s_begin = 0, s_end = 0;
  int alternate_of = -1;  // index of the piece this one duplicates
};

// Merges k-gram hits on one diagonal into maximal exact seeds.
std::vector<Seed> MakeSeeds(std::vector<Hit>& hits, uint32_t k) {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    int64_t da = int64_t{a.s} - a.q, db = int64_t{b.s} - b.q;
    return da != db ? da < db : a.q < b.q;
  });
  std::vector<Seed> seeds;
  for (const Hit& h : hits) {
    if (!seeds.empty()) {
      Seed& c = seeds.back();
      if (int64_t{c.s} - c.q == int64_t{h.s} - h.q && h.q <= c.q + c.len) {
        c.len = std::max(c.len, h.q + k - c.q);
        continue;
      }
    }
    seeds.push_back({h.q, h.s, k});
  }
  return seeds;
}

// Colinear chaining of seeds (dynamic programming over seeds sorted by
// query position). Returns the best disjoint chains.
std::vector<Chain> ChainSeeds(uint32_t item, std::vector<Seed> seeds, int k,
                              int max_omission, size_t max_chains) {
  std::sort(seeds.begin(), seeds.end(),
            [](const Seed& a, const Seed& b) { return a.q != b.q ? a.q < b.q : a.s < b.s; });
  const size_t n = seeds.size();
  std::vector<double> f(n);
  std::vector<int> prev(n, -1);
  for (size_t j = 0; j < n; ++j) {
    const Seed& sj = seeds[j];
    f[j] = sj.len;
    size_t lo = j > 256 ? j - 256 : 0;
    for (size_t i = lo; i < j; ++i) {
      const Seed& si = seeds[i];
      if (si.q >= sj.q || si.s >= sj.s) continue;
      int64_t dq = int64_t{sj.q} - (si.q + si.len);
      int64_t ds = int64_t{sj.s} - (si.s + si.len);
      if (dq < -k || ds < -k) continue;
      int64_t shift = ds - dq;  // > 0: source text skipped; < 0: query text added
      if (shift > max_omission || shift < -80 || dq > 100) continue;
      double add = static_cast<double>(sj.len) - static_cast<double>(std::max<int64_t>(0, -dq));
      if (add <= 0) continue;
      double cost = 0.02 * std::abs(static_cast<double>(shift)) + (shift != 0 ? 2.0 : 0.0) +
                    0.1 * static_cast<double>(std::max<int64_t>(dq, 0));
      double cand = f[i] + add - cost;
      if (cand > f[j]) {
        f[j] = cand;
        prev[j] = static_cast<int>(i);
      }
    }
  }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return f[a] > f[b]; });
  std::vector<bool> used(n, false);
  std::vector<Chain> chains;
  for (size_t end : order) {
    if (used[end]) continue;
    Chain c;
    c.item = item;
    c.q_end = seeds[end].q + seeds[end].len;
    c.s_end = seeds[end].s + seeds[end].len;
    double first_f = 0;
    int i = static_cast<int>(end);
    int first = i;
    while (i >= 0 && !used[i]) {
      used[i] = true;
      first = i;
      c.q_end = std::max(c.q_end, seeds[i].q + seeds[i].len);
      c.s_end = std::max(c.s_end, seeds[i].s + seeds[i].len);
      i = prev[i];
    }
    if (i >= 0) first_f = f[i];  // the chain ran into a better one: count only its own part
    c.q_begin = seeds[first].q;
    c.s_begin = seeds[first].s;
    c.score = f[end] - first_f;
    chains.push_back(c);
    if (chains.size() >= max_chains) break;
  }
  return chains;
}

// A source document loaded for alignment, cached per trace.
struct SourceDoc {
  Item item;
  StoredText stored;
  NormalizedText norm;
  MappedFile original_file;
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

struct AlignedPiece {
  uint32_t item;
  TokenAlignment a;
  double chain_score;
  int alternate_of = -1;
};

class TextTracer {
 public:
  TextTracer(Archive* archive, std::string_view query, const TextTraceOptions& options)
      : archive_(archive), query_(query), options_(options) {}

  absl::StatusOr<TraceReport> Run();

 private:
  absl::StatusOr<SourceDoc*> Doc(uint32_t item);
  std::vector<Chain> Retrieve(const std::vector<Posting>& postings,
                              const std::unordered_map<uint64_t, std::vector<uint32_t>>& where);
  std::vector<Chain> Select(std::vector<Chain> chains);
  absl::StatusOr<std::optional<AlignedPiece>> AlignPiece(const Chain& c, size_t left_bound,
                                                         size_t right_bound);
  // Builds the segment; *text_span receives its extracted-text range.
  absl::StatusOr<Segment> MakeSegment(const AlignedPiece& p,
                                      std::pair<uint64_t, uint64_t>* text_span);
  void AddIntervals(SourceMatch* m);

  Archive* archive_;
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
  ASSIGN_OR_RETURN(doc->item, archive_->GetItem(item));
  ASSIGN_OR_RETURN(doc->stored, archive_->LoadText(item));
  doc->norm = Normalize(doc->stored.text.text);
  if (doc->item.info.value("offsets", "") == "text") {
    // Offsets into the extracted text (PDF): locations count its lines.
    doc->original = doc->stored.text.text;
  } else {
    ASSIGN_OR_RETURN(doc->original_file,
                     MappedFile::Open(archive_->ObjectPath(doc->item.object)));
    doc->original = doc->original_file.data().substr(
        std::min<uint64_t>(doc->item.object_offset, doc->original_file.data().size()),
        doc->item.size);
  }
  SourceDoc* raw = doc.get();
  docs_[item] = std::move(doc);
  return raw;
}

std::vector<Chain> TextTracer::Retrieve(
    const std::vector<Posting>& postings,
    const std::unordered_map<uint64_t, std::vector<uint32_t>>& where) {
  std::unordered_map<uint32_t, std::vector<Hit>> by_item;
  for (const Posting& p : postings) {
    auto it = where.find(p.key);
    if (it == where.end()) continue;
    for (uint32_t q : it->second) by_item[p.item].push_back({q, p.pos});
  }
  std::vector<Chain> chains;
  for (auto& [item, hits] : by_item) {
    std::vector<Seed> seeds = MakeSeeds(hits, params_.k);
    std::vector<Chain> c = ChainSeeds(item, std::move(seeds), params_.k,
                                      options_.max_omission_chars, 8);
    chains.insert(chains.end(), c.begin(), c.end());
  }
  std::sort(chains.begin(), chains.end(),
            [](const Chain& a, const Chain& b) { return a.score > b.score; });
  return chains;
}

std::vector<Chain> TextTracer::Select(std::vector<Chain> chains) {
  std::vector<Chain> out;
  const double min_score = params_.k + 2;
  for (const Chain& c : chains) {
    if (c.score < min_score || out.size() >= 64) break;
    double len = c.q_end - c.q_begin;
    int dup = -1;
    bool blocked = false;
    for (size_t i = 0; i < out.size(); ++i) {
      const Chain& p = out[i];
      double ov = std::max<double>(0, std::min(c.q_end, p.q_end) - double(std::max(c.q_begin, p.q_begin)));
      if (ov <= 0.3 * len && ov <= 0.3 * (p.q_end - p.q_begin)) continue;
      if (p.alternate_of < 0 && c.item != p.item && ov >= 0.9 * len &&
          ov >= 0.9 * (p.q_end - p.q_begin) && c.score >= 0.95 * p.score) {
        dup = static_cast<int>(i);
      } else {
        blocked = true;
      }
      break;
    }
    if (blocked) continue;
    Chain copy = c;
    copy.alternate_of = dup;
    out.push_back(copy);
  }
  return out;
}

absl::StatusOr<std::optional<AlignedPiece>> TextTracer::AlignPiece(const Chain& c,
                                                                    size_t left_bound,
                                                                    size_t right_bound) {
  ASSIGN_OR_RETURN(SourceDoc * doc, Doc(c.item));
  const NormalizedText& sn = doc->norm;
  if (sn.tokens.empty()) return std::optional<AlignedPiece>();
  size_t tq_b = qn_.TokenAt(c.q_begin);
  size_t tq_e = qn_.TokenAt(c.q_end - 1) + 1;
  size_t ql = tq_b;
  while (ql > left_bound && !qn_.tokens[ql].after_marker) --ql;
  size_t qr = tq_e;
  while (qr < right_bound && !qn_.tokens[qr].after_marker) ++qr;
  size_t ts_b = sn.TokenAt(c.s_begin);
  size_t ts_e = sn.TokenAt(c.s_end - 1) + 1;
  size_t margin_l = (tq_b - ql) + 4, margin_r = (qr - tq_e) + 4;
  size_t wa = ts_b > margin_l ? ts_b - margin_l : 0;
  size_t wb = std::min(sn.tokens.size(), ts_e + margin_r);
  TokenAlignment a = AlignTokens(qn_, ql, qr, sn, wa, wb);
  size_t span = a.q_end - a.q_begin;
  size_t matched_chars = 0;
  for (const EditRun& r : a.runs) {
    if (r.kind != EditKind::kSame) continue;
    matched_chars += qn_.SkelEnd(r.q_end - 1) - qn_.tokens[r.q_begin].skel;
  }
  size_t min_tokens = std::min<size_t>(5, qn_.tokens.size());
  bool convincing = a.matched_query_tokens >= min_tokens && matched_chars >= 16 &&
                    a.matched_query_tokens * 10 >= span * 6 && a.score >= 8;
  if (!convincing) return std::optional<AlignedPiece>();
  return std::optional<AlignedPiece>(AlignedPiece{c.item, std::move(a), c.score, c.alternate_of});
}

absl::StatusOr<Segment> TextTracer::MakeSegment(const AlignedPiece& p,
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
  seg.evidence = {"text"};
  seg.location = LocateText(doc->stored.text, doc->original, s_b, s_e);
  seg.source_start = static_cast<double>(seg.location->start_byte);
  seg.source_end = static_cast<double>(seg.location->end_byte);
  seg.query_start = static_cast<double>(q_b);
  seg.query_end = static_cast<double>(q_e);
  size_t span = a.q_end - a.q_begin;
  seg.confidence = std::min(1.0, static_cast<double>(a.matched_query_tokens) / std::max<size_t>(span, 1)) *
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
        e.kind = "same";
        break;
      case EditKind::kOmitted:
        e.kind = "omitted";
        omitted = true;
        e.source = LocateText(doc->stored.text, doc->original, rb, re);
        break;
      case EditKind::kChanged:
        e.kind = "changed";
        altered = true;
        e.source = LocateText(doc->stored.text, doc->original, rb, re);
        break;
      case EditKind::kAdded:
        e.kind = "added";
        altered = true;
        break;
    }
    seg.edits.push_back(std::move(e));
  }
  seg.verdict = altered ? "altered" : omitted ? "verbatim_with_omissions" : "verbatim";
  if (!altered) {
    // Same words: say whether the characters differ too (case, punctuation, spelling).
    bool exact = CollapseSpace(std::string_view(text).substr(s_b, s_e - s_b)) ==
                 CollapseSpace(query_.substr(q_b, q_e - q_b));
    if (!exact && !omitted) seg.extra["normalized_match"] = true;
  }
  return seg;
}

void TextTracer::AddIntervals(SourceMatch* m) {
  SourceDoc* doc = docs_[m->item.id].get();
  const ExtractedText& et = doc->stored.text;
  // Segments in source order; spans in extracted-text offsets.
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
  bool reordered = false;
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].seg < spans[i - 1].seg) reordered = true;
  }
  if (reordered) {
    m->notes.push_back(
        "the extract presents these passages in a different order than the source");
  }
  auto interval = [&](const std::string& role, uint64_t b, uint64_t e) {
    SourceInterval iv;
    iv.role = role;
    iv.location = LocateText(et, doc->original, b, e);
    iv.start = static_cast<double>(iv.location->start_byte);
    iv.end = static_cast<double>(iv.location->end_byte);
    iv.text = Excerpt(std::string_view(et.text).substr(b, e - b), role == "cut" ? 600 : 2000);
    return iv;
  };
  uint64_t first = spans.front().b;
  uint64_t before = ContextBefore(et.text, first, options_.context_sentences);
  if (before < first) m->intervals.push_back(interval("before", before, first));
  for (size_t i = 1; i < spans.size(); ++i) {
    uint64_t b = spans[i - 1].e, e = spans[i].b;
    if (e <= b) continue;
    SourceInterval iv = interval("cut", b, e);
    size_t words = 0;
    for (const Token& t : doc->norm.tokens) {
      if (t.start >= b && t.end <= e) ++words;
    }
    iv.note = StrCat(words, " words left out");
    m->intervals.push_back(std::move(iv));
  }
  uint64_t last = spans.back().e;
  uint64_t after = ContextAfter(et.text, last, options_.context_sentences);
  if (after > last) m->intervals.push_back(interval("after", last, after));
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
    return absl::InvalidArgumentError(StrCat(
        "extract too short: ", qn_.tokens.size(), qn_.tokens.size() == 1 ? " word" : " words",
        "; at least ", kMinQueryWords, " are needed"));
  }
  if (qn_.tokens.size() < 8) {
    report.warnings.push_back(StrCat("a short extract (", qn_.tokens.size(),
                                           " words) may match common phrases"));
  }
  std::vector<uint64_t> hashes = KgramHashes(qn_.skeleton, params_.k);
  std::unordered_map<uint64_t, std::vector<uint32_t>> where;
  for (uint32_t i = 0; i < hashes.size(); ++i) where[hashes[i]].push_back(i);
  std::vector<uint64_t> keys;
  keys.reserve(where.size());
  for (const auto& [k, v] : where) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::vector<Posting> postings;
  RETURN_IF_ERROR(archive_->Lookup(kTextModality, keys, options_.max_postings_per_key, &postings));
  std::vector<Chain> chosen = Select(Retrieve(postings, where));

  // Primary pieces in query order bound how far each may grow.
  std::vector<size_t> primary;
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i].alternate_of < 0) primary.push_back(i);
  }
  std::sort(primary.begin(), primary.end(),
            [&](size_t a, size_t b) { return chosen[a].q_begin < chosen[b].q_begin; });
  std::vector<std::pair<size_t, size_t>> bounds(chosen.size(), {0, qn_.tokens.size()});
  for (size_t k = 0; k < primary.size(); ++k) {
    size_t lb = 0, rb = qn_.tokens.size();
    if (k > 0) lb = qn_.TokenAt(chosen[primary[k - 1]].q_end - 1) + 1;
    if (k + 1 < primary.size()) rb = qn_.TokenAt(chosen[primary[k + 1]].q_begin);
    bounds[primary[k]] = {std::min(lb, static_cast<size_t>(qn_.TokenAt(chosen[primary[k]].q_begin))),
                          std::max(rb, static_cast<size_t>(qn_.TokenAt(chosen[primary[k]].q_end - 1) + 1))};
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i].alternate_of >= 0) bounds[i] = bounds[chosen[i].alternate_of];
  }
  std::vector<AlignedPiece> pieces;
  for (size_t i = 0; i < chosen.size(); ++i) {
    ASSIGN_OR_RETURN(auto piece, AlignPiece(chosen[i], bounds[i].first, bounds[i].second));
    if (piece) pieces.push_back(std::move(*piece));
  }
  // Pieces may have grown into each other; keep the better one of any pair
  // that now covers the same query words (alternates excepted).
  std::sort(pieces.begin(), pieces.end(),
            [](const AlignedPiece& a, const AlignedPiece& b) { return a.a.score > b.a.score; });
  std::vector<AlignedPiece> kept;
  for (AlignedPiece& p : pieces) {
    bool clash = false;
    for (const AlignedPiece& k : kept) {
      size_t ov = std::max<int64_t>(0, int64_t(std::min(p.a.q_end, k.a.q_end)) -
                                           int64_t(std::max(p.a.q_begin, k.a.q_begin)));
      bool same_piece_elsewhere = p.item != k.item && ov * 10 >= (p.a.q_end - p.a.q_begin) * 9 &&
                                  p.a.score >= 0.95 * k.a.score;
      if (ov * 2 > (p.a.q_end - p.a.q_begin) && !same_piece_elsewhere) clash = true;
    }
    if (!clash) kept.push_back(std::move(p));
  }
  std::sort(kept.begin(), kept.end(), [](const AlignedPiece& a, const AlignedPiece& b) {
    return a.a.q_begin != b.a.q_begin ? a.a.q_begin < b.a.q_begin : a.a.score > b.a.score;
  });

  std::map<uint32_t, size_t> source_index;
  std::vector<bool> covered(qn_.tokens.size(), false);
  for (const AlignedPiece& p : kept) {
    std::pair<uint64_t, uint64_t> text_span;
    ASSIGN_OR_RETURN(Segment seg, MakeSegment(p, &text_span));
    auto it = source_index.find(p.item);
    if (it == source_index.end()) {
      SourceMatch m;
      m.item = docs_[p.item]->item;
      it = source_index.emplace(p.item, report.sources.size()).first;
      report.sources.push_back(std::move(m));
    }
    SourceMatch& m = report.sources[it->second];
    m.score += p.a.score;
    m.segments.push_back(std::move(seg));
    text_spans_[p.item].push_back(text_span);
    for (size_t t = p.a.q_begin; t < p.a.q_end; ++t) covered[t] = true;
  }
  for (SourceMatch& m : report.sources) {
    bool altered = false, omitted = m.segments.size() > 1;
    for (const Segment& s : m.segments) {
      altered |= s.verdict == "altered";
      omitted |= s.verdict == "verbatim_with_omissions";
    }
    m.verdict = altered ? "altered" : omitted ? "verbatim_with_omissions" : "verbatim";
    AddIntervals(&m);
  }
  // Runs of query words no source holds.
  for (size_t t = 0; t < covered.size();) {
    if (covered[t]) {
      ++t;
      continue;
    }
    size_t u = t;
    while (u < covered.size() && !covered[u]) ++u;
    if (u - t >= 3) {
      QueryGap g;
      g.start = qn_.tokens[t].start;
      g.end = qn_.tokens[u - 1].end;
      g.text = CollapseSpace(query_.substr(qn_.tokens[t].start, qn_.tokens[u - 1].end - qn_.tokens[t].start));
      report.not_in_archive.push_back(std::move(g));
    }
    t = u;
  }
  report.verdict = report.sources.empty()           ? "not_found"
                   : report.not_in_archive.empty() ? "found"
                                                   : "partly_found";
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace

absl::StatusOr<TraceReport> TraceText(Archive* archive, std::string_view query,
                                      const TextTraceOptions& options) {
  TextTracer tracer(archive, query, options);
  return tracer.Run();
}

}  // namespace uncut

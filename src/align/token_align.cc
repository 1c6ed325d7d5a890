#include "align/token_align.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace uncut {
namespace {

constexpr double kNeg = -1e18;

// How the match state M of a cell was reached.
enum MMove : uint8_t {
  kStart11 = 0,  // a local alignment starts here: one token against one
  kStart12,      // ... one query token against two source tokens
  kStart21,      // ... two query tokens against one source token
  kDiag,         // 1 query token vs 1 source token
  kMerge12,      // 1 query token vs 2 source tokens
  kMerge21,      // 2 query tokens vs 1 source token
};

enum State : uint8_t { kFromM = 0, kFromX = 1, kFromY = 2 };

// A cell's traceback in one byte: bits 0-2 the M move, 3-4 the state M's
// move came from, bit 5 set when X extends X, 6 when Y extends Y, 7 when M's
// tokens are equal.
constexpr uint8_t kXExtends = 0x20, kYExtends = 0x40, kEqual = 0x80;

struct Scores {
  double m = kNeg, x = kNeg, y = kNeg;
};

// Source columns [lo, hi) of one row of the band (columns count from 1, as
// row i holds the alignments ending after query token i-1), and where the
// row's traceback bytes start.
struct RowSpan {
  size_t lo = 1, hi = 1, offset = 0;
};

struct Band {
  std::vector<RowSpan> rows;  // 0..m; row 0 is empty
  size_t cells = 0;
  size_t scratch_bytes = 0;  // what building it held
};

// The band's rows for anchors given relative to the ranges (q < m, s < n),
// sorted by q. Row t+1 covers the diagonals (s - q) of the anchors around
// query token t, widened by the radius: before the first anchor and after
// the last, their diagonals; between two anchors, both of theirs (split at
// the middle when they differ by more than kAlignMaxDrift).
Band MakeBand(size_t m, size_t n, const std::vector<TokenAnchor>& anchors) {
  std::vector<int64_t> dmin(m, INT64_MAX), dmax(m, INT64_MIN);
  auto cover = [&](size_t from, size_t to, int64_t d) {
    for (size_t t = from; t < std::min(to, m); ++t) {
      dmin[t] = std::min(dmin[t], d);
      dmax[t] = std::max(dmax[t], d);
    }
  };
  auto diag = [](const TokenAnchor& a) { return int64_t(a.s) - int64_t(a.q); };
  const int64_t drift = kAlignMaxDrift;
  if (anchors.empty()) {
    cover(0, m, 0);
  } else {
    cover(0, anchors.front().q + 1, diag(anchors.front()));
    cover(anchors.back().q, m, diag(anchors.back()));
    for (size_t k = 1; k < anchors.size(); ++k) {
      const TokenAnchor& a = anchors[k - 1];
      const TokenAnchor& b = anchors[k];
      if (std::abs(diag(a) - diag(b)) <= drift) {
        cover(a.q, b.q + 1, diag(a));
        cover(a.q, b.q + 1, diag(b));
      } else {
        size_t mid = (a.q + b.q + 1) / 2;
        cover(a.q, std::max(mid, a.q + 1), diag(a));
        cover(std::min(mid, b.q), b.q + 1, diag(b));
      }
    }
  }
  Band band;
  band.scratch_bytes = 2 * m * sizeof(int64_t);
  band.rows.resize(m + 1);
  const int64_t radius = kAlignBandRadius;
  for (size_t t = 0; t < m; ++t) {
    int64_t lo_d = dmin[t], hi_d = std::min(dmax[t], dmin[t] + drift);
    int64_t lo = std::max<int64_t>(1, int64_t(t) + 1 + lo_d - radius);
    int64_t hi = std::min<int64_t>(int64_t(n), int64_t(t) + 1 + hi_d + radius) + 1;
    RowSpan& r = band.rows[t + 1];
    r.offset = band.cells;
    if (lo < hi) {
      r.lo = size_t(lo);
      r.hi = size_t(hi);
      band.cells += r.hi - r.lo;
    }
  }
  return band;
}

}  // namespace

std::vector<TokenAnchor> UniqueTokenAnchors(const NormalizedText& query, size_t qb, size_t qe,
                                            const NormalizedText& source, size_t sb, size_t se) {
  struct Count {
    uint32_t in_query = 0, in_source = 0;
    size_t q = 0, s = 0;
  };
  std::unordered_map<std::u32string_view, Count> counts;
  for (size_t t = qb; t < qe; ++t) {
    Count& c = counts[query.TokenSkeleton(t)];
    ++c.in_query;
    c.q = t;
  }
  for (size_t t = sb; t < se; ++t) {
    auto it = counts.find(source.TokenSkeleton(t));
    if (it == counts.end()) continue;
    ++it->second.in_source;
    it->second.s = t;
  }
  std::vector<TokenAnchor> pairs;
  for (const auto& [skeleton, c] : counts) {
    if (c.in_query == 1 && c.in_source == 1) pairs.push_back({c.q, c.s});
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const TokenAnchor& a, const TokenAnchor& b) { return a.q < b.q; });
  // Longest run increasing in the source too (patience sorting).
  std::vector<size_t> tails, prev(pairs.size(), SIZE_MAX);
  for (size_t k = 0; k < pairs.size(); ++k) {
    auto it = std::lower_bound(tails.begin(), tails.end(), pairs[k].s,
                               [&](size_t i, size_t s) { return pairs[i].s < s; });
    if (it != tails.begin()) prev[k] = *(it - 1);
    if (it == tails.end()) {
      tails.push_back(k);
    } else {
      *it = k;
    }
  }
  std::vector<TokenAnchor> out;
  for (size_t k = tails.empty() ? SIZE_MAX : tails.back(); k != SIZE_MAX; k = prev[k]) {
    out.push_back(pairs[k]);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const AlignScores& sc) {
  return AlignTokens(query, qb, qe, source, sb, se,
                     UniqueTokenAnchors(query, qb, qe, source, sb, se), sc);
}

TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const std::vector<TokenAnchor>& anchors, const AlignScores& sc) {
  TokenAlignment best;
  const size_t m = qe > qb ? qe - qb : 0;
  const size_t n = se > sb ? se - sb : 0;
  if (m == 0 || n == 0) return best;
  auto qtok = [&](size_t i) { return query.TokenSkeleton(qb + i); };
  auto stok = [&](size_t j) { return source.TokenSkeleton(sb + j); };
  auto concat_eq = [](std::u32string_view one, std::u32string_view a, std::u32string_view b) {
    return one.size() == a.size() + b.size() && one.substr(0, a.size()) == a &&
           one.substr(a.size()) == b;
  };
  // Omission opening is cheap before a query token that follows a marker.
  auto omit_open = [&](size_t i) {
    return (i < m && query.tokens[qb + i].after_marker) ? sc.omit_open_marked : sc.omit_open;
  };

  std::vector<TokenAnchor> inside;
  for (const TokenAnchor& a : anchors) {
    if (a.q >= qb && a.q < qe && a.s >= sb && a.s < se) inside.push_back({a.q - qb, a.s - sb});
  }
  std::sort(inside.begin(), inside.end(), [](const TokenAnchor& a, const TokenAnchor& b) {
    return a.q != b.q ? a.q < b.q : a.s < b.s;
  });
  Band band = MakeBand(m, n, inside);
  const size_t anchor_bytes = inside.capacity() * sizeof(TokenAnchor);
  inside = {};

  // Cell (i, j): the best local alignment ending after query token i-1 and
  // source token j-1. Scores are kept for the last three rows (merges reach
  // two back); the traceback for every cell of the band.
  std::vector<uint8_t> back(band.cells);
  std::vector<Scores> ring[3];
  const Scores none;
  auto score = [&](size_t i, size_t j) -> const Scores& {
    if (i == 0) return none;
    const RowSpan& r = band.rows[i];
    if (j < r.lo || j >= r.hi) return none;
    return ring[i % 3][j - r.lo];
  };
  double best_score = 0;
  size_t bi = 0, bj = 0;
  for (size_t i = 1; i <= m; ++i) {
    const RowSpan& r = band.rows[i];
    std::vector<Scores>& row = ring[i % 3];
    row.assign(r.hi - r.lo, Scores());
    for (size_t j = r.lo; j < r.hi; ++j) {
      Scores& c = row[j - r.lo];
      // Diagonal: match or change.
      const Scores& d = score(i - 1, j - 1);
      bool eq = qtok(i - 1) == stok(j - 1);
      double from = 0;
      uint8_t prev = kFromM;
      bool start = true;
      if (d.m > from) { from = d.m; prev = kFromM; start = false; }
      if (d.x > from) { from = d.x; prev = kFromX; start = false; }
      if (d.y > from) { from = d.y; prev = kFromY; start = false; }
      uint8_t move = kStart11;
      bool equal = false;
      // A change may not start a local alignment.
      if (!(start && !eq)) {
        c.m = from + (eq ? sc.match : sc.mismatch);
        move = start ? kStart11 : kDiag;
        equal = eq;
      }
      // Merges: one token against two.
      auto merge = [&](const Scores& e, uint8_t start_move, uint8_t merge_move) {
        double f = std::max({0.0, e.m, e.x, e.y});
        uint8_t p = f == e.m ? kFromM : f == e.x ? kFromX : f == e.y ? kFromY : kFromM;
        if (f + sc.match * 1.5 > c.m) {
          c.m = f + sc.match * 1.5;
          move = f == 0 ? start_move : merge_move;
          prev = p;
          equal = true;
        }
      };
      if (j >= 2 && concat_eq(qtok(i - 1), stok(j - 2), stok(j - 1))) {
        merge(score(i - 1, j - 2), kStart12, kMerge12);
      }
      if (i >= 2 && concat_eq(stok(j - 1), qtok(i - 2), qtok(i - 1))) {
        merge(score(i - 2, j - 1), kStart21, kMerge21);
      }
      uint8_t bits = move | static_cast<uint8_t>(prev << 3) | (equal ? kEqual : 0);
      // X: source token j-1 omitted (gap in the query).
      const Scores& l = score(i, j - 1);
      double xo = l.m + omit_open(i), xe = l.x + sc.omit_extend;
      if (xo >= xe) {
        c.x = xo;
      } else {
        c.x = xe;
        bits |= kXExtends;
      }
      // Y: query token i-1 added (gap in the source).
      const Scores& u = score(i - 1, j);
      double yo = u.m + sc.add_open, ye = u.y + sc.add_extend;
      if (yo >= ye) {
        c.y = yo;
      } else {
        c.y = ye;
        bits |= kYExtends;
      }
      back[r.offset + (j - r.lo)] = bits;
      if (c.m > best_score) {
        best_score = c.m;
        bi = i;
        bj = j;
      }
    }
  }
  best.dp_bytes = std::max(band.scratch_bytes + anchor_bytes,
                           back.capacity() + band.rows.capacity() * sizeof(RowSpan) +
                               (ring[0].capacity() + ring[1].capacity() + ring[2].capacity()) *
                                   sizeof(Scores));
  if (best_score <= 0) return best;

  // Trace back from the best cell, collecting per-step edits. A positive
  // score is reached only through cells of the band.
  struct Step {
    EditKind kind;
    size_t qi, qn, sj, sn;
  };
  std::vector<Step> steps;
  size_t i = bi, j = bj;
  uint8_t state = kFromM;
  while (i > 0 && j > 0) {
    const RowSpan& r = band.rows[i];
    if (j < r.lo || j >= r.hi) break;
    uint8_t b = back[r.offset + (j - r.lo)];
    if (state == kFromM) {
      uint8_t move = b & 7;
      size_t dq = (move == kMerge21 || move == kStart21) ? 2 : 1;
      size_t ds = (move == kMerge12 || move == kStart12) ? 2 : 1;
      steps.push_back({(b & kEqual) ? EditKind::kSame : EditKind::kChanged, i - dq, dq, j - ds, ds});
      i -= dq;
      j -= ds;
      if (move <= kStart21) break;
      state = (b >> 3) & 3;
    } else if (state == kFromX) {
      steps.push_back({EditKind::kOmitted, i, 0, j - 1, 1});
      state = (b & kXExtends) ? kFromX : kFromM;
      j -= 1;
    } else {
      steps.push_back({EditKind::kAdded, i - 1, 1, j, 0});
      state = (b & kYExtends) ? kFromY : kFromM;
      i -= 1;
    }
  }
  std::reverse(steps.begin(), steps.end());
  best.score = best_score;
  best.q_begin = qb + (steps.empty() ? bi : steps.front().qi);
  best.s_begin = sb + (steps.empty() ? bj : steps.front().sj);
  best.q_end = qb + bi;
  best.s_end = sb + bj;
  size_t run = 0;
  for (const Step& st : steps) {
    if (st.kind == EditKind::kSame) {
      best.matched_query_tokens += st.qn;
      run += st.qn;
      best.longest_run = std::max(best.longest_run, run);
    } else {
      run = 0;
    }
    if (!best.runs.empty() && best.runs.back().kind == st.kind) {
      best.runs.back().q_end = qb + st.qi + st.qn;
      best.runs.back().s_end = sb + st.sj + st.sn;
    } else {
      best.runs.push_back({st.kind, qb + st.qi, qb + st.qi + st.qn, sb + st.sj, sb + st.sj + st.sn});
    }
  }
  return best;
}

}  // namespace uncut

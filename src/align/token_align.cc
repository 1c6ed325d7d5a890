#include "align/token_align.h"

#include <algorithm>
#include <limits>

namespace uncut {
namespace {

constexpr double kNeg = -1e18;

// Moves into a cell: how the state was reached.
enum Move : uint8_t {
  kStart = 0,
  kDiag,      // 1 query token vs 1 source token
  kMerge12,   // 1 query token vs 2 source tokens
  kMerge21,   // 2 query tokens vs 1 source token
  kFromM,
  kFromX,
  kFromY,
};

struct Cell {
  double m = kNeg, x = kNeg, y = kNeg;
  uint8_t m_move = kStart, m_prev = kFromM;  // m_prev: state the diagonal came from
  uint8_t x_prev = kFromM, y_prev = kFromM;
  bool m_equal = false;
};

}  // namespace

TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const AlignScores& sc) {
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

  // dp[i][j]: best local alignment ending after query token i-1 and source token j-1.
  std::vector<Cell> dp((m + 1) * (n + 1));
  auto at = [&](size_t i, size_t j) -> Cell& { return dp[i * (n + 1) + j]; };
  double best_score = 0;
  size_t bi = 0, bj = 0;
  for (size_t i = 1; i <= m; ++i) {
    for (size_t j = 1; j <= n; ++j) {
      Cell& c = at(i, j);
      // Diagonal: match or change.
      const Cell& d = at(i - 1, j - 1);
      bool eq = qtok(i - 1) == stok(j - 1);
      double s = eq ? sc.match : sc.mismatch;
      double from = 0;
      uint8_t prev = kFromM;
      uint8_t move = kStart;
      if (d.m > from) { from = d.m; prev = kFromM; move = kDiag; }
      if (d.x > from) { from = d.x; prev = kFromX; move = kDiag; }
      if (d.y > from) { from = d.y; prev = kFromY; move = kDiag; }
      // A change may not start a local alignment.
      if (move == kStart && !eq) {
        c.m = kNeg;
      } else {
        c.m = from + s;
        c.m_move = move == kStart ? kStart : kDiag;
        c.m_prev = prev;
        c.m_equal = eq;
      }
      // Merges: one token against two.
      if (j >= 2 && concat_eq(qtok(i - 1), stok(j - 2), stok(j - 1))) {
        const Cell& e = at(i - 1, j - 2);
        double f = std::max({0.0, e.m, e.x, e.y});
        uint8_t p = f == e.m ? kFromM : f == e.x ? kFromX : f == e.y ? kFromY : kFromM;
        if (f + sc.match * 1.5 > c.m) {
          c.m = f + sc.match * 1.5;
          c.m_move = f == 0 ? kStart : kMerge12;
          c.m_prev = p;
          c.m_equal = true;
        }
      }
      if (i >= 2 && concat_eq(stok(j - 1), qtok(i - 2), qtok(i - 1))) {
        const Cell& e = at(i - 2, j - 1);
        double f = std::max({0.0, e.m, e.x, e.y});
        uint8_t p = f == e.m ? kFromM : f == e.x ? kFromX : f == e.y ? kFromY : kFromM;
        if (f + sc.match * 1.5 > c.m) {
          c.m = f + sc.match * 1.5;
          c.m_move = f == 0 ? kStart : kMerge21;
          c.m_prev = p;
          c.m_equal = true;
        }
      }
      // X: source token j-1 omitted (gap in the query).
      const Cell& l = at(i, j - 1);
      double xo = l.m + omit_open(i), xe = l.x + sc.omit_extend;
      if (xo >= xe) {
        c.x = xo;
        c.x_prev = kFromM;
      } else {
        c.x = xe;
        c.x_prev = kFromX;
      }
      // Y: query token i-1 added (gap in the source).
      const Cell& u = at(i - 1, j);
      double yo = u.m + sc.add_open, ye = u.y + sc.add_extend;
      if (yo >= ye) {
        c.y = yo;
        c.y_prev = kFromM;
      } else {
        c.y = ye;
        c.y_prev = kFromY;
      }
      if (c.m > best_score) {
        best_score = c.m;
        bi = i;
        bj = j;
      }
    }
  }
  if (best_score <= 0) return best;

  // Trace back from the best cell, collecting per-step edits.
  struct Step {
    EditKind kind;
    size_t qi, qn, sj, sn;
  };
  std::vector<Step> steps;
  size_t i = bi, j = bj;
  uint8_t state = kFromM;
  while (i > 0 || j > 0) {
    Cell& c = at(i, j);
    if (state == kFromM) {
      size_t dq = 1, ds = 1;
      if (c.m_move == kMerge12) ds = 2;
      if (c.m_move == kMerge21) dq = 2;
      if (c.m_move == kStart) {
        if (c.m_equal && i > 0 && j > 0) {
          // Starting cell: a single match (or a merge that started here).
          size_t sq = 1, ss = 1;
          if (j >= 2 && concat_eq(qtok(i - 1), stok(j - 2), stok(j - 1)) &&
              !(qtok(i - 1) == stok(j - 1))) {
            ss = 2;
          } else if (i >= 2 && concat_eq(stok(j - 1), qtok(i - 2), qtok(i - 1)) &&
                     !(qtok(i - 1) == stok(j - 1))) {
            sq = 2;
          }
          steps.push_back({EditKind::kSame, i - sq, sq, j - ss, ss});
          i -= sq;
          j -= ss;
        }
        break;
      }
      steps.push_back({c.m_equal ? EditKind::kSame : EditKind::kChanged, i - dq, dq, j - ds, ds});
      state = c.m_prev;
      i -= dq;
      j -= ds;
    } else if (state == kFromX) {
      steps.push_back({EditKind::kOmitted, i, 0, j - 1, 1});
      state = c.x_prev;
      j -= 1;
    } else {
      steps.push_back({EditKind::kAdded, i - 1, 1, j, 0});
      state = c.y_prev;
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

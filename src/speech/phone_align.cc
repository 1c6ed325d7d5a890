#include "speech/phone_align.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace uncut {
namespace {

constexpr int kNegative = std::numeric_limits<int>::min() / 4;

// A score and where its path started (query phone, transcript phone).
struct Cell {
  int score = kNegative;
  uint32_t qi = 0, tj = 0;
};

Cell Better(const Cell& a, const Cell& b) { return b.score > a.score ? b : a; }
Cell Plus(Cell c, int add) {
  if (c.score != kNegative) c.score += add;
  return c;
}

}  // namespace

double PhoneAlignment::Similarity(size_t query_phones, const PhoneScores& s) const {
  if (query_phones == 0) return 0;
  return std::clamp(double(score) / (double(s.match) * query_phones), 0.0, 1.0);
}

PhoneAlignment AlignPhones(std::span<const Phone> q, std::span<const Phone> t,
                           const PhoneScores& s) {
  const size_t m = q.size(), n = t.size();
  PhoneAlignment best;
  if (m == 0 || n == 0) return best;
  // Row i - 1 and row i of: H (best ending here), E (ending in a skip of
  // transcript phones), F (ending in a skip of query phones).
  std::vector<Cell> h_prev(n + 1), h_cur(n + 1), f_prev(n + 1), f_cur(n + 1);
  for (size_t j = 0; j <= n; ++j) h_prev[j] = {0, 0, uint32_t(j)};
  for (size_t i = 1; i <= m; ++i) {
    h_cur[0] = {0, uint32_t(i), 0};
    f_cur[0] = Cell();
    Cell e;
    for (size_t j = 1; j <= n; ++j) {
      // Skips of transcript phones (along the row).
      e = Better(Plus(h_cur[j - 1], s.gap_open), Plus(e, s.transcript_gap_extend));
      // Skips of query phones (down the column).
      f_cur[j] = Better(Plus(h_prev[j], s.gap_open), Plus(f_prev[j], s.gap_extend));
      int sub = q[i - 1] == t[j - 1]                          ? s.match
                : PhoneClass(q[i - 1]) == PhoneClass(t[j - 1]) ? s.same_class
                                                               : s.mismatch;
      Cell diag = h_prev[j - 1];
      if (diag.score == 0) diag = {0, uint32_t(i - 1), uint32_t(j - 1)};
      diag.score += sub;
      Cell h = Better(Better(diag, e), f_cur[j]);
      if (h.score <= 0) h = {0, uint32_t(i), uint32_t(j)};
      h_cur[j] = h;
      if (h.score > best.score) {
        best.score = h.score;
        best.query_begin = h.qi;
        best.transcript_begin = h.tj;
        best.query_end = i;
        best.transcript_end = j;
      }
    }
    std::swap(h_prev, h_cur);
    std::swap(f_prev, f_cur);
  }
  return best;
}

}  // namespace uncut

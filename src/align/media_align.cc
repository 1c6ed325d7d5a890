#include "align/media_align.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

namespace uncut {
namespace {

struct Line {
  uint32_t item;
  double speed, offset, votes;
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Hough voting: for each item and speed, a histogram of offsets.
using HitsByItem = std::unordered_map<uint32_t, std::vector<const MediaHit*>>;

std::vector<Line> VoteLines(const HitsByItem& by_item, const std::vector<MediaHit>& hits,
                            const MediaAlignParams& p) {
  std::vector<double> speeds;
  for (double s = p.speed_min; s <= p.speed_max + 1e-9; s += p.speed_step) speeds.push_back(s);
  std::vector<Line> lines;
  // A dense histogram per item and speed, over the offsets its hits span;
  // only the bins touched are read back.
  std::vector<double> bins;
  std::vector<int64_t> touched;
  for (const auto& [item, item_hits] : by_item) {
    double s_lo = 1e18, s_hi = -1e18, q_lo = 1e18, q_hi = -1e18;
    for (const MediaHit* h : item_hits) {
      s_lo = std::min(s_lo, h->s);
      s_hi = std::max(s_hi, h->s);
      q_lo = std::min(q_lo, h->q);
      q_hi = std::max(q_hi, h->q);
    }
    const int64_t first =
        static_cast<int64_t>(std::floor((s_lo - p.speed_max * q_hi) / p.offset_bin_s)) - 2;
    const int64_t last =
        static_cast<int64_t>(std::floor((s_hi - p.speed_min * q_lo) / p.offset_bin_s)) + 2;
    bins.assign(static_cast<size_t>(last - first + 1), 0.0);
    for (size_t si = 0; si < speeds.size(); ++si) {
      double speed = speeds[si];
      touched.clear();
      const double slack = p.speed_step / 2;
      for (const MediaHit* h : item_hits) {
        if (speed < h->speed_lo - slack || speed > h->speed_hi + slack) continue;
        double off = h->s - speed * h->q;
        int64_t b = static_cast<int64_t>(std::floor(off / p.offset_bin_s)) - first;
        if (bins[b] == 0) touched.push_back(b);
        bins[b] += h->weight;
      }
      for (int64_t b : touched) {
        // Count the neighbouring bin too: an offset near a bin edge splits.
        double v2 = bins[b] + std::max(bins[b + 1], bins[b - 1]);
        if (v2 >= p.min_score) {
          lines.push_back({item, speed, (b + first + 0.5) * p.offset_bin_s, v2});
        }
      }
      for (int64_t b : touched) bins[b] = 0;
    }
  }
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.votes > b.votes; });
  // Keep distinct lines: drop ones that stay near an already kept line of the
  // same item over the whole query (the same match seen at a neighbouring
  // speed, pivoting around it).
  double q_lo = 1e18, q_hi = -1e18;
  for (const MediaHit& h : hits) {
    q_lo = std::min(q_lo, h.q);
    q_hi = std::max(q_hi, h.q);
  }
  std::vector<Line> kept;
  for (const Line& l : lines) {
    bool near = false;
    for (const Line& k : kept) {
      if (k.item != l.item) continue;
      double d_lo = std::abs((k.offset + k.speed * q_lo) - (l.offset + l.speed * q_lo));
      double d_hi = std::abs((k.offset + k.speed * q_hi) - (l.offset + l.speed * q_hi));
      double d_mid = std::abs((k.offset + k.speed * (q_lo + q_hi) / 2) -
                              (l.offset + l.speed * (q_lo + q_hi) / 2));
      // Near over the whole query, or crossing it near its middle at a
      // neighbouring speed.
      if ((d_lo <= 2.5 * p.offset_bin_s && d_hi <= 2.5 * p.offset_bin_s) ||
          (d_mid <= 2.5 * p.offset_bin_s && std::abs(k.speed - l.speed) <= 2.5 * p.speed_step)) {
        near = true;
        break;
      }
    }
    if (!near) kept.push_back(l);
    if (kept.size() >= p.max_hypotheses) break;
  }
  return kept;
}

}  // namespace

bool AtAnotherPlace(const MediaSegment& a, const MediaSegment& b, double separation_s) {
  if (separation_s <= 0 || a.item != b.item) return false;
  const double mid =
      (std::max(a.q_start, b.q_start) + std::min(a.q_end, b.q_end)) / 2;
  return std::abs((a.offset + a.speed * mid) - (b.offset + b.speed * mid)) > separation_s;
}

std::vector<MediaSegment> FindSegments(const std::vector<MediaHit>& hits, const MediaAlignParams& p,
                                       const WeakHits& weak) {
  std::vector<MediaSegment> out;
  HitsByItem by_item;
  for (const MediaHit& h : hits) by_item[h.item].push_back(&h);
  const std::vector<Line> lines = VoteLines(by_item, hits, p);
  // Weak hits, asked for once per item that has a line.
  std::unordered_map<uint32_t, std::vector<MediaHit>> weak_hits;
  if (weak) {
    for (const Line& line : lines) {
      if (!weak_hits.count(line.item)) weak(line.item, &weak_hits[line.item]);
    }
  }
  for (const Line& line : lines) {
    // Supporting hits, refined: the median offset of the hits near the line.
    std::vector<const MediaHit*> support;
    auto near_line = [&](const MediaHit& h) {
      if (std::abs(h.s - (line.offset + line.speed * h.q)) <= p.tolerance_s + p.offset_bin_s) {
        support.push_back(&h);
      }
    };
    for (const MediaHit* h : by_item[line.item]) near_line(*h);
    if (auto it = weak_hits.find(line.item); it != weak_hits.end()) {
      for (const MediaHit& h : it->second) near_line(h);
    }
    std::vector<double> offs;
    for (const MediaHit* h : support) offs.push_back(h->s - line.speed * h->q);
    double offset = Median(offs);
    std::vector<const MediaHit*> on;
    for (const MediaHit* h : support) {
      if (std::abs(h->s - (offset + line.speed * h->q)) <= p.tolerance_s) on.push_back(h);
    }
    std::sort(on.begin(), on.end(),
              [](const MediaHit* a, const MediaHit* b) { return a->q < b->q; });
    // Runs along the line.
    size_t i = 0;
    while (i < on.size()) {
      size_t j = i + 1;
      while (j < on.size() && on[j]->q - on[j - 1]->q <= p.max_gap_s) ++j;
      MediaSegment seg;
      seg.item = line.item;
      seg.speed = line.speed;
      std::vector<double> run_offs;
      for (size_t k = i; k < j; ++k) {
        seg.score += on[k]->weight;
        run_offs.push_back(on[k]->s - line.speed * on[k]->q);
      }
      seg.offset = Median(run_offs);
      // The voted speed is on a grid; over a long run, a least-squares fit
      // of the hits is far more precise.
      if (j - i >= 8 && on[j - 1]->q - on[i]->q >= 2.0) {
        double n = 0, sq = 0, ss = 0, sqq = 0, sqs = 0;
        for (size_t k = i; k < j; ++k) {
          double w = on[k]->weight;
          n += w;
          sq += w * on[k]->q;
          ss += w * on[k]->s;
          sqq += w * on[k]->q * on[k]->q;
          sqs += w * on[k]->q * on[k]->s;
        }
        double den = n * sqq - sq * sq;
        if (den > 1e-9) {
          double speed = (n * sqs - sq * ss) / den;
          if (speed >= p.speed_min - p.speed_step && speed <= p.speed_max + p.speed_step) {
            if (std::abs(speed - 1.0) < 0.004) speed = 1.0;
            seg.speed = speed;
            std::vector<double> offs;
            for (size_t k = i; k < j; ++k) offs.push_back(on[k]->s - speed * on[k]->q);
            seg.offset = Median(offs);
          }
        }
      }
      seg.support = static_cast<int>(j - i);
      seg.q_start = std::max(0.0, on[i]->q - p.edge_s);
      seg.q_end = on[j - 1]->q + p.edge_s;
      seg.s_start = seg.offset + seg.speed * seg.q_start;
      seg.s_end = seg.offset + seg.speed * seg.q_end;
      if (seg.score >= p.min_score && seg.q_end - seg.q_start >= p.min_length_s) out.push_back(seg);
      i = j;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const MediaSegment& a, const MediaSegment& b) { return a.score > b.score; });
  return out;
}

std::vector<MediaSegment> SelectSegments(std::vector<MediaSegment> candidates,
                                         const MediaAlignParams& p) {
  // One line per place: segments of one item that cover the same query and
  // source stretch (the same match seen at neighbouring speeds) collapse
  // into the best, preferring normal speed when scores are close.
  auto prefer = [](const MediaSegment& a, const MediaSegment& b) {
    double close = 0.9;
    if (a.score >= b.score / close) return true;
    if (b.score >= a.score / close) return false;
    return std::abs(a.speed - 1.0) < std::abs(b.speed - 1.0);
  };
  std::sort(candidates.begin(), candidates.end(),
            [](const MediaSegment& a, const MediaSegment& b) { return a.score > b.score; });
  std::vector<MediaSegment> unique;
  for (const MediaSegment& c : candidates) {
    bool merged = false;
    for (MediaSegment& u : unique) {
      if (u.item != c.item) continue;
      double qov = std::min(c.q_end, u.q_end) - std::max(c.q_start, u.q_start);
      double sov = std::min(c.s_end, u.s_end) - std::max(c.s_start, u.s_start);
      double len = std::min(c.q_end - c.q_start, u.q_end - u.q_start);
      if (qov >= 0.5 * len && sov >= 0.5 * len * std::min(c.speed, u.speed)) {
        if (prefer(c, u)) u = c;
        merged = true;
        break;
      }
    }
    if (!merged) unique.push_back(c);
  }
  std::sort(unique.begin(), unique.end(),
            [](const MediaSegment& a, const MediaSegment& b) { return a.score > b.score; });
  std::vector<MediaSegment> chosen;
  for (MediaSegment c : unique) {
    bool drop = false;
    for (const MediaSegment& k : chosen) {
      double ov = std::min(c.q_end, k.q_end) - std::max(c.q_start, k.q_start);
      if (ov <= 0) continue;
      double len = c.q_end - c.q_start;
      // Another place of the same item shares most of the shorter one's
      // stretch; a small overlap at an edge is a splice's two sides.
      const bool other_place = AtAnotherPlace(k, c, p.place_separation_s) &&
                               ov >= 0.5 * std::min(len, k.q_end - k.q_start);
      if (k.item != c.item || other_place) {
        if (k.alternate) continue;
        // Material from the same stretch in another item or at another place
        // of the same one, with evidence about as dense: another occurrence
        // (a re-run, a re-upload, a chorus). It may cover only part of the
        // stretch (a re-run of part of a report).
        double c_density = c.score / std::max(0.1, len);
        double k_density = k.score / std::max(0.1, k.q_end - k.q_start);
        if (c_density >= p.alternate_share * k_density) {
          c.alternate = true;
          continue;
        }
        if (c.alternate) continue;
      }
      // Otherwise keep only what c adds beyond k.
      if (c.q_start >= k.q_start && c.q_end <= k.q_end) {
        drop = true;
        break;
      }
      double keep_frac;
      if (c.q_start < k.q_start) {
        keep_frac = (k.q_start - c.q_start) / len;
        c.q_end = k.q_start;
      } else {
        keep_frac = (c.q_end - k.q_end) / len;
        c.q_start = k.q_end;
      }
      c.score *= keep_frac;
      c.s_start = c.offset + c.speed * c.q_start;
      c.s_end = c.offset + c.speed * c.q_end;
      if (c.q_end - c.q_start < p.min_length_s || c.score < p.min_score) {
        drop = true;
        break;
      }
    }
    if (!drop) chosen.push_back(c);
  }
  std::sort(chosen.begin(), chosen.end(), [](const MediaSegment& a, const MediaSegment& b) {
    return a.q_start != b.q_start ? a.q_start < b.q_start : a.score > b.score;
  });
  return chosen;
}

}  // namespace uncut

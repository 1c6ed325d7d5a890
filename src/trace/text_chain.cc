#include "trace/text_chain.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace uncut {
namespace {

// Query characters the seeds cover (their union).
double Coverage(const std::vector<Seed>& seeds) {
  double covered = 0;
  uint32_t reach = 0;
  for (const Seed& s : seeds) {
    uint32_t b = std::max(s.q, reach), e = s.q + s.len;
    if (e > b) covered += e - b;
    reach = std::max(reach, e);
  }
  return covered;
}

void SetBounds(Chain* c) {
  c->q_begin = c->s_begin = UINT32_MAX;
  c->q_end = c->s_end = 0;
  for (const Seed& s : c->seeds) {
    c->q_begin = std::min(c->q_begin, s.q);
    c->s_begin = std::min(c->s_begin, s.s);
    c->q_end = std::max(c->q_end, s.q + s.len);
    c->s_end = std::max(c->s_end, s.s + s.len);
  }
}

}  // namespace

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

std::vector<Chain> ChainSeeds(uint32_t item, std::vector<Seed> seeds,
                              const std::vector<uint16_t>& region, const ChainParams& params) {
  std::sort(seeds.begin(), seeds.end(),
            [](const Seed& a, const Seed& b) { return a.q != b.q ? a.q < b.q : a.s < b.s; });
  const size_t n = seeds.size();
  const int64_t k = params.k;
  auto region_of = [&](uint32_t q) { return q < region.size() ? region[q] : uint16_t{0}; };
  std::vector<double> f(n);
  std::vector<int> prev(n, -1);
  for (size_t j = 0; j < n; ++j) {
    const Seed& sj = seeds[j];
    f[j] = sj.len;
    size_t lo = j > 256 ? j - 256 : 0;
    for (size_t i = lo; i < j; ++i) {
      const Seed& si = seeds[i];
      if (si.q >= sj.q || si.s >= sj.s) continue;
      if (region_of(si.q) != region_of(sj.q)) continue;
      int64_t dq = int64_t{sj.q} - (si.q + si.len);
      int64_t ds = int64_t{sj.s} - (si.s + si.len);
      if (dq < -k || ds < -k) continue;
      int64_t shift = ds - dq;  // > 0: source text skipped; < 0: query text added
      if (shift > params.max_omission || shift < -params.max_addition ||
          dq > params.max_query_gap) {
        continue;
      }
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
    int i = static_cast<int>(end);
    while (i >= 0 && !used[i]) {
      used[i] = true;
      c.seeds.push_back(seeds[i]);
      i = prev[i];
    }
    // A chain that ran into a better one counts only its own part.
    c.score = f[end] - (i >= 0 ? f[i] : 0.0);
    std::reverse(c.seeds.begin(), c.seeds.end());
    SetBounds(&c);
    chains.push_back(std::move(c));
    if (chains.size() >= params.max_chains) break;
  }
  return chains;
}

std::vector<Chain> SelectChains(std::vector<Chain> chains, double min_score, size_t max_chains) {
  std::vector<Chain> out;
  auto by_score = [](const Chain& a, const Chain& b) { return a.score < b.score; };
  std::priority_queue<Chain, std::vector<Chain>, decltype(by_score)> queue(by_score);
  for (Chain& c : chains) {
    if (c.score >= min_score) queue.push(std::move(c));
  }
  while (!queue.empty() && out.size() < max_chains) {
    Chain c = queue.top();
    queue.pop();
    double len = c.q_end - c.q_begin;
    int dup = -1;
    bool overlaps = false;
    for (size_t i = 0; i < out.size(); ++i) {
      const Chain& p = out[i];
      double ov = std::max<double>(
          0, double(std::min(c.q_end, p.q_end)) - double(std::max(c.q_begin, p.q_begin)));
      if (ov <= 0.3 * len && ov <= 0.3 * (p.q_end - p.q_begin)) continue;
      if (p.alternate_of < 0 && c.item != p.item && ov >= 0.9 * len &&
          ov >= 0.9 * (p.q_end - p.q_begin) && c.score >= 0.95 * p.score) {
        dup = static_cast<int>(i);
        break;
      }
      overlaps = true;
    }
    if (dup >= 0 || !overlaps) {
      c.alternate_of = dup;
      out.push_back(std::move(c));
      continue;
    }
    std::vector<Seed> rest;
    for (const Seed& s : c.seeds) {
      uint32_t inside = 0;
      for (const Chain& p : out) {
        if (p.alternate_of >= 0) continue;
        uint32_t b = std::max(s.q, p.q_begin), e = std::min(s.q + s.len, p.q_end);
        if (e > b) inside += e - b;
      }
      if (inside * 2 < s.len) rest.push_back(s);
    }
    if (rest.size() == c.seeds.size() || rest.empty()) continue;
    c.seeds = std::move(rest);
    SetBounds(&c);
    c.score = std::min(c.score, Coverage(c.seeds));
    if (c.score >= min_score) queue.push(std::move(c));
  }
  return out;
}

}  // namespace uncut

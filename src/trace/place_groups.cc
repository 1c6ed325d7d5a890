#include "trace/place_groups.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace uncut {
namespace {

constexpr double kMeetS = 0.25, kLineToleranceS = 0.3;

double LineAt(const MediaSegment& s, double t) { return s.offset + s.speed * t; }

// Whether b carries on a's line where a ends: of the same item, starting
// within kMeetS of a's end, the two lines within kLineToleranceS there.
bool CarriesOn(const MediaSegment& a, const MediaSegment& b) {
  if (a.item != b.item || b.q_start < a.q_end - kMeetS || b.q_start > a.q_end + kMeetS) {
    return false;
  }
  return std::abs(LineAt(a, a.q_end) - LineAt(b, a.q_end)) <= kLineToleranceS;
}

}  // namespace

bool RunsThrough(const std::vector<MatchedSegment>& segs, const MatchedSegment& x,
                 const MatchedSegment& y) {
  const MatchedSegment* first = &x;
  const MatchedSegment* second = &y;
  if (second->seg.q_start < first->seg.q_start) std::swap(first, second);
  auto into = [](const MediaSegment& s) { return std::min(0.5, (s.q_end - s.q_start) / 2); };
  const double from = first->seg.q_end - into(first->seg);
  const double to = second->seg.q_start + into(second->seg);
  auto other = [&](const MatchedSegment& m) { return &m != &x && &m != &y; };
  for (const MatchedSegment& start : segs) {
    if (!other(start) || start.seg.q_start > from) continue;
    // Follow the run from `start` as far as it carries on.
    const MatchedSegment* at = &start;
    while (at->seg.q_end < to) {
      const MatchedSegment* next = nullptr;
      for (const MatchedSegment& n : segs) {
        if (other(n) && &n != at && CarriesOn(at->seg, n.seg) && n.seg.q_end > at->seg.q_end) {
          next = &n;
          break;
        }
      }
      if (next == nullptr) break;
      at = next;
    }
    if (at->seg.q_end >= to) return true;
  }
  return false;
}

std::vector<std::vector<const MatchedSegment*>> GroupByPlace(
    const std::vector<MatchedSegment>& segs) {
  std::vector<const MatchedSegment*> order;
  for (const MatchedSegment& m : segs) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const MatchedSegment* a, const MatchedSegment* b) {
    return a->seg.alternate < b->seg.alternate;
  });
  auto overlap = [](const MatchedSegment& a, const MatchedSegment& b) {
    return std::min(a.seg.q_end, b.seg.q_end) - std::max(a.seg.q_start, b.seg.q_start);
  };
  auto clash = [&](const MatchedSegment& a, const MatchedSegment& b) {
    const double shorter =
        std::min(a.seg.q_end - a.seg.q_start, b.seg.q_end - b.seg.q_start);
    return overlap(a, b) > 0.25 * shorter || a.indistinguishable || b.indistinguishable ||
           RunsThrough(segs, a, b);
  };
  std::vector<std::vector<const MatchedSegment*>> places;
  for (const MatchedSegment* m : order) {
    size_t at = places.size();
    for (size_t i = 0; i < places.size() && at == places.size(); ++i) {
      const auto& p = places[i];
      if (p.front()->seg.item != m->seg.item) continue;
      if (std::none_of(p.begin(), p.end(), [&](const MatchedSegment* o) { return clash(*o, *m); })) {
        at = i;
      }
    }
    if (at == places.size()) places.emplace_back();
    places[at].push_back(m);
  }
  // Where each group stands in the list: a group with main segments at the
  // clip time it starts; one of other occurrences only, just after the main
  // segment its first segment overlaps most.
  struct Rank {
    double at;
    bool elsewhere;
    double score;
  };
  std::vector<Rank> rank;
  for (auto& p : places) {
    std::sort(p.begin(), p.end(), [](const MatchedSegment* a, const MatchedSegment* b) {
      return a->seg.q_start < b->seg.q_start;
    });
    Rank r{p.front()->seg.q_start, true, 0};
    for (const MatchedSegment* m : p) {
      r.elsewhere &= m->seg.alternate;
      r.score += m->seg.score;
    }
    if (r.elsewhere) {
      double most = 0;
      for (const MatchedSegment* o : order) {
        if (o->seg.alternate) break;
        if (const double ov = overlap(*o, *p.front()); ov > most) {
          most = ov;
          r.at = o->seg.q_start;
        }
      }
    }
    rank.push_back(r);
  }
  std::vector<size_t> index(places.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) {
    return std::make_tuple(rank[a].at, rank[a].elsewhere, -rank[a].score) <
           std::make_tuple(rank[b].at, rank[b].elsewhere, -rank[b].score);
  });
  std::vector<std::vector<const MatchedSegment*>> out;
  for (size_t i : index) out.push_back(std::move(places[i]));
  return out;
}

}  // namespace uncut

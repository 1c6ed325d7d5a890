#include "trace/equal_places.h"

#include <algorithm>
#include <cmath>

namespace uncut {
namespace {

// The clip's frames in [a, b] of at least o.min_quality.
std::vector<const QueryVideoFrame*> FramesIn(const QueryVideo& q, double a, double b,
                                             const VideoMatchOptions& o) {
  std::vector<const QueryVideoFrame*> out;
  for (const QueryVideoFrame& f : q.frames) {
    if (f.time_s >= a && f.time_s <= b && f.quality >= o.min_quality) out.push_back(&f);
  }
  return out;
}

// How many of `frames` match the source within o.max_distance along
// s = offset + q (nearest sampled frame and its neighbours).
int MatchedAlong(const std::vector<const QueryVideoFrame*>& frames, const VideoSignature& sig,
                 double offset, const VideoMatchOptions& o) {
  int n = 0;
  for (const QueryVideoFrame* fp : frames) {
    const QueryVideoFrame& f = *fp;
    const double t = offset + f.time_s;
    if (t < -0.2 || t > sig.duration_s + 0.5) continue;
    const size_t j = sig.Nearest(t);
    int best = 256;
    for (size_t k = j > 0 ? j - 1 : 0; k <= std::min(j + 1, sig.frames.size() - 1); ++k) {
      best = std::min(best, HashDistance(f, sig.frames[k], o.min_quality));
    }
    n += best <= o.max_distance;
  }
  return n;
}

}  // namespace

std::vector<std::pair<double, double>> EqualPlaces(const QueryVideo& q, const VideoSignature& sig,
                                                   const MatchedSegment& m,
                                                   const VideoMatchOptions& o) {
  std::vector<std::pair<double, double>> out;
  const MediaSegment& s = m.seg;
  if (s.speed != 1.0 || sig.frames.empty() || sig.sample_fps <= 0) return out;
  const std::vector<const QueryVideoFrame*> frames = FramesIn(q, s.q_start, s.q_end, o);
  const int own = MatchedAlong(frames, sig, s.offset, o);
  if (own < 3) return out;
  const double step = 1.0 / sig.sample_fps;
  double run_from = 0, run_to = 0;
  bool in_run = false;
  auto close_run = [&] {
    if (in_run) out.push_back({run_from + s.q_start, run_to + s.q_end});
    in_run = false;
  };
  // Every line whose source span lies inside the source, one sampled frame
  // apart; m's own line is among them, rounded to the grid.
  const double first = -s.q_start, last = sig.duration_s - s.q_end;
  const double phase = s.offset - step * std::floor((s.offset - first) / step);
  for (double off = phase; off <= last + 1e-9; off += step) {
    const int n = MatchedAlong(frames, sig, off, o);
    if (n >= 3 && n * 5 >= own * 4) {
      if (!in_run) run_from = off;
      run_to = off;
      in_run = true;
    } else {
      close_run();
    }
  }
  close_run();
  return out;
}

}  // namespace uncut

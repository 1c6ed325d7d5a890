#include "trace/video_match.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/status_macros.h"
#include "base/strings.h"
#include "trace/probe.h"
#include "trace/verify_candidates.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

// Best distance between query frame f and the source around time t: its
// whole-frame hashes within `window` of t and, with `parts`, its region
// hashes on the nearest frames that have them (every kRegionCellStep-th).
int BestDistance(const QueryVideoFrame& f, const VideoSignature& sig, double t, double window,
                 int min_quality, bool parts) {
  const size_t i = sig.Nearest(t);
  const double parts_window = window + (kRegionCellStep - 1) * 0.75 / std::max(0.5, sig.sample_fps);
  int best = 256;
  for (size_t j = (i > 2 ? i - 2 : 0); j < std::min(sig.frames.size(), i + 3); ++j) {
    const double dt = std::abs(sig.frames[j].time_s - t);
    if (dt <= window) best = std::min(best, HashDistance(f, sig.frames[j], min_quality, false));
    if (parts && dt <= parts_window && sig.frames[j].has_regions) {
      best = std::min(best, HashDistance(f, sig.frames[j], min_quality, true, false));
    }
  }
  return best;
}

// The speed of a segment from the (query time, source time) pairs of its
// closely matching frames, with the offset at that speed: the median of the
// slopes between pairs at least 1.5 s apart (Theil 1950, Sen 1968: robust to
// the odd wrong pair, which a least-squares fit is not). A speed within 2% of
// 1 is taken as 1 (see media_trace.cc). None when the pairs span too little
// time to tell.
std::optional<std::pair<double, double>> FitSpeed(const std::vector<std::pair<double, double>>& pairs) {
  constexpr double kMinSpanS = 1.5;
  std::vector<double> slopes;
  for (size_t i = 0; i < pairs.size(); ++i) {
    for (size_t j = i + 1; j < pairs.size(); ++j) {
      const double dq = pairs[j].first - pairs[i].first;
      if (std::abs(dq) >= kMinSpanS) slopes.push_back((pairs[j].second - pairs[i].second) / dq);
    }
  }
  if (slopes.size() < 6) return std::nullopt;
  std::nth_element(slopes.begin(), slopes.begin() + slopes.size() / 2, slopes.end());
  double speed = slopes[slopes.size() / 2];
  if (speed < 0.7 || speed > 1.6) return std::nullopt;
  if (std::abs(speed - 1.0) <= 0.02) speed = 1.0;
  std::vector<double> offsets;
  for (const auto& [tq, ts] : pairs) offsets.push_back(ts - speed * tq);
  std::nth_element(offsets.begin(), offsets.begin() + offsets.size() / 2, offsets.end());
  return std::make_pair(speed, offsets[offsets.size() / 2]);
}

// Frame-by-frame check of a segment along its line.
Verified Verify(const QueryVideo& q, const VideoSignature& sig, const MediaSegment& seg,
                const VideoMatchOptions& o, bool parts) {
  Verified v;
  const double window = 0.75 / std::max(0.5, sig.sample_fps) + 0.05;
  auto distance_at = [&](size_t k, double offset) {
    double t = offset + seg.speed * q.frames[k].time_s;
    if (t < -0.2 || t > sig.duration_s + 0.5) return 256;
    return BestDistance(q.frames[k], sig, t, window, o.min_quality, parts);
  };
  // The whole clip may be grown into, as far as matches continue; each
  // frame's distance is computed when growth first reaches it.
  if (q.frames.empty()) return v;
  const size_t n = q.frames.size();
  std::vector<int> known(n, -1);
  std::vector<bool> usable(n);
  for (size_t k = 0; k < n; ++k) usable[k] = q.frames[k].quality >= o.min_quality;
  auto dist = [&](size_t k) {
    if (known[k] < 0) known[k] = distance_at(k, seg.offset);
    return known[k];
  };
  auto matches = [&](size_t k) { return usable[k] && dist(k) <= o.max_distance; };
  // The core: frames inside the voted segment that match.
  size_t core_b = n, core_e = 0;
  for (size_t k = 0; k < n; ++k) {
    double t = q.frames[k].time_s;
    if (t >= seg.q_start && t <= seg.q_end && matches(k)) {
      core_b = std::min(core_b, k);
      core_e = std::max(core_e, k);
    }
  }
  if (core_b > core_e) return v;
  // Grow while matches continue: each step outward may cross unmatched
  // frames only if at least half of the frames it crosses match, and no more
  // than `gap` seconds without a match. Growth is not bounded otherwise: a
  // line voted over a short stretch (a few frames whose chunks survived a
  // heavy transform) verifies as far as its frames match.
  const double gap = 2.0;
  size_t b = core_b, e = core_e;
  {
    int seen = 0, hit = 0;
    for (size_t k = core_b; k-- > 0;) {
      if (q.frames[b].time_s - q.frames[k].time_s > gap) break;
      if (!usable[k]) continue;
      ++seen;
      if (matches(k)) {
        ++hit;
        if (hit * 2 >= seen) {
          b = k;
          seen = hit = 0;
        }
      }
    }
    seen = hit = 0;
    for (size_t k = core_e + 1; k < n; ++k) {
      if (q.frames[k].time_s - q.frames[e].time_s > gap) break;
      if (!usable[k]) continue;
      ++seen;
      if (matches(k)) {
        ++hit;
        if (hit * 2 >= seen) {
          e = k;
          seen = hit = 0;
        }
      }
    }
  }
  int matched = 0, checked = 0;
  double sum = 0;
  for (size_t k = b; k <= e; ++k) {
    if (!usable[k]) continue;
    ++checked;
    if (dist(k) <= o.max_distance) {
      ++matched;
      sum += dist(k);
    }
  }
  if (matched < 3 || matched * 10 < checked * 3) return v;
  // Refine the offset: for each source frame in the segment, the query
  // frame that fits it best (the query is sampled more densely).
  std::vector<double> offsets;
  std::vector<std::pair<double, double>> pairs;  // (query time, source time) of close frames
  for (size_t j = 0; j < sig.frames.size(); ++j) {
    const FrameSig& sf = sig.frames[j];
    double tq = (sf.time_s - seg.offset) / seg.speed;
    if (tq < q.frames[b].time_s || tq > q.frames[e].time_s) continue;
    int best = 256;
    double best_t = 0;
    for (size_t k = b; k <= e; ++k) {
      if (!usable[k] || std::abs(q.frames[k].time_s - tq) > 0.5) continue;
      const int d = HashDistance(q.frames[k], sf, o.min_quality, parts);
      if (d < best) {
        best = d;
        best_t = q.frames[k].time_s;
      }
    }
    if (best <= o.max_distance / 2) {
      offsets.push_back(sf.time_s - seg.speed * best_t);
      pairs.push_back({best_t, sf.time_s});
    }
  }
  MediaSegment s = seg;
  if (offsets.size() >= 3) {
    std::nth_element(offsets.begin(), offsets.begin() + offsets.size() / 2, offsets.end());
    s.offset = offsets[offsets.size() / 2];
  }
  // Away from normal speed, where a step of the voting grid drifts by
  // several frames over a clip, the frames' own slope refines the voted one
  // (never replaces it).
  if (auto fit = FitSpeed(pairs);
      fit && std::abs(seg.speed - 1.0) > 0.06 && std::abs(fit->first - seg.speed) <= 0.05) {
    s.speed = fit->first;
    s.offset = fit->second;
  }
  double half = 0.5 / std::max(1.0, q.hash_fps);
  s.q_start = std::max(0.0, q.frames[b].time_s - half);
  s.q_end = std::min(q.duration_s, q.frames[e].time_s + half);
  s.s_start = s.offset + s.speed * s.q_start;
  s.s_end = s.offset + s.speed * s.q_end;
  v.m.seg = s;
  v.m.modality = SegmentModality::kVideo;
  v.m.matched = matched;
  v.m.checked = checked;
  v.m.mean_distance = sum / matched;
  v.m.seg.confidence =
      static_cast<double>(matched) / checked * std::clamp(1.0 - v.m.mean_distance / 96.0, 0.0, 1.0);
  // Static pictures match at any offset: compare with lines a few seconds
  // off, where they fall inside the source (beyond its ends a shifted line
  // shows nothing either way: a still near the source's start is as static
  // as one in its middle).
  int shifted = 0, shifted_checked = 0;
  for (double shift : {-4.0, 4.0}) {
    for (size_t k = b; k <= e; ++k) {
      const double t = s.offset + shift + s.speed * q.frames[k].time_s;
      if (!usable[k] || t < 0 || t > sig.duration_s) continue;
      ++shifted_checked;
      if (distance_at(k, s.offset + shift) <= o.max_distance) ++shifted;
    }
  }
  v.m.static_content = shifted_checked > 0 && shifted * 10 >= shifted_checked * 8;
  v.ok = true;
  return v;
}

// A segment found through region hashes (`from_parts`) is dropped when
// another segment over most of the same stretch of the clip matches far
// more closely (mean distance more than 6 bits and 35% above it): pictures
// that only look alike (a fixed camera's scene at another time, found
// through a half-frame hash) come within the threshold, while copies of the
// same footage match about equally well. This is the ratio test of Lowe
// ("Distinctive Image Features from Scale-Invariant Keypoints", IJCV 2004),
// applied to segments.
std::vector<MatchedSegment> DropFarWorseRegionMatches(std::vector<MatchedSegment> segs,
                                                      const std::vector<bool>& from_parts) {
  std::vector<MatchedSegment> kept;
  for (size_t i = 0; i < segs.size(); ++i) {
    const MatchedSegment& m = segs[i];
    bool drop = false;
    for (size_t j = 0; j < segs.size() && !drop && from_parts[i]; ++j) {
      const MatchedSegment& o = segs[j];
      if (j == i) continue;
      const double overlap =
          std::min(m.seg.q_end, o.seg.q_end) - std::max(m.seg.q_start, o.seg.q_start);
      drop = overlap > 0.5 * (m.seg.q_end - m.seg.q_start) &&
             m.mean_distance > o.mean_distance + std::max(6.0, 0.35 * o.mean_distance);
    }
    if (!drop) kept.push_back(std::move(segs[i]));
  }
  return kept;
}

// Whether the clip's frames show the speed of `sped` (a line off normal
// speed) rather than normal speed (`flat`, a line at speed 1 through the same
// material): over the stretch of the clip either covers, clearly more of
// the clip's textured frames match the source along `sped` than along
// `flat`: a tenth more, and three frames or more. Where the line's drift
// over the stretch stays within the spacing of the source's sampled frames,
// or the picture changes too little over that time to tell one moment from
// the next, both match alike and the speed is not shown.
bool ShowsItsSpeed(const QueryVideo& q, const VideoSignature& sig, const MediaSegment& sped,
                   const MediaSegment& flat, const VideoMatchOptions& o, bool parts) {
  const double window = 0.75 / std::max(0.5, sig.sample_fps) + 0.05;
  const double a = std::min(sped.q_start, flat.q_start), b = std::max(sped.q_end, flat.q_end);
  auto matched_along = [&](const MediaSegment& line) {
    int n = 0;
    for (const QueryVideoFrame& f : q.frames) {
      if (f.time_s < a || f.time_s > b || f.quality < o.min_quality) continue;
      const double t = line.offset + line.speed * f.time_s;
      if (t < -0.2 || t > sig.duration_s + 0.5) continue;
      n += BestDistance(f, sig, t, window, o.min_quality, parts) <= o.max_distance;
    }
    return n;
  };
  const int by_speed = matched_along(sped), by_normal = matched_along(flat);
  return by_speed >= by_normal + 3 && by_speed * 10 >= by_normal * 11;
}

// Whether clip time t lies within one of `segs`.
bool CoveredBy(const std::vector<MatchedSegment>& segs, double t) {
  return std::any_of(segs.begin(), segs.end(), [&](const MatchedSegment& m) {
    return t >= m.seg.q_start && t <= m.seg.q_end;
  });
}

// The clip's textured frames that no segment of `segs` covers, in
// stretches of at least a second (shorter gaps are the edges of matches).
std::vector<bool> UnexplainedFrames(const QueryVideo& q, const std::vector<MatchedSegment>& segs,
                                    const VideoMatchOptions& o) {
  constexpr double kMinStretchS = 1.0;
  std::vector<bool> out(q.frames.size(), false);
  for (size_t a = 0; a < q.frames.size();) {
    if (CoveredBy(segs, q.frames[a].time_s)) {
      ++a;
      continue;
    }
    size_t b = a;
    while (b + 1 < q.frames.size() && !CoveredBy(segs, q.frames[b + 1].time_s)) ++b;
    const double from = a > 0 ? q.frames[a - 1].time_s : 0.0;
    const double to = b + 1 < q.frames.size() ? q.frames[b + 1].time_s : q.duration_s;
    if (to - from >= kMinStretchS) {
      for (size_t k = a; k <= b; ++k) out[k] = q.frames[k].quality >= o.min_quality;
    }
    a = b + 1;
  }
  return out;
}

// Source time of a segment's line at clip time t.
double LineAt(const MediaSegment& s, double t) { return s.offset + s.speed * t; }

// Whether two segments lie on one line: of one item, less than a second
// apart in the source over the clip stretch they share (or between them).
bool OnOneLine(const MediaSegment& a, const MediaSegment& b) {
  const double mid = (std::max(a.q_start, b.q_start) + std::min(a.q_end, b.q_end)) / 2;
  return a.item == b.item && std::abs(LineAt(a, mid) - LineAt(b, mid)) <= 1.0;
}

// Candidates that the selection set aside for a stronger line of the same
// item over part of their stretch, at another place of it: a splice into a
// neighbouring take of a scene (a fixed camera looks alike minutes apart,
// so the stronger run of hits runs on across the splice and the weaker is
// cut back to nothing). Up to kPerItem per item, best first; they are
// verified and kept only where their frames are positively closer
// (SettleContestedEdges).
std::vector<MediaSegment> SetAsideLines(const std::vector<MediaSegment>& found,
                                        const std::vector<MediaSegment>& selected) {
  constexpr int kPerItem = 4;
  std::map<uint32_t, int> taken;
  std::vector<MediaSegment> out;
  for (const MediaSegment& c : found) {
    if (taken[c.item] >= kPerItem || std::abs(c.speed - 1.0) > 0.1) continue;
    bool beside = false, on_a_line = false;
    for (const MediaSegment& s : selected) {
      if (s.item != c.item) continue;
      on_a_line |= OnOneLine(s, c);
      beside |= std::min(s.q_end, c.q_end) - std::max(s.q_start, c.q_start) > 0.5;
    }
    for (const MediaSegment& o : out) on_a_line |= OnOneLine(o, c);
    if (!beside || on_a_line) continue;
    ++taken[c.item];
    out.push_back(c);
  }
  return out;
}

// An edge stretch of one line's segment that another line wins: the
// loser's segment gives up clip time from t outward (to its end when
// at_end, else to its start); the winner's reaches to `reach`.
struct EdgeLoss {
  size_t loser, winner;
  bool at_end;
  double t, reach;
};

int Median(std::vector<int> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// The clip's distances to the source along lines, one frame at a time,
// each computed once (lines are numbered by the caller).
class LineDistances {
 public:
  LineDistances(const QueryVideo& q, const VideoMatchOptions& o, bool parts,
                const std::map<uint32_t, const VideoSignature*>& sigs, size_t lines)
      : q_(q), o_(o), parts_(parts), sigs_(sigs), known_(lines) {}
  static constexpr int kCap = 64;  // beyond a match, farther says nothing more
  int At(size_t n, const MediaSegment& line, size_t k) {
    std::vector<int>& known = known_[n];
    if (known.empty()) known.assign(q_.frames.size(), -1);
    if (known[k] < 0) known[k] = Compute(line, k);
    return known[k];
  }

 private:
  int Compute(const MediaSegment& line, size_t k) const {
    const VideoSignature& sig = *sigs_.at(line.item);
    const double window = 0.75 / std::max(0.5, sig.sample_fps) + 0.05;
    const double t = LineAt(line, q_.frames[k].time_s);
    if (t < -0.2 || t > sig.duration_s + 0.5) return kCap;
    return std::min(kCap, BestDistance(q_.frames[k], sig, t, window, o_.min_quality, parts_));
  }

  const QueryVideo& q_;
  const VideoMatchOptions& o_;
  bool parts_;
  const std::map<uint32_t, const VideoSignature*>& sigs_;
  std::vector<std::vector<int>> known_;  // per line and clip frame; -1 not yet
};

// The edge stretches of m's segment (i) that r's line (j) wins. Over the
// stretch both segments cover, the frames where either line matches are
// compared; from m's edge inward, the stretch is the one that maximises
// how much closer r's frames are in sum, without r ever falling behind
// counting from the edge. r wins it when it holds kMinFrames frames or
// more, m's frames there are no close match on their own (median distance
// at least half the match threshold) and r's are clearly closer (median
// difference at least max(6 bits, 35% of r's median distance): the margin
// of DropFarWorseRegionMatches, Lowe's ratio test, IJCV 2004). A line of
// the same item less than kSameTakeS away wins nothing.
void EdgesWon(const QueryVideo& q, const VideoMatchOptions& o, LineDistances* d,
              const MatchedSegment& m, size_t i, const MatchedSegment& r, size_t j,
              std::vector<EdgeLoss>* losses) {
  constexpr size_t kMinFrames = 4;
  // Lines of one item closer than this show the same take of a shot a
  // moment apart, which a slowly changing picture cannot tell apart (the
  // shift Verify tests static pictures with): not a splice.
  constexpr double kSameTakeS = 4.0;
  const double a = std::max(m.seg.q_start, r.seg.q_start), b = std::min(m.seg.q_end, r.seg.q_end);
  if (b - a < 0.5) return;
  const double mid = (a + b) / 2;
  if (m.seg.item == r.seg.item && std::abs(LineAt(m.seg, mid) - LineAt(r.seg, mid)) < kSameTakeS) {
    return;
  }
  struct Frame {
    size_t k;
    int closer, dm, dr;
  };
  std::vector<Frame> f;
  for (size_t k = 0; k < q.frames.size(); ++k) {
    const double t = q.frames[k].time_s;
    if (t < a || t > b || q.frames[k].quality < o.min_quality) continue;
    const int dm = d->At(i, m.seg, k), dr = d->At(j, r.seg, k);
    if (std::min(dm, dr) <= o.max_distance) f.push_back({k, dm - dr, dm, dr});
  }
  const double half = 0.5 / std::max(1.0, q.hash_fps);
  for (bool at_end : {true, false}) {
    if (f.size() < kMinFrames) return;
    if (at_end ? b < m.seg.q_end - half - 0.01 : a > m.seg.q_start + half + 0.01) continue;
    auto nth = [&](size_t c) -> const Frame& { return f[at_end ? f.size() - 1 - c : c]; };
    int sum = 0, best = 0;
    size_t len = 0;
    for (size_t c = 0; c < f.size(); ++c) {
      sum += nth(c).closer;
      if (sum < 0) break;
      if (sum > best) {
        best = sum;
        len = c + 1;
      }
    }
    if (len < kMinFrames) continue;
    std::vector<int> closer, dm, dr;
    for (size_t c = 0; c < len; ++c) {
      closer.push_back(nth(c).closer);
      dm.push_back(nth(c).dm);
      dr.push_back(nth(c).dr);
    }
    if (Median(dm) < 0.5 * o.max_distance ||
        Median(closer) < std::max(6.0, 0.35 * Median(dr))) {
      continue;
    }
    const double t = q.frames[nth(len - 1).k].time_s;
    losses->push_back({i, j, at_end, at_end ? t - half : t + half, at_end ? b : a});
  }
}

// Where two verified lines cover the same edge stretch of one's segment,
// the frames decide which of them the clip shows there (EdgesWon). Copies
// of the same footage (re-runs) match about equally and keep their
// stretches; a line grown across a splice into a look-alike take of a
// fixed camera loses what lies beyond the splice. Only edges are given
// up, never a middle, so no segment is split. `rivals` (set-aside lines,
// verified) join the result over the stretches they win, less what they
// lose, when that lasts a second or more; a segment gives up an edge only
// to a line that stays.
void SettleContestedEdges(const QueryVideo& q, const VideoMatchOptions& o, bool parts,
                          const std::map<uint32_t, const VideoSignature*>& sigs,
                          std::vector<MatchedSegment> rivals, std::vector<MatchedSegment>* segs) {
  const size_t n = segs->size();
  std::vector<MatchedSegment> all = std::move(*segs);
  segs->clear();
  all.insert(all.end(), rivals.begin(), rivals.end());
  LineDistances d(q, o, parts, sigs, all.size());
  std::vector<EdgeLoss> losses;
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = 0; j < all.size(); ++j) {
      if (j != i && !OnOneLine(all[i].seg, all[j].seg)) EdgesWon(q, o, &d, all[i], i, all[j], j, &losses);
    }
  }
  std::vector<double> from(all.size()), to(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    from[i] = all[i].seg.q_start;
    to[i] = all[i].seg.q_end;
  }
  auto give_up = [&](const EdgeLoss& l) {
    if (l.at_end) to[l.loser] = std::min(to[l.loser], l.t);
    if (!l.at_end) from[l.loser] = std::max(from[l.loser], l.t);
  };
  // Rivals first: each keeps what it won, less what it lost.
  for (size_t j = n; j < all.size(); ++j) {
    double won_from = 1e18, won_to = -1e18;
    for (const EdgeLoss& l : losses) {
      if (l.winner != j) continue;
      won_from = std::min(won_from, l.at_end ? l.t : l.reach);
      won_to = std::max(won_to, l.at_end ? l.reach : l.t);
    }
    from[j] = std::max(from[j], won_from);
    to[j] = std::min(to[j], won_to);
  }
  for (const EdgeLoss& l : losses) {
    if (l.loser >= n) give_up(l);
  }
  std::vector<bool> kept(all.size(), true);
  for (size_t j = n; j < all.size(); ++j) kept[j] = to[j] - from[j] >= 1.0;
  for (const EdgeLoss& l : losses) {
    if (l.loser < n && kept[l.winner]) give_up(l);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    MatchedSegment& m = all[i];
    if (!kept[i] || to[i] - from[i] < 0.5) continue;
    m.seg.q_start = from[i];
    m.seg.q_end = to[i];
    m.seg.s_start = LineAt(m.seg, from[i]);
    m.seg.s_end = LineAt(m.seg, to[i]);
    m.core_start = i < n ? std::clamp(m.core_start, from[i], to[i]) : from[i];
    m.core_end = i < n ? std::clamp(m.core_end, from[i], to[i]) : to[i];
    segs->push_back(std::move(m));
  }
}

// The stored picture signatures of the items of `segs`, each parsed once.
absl::Status LoadSignatures(CatalogReader* catalog, const std::vector<MatchedSegment>& segs,
                            std::map<uint32_t, std::unique_ptr<VideoSignature>>* held,
                            std::map<uint32_t, const VideoSignature*>* by_item) {
  for (const MatchedSegment& m : segs) {
    if (by_item->count(m.seg.item)) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> blob,
                     catalog->LoadBlob(m.seg.item, kVideoSignatureBlob));
    if (!blob) return absl::NotFoundError(StrCat("item ", m.seg.item, ": no picture signature"));
    ASSIGN_OR_RETURN(VideoSignature parsed, VideoSignature::Parse(*blob));
    auto& slot = (*held)[m.seg.item];
    slot = std::make_unique<VideoSignature>(std::move(parsed));
    (*by_item)[m.seg.item] = slot.get();
  }
  return absl::OkStatus();
}

// What one search looks up and compares.
struct SearchScope {
  bool parts = false;       // also the region hashes (else the whole frames' only)
  std::vector<bool> probe;  // the query frames looked up; all when empty
};

absl::StatusOr<std::vector<MatchedSegment>> Search(const Storage& storage, const QueryVideo& q,
                                                   const VideoMatchOptions& o,
                                                   const SearchScope& scope) {
  const bool parts = scope.parts;
  // 1. Retrieval. (key, query frame << 8 | key space << 5 | variant) for
  // every chunk probed: a variant is looked up in the key space of each
  // stored hash it targets (0: main and zoom; 1 + r: region r).
  struct Use {
    uint64_t key;
    uint32_t frame_variant;
  };
  std::vector<Use> uses;
  const uint32_t frames = std::min<size_t>(q.frames.size(), 1u << 20);  // 20 bits in a record
  for (uint32_t k = 0; k < frames; ++k) {
    const QueryVideoFrame& f = q.frames[k];
    if (f.quality < o.min_quality || (!scope.probe.empty() && !scope.probe[k])) continue;
    const uint32_t variants = std::min<uint32_t>(f.hashes.size(), 32);
    for (uint32_t v = 0; v < variants; ++v) {
      if (f.QualityOf(v) < o.min_quality) continue;
      const uint8_t t = f.TargetsOf(v);
      const PdqHash& h = f.hashes[v];
      if (t & kTargetMainOrZoom) {
        for (int c = 0; c < 16; ++c) uses.push_back({ChunkKey(c, h.Chunk(c)), k << 8 | v});
      }
      for (uint32_t r = 0; r < kRegionCount && parts; ++r) {
        if (!(t & RegionTarget(r))) continue;
        for (int c = 0; c < 16; ++c) {
          uses.push_back({RegionChunkKey(r, c, h.Chunk(c)), k << 8 | (1 + r) << 5 | v});
        }
      }
    }
  }
  const std::vector<uint64_t> keys = SortUsesByKey(&uses);
  std::vector<Posting> postings;
  // A chunk value far more common than the archive's average (flat or
  // common picture structure) says little and costs much: keys with more
  // than common_key_factor times the mean postings per key are skipped.
  ASSIGN_OR_RETURN(uint64_t total, storage.postings->PostingCount(Modality::kVideo));
  const double mean_per_key = static_cast<double>(total) / (16.0 * 65536.0);
  const size_t cap =
      std::min<size_t>(o.max_postings_per_key,
                       std::max<size_t>(o.min_postings_cap,
                                        static_cast<size_t>(o.common_key_factor * mean_per_key)));
  RETURN_IF_ERROR(storage.postings->Lookup(Modality::kVideo, keys, cap, &postings));
  // Postings come grouped by key in the order of `keys`. Each coincidence of
  // a query hash and a source hash on one chunk becomes a record
  // (source position << 28 | frame << 8 | key space << 5 | variant) of the
  // source's item.
  // Sorting an item's records counts the chunks each pair shares, without a
  // hash table entry per pair (there are tens of millions at scale).
  std::unordered_map<uint32_t, std::vector<uint64_t>> records;
  uint32_t last_item = UINT32_MAX;
  std::vector<uint64_t>* bucket = nullptr;
  RETURN_IF_ERROR(
      ForEachPostingWithUses(postings, uses, [&](const Posting& p, size_t first, size_t end) {
        if (p.item != last_item) {
          bucket = &records[p.item];
          last_item = p.item;
        }
        for (size_t j = first; j < end; ++j) {
          bucket->push_back(static_cast<uint64_t>(p.pos) << 28 | uses[j].frame_variant);
        }
        return absl::OkStatus();
      }));
  // Pairs sharing one chunk only are common by chance in a large archive
  // (16 chunks of 16 bits each): they support lines but do not vote for
  // them, and are kept compactly (cell << 20 | frame) in the item's records.
  std::vector<MediaHit> hits;
  std::unordered_map<uint32_t, double> fps;         // each item's sampling rate
  std::vector<std::pair<uint64_t, uint8_t>> cells;  // (cell << 20 | frame, chunks)
  for (auto& [item, recs] : records) {
    std::sort(recs.begin(), recs.end());
    cells.clear();
    for (size_t a = 0; a < recs.size();) {
      size_t b = a + 1;
      while (b < recs.size() && recs[b] == recs[a]) ++b;
      const uint64_t pos = recs[a] >> 28;
      const uint64_t frame = (recs[a] >> 8) & 0xFFFFF;
      cells.push_back(
          {(pos / 2) << 20 | frame, static_cast<uint8_t>(std::min<size_t>(b - a, 255))});
      a = b;
    }
    std::sort(cells.begin(), cells.end());
    ASSIGN_OR_RETURN(Item it, storage.catalog->GetItem(item));
    double& f = fps[item];
    f = 3;
    if (it.info.contains("video") && it.info["video"].contains("sample_fps")) {
      f = it.info["video"]["sample_fps"].get<double>();
    }
    size_t weak = 0;
    for (size_t a = 0; a < cells.size();) {
      uint8_t n = 0;
      size_t b = a;
      for (; b < cells.size() && cells[b].first == cells[a].first; ++b)
        n = std::max(n, cells[b].second);
      const uint64_t cell = cells[a].first >> 20, frame = cells[a].first & 0xFFFFF;
      if (n >= 2) {
        hits.push_back({q.frames[frame].time_s, item, cell / f, static_cast<float>(n * n)});
      } else {
        recs[weak++] = cells[a].first;
      }
      a = b;
    }
    recs.resize(weak);
    recs.shrink_to_fit();
  }
  // Hits in a fixed order (query time, item, source time), whatever the hash table's.
  std::sort(hits.begin(), hits.end(), [](const MediaHit& a, const MediaHit& b) {
    return std::tie(a.q, a.item, a.s) < std::tie(b.q, b.item, b.s);
  });
  WeakHits weak = [&](uint32_t item, std::vector<MediaHit>* out) {
    for (uint64_t c : records[item]) {
      out->push_back({q.frames[c & 0xFFFFF].time_s, item, (c >> 20) / fps[item], 1.0f});
    }
  };
  // 2. Alignment.
  MediaAlignParams p;
  p.tolerance_s = 0.45;
  p.offset_bin_s = 0.3;
  p.max_gap_s = 3.0;
  p.min_length_s = 0.5;
  p.min_score = 8;
  p.place_separation_s = q.duration_s;
  p.edge_s = 0.5 / std::max(1.0, q.hash_fps);
  // 3. Verification.
  auto verify = [&](const std::vector<MediaSegment>& candidates) {
    return VerifyCandidates<VideoSignature>(
      storage.catalog, candidates, kVideoSignatureBlob,
      [&](const MediaSegment& c, const VideoSignature& sig) {
        Verified v = Verify(q, sig, c, o, parts);
        if (v.ok && std::abs(c.speed - 1.0) > 0.06 && std::abs(v.m.seg.speed - c.speed) > 0.005) {
          // The frames' own line differs from the voted one (votes fall on a
          // grid of speeds, and far from 1 a step drifts): check along it.
          MediaSegment n = c;
          n.speed = v.m.seg.speed;
          n.offset = v.m.seg.offset;
          n.s_start = n.offset + n.speed * n.q_start;
          n.s_end = n.offset + n.speed * n.q_end;
          Verified w = Verify(q, sig, n, o, parts);
          if (w.ok && w.m.matched >= v.m.matched) v = std::move(w);
        }
        if (c.speed != 1.0 && (!v.ok || v.m.seg.speed != 1.0)) {
          // Chance hits at a run's end can pull its voted speed off, and a
          // picture that changes little from frame to frame fits lines of
          // many speeds: the most common case, normal speed, is checked too,
          // through the run's start, middle and end. It is taken unless the
          // voted line shows its speed (ShowsItsSpeed).
          Verified flat;
          for (double pivot : {c.q_start, (c.q_start + c.q_end) / 2, c.q_end}) {
            MediaSegment n = c;
            n.speed = 1.0;
            n.offset = c.offset + (c.speed - 1.0) * pivot;
            n.s_start = n.offset + n.q_start;
            n.s_end = n.offset + n.q_end;
            Verified w = Verify(q, sig, n, o, parts);
            if (w.ok && (!flat.ok || w.m.matched > flat.m.matched)) flat = std::move(w);
          }
          if (flat.ok && (!v.ok || !ShowsItsSpeed(q, sig, v.m.seg, flat.m.seg, o, parts))) {
            v = std::move(flat);
          }
        }
        return v;
      });
  };
  auto found = FindSegments(hits, p, weak);
  auto selected = SelectSegments(found, p);
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> near, verify(selected));
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> rivals, verify(SetAsideLines(found, selected)));
  {
    std::map<uint32_t, std::unique_ptr<VideoSignature>> held;
    std::map<uint32_t, const VideoSignature*> by_item;
    RETURN_IF_ERROR(LoadSignatures(storage.catalog, near, &held, &by_item));
    RETURN_IF_ERROR(LoadSignatures(storage.catalog, rivals, &held, &by_item));
    SettleContestedEdges(q, o, parts, by_item, std::move(rivals), &near);
  }
  // Sped up or slowed down by more than 10% (players, re-uploads): voted
  // over 0.74-1.52 only where speeds near 1 leave a fifth of the clip (of
  // the frames looked up) unexplained, and kept where they explain what
  // those do not, or match clearly more frames (a static or repetitive shot
  // fits many lines).
  if (scope.probe.empty()) {
    std::vector<std::pair<double, double>> spans;
    for (const MatchedSegment& m : near) spans.push_back({m.seg.q_start, m.seg.q_end});
    std::sort(spans.begin(), spans.end());
    double covered = 0, t = 0;
    for (const auto& [a, b] : spans) {
      if (b > std::max(a, t)) covered += b - std::max(a, t);
      t = std::max(t, b);
    }
    if (covered >= 0.8 * q.duration_s) return near;
  } else {
    int probed = 0, explained = 0;
    for (size_t k = 0; k < q.frames.size(); ++k) {
      if (!scope.probe[k]) continue;
      ++probed;
      explained += CoveredBy(near, q.frames[k].time_s);
    }
    if (explained >= 0.8 * probed) return near;
  }
  MediaAlignParams wide = p;
  wide.speed_min = 0.74;
  wide.speed_max = 1.52;
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> far,
                   verify(SelectSegments(FindSegments(hits, wide, weak), wide)));
  std::stable_sort(far.begin(), far.end(), [](const MatchedSegment& a, const MatchedSegment& b) {
    return a.matched > b.matched;
  });
  std::vector<MatchedSegment> out = near;
  for (MatchedSegment& f : far) {
    if (f.seg.speed >= p.speed_min && f.seg.speed <= p.speed_max) continue;  // found above
    bool beaten = false;
    for (const MatchedSegment& k : out) {
      const double ov = std::min(k.seg.q_end, f.seg.q_end) - std::max(k.seg.q_start, f.seg.q_start);
      if (ov > 0 && f.matched * 10 < k.matched * 13) beaten = true;
    }
    if (beaten) continue;
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const MatchedSegment& k) {
                               return k.seg.item == f.seg.item &&
                                      !AtAnotherPlace(k.seg, f.seg, p.place_separation_s) &&
                                      std::min(k.seg.q_end, f.seg.q_end) -
                                              std::max(k.seg.q_start, f.seg.q_start) > 0;
                             }),
              out.end());
    out.push_back(std::move(f));
  }
  return out;
}

// Two matches of one line, one found through the whole frames and the
// other through the region hashes, each over the stretch its hashes
// explain: the one with more matching frames, spanning both stretches.
void JoinOnOneLine(const MatchedSegment& other, MatchedSegment* m) {
  const double from = std::min(other.seg.q_start, m->seg.q_start);
  const double to = std::max(other.seg.q_end, m->seg.q_end);
  const double core_from = std::min(other.core_start, m->core_start);
  const double core_to = std::max(other.core_end, m->core_end);
  if (other.matched > m->matched) *m = other;
  m->seg.q_start = from;
  m->seg.q_end = to;
  m->seg.s_start = LineAt(m->seg, from);
  m->seg.s_end = LineAt(m->seg, to);
  m->core_start = core_from;
  m->core_end = core_to;
}

}  // namespace

absl::StatusOr<std::vector<MatchedSegment>> MatchVideo(const Storage& storage,
                                                       const QueryVideo& q,
                                                       const VideoMatchOptions& o) {
  // The whole frames' hashes first. The region hashes are a fallback, for
  // the stretches of the clip those leave unexplained (a caption, a panel or
  // a close crop spoils a whole picture): looked up everywhere, their many
  // near misses (parts of pictures look alike more often than whole ones)
  // would crowd out and merge the lines of true but weaker matches.
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> out, Search(storage, q, o, SearchScope{}));
  SearchScope rest;
  rest.parts = true;
  rest.probe = UnexplainedFrames(q, out, o);
  if (std::find(rest.probe.begin(), rest.probe.end(), true) == rest.probe.end()) return out;
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> by_parts, Search(storage, q, o, rest));
  std::vector<bool> from_parts(out.size(), false);
  for (MatchedSegment& m : by_parts) {
    // A match through the parts over most of one of the whole frames at the
    // same place of the same source is the same match (grown over the
    // frames those matched): the one with more matching frames is kept,
    // and where both lie on one line, over both stretches (each search
    // verified the line where its own hashes hold: the whole frames
    // before a panel appears, the parts while it stays).
    for (size_t i = 0; i < out.size(); ++i) {
      const double overlap =
          std::min(out[i].seg.q_end, m.seg.q_end) - std::max(out[i].seg.q_start, m.seg.q_start);
      if (from_parts[i] || out[i].seg.item != m.seg.item ||
          AtAnotherPlace(out[i].seg, m.seg, q.duration_s) ||
          overlap < 0.5 * (out[i].seg.q_end - out[i].seg.q_start)) {
        continue;
      }
      if (OnOneLine(out[i].seg, m.seg)) {
        JoinOnOneLine(out[i], &m);
      } else if (out[i].matched > m.matched) {
        m = out[i];
      }
      out.erase(out.begin() + i);
      from_parts.erase(from_parts.begin() + i);
      --i;
    }
    out.push_back(std::move(m));
    from_parts.push_back(true);
  }
  return DropFarWorseRegionMatches(std::move(out), from_parts);
}

void SnapToCuts(const std::vector<double>& cuts, double duration, double reach,
                std::vector<MatchedSegment>* segments) {
  for (MatchedSegment& m : *segments) {
    MediaSegment& s = m.seg;
    auto nearest = [&](double t) {
      double best = t, bd = reach;
      for (double c : cuts) {
        if (std::abs(c - t) < bd) {
          bd = std::abs(c - t);
          best = c;
        }
      }
      return best;
    };
    s.q_start = s.q_start < reach ? 0.0 : nearest(s.q_start);
    s.q_end = duration - s.q_end < reach ? duration : nearest(s.q_end);
    s.s_start = s.offset + s.speed * s.q_start;
    s.s_end = s.offset + s.speed * s.q_end;
  }
}

}  // namespace uncut

#include "trace/audio_match.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/audio_reader.h"
#include "trace/audio_edges.h"
#include "trace/probe.h"
#include "trace/verify_candidates.h"

namespace uncut {
namespace {

// Whether a peak like (frame, bin) exists in the sorted source peaks.
bool HasPeak(const std::vector<Peak>& peaks, double frame, int bin) {
  auto lo = std::lower_bound(peaks.begin(), peaks.end(), frame - 1.5,
                             [](const Peak& p, double f) { return p.frame < f; });
  for (auto it = lo; it != peaks.end() && it->frame <= frame + 1.5; ++it) {
    if (std::abs(static_cast<int>(it->bin) - bin) <= 1) return true;
  }
  return false;
}

// Source peaks between source frames f0 and f1.
int PeaksBetween(const std::vector<Peak>& peaks, double f0, double f1) {
  auto lo = std::lower_bound(peaks.begin(), peaks.end(), f0,
                             [](const Peak& p, double f) { return p.frame < f; });
  auto hi = std::lower_bound(lo, peaks.end(), f1,
                             [](const Peak& p, double f) { return p.frame < f; });
  return static_cast<int>(hi - lo);
}

// Matched peaks inside the segment's query range along (offset, speed); the
// clip's frequencies are divided by `pitch` (1: pitch kept).
int CountMatches(const QueryAudio& q, const AudioPeaks& src, double src_start, double offset,
                 double speed, double q0, double q1, double pitch = 1.0) {
  int n = 0;
  for (const Peak& p : q.peaks.peaks) {
    double tq = p.frame * kAudioFrameS;
    if (tq < q0 || tq > q1) continue;
    double sf = (offset + speed * tq - src_start) / kAudioFrameS;
    const int bin = pitch == 1.0 ? p.bin : static_cast<int>(std::lround(p.bin / pitch));
    n += HasPeak(src.peaks, sf, bin);
  }
  return n;
}

Verified Verify(const QueryAudio& q, const AudioPeaks& src, double src_start,
                const MediaSegment& voted, int min_matched) {
  Verified v;
  // Peaks are matched to within a frame, finer than voting places the line:
  // search speed and offset nearby for the line the peaks agree with best.
  MediaSegment seg = voted;
  {
    double mid = (seg.q_start + seg.q_end) / 2;
    double best_speed = seg.speed, best_offset = seg.offset;
    int best = -1;
    for (double ds : {0.0, -0.002, 0.002, -0.005, 0.005, -0.01, 0.01}) {
      double speed = seg.speed + ds;
      if (std::abs(speed - 1.0) < 0.0015) speed = 1.0;
      // Keep the line through the middle of the segment while turning it.
      double base = seg.offset + seg.speed * mid - speed * mid;
      for (double d = -0.064; d <= 0.0641; d += 0.008) {
        int n = CountMatches(q, src, src_start, base + d, speed, seg.q_start, seg.q_end);
        if (n > best) {
          best = n;
          best_speed = speed;
          best_offset = base + d;
        }
      }
    }
    seg.speed = best_speed;
    seg.offset = best_offset;
  }
  const auto& qp = q.peaks.peaks;
  // Which query peaks, within reach of the segment, have a partner.
  std::vector<std::pair<double, bool>> marks;  // (query time, matched)
  for (const Peak& p : qp) {
    double tq = p.frame * kAudioFrameS;
    if (tq < seg.q_start - 3.0 || tq > seg.q_end + 3.0) continue;
    double ts = seg.offset + seg.speed * tq;
    double sf = (ts - src_start) / kAudioFrameS;
    if (sf < -2 || sf > src.duration_s / kAudioFrameS + 2) {
      marks.push_back({tq, false});
      continue;
    }
    marks.push_back({tq, HasPeak(src.peaks, sf, p.bin)});
  }
  if (marks.empty()) return v;
  // Windows of 0.5 s every 0.25 s: matched share of peaks.
  const double win = 0.5, step = 0.25;
  double t0 = marks.front().first, t1 = marks.back().first;
  struct W {
    double a, b;
    int n, m;
    int s;  // the source's own peaks along the line
  };
  // The source's frame at clip time t along the line.
  auto source_frame = [&](double t) { return (seg.offset + seg.speed * t - src_start) / kAudioFrameS; };
  std::vector<W> windows;
  for (double a = t0; a <= t1; a += step) {
    W w{a, a + win, 0, 0, PeaksBetween(src.peaks, source_frame(a), source_frame(a + win))};
    for (const auto& [t, ok] : marks) {
      if (t >= a && t < a + win) {
        ++w.n;
        w.m += ok;
      }
    }
    windows.push_back(w);
  }
  // A window is good when at least 18% of its peaks have a partner. Peaks
  // are kept only within 30 dB of the loud level, where a copy keeps them
  // best: a true line matches a larger share of them than the weak peaks
  // of old did, and a chance line rarely reaches 18%.
  auto good = [](const W& w) { return w.m >= 2 && w.m * 100 >= w.n * 18; };
  // Windows with too few peaks say nothing either way: pauses in the clip,
  // and stretches the source kept (almost) no peaks of, being far quieter
  // than its loud parts (the floor is the whole recording's, so a quiet
  // passage of a loud programme has peaks in a clip of it but not in the
  // archive).
  auto neutral = [](const W& w) { return w.n < 4 || w.s < 2; };
  if (getenv("UNCUT_DEBUG_AUDIO")) {
    for (const W& w : windows) fprintf(stderr, "%.2f n=%d m=%d\n", w.a, w.n, w.m);
  }
  // Core: good windows inside the voted segment.
  int best = -1;
  for (size_t i = 0; i < windows.size(); ++i) {
    double mid = windows[i].a + win / 2;
    if (mid >= seg.q_start && mid <= seg.q_end && good(windows[i])) {
      if (best < 0 || windows[i].m > windows[best].m) best = static_cast<int>(i);
    }
  }
  if (best < 0) return v;
  // Grow from the core while good windows continue; noise can drown the
  // sound for a moment, so up to 1 s of poor windows are crossed when good
  // ones follow on the same line (longer, and a segment runs on past a cut
  // into whatever matches by chance). Pauses (windows with too few peaks to
  // judge) count half, so a segment does not cross a long silence.
  constexpr int kMaxMisses = 8;  // in half windows
  size_t b = best, e = best;
  int miss = 0;
  for (size_t i = best; i-- > 0;) {
    if (good(windows[i])) {
      b = i;
      miss = 0;
    } else if ((miss += neutral(windows[i]) ? 1 : 2) > kMaxMisses) {
      break;
    }
  }
  miss = 0;
  for (size_t i = best + 1; i < windows.size(); ++i) {
    if (good(windows[i])) {
      e = i;
      miss = 0;
    } else if ((miss += neutral(windows[i]) ? 1 : 2) > kMaxMisses) {
      break;
    }
  }
  // Edges: the first and last matched peaks of the run.
  double qs = windows[e].b, qe = windows[b].a;
  int matched = 0, checked = 0;
  for (const auto& [t, ok] : marks) {
    if (t < windows[b].a || t >= windows[e].b) continue;
    ++checked;
    if (ok) {
      ++matched;
      qs = std::min(qs, t);
      qe = std::max(qe, t);
    }
  }
  if (matched < min_matched || qe - qs < 0.4) return v;
  // A periodic or steady source (clicks, a hum, a drum loop) matches peaks
  // at many offsets; true material matches at one. Compare with lines a
  // little off (by amounts that are not multiples of common periods).
  int shifted = 0;
  for (double d : {-0.73, -0.37, 0.37, 0.73}) {
    shifted = std::max(shifted, CountMatches(q, src, src_start, seg.offset + d, seg.speed,
                                             windows[b].a, windows[e].b));
  }
  if (shifted * 10 >= matched * 5) return v;
  MediaSegment s = seg;
  // A peak marks the start of its analysis frame's centre; widen by half a frame.
  s.q_start = std::max(0.0, qs - 0.02);
  s.q_end = std::min(q.duration_s, qe + kAudioFrameS + 0.04);
  s.s_start = s.offset + s.speed * s.q_start;
  s.s_end = s.offset + s.speed * s.q_end;
  v.m.seg = s;
  v.m.modality = SegmentModality::kAudio;
  constexpr double kBeyond = 0.3;
  v.m.source_quiet_before =
      PeaksBetween(src.peaks, source_frame(s.q_start - kBeyond), source_frame(s.q_start)) < 2;
  v.m.source_quiet_after =
      PeaksBetween(src.peaks, source_frame(s.q_end), source_frame(s.q_end + kBeyond)) < 2;
  v.m.matched = matched;
  v.m.checked = checked;
  double rate = static_cast<double>(matched) / std::max(1, checked);
  v.m.seg.confidence = std::min(1.0, rate * 2.0);
  v.ok = true;
  return v;
}

}  // namespace

absl::StatusOr<double> AudioAgreement(CatalogReader* catalog, const QueryAudio& q,
                                      uint32_t item, double offset, double speed, double q0,
                                      double q1) {
  int total = 0;
  for (const Peak& p : q.peaks.peaks) {
    double t = p.frame * kAudioFrameS;
    total += t >= q0 && t <= q1;
  }
  if (total < 20) return -1.0;
  ASSIGN_OR_RETURN(auto blob, catalog->LoadBlob(item, kAudioPeaksBlob));
  if (!blob) return -1.0;
  ASSIGN_OR_RETURN(AudioPeaks src, AudioPeaks::Parse(*blob));
  int best = 0;
  for (double d = -0.1; d <= 0.1001; d += 0.016) {
    best = std::max(best, CountMatches(q, src, src.start_s, offset + d, speed, q0, q1));
    if (std::abs(speed - 1.0) > 0.02) {
      best = std::max(best, CountMatches(q, src, src.start_s, offset + d, speed, q0, q1, speed));
    }
  }
  return static_cast<double>(best) / total;
}

absl::StatusOr<QueryAudio> AnalyzeQueryAudio(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<float> samples, DecodeAudio(path, kAudioSampleRate));
  return AnalyzeQuerySamples(samples);
}

QueryAudio AnalyzeQuerySamples(const std::vector<float>& samples) {
  QueryAudio q;
  q.duration_s = samples.size() / static_cast<double>(kAudioSampleRate);
  double energy = 0;
  for (float x : samples) energy += x * x;
  q.silent = samples.empty() || energy / samples.size() < 1e-8;
  // Landmarks from the denser peaks; verification compares the peaks the
  // index keeps with the source's.
  AudioPeaks dense = ComputePeaks(samples, kQueryPeaksPerSecond, &q.contour);
  q.landmarks = MakeLandmarks(dense, kQueryFanOut);
  q.peaks = ThinPeaks(dense, kIndexPeaksPerSecond);
  return q;
}

absl::StatusOr<std::vector<MatchedSegment>> MatchAudio(const Storage& storage,
                                                       const QueryAudio& q,
                                                       const AudioMatchOptions& o) {
  if (q.landmarks.empty()) return std::vector<MatchedSegment>();
  PostingSource* index = storage.postings;
  ASSIGN_OR_RETURN(uint64_t legacy, index->PostingCount(Modality::kLegacyAudio));
  if (legacy > 0) {
    return absl::FailedPreconditionError(
        StrCat(index->IndexName(), ": its sound index was made by an older version of uncut; run "
                               "`uncut upgrade` once (it re-reads the sound of the stored "
                               "originals; nothing else changes)"));
  }
  // 1. Retrieval, probing each landmark over the speed range. Each distinct
  // time step probed stands for the speeds that round to it.
  struct Use {
    uint64_t key;
    uint32_t frame;
    float speed_lo, speed_hi;
  };
  std::vector<Use> uses;
  std::vector<LandmarkProbe> probes;
  for (const Landmark& l : q.landmarks) {
    probes.clear();
    ProbeKeys(l, o.speed_min, o.speed_max, o.speed_step, &probes);
    for (const LandmarkProbe& p : probes) uses.push_back({p.key, l.frame, p.speed_lo, p.speed_hi});
  }
  const std::vector<uint64_t> keys = SortUsesByKey(&uses);
  std::vector<Posting> postings;
  RETURN_IF_ERROR(index->Lookup(Modality::kAudio, keys, o.max_postings_per_key, &postings));
  // Postings come grouped by key, in the order of `keys`. Source times are
  // counted from each item's first sample here (the file's own time line
  // may start later); verification, which reads the item's peaks and with
  // them that start, moves the lines onto the file's time line.
  std::vector<MediaHit> hits;
  hits.reserve(postings.size());
  RETURN_IF_ERROR(ForEachPostingWithUses(
      postings, uses, [&](const Posting& p, size_t first, size_t end) -> absl::Status {
        const double ts = p.pos * kAudioFrameS;
        for (size_t j = first; j < end; ++j) {
          hits.push_back(
              {uses[j].frame * kAudioFrameS, p.item, ts, 1.0f, uses[j].speed_lo, uses[j].speed_hi});
        }
        return absl::OkStatus();
      }));
  // 2. Alignment.
  MediaAlignParams ap;
  ap.speed_min = o.speed_min;
  ap.speed_max = o.speed_max;
  ap.speed_step = o.speed_step;
  ap.offset_bin_s = 0.1;
  ap.tolerance_s = 0.12;
  // A landmark hit is rare by chance, and where a copy's sound is poor the
  // hits come in short bursts: a run may be short and its hits far apart;
  // verification then follows the line peak by peak.
  ap.max_gap_s = 3.0;
  ap.min_length_s = 0.2;
  ap.min_score = 6;
  ap.place_separation_s = q.duration_s;
  std::vector<MediaSegment> found = FindSegments(hits, ap);
  std::vector<MediaSegment> candidates = SelectSegments(found, ap);
  // 3. Verification against the stored peaks, asking more of a match in a
  // larger index.
  ASSIGN_OR_RETURN(uint64_t total, index->PostingCount(Modality::kAudio));
  const double hours = static_cast<double>(total) / o.postings_per_hour;
  const int min_matched =
      o.min_matched + static_cast<int>(std::floor(o.matched_per_decade * std::log10(1.0 + hours)));
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> verified,
                   VerifyCandidates<AudioPeaks>(
                       storage.catalog, candidates, kAudioPeaksBlob,
                       [&](MediaSegment c, const AudioPeaks& peaks) {
                         c.offset += peaks.start_s;
                         c.s_start += peaks.start_s;
                         c.s_end += peaks.start_s;
                         return Verify(q, peaks, peaks.start_s, c, min_matched);
                       }));
  if (o.extend_ends_by_loudness) RETURN_IF_ERROR(ExtendEndsByLoudness(storage, q, &verified));
  return verified;
}

}  // namespace uncut

namespace uncut {
namespace {

// A match found in a view of the clip played `factor` times faster, moved
// onto the clip's own time line (the source's times do not change).
void FromView(double factor, MatchedSegment* m) {
  auto to_clip = [&](double& t) { t /= factor; };
  to_clip(m->seg.q_start);
  to_clip(m->seg.q_end);
  to_clip(m->core_start);
  to_clip(m->core_end);
  for (auto& [a, b] : m->loudness_only) {
    to_clip(a);
    to_clip(b);
  }
  for (auto& [a, b] : m->unconfirmed) {
    to_clip(a);
    to_clip(b);
  }
  m->seg.speed *= factor;
  m->pitch_follows_speed = true;
}

// Seconds of [0, duration] that the matches cover.
double Covered(const std::vector<MatchedSegment>& ms) {
  std::vector<std::pair<double, double>> r;
  for (const MatchedSegment& m : ms) r.push_back({m.seg.q_start, m.seg.q_end});
  std::sort(r.begin(), r.end());
  double total = 0, t = 0;
  for (const auto& [a, b] : r) {
    const double from = std::max(a, t);
    if (b > from) total += b - from;
    t = std::max(t, b);
  }
  return total;
}

// Pools the passes' matches: the best first; one lying mostly (half its
// length or more) over a kept match of the same item goes, unless it is at
// another place of the item (further apart than `separation_s` in the
// source: AtAnotherPlace); one partly over it keeps what it adds.
std::vector<MatchedSegment> Pool(std::vector<MatchedSegment> all, double separation_s) {
  std::stable_sort(all.begin(), all.end(), [](const MatchedSegment& a, const MatchedSegment& b) {
    return a.matched > b.matched;
  });
  std::vector<MatchedSegment> kept;
  for (MatchedSegment& m : all) {
    bool drop = false;
    for (const MatchedSegment& k : kept) {
      if (k.seg.item != m.seg.item) continue;
      const double ov = std::min(k.seg.q_end, m.seg.q_end) - std::max(k.seg.q_start, m.seg.q_start);
      if (ov <= 0) continue;
      const double len = m.seg.q_end - m.seg.q_start;
      if (ov >= 0.5 * len) {
        if (AtAnotherPlace(k.seg, m.seg, separation_s)) continue;
        drop = true;
        break;
      }
      if (m.seg.q_start < k.seg.q_start) {
        m.seg.q_end = k.seg.q_start;
      } else {
        m.seg.q_start = k.seg.q_end;
      }
      m.seg.s_start = m.seg.offset + m.seg.speed * m.seg.q_start;
      m.seg.s_end = m.seg.offset + m.seg.speed * m.seg.q_end;
    }
    if (!drop) kept.push_back(std::move(m));
  }
  std::sort(kept.begin(), kept.end(), [](const MatchedSegment& a, const MatchedSegment& b) {
    return a.seg.q_start < b.seg.q_start;
  });
  return kept;
}

}  // namespace

absl::StatusOr<std::vector<MatchedSegment>> MatchAudioAtAnySpeed(const Storage& storage,
                                                                 const std::string& path,
                                                                 const QueryAudio& q,
                                                                 const AudioMatchOptions& o,
                                                                 const AnySpeedOptions& any) {
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> first, MatchAudio(storage, q, o));
  const double enough = any.explained_share * q.duration_s;
  // Pieces at the edge of the first pass's speeds are a faster or slower
  // copy seen in fragments (a 0.9x copy fits 0.93x for a few seconds at a
  // time): they explain the clip only in appearance.
  const double edge = std::min(1.0 - o.speed_min, o.speed_max - 1.0) - 0.005;
  bool at_edge = false;
  for (const MatchedSegment& m : first) at_edge |= std::abs(m.seg.speed - 1.0) > edge;
  if (q.landmarks.empty() || (Covered(first) >= enough && !at_edge)) return first;
  std::vector<MatchedSegment> all = std::move(first);
  // Time-stretched: the clip as it is, its time steps rescaled.
  AudioMatchOptions wide = o;
  wide.speed_min = any.speed_min;
  wide.speed_max = any.speed_max;
  wide.min_matched += any.extra_matched;
  ASSIGN_OR_RETURN(std::vector<MatchedSegment> stretched, MatchAudio(storage, q, wide));
  all.insert(all.end(), stretched.begin(), stretched.end());
  all = Pool(std::move(all), q.duration_s);
  if (Covered(all) >= enough) return all;
  // Resampled: views of the clip played back slower or faster with the
  // pitch, from one decode at twice the rate (so that views faster than the
  // clip keep the whole band).
  ASSIGN_OR_RETURN(std::vector<float> twice, DecodeAudio(path, 2 * kAudioSampleRate));
  AudioMatchOptions near = o;
  near.speed_min = 1.0 - any.tape_view_reach;
  near.speed_max = 1.0 + any.tape_view_reach;
  near.min_matched += any.extra_matched;
  std::vector<double> views;
  for (double f = 1.0 / any.tape_view_ratio; f >= any.speed_min / std::sqrt(any.tape_view_ratio);
       f /= any.tape_view_ratio) {
    views.push_back(f);
  }
  for (double f = any.tape_view_ratio; f <= any.speed_max * std::sqrt(any.tape_view_ratio);
       f *= any.tape_view_ratio) {
    views.push_back(f);
  }
  // A copy made at tape speed f (pitch up by f, time shortened by f) is
  // undone by resampling it to f x 8 kHz and reading that at 8 kHz.
  auto search_view = [&](double f, const AudioMatchOptions& options,
                         std::vector<MatchedSegment>* out) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<float> samples,
                     ResampleMono(twice, 2 * kAudioSampleRate,
                                  static_cast<int>(std::lround(kAudioSampleRate * f))));
    const QueryAudio view = AnalyzeQuerySamples(samples);
    if (view.landmarks.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<MatchedSegment> found, MatchAudio(storage, view, options));
    for (MatchedSegment& m : found) {
      FromView(f, &m);
      out->push_back(std::move(m));
    }
    return absl::OkStatus();
  };
  std::vector<MatchedSegment> tape;
  for (double f : views) RETURN_IF_ERROR(search_view(f, near, &tape));
  // A view up to 2.3% off the copy's speed finds it with fewer peaks in
  // pitch, and may lose its weaker ends: each speed found is searched again
  // in a view at exactly that speed, where the copy lines up as at 1x.
  std::vector<double> found_speeds;
  for (const MatchedSegment& m : tape) {
    const double f = std::round(m.seg.speed * 200) / 200;
    if (std::find(found_speeds.begin(), found_speeds.end(), f) == found_speeds.end()) {
      found_speeds.push_back(f);
    }
  }
  AudioMatchOptions exact = near;
  exact.speed_min = 0.99;
  exact.speed_max = 1.01;
  for (double f : found_speeds) RETURN_IF_ERROR(search_view(f, exact, &tape));
  all.insert(all.end(), tape.begin(), tape.end());
  return Pool(std::move(all), q.duration_s);
}

}  // namespace uncut

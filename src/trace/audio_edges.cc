#include "trace/audio_edges.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include "audio/landmarks.h"
#include "base/status_macros.h"
#include "decode/audio_reader.h"
#include "trace/item_media.h"

namespace uncut {
namespace {

// A contour frame's level is that of its 64 ms window, centred this long
// after the frame's start.
constexpr double kHalfWindowS = 0.032;

float TotalLevel(const float* db) {
  double sum = 0;
  for (int b = 0; b < kContourBands; ++b) sum += std::pow(10.0, db[b] / 10.0);
  return static_cast<float>(10.0 * std::log10(sum + 1e-10));
}

// The (fractional) contour frame centred at time t, and a frame's centre.
double FrameAt(double t) { return (t - kHalfWindowS) / kAudioFrameS; }
double FrameTime(long f) { return f * kAudioFrameS + kHalfWindowS; }

float Median(std::vector<float> v) {
  auto mid = v.begin() + v.size() / 2;
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Samples in `seconds` (none for a negative span).
size_t Samples(double seconds) {
  return static_cast<size_t>(std::max(0L, std::lround(seconds * kAudioSampleRate)));
}

// Decoded sound of a stretch of a source.
struct Stretch {
  double start = 0;  // time of samples[0] in the source's time line
  std::vector<float> samples;

  double end() const { return start + samples.size() / static_cast<double>(kAudioSampleRate); }
};

// A source's sound, opened once for all the ends read from it.
class SourceSound {
 public:
  static absl::StatusOr<std::unique_ptr<SourceSound>> Open(const Storage& storage,
                                                           uint32_t item) {
    ASSIGN_OR_RETURN(Item it, storage.catalog->GetItem(item));
    ASSIGN_OR_RETURN(ItemMedia media, ItemMedia::Open(storage.originals, it));
    auto s = std::unique_ptr<SourceSound>(new SourceSound(std::move(media)));
    AudioReadOptions ro;
    ro.sample_rate = kAudioSampleRate;
    ro.trust_header = true;  // an archived original, known to decode
    ASSIGN_OR_RETURN(s->reader_, AudioReader::Open(s->media_.source(), ro));
    return s;
  }

  // Grows *s to cover [t0, t1], decoding only what it lacks.
  absl::Status Cover(double t0, double t1, Stretch* s) {
    if (s->samples.empty()) {
      ASSIGN_OR_RETURN(s->samples, Decode(t0, t1, &s->start));
      return absl::OkStatus();
    }
    constexpr double kOverlap = 0.05;  // so that the pieces meet without a gap
    if (t0 < s->start) {
      // Whole hops before the stretch, so that its frames keep their phase.
      t0 = s->start - std::ceil((s->start - t0) / kAudioFrameS) * kAudioFrameS;
      double start = 0;
      ASSIGN_OR_RETURN(std::vector<float> more, Decode(t0, s->start + kOverlap, &start));
      const size_t n = std::min(more.size(), Samples(s->start - start));
      s->samples.insert(s->samples.begin(), more.begin(), more.begin() + n);
      s->start -= n / static_cast<double>(kAudioSampleRate);
    }
    if (t1 > s->end()) {
      double start = 0;
      ASSIGN_OR_RETURN(std::vector<float> more, Decode(s->end() - kOverlap, t1, &start));
      const size_t skip = std::min(more.size(), Samples(s->end() - start));
      s->samples.insert(s->samples.end(), more.begin() + skip, more.end());
    }
    return absl::OkStatus();
  }

 private:
  explicit SourceSound(ItemMedia media) : media_(std::move(media)) {}

  // Only by seeking: an end is not worth decoding a long recording from
  // its beginning.
  absl::StatusOr<std::vector<float>> Decode(double t0, double t1, double* start) {
    return DecodeAudioRange(reader_.get(), t0, t1, start);
  }

  ItemMedia media_;  // outlives reader_, which may read its bytes
  std::unique_ptr<AudioReader> reader_;
};

// The source's contour along a segment's line.
struct SourceAlong {
  LoudnessContour contour;
  double start = 0;  // time of its frame 0's start
  double offset = 0, speed = 1;
  long lag = 0;  // in source frames

  // The source frame for clip frame f, or -1 outside what was read.
  long For(long f) const {
    const double ts = offset + speed * FrameTime(f);
    const long g = std::lround((ts - kHalfWindowS - start) / kAudioFrameS) + lag;
    return g >= 0 && static_cast<size_t>(g) < contour.frames ? g : -1;
  }
};

// How the copy's levels differ from the source's over matched frames: per
// band, at the lag where the contours agree best.
struct Calibration {
  long lag = 0;
  float cost = 1e9f;  // mean difference per band and frame, once offsets are taken off
  float offset[kContourBands] = {};
};

Calibration Calibrate(const LoudnessContour& qc, SourceAlong* src, long c0, long c1,
                      long max_lag) {
  Calibration best;
  std::vector<float> diffs[kContourBands];
  for (long lag = -max_lag; lag <= max_lag; ++lag) {
    src->lag = lag;
    for (auto& d : diffs) d.clear();
    for (long f = c0; f <= c1; ++f) {
      const long g = src->For(f);
      if (g < 0) continue;
      for (int b = 0; b < kContourBands; ++b) {
        diffs[b].push_back(qc.frame(f)[b] - src->contour.frame(g)[b]);
      }
    }
    if (diffs[0].size() < 16) continue;
    Calibration c;
    c.lag = lag;
    for (int b = 0; b < kContourBands; ++b) c.offset[b] = Median(diffs[b]);
    double cost = 0;
    for (int b = 0; b < kContourBands; ++b) {
      for (float d : diffs[b]) cost += std::abs(d - c.offset[b]);
    }
    c.cost = static_cast<float>(cost / (diffs[0].size() * kContourBands));
    if (c.cost < best.cost) best = c;
  }
  src->lag = best.lag;
  return best;
}

// Frames from `from` (exclusive) towards `to` (inclusive) over which the
// contours agree: judged over windows of `window` frames, the first that
// disagrees holding the cut, which is its first frame over `limit`.
// *parted says whether a disagreement was found before `to` (or the end of
// what was read).
size_t AgreeingFrames(const LoudnessContour& qc, const SourceAlong& src, const Calibration& cal,
                      long from, long to, float limit, size_t window, bool* parted) {
  const int dir = to >= from ? 1 : -1;
  std::vector<float> dist;
  for (long f = from + dir; dir > 0 ? f <= to : f >= to; f += dir) {
    const long g = src.For(f);
    if (g < 0) break;
    float d = 0;
    for (int b = 0; b < kContourBands; ++b) {
      d += std::abs(qc.frame(f)[b] - src.contour.frame(g)[b] - cal.offset[b]);
    }
    dist.push_back(d / kContourBands);
  }
  *parted = false;
  size_t k = 0;
  for (; k + window <= dist.size(); ++k) {
    float sum = 0;
    for (size_t i = k; i < k + window; ++i) sum += dist[i];
    if (sum > limit * window) {
      *parted = true;
      break;
    }
  }
  while (k < dist.size() && dist[k] <= limit) ++k;
  return k;
}

// How much the clip's loudness varies over frames [a, b] (either order):
// the mean over bands of each band's standard deviation, in dB. Agreement
// over a steady sound (a hum, a held chord, the room's hiss) says little
// about where a cut lies: steady sounds agree at any offset.
float Variation(const LoudnessContour& qc, long a, long b) {
  if (a > b) std::swap(a, b);
  const double n = static_cast<double>(b - a + 1);
  double total = 0;
  for (int band = 0; band < kContourBands; ++band) {
    double sum = 0, sq = 0;
    for (long f = a; f <= b; ++f) {
      sum += qc.frame(f)[band];
      sq += qc.frame(f)[band] * qc.frame(f)[band];
    }
    const double mean = sum / n;
    total += std::sqrt(std::max(0.0, sq / n - mean * mean));
  }
  return static_cast<float>(total / kContourBands);
}

// The clip's loudness, frame by frame, and what its sound matches explain.
struct ClipView {
  const QueryAudio& q;
  std::vector<float> level;  // total level per contour frame, dB
  float loud_level = 0;      // 95th percentile of level
  long last_frame = 0;
  std::vector<std::pair<double, double>> found;  // matched stretches, before any end moves

  long Frame(double t) const { return std::clamp(std::lround(FrameAt(t)), 0L, last_frame); }
};

// Whether the end of `m` at `edge` is worth reading the source for, and up
// to where it may move: the clip's duration (or 0) for a quiet stretch, the
// next match for a loud one. Empty when the end stays.
struct EndToMove {
  bool quiet = false;
  double bound = 0;
};
std::optional<EndToMove> LookBeyond(const ClipView& clip, const MatchedSegment& m, bool at_end,
                                    const LoudnessEdgeOptions& o) {
  const double edge = at_end ? m.seg.q_end : m.seg.q_start;
  if ((at_end ? clip.q.duration_s - edge : edge) < 0.1) return std::nullopt;
  const double a = at_end ? edge : edge - o.look_s, b = at_end ? edge + o.look_s : edge;
  const long fa = std::max(0L, static_cast<long>(std::ceil(FrameAt(a))));
  const long fb = std::min(clip.last_frame, static_cast<long>(std::floor(FrameAt(b))));
  if (fb < fa) return std::nullopt;
  double mean = 0;
  for (long f = fa; f <= fb; ++f) mean += clip.level[f];
  mean /= (fb - fa + 1);
  EndToMove e;
  e.quiet = mean <= clip.loud_level - o.quiet_db ||
            (at_end ? m.source_quiet_after : m.source_quiet_before);
  e.bound = at_end ? clip.q.duration_s : 0.0;
  if (e.quiet) return e;
  const bool alone = m.seg.q_end - m.seg.q_start >= o.min_alone_s &&
                     std::none_of(clip.found.begin(), clip.found.end(), [&](const auto& r) {
                       return std::min(r.second, b) - std::max(r.first, a) > 0.5 * (b - a);
                     });
  if (!alone) return std::nullopt;
  // Loud stretches are taken only up to the next match.
  for (const auto& [fa_s, fb_s] : clip.found) {
    if (at_end && fa_s >= edge) e.bound = std::min(e.bound, fa_s);
    if (!at_end && fb_s <= edge) e.bound = std::max(e.bound, fb_s);
  }
  return e;
}

// How many clip frames beyond the end of `m` at `edge` agree with the
// source read from `sound`; 0 when the copy's levels cannot be learnt.
size_t FramesToMove(const ClipView& clip, const MatchedSegment& m, bool at_end,
                    const EndToMove& end, SourceSound* sound, const LoudnessEdgeOptions& o,
                    Calibration* cal) {
  const LoudnessContour& qc = clip.q.contour;
  const double edge = at_end ? m.seg.q_end : m.seg.q_start;
  const double inner = at_end ? std::max(m.seg.q_start, edge - o.calibrate_s)
                              : std::min(m.seg.q_end, edge + o.calibrate_s);
  const long edge_frame = clip.Frame(edge), inner_frame = clip.Frame(inner);
  const long c0 = std::min(edge_frame, inner_frame), c1 = std::max(edge_frame, inner_frame);
  if (c1 - c0 < 16) return 0;
  const long max_lag = std::lround(o.max_lag_s / kAudioFrameS);
  SourceAlong src;
  src.offset = m.seg.offset;
  src.speed = m.seg.speed;
  Stretch stretch;
  size_t k = 0;
  // Most ends move a little or not at all: the source is read a short way
  // past the end first, and further only when the contours still agree
  // where that reading stops.
  for (const double reach : {o.first_reach_s, o.max_extend_s}) {
    const double outer =
        at_end ? std::min(end.bound, edge + reach) : std::max(end.bound, edge - reach);
    const double lo = std::min(inner, outer), hi = std::max(inner, outer);
    // From the counterpart of a clip frame's start, a whole number of hops
    // before the stretch: the source's frames then fall where the clip's do
    // (at speed 1, exactly), and the lag search moves by whole hops.
    const double margin = std::ceil((o.max_lag_s + 0.1) / kAudioFrameS);
    double s0 = src.offset + src.speed * (std::floor(FrameAt(lo)) - margin) * kAudioFrameS;
    while (s0 < 0) s0 += src.speed * kAudioFrameS;
    const double s1 = src.offset + src.speed * hi + o.max_lag_s + 0.1 + 2 * kHalfWindowS;
    if (!sound->Cover(s0, s1, &stretch).ok()) return 0;
    src.contour = ComputeLoudnessContour(stretch.samples);
    src.start = stretch.start;
    *cal = Calibrate(qc, &src, c0, c1, max_lag);
    if (cal->cost > o.max_matched_db) return 0;
    const float limit = std::clamp(static_cast<float>(o.factor * cal->cost),
                                   static_cast<float>(o.min_db), static_cast<float>(o.max_db));
    bool parted = false;
    k = AgreeingFrames(qc, src, *cal, edge_frame, clip.Frame(outer), limit,
                       static_cast<size_t>(o.window_frames), &parted);
    if (parted) break;
  }
  // A steady loud sound (a held chord, a hum, a loop) agrees at the wrong
  // offset as well as at the right one.
  const int dir = at_end ? 1 : -1;
  const float variation =
      k > 0 ? Variation(qc, edge_frame + dir, edge_frame + dir * static_cast<long>(k)) : 0;
  if (getenv("UNCUT_DEBUG_EDGES")) {
    fprintf(stderr, "edge item=%u %s %.2f %s lag=%ld cost=%.2f -> +%zu frames, variation %.2f\n",
            m.seg.item, at_end ? "end" : "start", edge, end.quiet ? "quiet" : "alone", cal->lag,
            cal->cost, k, variation);
  }
  if (!end.quiet && k > static_cast<size_t>(o.window_frames) && variation < o.min_variation_db) {
    return 0;
  }
  return k;
}

}  // namespace

absl::Status ExtendEndsByLoudness(const Storage& storage, const QueryAudio& q,
                                  std::vector<MatchedSegment>* segments,
                                  const LoudnessEdgeOptions& o) {
  const LoudnessContour& qc = q.contour;
  if (qc.frames < 16) return absl::OkStatus();
  ClipView clip{q};
  clip.level.resize(qc.frames);
  for (size_t f = 0; f < qc.frames; ++f) clip.level[f] = TotalLevel(qc.frame(f));
  std::vector<float> sorted = clip.level;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() * 95 / 100, sorted.end());
  clip.loud_level = sorted[sorted.size() * 95 / 100];
  clip.last_frame = static_cast<long>(qc.frames) - 1;
  for (const MatchedSegment& m : *segments) clip.found.push_back({m.seg.q_start, m.seg.q_end});
  std::map<uint32_t, std::unique_ptr<SourceSound>> sounds;
  for (MatchedSegment& m : *segments) {
    if (m.modality != SegmentModality::kAudio) continue;
    for (const bool at_end : {false, true}) {
      const std::optional<EndToMove> end = LookBeyond(clip, m, at_end, o);
      if (!end) continue;
      std::unique_ptr<SourceSound>& sound = sounds[m.seg.item];
      if (!sound) {
        auto opened = SourceSound::Open(storage, m.seg.item);
        if (!opened.ok()) continue;  // the original is checked by `uncut verify`
        sound = std::move(*opened);
      }
      Calibration cal;
      const size_t k = FramesToMove(clip, m, at_end, *end, sound.get(), o, &cal);
      if (k == 0) continue;
      const double edge = at_end ? m.seg.q_end : m.seg.q_start;
      const int dir = at_end ? 1 : -1;
      const double t =
          FrameTime(clip.Frame(edge) + dir * static_cast<long>(k)) + dir * kAudioFrameS / 2;
      if (at_end) {
        m.seg.q_end = std::max(m.seg.q_end, std::min(q.duration_s, t));
        m.seg.s_end = m.seg.offset + m.seg.speed * m.seg.q_end;
        m.loudness_only.push_back({edge, m.seg.q_end});
      } else {
        m.seg.q_start = std::min(m.seg.q_start, std::max(0.0, t));
        m.seg.s_start = m.seg.offset + m.seg.speed * m.seg.q_start;
        m.loudness_only.insert(m.loudness_only.begin(), {m.seg.q_start, edge});
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace uncut

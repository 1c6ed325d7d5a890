#include "trace/media_trace.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"
#include "trace/audio_match.h"
#include "trace/clip_evidence.h"
#include "trace/equal_places.h"
#include "trace/fusion.h"
#include "trace/place_groups.h"
#include "trace/text_location.h"
#include "trace/video_match.h"
#include "video/query_video.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f s", s);
  return buf;
}

double ItemDuration(const Item& it) {
  if (it.info.contains("media") && it.info["media"].contains("duration_s")) {
    return it.info["media"]["duration_s"].get<double>();
  }
  return 0;
}

// What a linked transcript says between source times a and b.
std::string TranscriptBetween(CatalogReader* catalog, const Item& item, double a, double b) {
  if (!item.info.contains("subtitles") || !item.info["subtitles"].is_array()) return "";
  for (const auto& link : item.info["subtitles"]) {
    if (!link.contains("id")) continue;
    auto text = catalog->LoadText(link["id"].get<int64_t>());
    if (!text.ok()) continue;
    const auto& anchors = text->text.anchors;
    std::string out;
    for (size_t i = 0; i < anchors.size(); ++i) {
      const Anchor& an = anchors[i];
      if (an.kind != "cue" || !an.value.contains("start_s")) continue;
      double cs = an.value["start_s"].get<double>(), ce = an.value.value("end_s", cs);
      if (ce <= a || cs >= b) continue;
      uint64_t from = an.text_offset;
      uint64_t to = i + 1 < anchors.size() ? anchors[i + 1].text_offset : text->text.text.size();
      std::string cue = CollapseSpace(std::string_view(text->text.text).substr(from, to - from));
      if (!cue.empty()) StrAppend(&out, out.empty() ? "" : " ", cue);
    }
    if (!out.empty()) return out;
  }
  return "";
}

// Where a picture match and the clip's sound disagree, the sound decides.
// A static camera, a podium or a studio looks the same at many moments, but
// what is said there differs. For each stretch of a picture match that its
// sound does not support (all of a picture-only match; the ends of a fused
// match that reach beyond the sound), and where the clip's sound was
// recognised somewhere in the archive (so it is informative), the sound of
// the match's own source is checked along the match's line: if it is absent,
// the stretch goes (a picture-only match is dropped, a fused match trimmed).
// When the clip's sound matches nothing at all (e.g. music laid over it),
// picture matches stand.
absl::Status TrimPicturesTheSoundContradicts(CatalogReader* catalog, const QueryAudio& qa,
                                             std::vector<MatchedSegment>* segs) {
  // Stretches of the clip whose sound was recognised.
  std::vector<std::pair<double, double>> heard;
  for (const MatchedSegment& o : *segs) {
    if (o.modality == SegmentModality::kAudio) heard.push_back({o.seg.q_start, o.seg.q_end});
    if (o.modality == SegmentModality::kVideoAndAudio) {
      heard.push_back({o.audio_start, o.audio_end});
    }
  }
  // The hull of the heard time inside [a, b], or an empty range.
  auto heard_within = [&](double a, double b) {
    double from = 1e18, to = -1e18, total = 0;
    for (const auto& [x, y] : heard) {
      double lo = std::max(a, x), hi = std::min(b, y);
      if (hi - lo > 0) {
        from = std::min(from, lo);
        to = std::max(to, hi);
        total += hi - lo;
      }
    }
    return total >= 0.8 ? std::make_pair(from, to) : std::make_pair(0.0, 0.0);
  };
  auto contradicted = [&](const MatchedSegment& m, double a, double b) -> absl::StatusOr<bool> {
    auto [from, to] = heard_within(a, b);
    if (to <= from) return false;
    ASSIGN_OR_RETURN(double agree,
                     AudioAgreement(catalog, qa, m.seg.item, m.seg.offset, m.seg.speed, from, to));
    return agree >= 0 && agree < 0.08;
  };
  auto set_range = [](MatchedSegment* m, double a, double b) {
    m->seg.q_start = a;
    m->seg.q_end = b;
    m->seg.s_start = m->seg.offset + m->seg.speed * a;
    m->seg.s_end = m->seg.offset + m->seg.speed * b;
  };
  std::vector<MatchedSegment> kept;
  for (MatchedSegment& m : *segs) {
    // The stretch the other evidence vouches for: the sound's, after fusion;
    // the voting core, for a picture-only match (verification may have grown
    // it into neighbouring, similar-looking material).
    double keep_a = m.modality == SegmentModality::kVideoAndAudio ? m.audio_start : m.core_start;
    double keep_b = m.modality == SegmentModality::kVideoAndAudio ? m.audio_end : m.core_end;
    if (m.modality != SegmentModality::kAudio && keep_b > keep_a) {
      if (keep_a - m.seg.q_start >= 1.0) {
        ASSIGN_OR_RETURN(bool no, contradicted(m, m.seg.q_start, keep_a));
        if (no) set_range(&m, keep_a, m.seg.q_end);
      }
      if (m.seg.q_end - keep_b >= 1.0) {
        ASSIGN_OR_RETURN(bool no, contradicted(m, keep_b, m.seg.q_end));
        if (no) set_range(&m, m.seg.q_start, keep_b);
      }
    }
    if (m.modality == SegmentModality::kVideo) {
      ASSIGN_OR_RETURN(bool no, contradicted(m, m.seg.q_start, m.seg.q_end));
      if (no) continue;
    }
    kept.push_back(m);
  }
  *segs = std::move(kept);
  return absl::OkStatus();
}

// A picture-only match whose picture matches just as well a few seconds off
// (a fixed camera on an unchanging scene) cannot place the clip in time. It
// is dropped when any other segment explains that stretch of the clip.
void DropStaticPictures(std::vector<MatchedSegment>* segs) {
  std::vector<bool> drop(segs->size(), false);
  for (size_t i = 0; i < segs->size(); ++i) {
    const MatchedSegment& m = (*segs)[i];
    if (m.modality != SegmentModality::kVideo || !m.static_content) continue;
    for (size_t j = 0; j < segs->size(); ++j) {
      const MatchedSegment& o = (*segs)[j];
      if (j == i || (o.modality == SegmentModality::kVideo && o.static_content)) continue;
      double ov = std::min(o.seg.q_end, m.seg.q_end) - std::max(o.seg.q_start, m.seg.q_start);
      if (ov >= 0.5 * (m.seg.q_end - m.seg.q_start)) drop[i] = true;
    }
  }
  std::vector<MatchedSegment> kept;
  for (size_t i = 0; i < segs->size(); ++i) {
    if (!drop[i]) kept.push_back(std::move((*segs)[i]));
  }
  *segs = std::move(kept);
}

// The items' stored picture signatures, each read once.
class Signatures {
 public:
  explicit Signatures(CatalogReader* catalog) : catalog_(catalog) {}

  // The item's signature; null when it has none (a sound recording).
  absl::StatusOr<const VideoSignature*> Get(uint32_t item) {
    auto it = sigs_.find(item);
    if (it == sigs_.end()) {
      ASSIGN_OR_RETURN(std::optional<std::string> blob, catalog_->LoadBlob(item, kVideoSignatureBlob));
      std::optional<VideoSignature> sig;
      if (blob) {
        ASSIGN_OR_RETURN(VideoSignature parsed, VideoSignature::Parse(*blob));
        sig = std::move(parsed);
      }
      it = sigs_.emplace(item, std::move(sig)).first;
    }
    if (!it->second || it->second->frames.empty()) return nullptr;
    return &*it->second;
  }

 private:
  CatalogReader* catalog_;
  std::map<uint32_t, std::optional<VideoSignature>> sigs_;
};

// The smallest distance between clip frame f and the source's frames
// nearest source time t (256 when none is near).
int DistanceAt(const QueryVideoFrame& f, const VideoSignature& sig, double t) {
  int best = 256;
  const size_t j = sig.Nearest(t);
  for (size_t n = j > 0 ? j - 1 : 0; n <= std::min(j + 1, sig.frames.size() - 1); ++n) {
    best = std::min(best, HashDistance(f, sig.frames[n], VideoMatchOptions().min_quality));
  }
  return best;
}

// Distances between PDQ hashes beyond which two pictures are as good as
// unrelated: too far for a match, and about what unrelated pictures come
// within (half of PDQ's 256 bits, give or take 8, less the closest of a few
// tries).
constexpr int kWeakDistance = 80;

// Per clip frame, whether its picture holds still long enough to be
// compared with the archive's sampled frames: its bar-free hash is within
// kWeakDistance of a neighbouring hashed frame's (0.3 s or nearer). The
// nearest sampled source frame can be that far off in time, so a picture
// that changes more between two hashed frames (a bright object crossing a
// plain background, a whip pan) fails to match its own source as surely
// as foreign footage does. On the picture benchmark, frames that matched
// changed by 60 bits at most from one hashed frame to the next, a car
// crossing a plain road by 92 to 146. A frame with no near neighbour (a
// clip hashed sparsely) counts as steady.
std::vector<bool> SteadyFrames(const QueryVideo& qv) {
  constexpr double kNeighbourS = 0.3;
  std::vector<bool> steady(qv.frames.size(), true);
  for (size_t k = 0; k < qv.frames.size(); ++k) {
    const QueryVideoFrame& f = qv.frames[k];
    int nearest = -1;
    for (size_t j : {k - 1, k + 1}) {
      if (j >= qv.frames.size()) continue;  // k - 1 wraps at 0
      const QueryVideoFrame& g = qv.frames[j];
      if (std::abs(g.time_s - f.time_s) > kNeighbourS) continue;
      const int d = Hamming(f.hashes[f.main_variant], g.hashes[g.main_variant]);
      nearest = nearest < 0 ? d : std::min(nearest, d);
    }
    steady[k] = nearest < 0 || nearest <= kWeakDistance;
  }
  return steady;
}

// Whether the clip's picture is one still image held throughout: it is
// 2 s long or more, and nine in ten of its textured hashed frames lie
// within kHeldBits of the first one (bar-free hashes). A moving picture
// drifts further within a second or two; on the picture benchmark, talking
// heads in front of a fixed camera stayed 30 to 46 bits from their first
// frame at the median, stills under an audiogram's moving waveform 6 to 18.
bool HeldThroughout(const QueryVideo& qv) {
  constexpr int kHeldBits = 24;
  constexpr size_t kMinFrames = 8;
  const int gate = VideoSignOptions().min_quality;
  const QueryVideoFrame* first = nullptr;
  std::vector<int> d;
  for (const QueryVideoFrame& f : qv.frames) {
    if (f.quality < gate) continue;
    if (first == nullptr) first = &f;
    d.push_back(Hamming(f.hashes[f.main_variant], first->hashes[first->main_variant]));
  }
  if (qv.duration_s < 2.0 || d.size() < kMinFrames) return false;
  std::nth_element(d.begin(), d.begin() + d.size() * 9 / 10, d.end());
  return d[d.size() * 9 / 10] <= kHeldBits;
}

// The clip's textured frames in [a, b] compared with the source along the
// line s = offset + speed * q.
struct FrameCount {
  int usable = 0, matched = 0;
  double distance_sum = 0;  // over the matched frames
};
// With `only`, just the frames it marks are counted.
FrameCount FramesAlong(const QueryVideo& qv, const VideoSignature& sig, double offset, double speed,
                       double a, double b, int max_distance,
                       const std::vector<bool>* only = nullptr) {
  const int gate = VideoSignOptions().min_quality;
  FrameCount c;
  for (size_t k = 0; k < qv.frames.size(); ++k) {
    const QueryVideoFrame& f = qv.frames[k];
    if (f.time_s < a || f.time_s > b || f.quality < gate) continue;
    if (only != nullptr && !(*only)[k]) continue;
    ++c.usable;
    const int d = DistanceAt(f, sig, offset + speed * f.time_s);
    if (d <= max_distance) {
      ++c.matched;
      c.distance_sum += d;
    }
  }
  return c;
}

// A shot of the clip (between two of its hard cuts, a second or longer)
// inside a picture match, whose textured frames match the source nowhere
// along the match's line, is not that source's: footage swapped in for as
// long as what it replaced, which alignment runs straight across (the line
// before and after is the same). The match is cut around the shot, which is
// then reported as not in the archive. Where the clip's sound runs on along
// the line through the shot, fusion joins the pieces again.
absl::Status CutOutForeignShots(Signatures* sigs, const QueryVideo& qv, const VideoMatchOptions& vo,
                                const std::vector<bool>& steady,
                                std::vector<MatchedSegment>* segs) {
  constexpr double kMinShot = 1.0, kEdge = 0.2;
  constexpr int kMinFrames = 4;
  if (qv.cuts.size() < 2) return absl::OkStatus();
  std::vector<MatchedSegment> out;
  for (MatchedSegment& m : *segs) {
    ASSIGN_OR_RETURN(const VideoSignature* sig, sigs->Get(m.seg.item));
    if (sig == nullptr) {
      out.push_back(std::move(m));
      continue;
    }
    MatchedSegment rest = m;
    for (size_t c = 0; c + 1 < qv.cuts.size(); ++c) {
      const double a = qv.cuts[c], b = qv.cuts[c + 1];
      if (b - a < kMinShot || a < rest.seg.q_start + kEdge || b > rest.seg.q_end - kEdge) continue;
      const FrameCount n = FramesAlong(qv, *sig, m.seg.offset, m.seg.speed, a + 0.05, b - 0.05,
                                       vo.max_distance, &steady);
      if (n.usable < kMinFrames || n.matched > 0) continue;
      MatchedSegment left = rest;
      left.seg.q_end = a;
      left.seg.s_end = left.seg.offset + left.seg.speed * a;
      left.core_end = std::min(left.core_end, a);
      rest.seg.q_start = b;
      rest.seg.s_start = rest.seg.offset + rest.seg.speed * b;
      rest.core_start = std::max(rest.core_start, b);
      out.push_back(std::move(left));
    }
    out.push_back(std::move(rest));
  }
  *segs = std::move(out);
  return absl::OkStatus();
}

// How much a segment is worth when two disagree: confidence times length,
// more when both kinds of evidence agree.
double Worth(const MatchedSegment& m) {
  double w = m.seg.confidence * (m.seg.q_end - m.seg.q_start);
  return m.modality == SegmentModality::kVideoAndAudio ? 1.5 * w : w;
}

// Decides, for segments that cover the same stretch of the clip, which are
// other occurrences of the same material (kept whole, marked as such) and
// which compete (trimmed). Segments of different items, or of one item at
// places more than the clip's length apart (AtAnotherPlace), with evidence
// about as dense are occurrences: the same report re-run in several
// programmes, or twice in one. Segments of the same place, or much weaker
// ones, compete: the overlap goes to the one whose core (where voting put
// it, not where verification grew it) covers it, else to the one worth more.
void ResolveOverlaps(double clip_length_s, std::vector<MatchedSegment>* segs) {
  std::sort(segs->begin(), segs->end(),
            [](const MatchedSegment& a, const MatchedSegment& b) { return Worth(a) > Worth(b); });
  auto core_share = [](const MatchedSegment& m, double a, double b) {
    return std::max(0.0, std::min(b, m.core_end) - std::max(a, m.core_start)) /
           std::max(1e-6, b - a);
  };
  auto density = [](const MatchedSegment& m) {
    return Worth(m) / std::max(0.1, m.seg.q_end - m.seg.q_start);
  };
  auto trim = [](MatchedSegment* m, double a, double b) {
    // Removes [a, b] from m, keeping the larger remaining side.
    double left = a - m->seg.q_start, right = m->seg.q_end - b;
    if (left <= 0 && right <= 0) return false;
    if (left >= right) {
      m->seg.q_end = a;
    } else {
      m->seg.q_start = b;
    }
    m->seg.s_start = m->seg.offset + m->seg.speed * m->seg.q_start;
    m->seg.s_end = m->seg.offset + m->seg.speed * m->seg.q_end;
    return m->seg.q_end - m->seg.q_start >= 0.5;
  };
  std::vector<MatchedSegment> kept;
  for (MatchedSegment m : *segs) {
    m.seg.alternate = false;
    bool drop = false;
    for (size_t i = 0; i < kept.size() && !drop; ++i) {
      MatchedSegment& k = kept[i];
      double a = std::max(m.seg.q_start, k.seg.q_start), b = std::min(m.seg.q_end, k.seg.q_end);
      if (b <= a) continue;
      if (k.seg.item != m.seg.item || AtAnotherPlace(k.seg, m.seg, clip_length_s)) {
        if (k.seg.alternate) continue;
        // Occurrences share most of a stretch; a small overlap at an edge is
        // two segments disagreeing about a boundary.
        double smaller = std::min(m.seg.q_end - m.seg.q_start, k.seg.q_end - k.seg.q_start);
        if (b - a >= 0.5 * smaller && density(m) >= 0.15 * density(k)) {
          m.seg.alternate = true;
          continue;
        }
      }
      if (core_share(m, a, b) >= 0.5 && core_share(k, a, b) < 0.5) {
        if (!trim(&k, a, b)) {
          kept.erase(kept.begin() + i);
          --i;
        }
      } else if (!trim(&m, a, b)) {
        drop = true;
      }
    }
    if (!drop) kept.push_back(m);
  }
  *segs = std::move(kept);
}

// Gaps of under a second between the clip's edge and a segment, or between
// two consecutive segments, are edges each segment placed conservatively
// (silence at a splice, a blended frame), not material from elsewhere: the
// segments are extended to meet, at a hard cut of the picture when there
// is one in the gap, else in its middle.
void CloseSmallGaps(const std::vector<double>& cuts, double duration,
                    std::vector<MatchedSegment>* segs) {
  constexpr double kMaxGap = 1.0;
  auto set_start = [](MatchedSegment* m, double t) {
    m->seg.q_start = t;
    m->seg.s_start = m->seg.offset + m->seg.speed * t;
  };
  auto set_end = [](MatchedSegment* m, double t) {
    m->seg.q_end = t;
    m->seg.s_end = m->seg.offset + m->seg.speed * t;
  };
  std::vector<MatchedSegment*> primary;
  for (MatchedSegment& m : *segs) {
    if (!m.seg.alternate) primary.push_back(&m);
  }
  std::sort(primary.begin(), primary.end(), [](const MatchedSegment* a, const MatchedSegment* b) {
    return a->seg.q_start < b->seg.q_start;
  });
  if (primary.empty()) return;
  // Boundaries to move: (old time, new time), applied to every segment that
  // shares the old edge (occurrences elsewhere share their primary's edges).
  std::vector<std::pair<double, double>> starts, ends;
  if (primary.front()->seg.q_start <= kMaxGap)
    starts.push_back({primary.front()->seg.q_start, 0.0});
  if (duration > 0 && duration - primary.back()->seg.q_end <= kMaxGap) {
    ends.push_back({primary.back()->seg.q_end, duration});
  }
  for (size_t i = 0; i + 1 < primary.size(); ++i) {
    double a = primary[i]->seg.q_end, b = primary[i + 1]->seg.q_start;
    if (b <= a || b - a > kMaxGap) continue;
    double at = (a + b) / 2, best = 1e9;
    for (double c : cuts) {
      if (c >= a - 0.1 && c <= b + 0.1 && std::abs(c - (a + b) / 2) < best) {
        best = std::abs(c - (a + b) / 2);
        at = c;
      }
    }
    ends.push_back({a, at});
    starts.push_back({b, at});
  }
  for (MatchedSegment& m : *segs) {
    for (const auto& [from, to] : starts) {
      if (std::abs(m.seg.q_start - from) < 0.05 && to < m.seg.q_end) set_start(&m, to);
    }
    for (const auto& [from, to] : ends) {
      if (std::abs(m.seg.q_end - from) < 0.05 && to > m.seg.q_start) set_end(&m, to);
    }
  }
}

// A stretch of the clip that no fingerprint confirmed, between two segments
// of one item that lie on one line (the source runs on for exactly as long
// as the clip does), is that source's material too when the clip's picture
// runs on through it: it is part of the same shot as a neighbouring segment
// (no hard cut inside it, nor at one of its ends), or its frames are too
// plain to fingerprint (fog, a grey sky, a dark room). Fingerprints miss
// such stretches when the picture is low in texture, or moves fast against
// the index's sampling. The two segments become one, and the stretch is
// reported as unconfirmed. The gap stands where the clip's sound was
// recognised (it would have said), where another source explains it, or
// where the clip cuts in and out of it: foreign footage inserted in place
// of the source's, however long, comes with a cut at both ends. A gap that
// neither fingerprint could compare at all (plain frames and silence, or
// sound laid over them) is bridged whatever the cuts and the sound: nothing
// shows that the source's material is missing there. Nor does one that
// another item's occurrence of the clip spans whole (a re-run whose
// fingerprints held where this one's missed).
void BridgeUnconfirmedGaps(const ClipEvidence& clip, std::vector<MatchedSegment>* segs) {
  constexpr double kMaxGap = 15.0, kLineTolerance = 0.3, kCutSlack = 0.3;
  auto not_comparable = [&](double a, double b) {
    for (const UnexplainedStretch& u : SplitUnexplained(clip, a, b)) {
      if (u.comparable) return false;
    }
    return true;
  };
  auto plain = [&](double a, double b) {
    int usable = 0, all = 0;
    for (const ClipFrame& f : clip.frames) {
      if (f.time_s <= a + 0.1 || f.time_s >= b - 0.1) continue;
      ++all;
      usable += f.comparable();
    }
    return all > 0 && usable * 4 < all;
  };
  auto cuts_in = [&](double a, double b) {
    int n = 0;
    for (double c : clip.cuts) n += c > a && c < b;
    return n;
  };
  auto one_shot_with_a_neighbour = [&](double a, double b) {
    return cuts_in(a + kCutSlack, b - kCutSlack) == 0 &&
           (cuts_in(a - kCutSlack, a + kCutSlack) == 0 || cuts_in(b - kCutSlack, b + kCutSlack) == 0);
  };
  auto spanned_by_another = [&](double a, double b, uint32_t item) {
    for (const MatchedSegment& m : *segs) {
      if (m.seg.item != item && m.seg.q_start <= a + 0.1 && m.seg.q_end >= b - 0.1) return true;
    }
    return false;
  };
  auto explained = [&](double a, double b) {
    for (const MatchedSegment& m : *segs) {
      if (m.seg.q_start < b - 0.1 && m.seg.q_end > a + 0.1) return true;
    }
    return false;
  };
  std::vector<size_t> order(segs->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const MediaSegment &a = (*segs)[x].seg, &b = (*segs)[y].seg;
    return std::tie(a.item, a.q_start) < std::tie(b.item, b.q_start);
  });
  // The next segment of m's item, after it on its line (another place of
  // the item, or a segment beside m, is not m's continuation).
  auto next_on_line = [&](size_t k) -> MatchedSegment* {
    const MediaSegment& s1 = (*segs)[order[k]].seg;
    for (size_t j = k + 1; j < order.size(); ++j) {
      const MediaSegment& s2 = (*segs)[order[j]].seg;
      if (s2.item != s1.item) break;
      if (s2.q_start < s1.q_end - 0.1 || std::abs(s1.speed - s2.speed) > 0.02) continue;
      if (std::abs(s2.s_start - (s1.offset + s1.speed * s2.q_start)) > kLineTolerance) continue;
      return &(*segs)[order[j]];
    }
    return nullptr;
  };
  std::vector<bool> gone(segs->size(), false);
  for (size_t k = 0; k + 1 < order.size(); ++k) {
    if (gone[order[k]]) continue;
    MatchedSegment* next = next_on_line(k);
    if (next == nullptr) continue;
    MatchedSegment& m1 = (*segs)[order[k]];
    MatchedSegment& m2 = *next;
    const double a = m1.seg.q_end, b = m2.seg.q_start;
    if (b - a < 0.5 || b - a > kMaxGap) continue;
    if (explained(a, b)) {
      // Another item's occurrence runs through the gap, and this item's
      // line runs straight across it: the clip shows the same material
      // there, which this item's fingerprints missed. No cut.
      if (!spanned_by_another(a, b, m1.seg.item)) continue;
    } else {
      const bool unseen = !clip.sound_informative && !clip.frames.empty() &&
                        (one_shot_with_a_neighbour(a, b) || plain(a, b));
      if (!unseen && !not_comparable(a, b)) continue;
    }
    // m2 absorbs m1, so that a run of several gaps chains.
    m2.unconfirmed.insert(m2.unconfirmed.begin(), m1.unconfirmed.begin(), m1.unconfirmed.end());
    m2.unconfirmed.insert(m2.unconfirmed.begin() + m1.unconfirmed.size(), {a, b});
    m2.loudness_only.insert(m2.loudness_only.begin(), m1.loudness_only.begin(),
                            m1.loudness_only.end());
    m2.seg.q_start = m1.seg.q_start;
    m2.seg.s_start = m1.seg.s_start;
    m2.seg.score += m1.seg.score;
    m2.core_start = std::min(m2.core_start, m1.core_start);
    const double l1 = m1.seg.q_end - m1.seg.q_start, l2 = m2.seg.q_end - b;
    m2.seg.confidence = (m1.seg.confidence * l1 + m2.seg.confidence * l2) / std::max(1e-9, l1 + l2);
    m2.matched += m1.matched;
    m2.checked += m1.checked;
    m2.audio_matched += m1.audio_matched;
    m2.audio_checked += m1.audio_checked;
    // Either piece being the clip's main explanation makes the whole one.
    m2.seg.alternate = m1.seg.alternate && m2.seg.alternate;
    gone[order[k]] = true;
  }
  size_t w = 0;
  for (size_t i = 0; i < segs->size(); ++i) {
    if (gone[i]) continue;
    if (w != i) (*segs)[w] = std::move((*segs)[i]);
    ++w;
  }
  segs->resize(w);
}

// A picture-only line up to 6% off normal speed keeps its speed only when
// the frames show it: along it, clearly more of the clip's textured frames
// match the source (a tenth more, and three frames or more) than along the
// normal-speed line through the segment's middle. Crops and rescaling of a
// zooming or panning picture, frame-rate conversion and dropped frames tilt
// a voted line that much with nothing sped up; a real speed change, by
// contrast, drifts a normal-speed line off the frames within seconds.
absl::Status KeepOnlyShownSpeeds(Signatures* sigs, const QueryVideo& qv,
                                 const VideoMatchOptions& vo, std::vector<MatchedSegment>* segs) {
  constexpr double kReach = 0.06;
  for (MatchedSegment& m : *segs) {
    MediaSegment& s = m.seg;
    if (m.modality != SegmentModality::kVideo || s.speed == 1.0 ||
        std::abs(s.speed - 1.0) > kReach) {
      continue;
    }
    ASSIGN_OR_RETURN(const VideoSignature* sig, sigs->Get(s.item));
    if (sig == nullptr) continue;
    const double mid = (s.q_start + s.q_end) / 2;
    const double flat_offset = s.offset + (s.speed - 1.0) * mid;
    const FrameCount sped = FramesAlong(qv, *sig, s.offset, s.speed, s.q_start, s.q_end,
                                        vo.max_distance);
    const FrameCount flat =
        FramesAlong(qv, *sig, flat_offset, 1.0, s.q_start, s.q_end, vo.max_distance);
    if (sped.matched >= flat.matched + 3 && sped.matched * 10 >= flat.matched * 11) continue;
    s.offset = flat_offset;
    s.speed = 1.0;
    s.s_start = s.offset + s.q_start;
    s.s_end = s.offset + s.q_end;
  }
  return absl::OkStatus();
}

// Whether the clip's frames over [a, b] show m's line to be a look-alike
// of r's: another moment of a fixed camera's shot (a tree in the wind, a
// road, a conveyor of bottles) that matches the clip's picture only less
// closely than the moment it comes from. Over the frames of [a, b] that
// either line matches, r's source frame is strictly closer on four in five
// or more (kMinShare), and by kMinBits or more at the median. Copies of the
// same footage (one report in several programmes) match alike, closer by
// turns or equally; on the picture benchmark their per-frame differences
// kept both signs (up to 10 bits either way), while look-alikes a few
// seconds off a tree's, a road's or a conveyor's shot were farther on
// nearly every frame, by 6 to 10 bits at the median.
bool LooksAlikeOnly(const QueryVideo& qv, const VideoSignature& sig_m, const MediaSegment& m,
                    const VideoSignature& sig_r, const MediaSegment& r, double a, double b,
                    const VideoMatchOptions& vo) {
  constexpr size_t kMinFrames = 5;
  constexpr double kMinShare = 0.8;
  constexpr int kMinBits = 4;
  std::vector<int> diff;
  size_t closer = 0;
  for (const QueryVideoFrame& f : qv.frames) {
    if (f.time_s < a || f.time_s > b || f.quality < vo.min_quality) continue;
    const int dm = DistanceAt(f, sig_m, m.offset + m.speed * f.time_s);
    const int dr = DistanceAt(f, sig_r, r.offset + r.speed * f.time_s);
    if (std::min(dm, dr) > vo.max_distance) continue;
    diff.push_back(dm - dr);
    closer += dr < dm;
  }
  if (diff.size() < kMinFrames || closer < kMinShare * diff.size()) return false;
  std::nth_element(diff.begin(), diff.begin() + diff.size() / 2, diff.end());
  return diff[diff.size() / 2] >= kMinBits;
}

// A picture-only segment m whose whole stretch of the clip is only a
// look-alike (LooksAlikeOnly) of another segment's line, where that
// segment overlaps m or meets it (within kTouchS), is dropped: the clip's
// frames there are that line's source running on, or the same moment in
// another copy, and m's source shows another moment of a shot that looks
// alike. The comparison runs over all of m, so that a rival's few closer
// frames at an edge (sign-language clips shot against one backdrop match a
// few frames of one another more closely by chance) outweigh nothing, and
// a copy whose source turns to other footage past its own end counts
// against the verdict there. Segments of one item whose lines lie within
// kSameTakeS of each other show one take a moment apart, which
// ResolveOverlaps settles. Every pair is judged on the segments as found,
// so their order decides nothing.
absl::Status DropLookAlikes(Signatures* sigs, const QueryVideo& qv, const VideoMatchOptions& vo,
                            std::vector<MatchedSegment>* segs) {
  constexpr double kSameTakeS = 4.0, kTouchS = 0.5;
  std::vector<bool> drop(segs->size(), false);
  for (size_t i = 0; i < segs->size(); ++i) {
    const MatchedSegment& m = (*segs)[i];
    if (m.modality != SegmentModality::kVideo) continue;
    ASSIGN_OR_RETURN(const VideoSignature* sig_m, sigs->Get(m.seg.item));
    if (sig_m == nullptr) continue;
    for (size_t j = 0; j < segs->size() && !drop[i]; ++j) {
      const MatchedSegment& r = (*segs)[j];
      if (j == i || r.modality == SegmentModality::kAudio) continue;
      const double a = std::max(m.seg.q_start, r.seg.q_start);
      const double b = std::min(m.seg.q_end, r.seg.q_end);
      if (b - a < -kTouchS) continue;
      const double mid = (m.seg.q_start + m.seg.q_end) / 2;
      if (r.seg.item == m.seg.item &&
          std::abs((m.seg.offset + m.seg.speed * mid) - (r.seg.offset + r.seg.speed * mid)) <
              kSameTakeS) {
        continue;
      }
      ASSIGN_OR_RETURN(const VideoSignature* sig_r, sigs->Get(r.seg.item));
      if (sig_r == nullptr) continue;
      drop[i] = LooksAlikeOnly(qv, *sig_m, m.seg, *sig_r, r.seg, m.seg.q_start, m.seg.q_end, vo);
    }
  }
  std::vector<MatchedSegment> kept;
  for (size_t i = 0; i < segs->size(); ++i) {
    if (!drop[i]) kept.push_back(std::move((*segs)[i]));
  }
  *segs = std::move(kept);
  return absl::OkStatus();
}

// The smallest distance between clip frame f and the source's frames
// within reach_s of source time t (256 when none is).
int DistanceNear(const QueryVideoFrame& f, const VideoSignature& sig, double t, double reach_s) {
  const int gate = VideoMatchOptions().min_quality;
  int best = 256;
  const size_t j = sig.Nearest(t);
  for (size_t n = j; n < sig.frames.size() && sig.frames[n].time_s <= t + reach_s; ++n) {
    best = std::min(best, HashDistance(f, sig.frames[n], gate));
  }
  for (size_t n = j; n-- > 0 && sig.frames[n].time_s >= t - reach_s;) {
    best = std::min(best, HashDistance(f, sig.frames[n], gate));
  }
  return best;
}

// Whether the clip's comparable frames in [a, b] (textured and steady), a
// stretch no source explains, still resemble the source of a segment that
// borders it, around that segment's line: their median distance to the
// source's frames within two seconds of the line (every hash of the clip's
// frame: whole, mirrored, regions, inset) is within kWeakDistance bits, too
// far for a match but closer than unrelated pictures come. A heavy crop, a box over the picture, a
// zoom the fingerprint does not survive, or a region hash that the source
// keeps on fewer frames look so; footage swapped in for the source's does
// not. Such a stretch is not claimed foreign.
absl::StatusOr<bool> ResemblesANeighbour(Signatures* sigs, const QueryVideo& qv,
                                         const std::vector<bool>& steady,
                                         const std::vector<MatchedSegment>& segs, double a,
                                         double b) {
  constexpr double kTouch = 0.3, kReachS = 2.0;
  const int gate = VideoSignOptions().min_quality;
  for (const MatchedSegment& m : segs) {
    if (std::abs(m.seg.q_end - a) > kTouch && std::abs(m.seg.q_start - b) > kTouch) continue;
    ASSIGN_OR_RETURN(const VideoSignature* sig, sigs->Get(m.seg.item));
    if (sig == nullptr) continue;
    std::vector<int> d;
    for (size_t k = 0; k < qv.frames.size(); ++k) {
      const QueryVideoFrame& f = qv.frames[k];
      const double t = m.seg.offset + m.seg.speed * f.time_s;
      if (f.time_s < a || f.time_s > b || f.quality < gate || !steady[k] || t < 0 ||
          t > sig->duration_s) {
        continue;
      }
      d.push_back(DistanceNear(f, *sig, t, kReachS));
    }
    if (d.size() < 3) continue;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    if (d[d.size() / 2] <= kWeakDistance) return true;
  }
  return false;
}

// Every kind of evidence that matches along a segment's line is named in
// it, whichever found the segment. A sound segment gains the picture when
// the clip's textured frames match the source's along its line as picture
// verification asks (three or more, and three in ten of those compared); a
// picture segment gains the sound when a fifth or more of the clip's
// spectral peaks there are the source's along its line (chance agreement
// stays under a tenth; see TrimPicturesTheSoundContradicts).
absl::Status NameEveryMatchingEvidence(CatalogReader* catalog, Signatures* sigs,
                                       const QueryVideo* video, const QueryAudio* sound,
                                       const VideoMatchOptions& vo,
                                       std::vector<MatchedSegment>* segs) {
  constexpr double kMinSoundShare = 0.2;
  for (MatchedSegment& m : *segs) {
    const MediaSegment& s = m.seg;
    if (m.modality == SegmentModality::kAudio && video != nullptr) {
      ASSIGN_OR_RETURN(const VideoSignature* sig, sigs->Get(s.item));
      if (sig == nullptr) continue;
      const FrameCount n =
          FramesAlong(*video, *sig, s.offset, s.speed, s.q_start, s.q_end, vo.max_distance);
      if (n.matched < 3 || n.matched * 10 < n.usable * 3) continue;
      m.modality = SegmentModality::kVideoAndAudio;
      m.audio_matched = m.matched;
      m.audio_checked = m.checked;
      m.audio_start = s.q_start;
      m.audio_end = s.q_end;
      m.matched = n.matched;
      m.checked = n.usable;
      m.mean_distance = n.distance_sum / n.matched;
    } else if (m.modality == SegmentModality::kVideo && sound != nullptr && !sound->silent) {
      ASSIGN_OR_RETURN(double share, AudioAgreement(catalog, *sound, s.item, s.offset, s.speed,
                                                    s.q_start, s.q_end));
      if (share < kMinSoundShare) continue;
      int peaks = 0;
      for (const Peak& p : sound->peaks.peaks) {
        const double t = p.frame * kAudioFrameS;
        peaks += t >= s.q_start && t <= s.q_end;
      }
      m.modality = SegmentModality::kVideoAndAudio;
      m.audio_checked = peaks;
      m.audio_matched = static_cast<int>(std::lround(share * peaks));
      m.audio_start = s.q_start;
      m.audio_end = s.q_end;
    }
  }
  return absl::OkStatus();
}

// The report's segment for m, added to its source.
void AddSegment(const MatchedSegment& m, SourceMatch* source) {
  SourceMatch& sm = *source;
  Segment s;
  s.query_start = m.seg.q_start;
  s.query_end = m.seg.q_end;
  s.source_start = m.seg.s_start;
  s.source_end = m.seg.s_end;
  s.speed = m.seg.speed;
  if (s.source_start < 0) {
    // Frame and hop alignment can place a clip that starts with the
    // source a few milliseconds before it: nothing precedes a source's 0.
    s.query_start = std::min(s.query_end, s.query_start - s.source_start / std::max(s.speed, 1e-3));
    s.source_start = 0;
  }
  s.confidence = m.seg.confidence;
  if (m.modality == SegmentModality::kVideoAndAudio) {
    s.evidence = {EvidenceKind::kVideo, EvidenceKind::kAudio};
    s.extra["video"] = {{"frames_matched", m.matched},
                        {"frames_checked", m.checked},
                        {"mean_distance", std::round(m.mean_distance * 10) / 10}};
    s.extra["audio"] = {{"peaks_matched", m.audio_matched}, {"peaks_checked", m.audio_checked}};
  } else if (m.modality == SegmentModality::kVideo) {
    s.evidence = {EvidenceKind::kVideo};
    s.extra["video"] = {{"frames_matched", m.matched},
                        {"frames_checked", m.checked},
                        {"mean_distance", std::round(m.mean_distance * 10) / 10}};
  } else {
    s.evidence = {EvidenceKind::kAudio};
    s.extra["audio"] = {{"peaks_matched", m.matched}, {"peaks_checked", m.checked}};
  }
  if (s.extra.contains("audio")) {
    // What of the sound's quiet ends survived the segment's final edges.
    nlohmann::json l = nlohmann::json::array();
    for (const auto& [a, b] : m.loudness_only) {
      const double a1 = std::max(a, m.seg.q_start), b1 = std::min(b, m.seg.q_end);
      if (b1 - a1 >= 0.05) l.push_back({{"query_start", a1}, {"query_end", b1}});
    }
    if (!l.empty()) s.extra["audio"]["loudness_only"] = l;
    if (m.pitch_follows_speed) s.extra["audio"]["pitch_follows_speed"] = true;
  }
  if (m.static_content) s.extra["static_picture"] = true;
  if (m.indistinguishable) s.extra["indistinguishable"] = true;
  if (!m.unconfirmed.empty()) {
    // The clip's stretches no fingerprint confirms (too plain to hash, no
    // usable sound), inside the segment because the source runs on there.
    nlohmann::json u = nlohmann::json::array();
    for (const auto& [a, b] : m.unconfirmed) u.push_back({{"query_start", a}, {"query_end", b}});
    s.extra["unconfirmed"] = u;
  }
  if (m.seg.alternate) s.extra["also_elsewhere"] = true;
  sm.score += m.seg.score;
  sm.segments.push_back(std::move(s));
}

// A picture-only segment of a static picture (Verify found it matching
// nearly as well seconds off its line) gets the source stretches where it
// matches about as well (EqualPlaces). When there are several, or the one
// reaches more than kMaxSlackS beyond the segment's own source span, the
// picture cannot tell where the clip's stretch comes from: the segment is
// marked so, and the report lists every such place instead of naming one.
// The sound, where it matched, places a segment by itself (fused segments
// are not static pictures' matches alone).
absl::Status ListEqualPlaces(Signatures* sigs, const QueryVideo& qv, const VideoMatchOptions& vo,
                             CatalogReader* catalog, std::vector<MatchedSegment>* segs,
                             TraceReport* report) {
  constexpr double kMaxSlackS = 2.0;
  for (MatchedSegment& m : *segs) {
    if (m.modality != SegmentModality::kVideo || !m.static_content) continue;
    ASSIGN_OR_RETURN(const VideoSignature* sig, sigs->Get(m.seg.item));
    if (sig == nullptr) continue;
    m.equal_places = EqualPlaces(qv, *sig, m, vo);
    if (m.equal_places.empty()) continue;
    const double own = m.seg.s_end - m.seg.s_start;
    const auto& [a, b] = m.equal_places.front();
    m.indistinguishable = m.equal_places.size() > 1 || b - a > own + kMaxSlackS;
    if (!m.indistinguishable) continue;
    Indistinguishable& d = report->indistinguishable.emplace_back();
    d.start = m.seg.q_start;
    d.end = m.seg.q_end;
    ASSIGN_OR_RETURN(Item item, catalog->GetItem(m.seg.item));
    for (const auto& [from, to] : m.equal_places) d.places.push_back({item, from, to});
    d.reason = "the picture holds still: it matches as well anywhere in these stretches";
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TraceReport> TraceMedia(const Storage& storage, const std::string& path,
                                       const MediaTraceOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  TraceReport report;
  report.unit = "s";
  report.query_name = BaseName(path);
  report.traced_at = NowRfc3339();
  ASSIGN_OR_RETURN(report.query_sha256, Sha256OfFile(path));
  ASSIGN_OR_RETURN(MediaInfo info, ProbeMedia(path));
  if (!info.has_video() && !info.has_audio()) {
    return absl::InvalidArgumentError(StrCat(path, ": holds neither video nor audio"));
  }
  report.query_kind = info.has_video() ? "video" : "audio";
  report.query_length = info.duration_s;
  if (info.duration_s > 0 && info.duration_s < 2.0) {
    report.warnings.push_back(StrCat("the clip is only ", Seconds(info.duration_s),
                                     " long: too short to trace reliably"));
  }
  std::vector<MatchedSegment> segments;
  std::vector<double> cuts;
  ClipEvidence clip;
  Signatures sigs(storage.catalog);
  const VideoMatchOptions vo;
  std::optional<QueryVideo> clip_video;
  std::vector<bool> steady;  // per clip frame (SteadyFrames)
  std::optional<QueryAudio> clip_sound;
  if (options.use_video && info.has_video()) {
    ASSIGN_OR_RETURN(QueryVideo qv, AnalyzeQueryVideo(path));
    if (qv.duration_s > 0) report.query_length = qv.duration_s;
    report.parameters["video"] = {{"hash_fps", qv.hash_fps},
                                  {"frames", qv.frames.size()},
                                  {"cuts", qv.cuts.size()},
                                  {"regions", qv.analysis}};
    steady = SteadyFrames(qv);
    clip.picture_held = HeldThroughout(qv);
    for (size_t k = 0; k < qv.frames.size(); ++k) {
      // A frame the index could hold: as textured as indexed frames must be.
      const QueryVideoFrame& f = qv.frames[k];
      clip.frames.push_back({f.time_s, f.quality >= VideoSignOptions().min_quality, steady[k]});
    }
    ASSIGN_OR_RETURN(std::vector<MatchedSegment> v, MatchVideo(storage, qv, vo));
    SnapToCuts(qv.cuts, qv.duration_s, 0.35, &v);
    RETURN_IF_ERROR(CutOutForeignShots(&sigs, qv, vo, steady, &v));
    cuts = qv.cuts;
    clip.cuts = qv.cuts;
    clip.picture_recognised = !v.empty();
    segments.insert(segments.end(), v.begin(), v.end());
    clip_video = std::move(qv);
  }
  if (options.use_audio && info.has_audio()) {
    ASSIGN_OR_RETURN(QueryAudio qa, AnalyzeQueryAudio(path));
    if (qa.silent && !info.has_video()) {
      return absl::InvalidArgumentError(
          StrCat(path, ": the sound is silent throughout: nothing to trace"));
    }
    if (qa.silent) report.warnings.push_back("the clip's sound is silent; traced by picture only");
    if (!info.has_video() && qa.duration_s > 0) report.query_length = qa.duration_s;
    report.parameters["audio"] = {{"peaks", qa.peaks.peaks.size()},
                                  {"landmarks", qa.landmarks.size()}};
    ASSIGN_OR_RETURN(std::vector<MatchedSegment> a, MatchAudioAtAnySpeed(storage, path, qa));
    clip.sound_informative = !a.empty();
    clip.has_sound = !qa.silent;
    for (const Peak& p : qa.peaks.peaks) clip.peak_times.push_back(p.frame * kAudioFrameS);
    std::sort(clip.peak_times.begin(), clip.peak_times.end());
    segments = FusePictureAndSound(std::move(segments), std::move(a));
    RETURN_IF_ERROR(TrimPicturesTheSoundContradicts(storage.catalog, qa, &segments));
    clip_sound = std::move(qa);
  }
  DropStaticPictures(&segments);
  // A picture-only line within 2% of normal speed is normal speed: sampled
  // frames, rescaling and frame-rate conversion tilt a fit that much when
  // nothing was sped up (the sound's line, where there is one, is precise).
  for (MatchedSegment& m : segments) {
    if (m.modality != SegmentModality::kVideo || m.seg.speed == 1.0 ||
        std::abs(m.seg.speed - 1.0) > 0.02) {
      continue;
    }
    const double mid = (m.seg.q_start + m.seg.q_end) / 2;
    m.seg.offset += (m.seg.speed - 1.0) * mid;
    m.seg.speed = 1.0;
    m.seg.s_start = m.seg.offset + m.seg.q_start;
    m.seg.s_end = m.seg.offset + m.seg.q_end;
  }
  if (clip_video) {
    RETURN_IF_ERROR(KeepOnlyShownSpeeds(&sigs, *clip_video, vo, &segments));
    RETURN_IF_ERROR(DropLookAlikes(&sigs, *clip_video, vo, &segments));
  }
  ResolveOverlaps(report.query_length, &segments);
  CloseSmallGaps(cuts, report.query_length, &segments);
  BridgeUnconfirmedGaps(clip, &segments);
  // A second or less of one kind of evidence is too little to report, unless
  // the clip itself is that short; another occurrence of a stretch already
  // explained needs two seconds (a repeated musical phrase is not a re-run).
  segments.erase(std::remove_if(segments.begin(), segments.end(),
                                [&](const MatchedSegment& m) {
                                  double len = m.seg.q_end - m.seg.q_start;
                                  if (m.modality == SegmentModality::kVideoAndAudio ||
                                      report.query_length <= 2.0) {
                                    return false;
                                  }
                                  return len < 1.0 || (m.seg.alternate && len < 2.0);
                                }),
                 segments.end());
  RETURN_IF_ERROR(NameEveryMatchingEvidence(storage.catalog, &sigs,
                                            clip_video ? &*clip_video : nullptr,
                                            clip_sound ? &*clip_sound : nullptr, vo, &segments));

  if (clip_video) {
    RETURN_IF_ERROR(
        ListEqualPlaces(&sigs, *clip_video, vo, storage.catalog, &segments, &report));
  }
  // Group into sources, one per place of an item (GroupByPlace).
  std::sort(segments.begin(), segments.end(), [](const MatchedSegment& a, const MatchedSegment& b) {
    return a.seg.q_start < b.seg.q_start;
  });
  for (const std::vector<const MatchedSegment*>& place : GroupByPlace(segments)) {
    SourceMatch& sm = report.sources.emplace_back();
    ASSIGN_OR_RETURN(sm.item, storage.catalog->GetItem(place.front()->seg.item));
    for (const MatchedSegment* m : place) AddSegment(*m, &sm);
  }
  for (SourceMatch& sm : report.sources) {
    std::vector<const Segment*> by_source;
    for (const Segment& s : sm.segments) by_source.push_back(&s);
    std::sort(by_source.begin(), by_source.end(),
              [](const Segment* a, const Segment* b) { return a->source_start < b->source_start; });
    bool reordered = false;
    for (size_t i = 1; i < by_source.size(); ++i) {
      if (by_source[i]->query_start < by_source[i - 1]->query_start) reordered = true;
    }
    // Segments that meet in the clip and in the source alike (pieces of one
    // run the matcher placed edges inside, at shot changes) show nothing
    // spliced.
    bool broken = false;
    for (size_t i = 1; i < by_source.size(); ++i) {
      broken |= std::abs(by_source[i]->source_start - by_source[i - 1]->source_end) >= 0.2 ||
                std::abs(by_source[i]->query_start - by_source[i - 1]->query_end) >= 0.2;
    }
    sm.verdict = reordered ? MatchVerdict::kReordered
                 : broken  ? MatchVerdict::kSpliced
                           : MatchVerdict::kContinuous;
    if (reordered)
      sm.notes.push_back("the clip shows these parts in a different order than the source");
    double duration = ItemDuration(sm.item);
    const Segment* first = by_source.front();
    const Segment* last = by_source.back();
    if (first->source_start > 0.05) {
      SourceInterval iv{IntervalRole::kBefore,
                        std::max(0.0, first->source_start - options.context_s),
                        first->source_start};
      iv.text = TranscriptBetween(storage.catalog, sm.item, iv.start, iv.end);
      sm.intervals.push_back(iv);
    }
    for (size_t i = 1; i < by_source.size(); ++i) {
      double a = by_source[i - 1]->source_end, b = by_source[i]->source_start;
      if (b - a < 0.2) continue;
      SourceInterval iv{IntervalRole::kCut, a, b};
      iv.note = StrCat(Seconds(b - a), " left out");
      iv.text = TranscriptBetween(storage.catalog, sm.item, a, b);
      sm.intervals.push_back(iv);
    }
    if (duration <= 0 || last->source_end < duration - 0.05) {
      double end = duration > 0 ? std::min(duration, last->source_end + options.context_s)
                                : last->source_end + options.context_s;
      SourceInterval iv{IntervalRole::kAfter, last->source_end, end};
      iv.text = TranscriptBetween(storage.catalog, sm.item, iv.start, iv.end);
      sm.intervals.push_back(iv);
    }
  }
  // Stretches of the clip no source explains: not in the archive where the
  // picture or the sound could have shown them there, else not compared.
  auto unexplained = [&](double a, double b) -> absl::Status {
    if (b - a < 0.5) return absl::OkStatus();
    if (clip_video) {
      ASSIGN_OR_RETURN(bool resembles,
                       ResemblesANeighbour(&sigs, *clip_video, steady, segments, a, b));
      if (resembles) {
        report.not_compared.push_back(
            {a, b, "",
             "the picture resembles the neighbouring source's here, too weakly to confirm"});
        return absl::OkStatus();
      }
    }
    for (const UnexplainedStretch& u : SplitUnexplained(clip, a, b)) {
      if (u.comparable) {
        report.not_in_archive.push_back({u.start, u.end, ""});
      } else {
        report.not_compared.push_back({u.start, u.end, "", u.reason});
      }
    }
    return absl::OkStatus();
  };
  std::vector<std::pair<double, double>> covered;
  for (const MatchedSegment& m : segments) covered.push_back({m.seg.q_start, m.seg.q_end});
  std::sort(covered.begin(), covered.end());
  double t = 0;
  for (const auto& [a, b] : covered) {
    RETURN_IF_ERROR(unexplained(t, a));
    t = std::max(t, b);
  }
  RETURN_IF_ERROR(unexplained(t, report.query_length));
  // Sources matched from stored fingerprints alone are named by their
  // SHA-256 too: the archive must still hold those bytes (opening checks).
  for (const SourceMatch& sm : report.sources) {
    RETURN_IF_ERROR(storage.originals->OpenOriginal(sm.item).status());
  }
  if (report.sources.empty()) {
    // Nothing found, and nothing either fingerprint could compare.
    report.verdict = report.not_in_archive.empty() && !report.not_compared.empty()
                         ? TraceVerdict::kNotCompared
                         : TraceVerdict::kNotFound;
  } else {
    report.verdict =
        report.not_in_archive.empty() ? TraceVerdict::kFound : TraceVerdict::kPartlyFound;
  }
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace uncut

#include "trace/fusion.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace uncut {

std::vector<MatchedSegment> FusePictureAndSound(std::vector<MatchedSegment> video,
                                                std::vector<MatchedSegment> audio) {
  std::vector<MatchedSegment> out;
  std::vector<bool> used(audio.size(), false);
  for (MatchedSegment& v : video) {
    for (size_t i = 0; i < audio.size(); ++i) {
      const MatchedSegment& a = audio[i];
      if (used[i] || a.seg.item != v.seg.item) continue;
      double ov = std::min(a.seg.q_end, v.seg.q_end) - std::max(a.seg.q_start, v.seg.q_start);
      double mid =
          (std::max(a.seg.q_start, v.seg.q_start) + std::min(a.seg.q_end, v.seg.q_end)) / 2;
      double diff =
          std::abs((a.seg.offset + a.seg.speed * mid) - (v.seg.offset + v.seg.speed * mid));
      if (ov <= 0 || diff > kFusionMaxLineGapS) continue;
      used[i] = true;
      MediaSegment& s = v.seg;
      // The sound's line is the more precise one.
      s.offset = a.seg.offset;
      s.speed = a.seg.speed;
      s.q_start = std::min(s.q_start, a.seg.q_start);
      s.q_end = std::max(s.q_end, a.seg.q_end);
      s.s_start = s.offset + s.speed * s.q_start;
      s.s_end = s.offset + s.speed * s.q_end;
      s.confidence = 1.0 - (1.0 - s.confidence) * (1.0 - a.seg.confidence);
      v.core_start = std::min(v.core_start, a.core_start);
      v.core_end = std::max(v.core_end, a.core_end);
      s.score += a.seg.score;
      s.alternate = s.alternate && a.seg.alternate;
      v.modality = SegmentModality::kVideoAndAudio;
      v.audio_matched = a.matched;
      v.audio_checked = a.checked;
      v.audio_start = a.seg.q_start;
      v.audio_end = a.seg.q_end;
      v.loudness_only = a.loudness_only;
      v.pitch_follows_speed = a.pitch_follows_speed;
      break;
    }
    out.push_back(std::move(v));
  }
  for (size_t i = 0; i < audio.size(); ++i) {
    if (!used[i]) out.push_back(std::move(audio[i]));
  }
  return out;
}

}  // namespace uncut

// Fusion: the picture's and the sound's verified segments of one clip
// become one list, each segment saying which evidence supports it.
//
// A picture segment (modality kVideo) and a sound segment (kAudio) say the
// same thing when they are of the same item, on the same line (the source
// times they give at the middle of their overlap differ by at most
// kFusionMaxLineGapS) and overlap in the clip. Such a pair becomes one
// segment of modality kVideoAndAudio:
//   - its line (offset, speed) is the sound's, the more precise one;
//   - its clip stretch is the union of both (each may miss an edge: silence,
//     a frozen picture), its source stretch follows from the line;
//   - its confidence is 1 - (1 - picture's) (1 - sound's), its score the
//     sum, its voting core the union of both cores;
//   - it is an alternate only when both were;
//   - the picture's frame counts stay in matched/checked, the sound's go to
//     audio_matched/audio_checked, the sound's own stretch to
//     audio_start/audio_end, and its loudness_only stretches come along.
// Each sound segment fuses with at most one picture segment (the first, in
// the picture's order, that agrees). Everything that found no partner stays
// as it was. The result lists the picture segments (fused or not) in their
// order, then the unfused sound segments in theirs.
#ifndef UNCUT_TRACE_FUSION_H_
#define UNCUT_TRACE_FUSION_H_

#include <vector>

#include "trace/video_match.h"

namespace uncut {

// Largest difference, in source seconds, between two lines that agree.
inline constexpr double kFusionMaxLineGapS = 0.4;

std::vector<MatchedSegment> FusePictureAndSound(std::vector<MatchedSegment> video,
                                                std::vector<MatchedSegment> audio);

}  // namespace uncut

#endif  // UNCUT_TRACE_FUSION_H_

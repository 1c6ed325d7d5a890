// Where else a static picture matches. A fixed camera on an unchanging
// scene, a held still or a title card looks the same at many moments of a
// source: its frames match along many lines about equally, and the picture
// cannot tell which of them the clip shows. Rather than name one, a trace
// lists them all (the report's `indistinguishable`).
#ifndef UNCUT_TRACE_EQUAL_PLACES_H_
#define UNCUT_TRACE_EQUAL_PLACES_H_

#include <utility>
#include <vector>

#include "trace/video_match.h"
#include "video/query_video.h"
#include "video/video_signature.h"

namespace uncut {

// The stretches of the source (`sig`, m's item) where the clip's textured
// frames over m's clip stretch match about as well as along m's own line:
// lines at normal speed, every sampled frame of the source apart, that
// match four in five as many of those frames (three or more). Neighbouring
// such lines make one stretch, from the first line's start to the last
// one's end. m's own place is among them. Empty for a line off normal
// speed or when m's line matches fewer than three frames.
std::vector<std::pair<double, double>> EqualPlaces(const QueryVideo& q, const VideoSignature& sig,
                                                   const MatchedSegment& m,
                                                   const VideoMatchOptions& o = VideoMatchOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_EQUAL_PLACES_H_

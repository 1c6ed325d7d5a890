// The ends of a sound match in quiet stretches.
//
// Spectral peaks are kept only within 30 dB of a sound's loud parts (lower
// ones are the first a codec or noise removes), so a pause, a breath or the
// room's tone between words has none, and a match found by peaks ends at the
// last peak before such a stretch even when the clip's cut lies at its far
// side. There the clip's loudness contour (a few bands, every 16 ms) still
// follows the source's, with the difference in level and equalisation the
// copy made elsewhere on the same line; after the cut it does not.
//
// The same holds where a codec kept a sound's loudness per band but not its
// fine spectrum (Opus at 12 kbit/s on music keeps band energies and fills
// the bands with other detail): peaks match in places only, and a match
// stops short of stretches no other match explains.
//
// ExtendEndsByLoudness reads the source's sound around each such end from its
// stored original, learns the difference per band over the matched stretch
// just inside the end, and moves the end outward while the contours agree.
// Loud stretches are taken only up to the next match and only where the
// sound varies: a steady one (a held chord, a loop) agrees at any offset.
#ifndef UNCUT_TRACE_AUDIO_EDGES_H_
#define UNCUT_TRACE_AUDIO_EDGES_H_

#include <vector>

#include "absl/status/status.h"
#include "storage/storage.h"
#include "trace/audio_match.h"
#include "trace/video_match.h"

namespace uncut {

struct LoudnessEdgeOptions {
  // An end is looked at when the clip just beyond it is this far below its
  // loud level (else the peaks there would have matched, had they agreed).
  double quiet_db = 20;
  double look_s = 0.3;       // how much of the clip beyond the end that means
  // An end is also looked at, quiet or not, when no sound match covers the
  // clip beyond it and the segment is at least this long: a codec that keeps
  // the sound's loudness but not its fine spectrum (Opus at 12 kbit/s on
  // music) leaves stretches whose peaks no longer agree.
  double min_alone_s = 2.0;
  // Such a loud stretch must vary (mean standard deviation of its bands'
  // levels) by at least this much over the extension to be taken.
  double min_variation_db = 2.0;
  double max_extend_s = 5.0;
  double first_reach_s = 0.5;  // how far past the end the source is read first
  double calibrate_s = 0.75;  // the matched stretch the levels are compared over
  double max_lag_s = 0.13;
  // Segments shorter than this are left as they are: too little matched
  // sound to learn the copy's levels from, and extending them would let
  // thin evidence pass the length a report asks of a segment.
  double min_length_s = 0.0;   // how far the decoded source may be off the line
  int window_frames = 8;     // contour agreement is judged over this many hops
  // A hop agrees when its mean difference per band is within this multiple
  // of the matched stretch's, bounded by [min_db, max_db].
  double factor = 2.0, min_db = 4.0, max_db = 8.0;
  // Nothing is extended when the contours differ by more than this over the
  // matched stretch itself: the copy's sound is too far from the source's
  // (noise, a codec) to follow it where it is quiet, or the match is a
  // chance one.
  double max_matched_db = 2.5;
};

// Extends the sound segments among `segments` (modality kAudio) across
// quiet stretches, and loud ones no other segment explains, while the
// clip's contour follows the source's; records what was added in each
// segment's loudness_only. Segments whose source cannot be read are left as
// they are.
absl::Status ExtendEndsByLoudness(const Storage& storage, const QueryAudio& query,
                                  std::vector<MatchedSegment>* segments,
                                  const LoudnessEdgeOptions& options = LoudnessEdgeOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_AUDIO_EDGES_H_

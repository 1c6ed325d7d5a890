// Finding where a clip's sound comes from.
//
// 1. Retrieval: each landmark of the clip (audio/landmarks.h) is looked up
//    with its time steps scaled over playback speeds 0.94-1.06, so hits
//    survive time-stretching; each hit pairs a query time with a source time.
//    A clip the first pass does not explain is searched again over 0.74-1.52
//    (MatchAudioAtAnySpeed, below).
// 2. Alignment: offset/speed voting and runs (align/media_align.h).
// 3. Verification: along each segment's line, every spectral peak of the
//    clip is looked for in the source's stored peaks; the segment is grown or
//    shrunk to the stretch where peaks keep matching, and its edges are put
//    at the first and last matching peaks (a few hundredths of a second).
#ifndef UNCUT_TRACE_AUDIO_MATCH_H_
#define UNCUT_TRACE_AUDIO_MATCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "audio/landmarks.h"
#include "storage/storage.h"
#include "trace/video_match.h"

namespace uncut {

struct QueryAudio {
  double duration_s = 0;
  AudioPeaks peaks;
  std::vector<Landmark> landmarks;
  LoudnessContour contour;  // for the ends of matches (audio_edges.h)
  bool silent = false;
};

absl::StatusOr<QueryAudio> AnalyzeQueryAudio(const std::string& path);
// The same from a clip's samples at kAudioSampleRate.
QueryAudio AnalyzeQuerySamples(const std::vector<float>& samples);

struct AudioMatchOptions {
  double speed_min = 0.94, speed_max = 1.06, speed_step = 0.01;
  size_t max_postings_per_key = 20000;
  // Matched peaks a segment needs: min_matched, plus matched_per_decade for
  // every tenfold growth of the index beyond about an hour of sound. The
  // more sound is searched, the more chance lines come close; the evidence
  // asked of a match grows with the logarithm of the search, as a
  // multiple-comparison correction would.
  int min_matched = 6;
  double matched_per_decade = 3;
  // Landmark triplets per hour of typical speech and music (the media
  // benchmark's recordings: 372,000; its synthetic hours: 361,000).
  double postings_per_hour = 370000;
  // Move ends that stop where peaks cannot place a cut (quiet stretches,
  // stretches a codec stripped of peaks) out to where the clip's loudness
  // stops following the source's (audio_edges.h; reads the sources'
  // originals around those ends).
  bool extend_ends_by_loudness = true;
};

// The share of the clip's spectral peaks in [q0, q1] that the item's sound
// has along the line s = offset + speed * q (with the pitch kept, or moved by
// the speed, whichever agrees better); -1 when the range holds too few
// peaks (or the item no sound) to say.
absl::StatusOr<double> AudioAgreement(CatalogReader* catalog, const QueryAudio& query,
                                      uint32_t item, double offset, double speed, double q0,
                                      double q1);

absl::StatusOr<std::vector<MatchedSegment>> MatchAudio(
    const Storage& storage, const QueryAudio& query,
    const AudioMatchOptions& options = AudioMatchOptions());

// Playback speed from 0.74x to 1.52x, with the pitch kept (a player's
// "1.25x", ffmpeg's atempo: time-stretching) or moved with the speed (a tape
// or record played fast, ffmpeg's asetrate: resampling).
//
// After Six and Leman, "Panako - a scalable acoustic fingerprinting system
// handling time-scale and pitch modification" (ISMIR 2014; revised as Panako
// 2, Six, JOSS 2022), who match such copies with triplet keys made invariant
// to both (a ratio of the time steps; frequency steps on a constant-Q, that
// is logarithmic, axis, where a pitch shift is a translation). uncut's keys stay exact (absolute bins and hops, a
// handful of postings a key at 1,000 hours) and the query is moved instead,
// which needs no change to the index:
//   - time-stretching scales only the time steps of a triplet: its keys are
//     probed with the steps rescaled over a grid of speeds 0.74-1.52 in steps
//     of 0.01, and the offset histogram votes over the same grid;
//   - resampling scales times and frequencies together: the clip's sound is
//     resampled by each of a geometric grid of speeds (ratio kTapeViewRatio,
//     so that no speed is more than 2.3% from one; a view tolerates about
//     +-3%, measured) and each such view, in which the copy lines up with its
//     source in time and pitch, is searched over speeds 0.97-1.03.
// The first pass is MatchAudio as it is (0.94-1.06, tempo only); the wider
// passes run only when it leaves more than `explained_share` of the clip
// unexplained or finds a match at the edge of its speeds, and a match they find needs `extra_matched` more matched peaks
// (there are about forty times more lines to come close by chance). Matches
// of all passes are pooled, the best (most matched peaks) kept first, and
// one that lies mostly over an already kept match of the same item dropped.
struct AnySpeedOptions {
  double speed_min = 0.74, speed_max = 1.52;
  double tape_view_ratio = 1.045;
  double tape_view_reach = 0.03;  // the speeds searched around each view
  double explained_share = 0.8;
  int extra_matched = 3;
};
absl::StatusOr<std::vector<MatchedSegment>> MatchAudioAtAnySpeed(
    const Storage& storage, const std::string& path, const QueryAudio& query,
    const AudioMatchOptions& options = AudioMatchOptions(),
    const AnySpeedOptions& any = AnySpeedOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_AUDIO_MATCH_H_

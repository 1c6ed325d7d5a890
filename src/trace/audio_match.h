// Finding where a clip's sound comes from.
//
// 1. Retrieval: each landmark of the clip (audio/landmarks.h) is looked up
//    with its time steps scaled over playback speeds 0.94-1.06, so hits
//    survive time-stretching; each hit pairs a query time with a source time.
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
// has along the line s = offset + speed * q; -1 when the range holds too few
// peaks (or the item no sound) to say.
absl::StatusOr<double> AudioAgreement(CatalogReader* catalog, const QueryAudio& query,
                                      uint32_t item, double offset, double speed, double q0,
                                      double q1);

absl::StatusOr<std::vector<MatchedSegment>> MatchAudio(
    const Storage& storage, const QueryAudio& query,
    const AudioMatchOptions& options = AudioMatchOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_AUDIO_MATCH_H_

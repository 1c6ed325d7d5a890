// From fingerprint matches to segments, for any time-based modality.
//
// A hit says: query time q in the clip looks like source time s in an item.
// Hits of a clip that was cut from a source lie on a line
// s = offset + speed * q; each stretch of the clip taken from one place of
// one source is a run of hits on one line. uncut finds the lines by Hough
// voting over offset (and speed, within about +-10%), extracts the runs of
// hits along each line as candidate segments, and selects segments so that
// each stretch of the clip gets its best explanation, while keeping equally
// good ones from other sources (re-runs, re-uploads) as occurrences of the
// same material. Modality-specific code then verifies and refines each
// segment against the full fingerprints.
#ifndef UNCUT_ALIGN_MEDIA_ALIGN_H_
#define UNCUT_ALIGN_MEDIA_ALIGN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace uncut {

struct MediaHit {
  double q = 0;  // query time, s
  uint32_t item = 0;
  double s = 0;  // source time, s
  float weight = 1;
  // The playback speeds the hit can support (a landmark probed at one time
  // step fits a narrow range); it votes only for lines at those speeds.
  float speed_lo = 0, speed_hi = 1e9f;
};

struct MediaSegment {
  uint32_t item = 0;
  double speed = 1, offset = 0;  // s = offset + speed * q
  double q_start = 0, q_end = 0;
  double s_start = 0, s_end = 0;
  double score = 0;  // summed hit weight
  int support = 0;   // hits on the segment
  double confidence = 0;
  // The same query stretch, found in another item or at another place of
  // the same item (AtAnotherPlace).
  bool alternate = false;
};

struct MediaAlignParams {
  double speed_min = 0.9, speed_max = 1.1, speed_step = 0.01;
  double offset_bin_s = 0.25;
  double tolerance_s = 0.3;  // a hit supports a line within this
  double max_gap_s = 2.5;    // a run ends after a longer stretch without support
  double min_length_s = 0.8;
  double min_score = 4;
  double edge_s = 0.0;  // added on each side of a run (half a sampling interval)
  size_t max_hypotheses = 200;
  // An occurrence in another item is kept when its score reaches this share
  // of the best one's.
  double alternate_share = 0.15;
  // Lines of one item that share most of a stretch of the query and lie
  // further apart than this in the source are two places of it (a passage the recording repeats: a report re-run in
  // a day's broadcast, a chorus), and the weaker is another occurrence, kept
  // as one in another item is. The matchers set the clip's length: material
  // repeated inside the clip itself pairs with the source's copies less
  // than that apart, and so does a line a little off the true one. 0: an
  // item is one place (a weaker line of it keeps only what it adds).
  double place_separation_s = 0;
};

// Whether a and b are of one item and, over the query stretch they share
// (or at the middle between them when they share none), put it at source
// times more than separation_s apart: two places of the item. Never when
// separation_s is 0 or less.
bool AtAnotherPlace(const MediaSegment& a, const MediaSegment& b, double separation_s);

// Weak hits of one item (evidence too common by chance to vote at scale),
// appended to `out`; asked for only for items with a voted line.
using WeakHits = std::function<void(uint32_t item, std::vector<MediaHit>* out)>;

// Candidate segments, best first; all lines, all runs. Lines are voted by
// `hits`; weak hits add to the runs along a voted line but never make one.
std::vector<MediaSegment> FindSegments(const std::vector<MediaHit>& hits,
                                       const MediaAlignParams& params,
                                       const WeakHits& weak = nullptr);

// Chooses segments: each stretch of the query gets its best segment; other
// items' segments covering the same stretch nearly as well, and the same
// item's at another place (params.place_separation_s), are kept as
// alternates; overlapping weaker segments are trimmed to what they add.
std::vector<MediaSegment> SelectSegments(std::vector<MediaSegment> candidates,
                                         const MediaAlignParams& params);

}  // namespace uncut

#endif  // UNCUT_ALIGN_MEDIA_ALIGN_H_

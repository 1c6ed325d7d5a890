// Finding where a clip's pictures come from.
//
// The search runs on the whole frames' hashes first, then once more with the
// region hashes (video_signature.h) over the stretches of the clip that left
// unexplained (a caption, a panel or a close crop); a region match far
// worse than another match over the same stretch is dropped.
//
// 1. Retrieval: every variant hash of every sampled query frame is cut into
//    its sixteen 16-bit chunks and looked up in the multi-index hash table
//    (video/video_signature.h). A source frame sharing several chunks with a
//    query frame is a hit, weighted by the chunks shared. Chunk values far
//    more common than the archive's mean are skipped (they carry little and
//    cost most), as stop words are in text search; coincidences are counted
//    by sorting each item's records, and single-chunk coincidences (common
//    by chance in a large archive) only support lines that others voted.
// 2. Alignment: hits are turned into segments by offset/speed voting
//    (align/media_align.h).
// 3. Verification: each segment is checked frame by frame against the
//    source's stored hashes along its line (Hamming distance over all
//    variants), grown or shrunk to the frames that really match, its offset
//    refined, and its edges placed on the clip's hard cuts. A segment voted
//    off normal speed is checked at normal speed too, and keeps its speed
//    only where clearly more frames match along it.
// 4. Contested edges: where two verified lines (or a line the selection set
//    aside for a stronger one of the same item) cover the same edge stretch
//    of a segment, the clip's frames decide between them: the stretch goes
//    to the other line only where its frames are positively closer (a
//    splice into another take of a fixed camera, which the stronger line
//    runs on across through look-alike frames); copies of the same footage
//    match alike and keep their stretches, and no segment is split.
#ifndef UNCUT_TRACE_VIDEO_MATCH_H_
#define UNCUT_TRACE_VIDEO_MATCH_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "align/media_align.h"
#include "storage/storage.h"
#include "video/query_video.h"

namespace uncut {

// Which fingerprints verified a segment: the picture's frame hashes, the
// sound's landmarks, or both after fusion (fusion.h). A report names them
// as its segment's evidence (EvidenceKind).
enum class SegmentModality {
  kVideo,
  kAudio,
  kVideoAndAudio,
};

// A verified segment of one modality.
struct MatchedSegment {
  MediaSegment seg;
  // The stretch of the clip the voting found, before verification grew or
  // shrank it: where the evidence is strongest.
  double core_start = 0, core_end = 0;
  SegmentModality modality = SegmentModality::kVideo;  // set by the matcher, then by fusion
  int matched = 0, checked = 0;              // frames (or peaks) that matched / were compared
  int audio_matched = 0, audio_checked = 0;  // after fusion: the sound's counts
  double audio_start = 0, audio_end = 0;     // after fusion: the stretch the sound supports
  double mean_distance = 0;
  bool static_content = false;  // matches nearly as well at other offsets
  // A static picture's source stretches where it matches about as well as
  // along its line (equal_places.h), and whether the picture therefore
  // cannot tell where in them the clip comes from.
  std::vector<std::pair<double, double>> equal_places;
  bool indistinguishable = false;
  // Stretches of the clip inside the segment that no fingerprint confirms
  // (bridged: see media_trace.cc).
  std::vector<std::pair<double, double>> unconfirmed;
  // Stretches at the sound's ends, in quiet parts of the clip, that its
  // loudness contour confirms and no spectral peak does (audio_edges.h).
  std::vector<std::pair<double, double>> loudness_only;
  // Sound matches: whether the source kept (almost) no spectral peaks just
  // before the segment's start / after its end, being far quieter there
  // than its loud parts.
  bool source_quiet_before = false, source_quiet_after = false;
  // Sound matches: the clip's pitch moved with its speed (a tape played
  // fast or slow), rather than being kept (time-stretching).
  bool pitch_follows_speed = false;
};

struct VideoMatchOptions {
  int max_distance = 48;  // Hamming distance for a frame to match
  int min_quality = 20;   // query frames below are not used
  // Keys with more postings than common_key_factor x the mean per key (but
  // never fewer than min_postings_cap, nor more than max_postings_per_key)
  // are skipped.
  size_t max_postings_per_key = 50000;
  size_t min_postings_cap = 5000;
  double common_key_factor = 16;
};

absl::StatusOr<std::vector<MatchedSegment>> MatchVideo(
    const Storage& storage, const QueryVideo& query,
    const VideoMatchOptions& options = VideoMatchOptions());

// Snaps segment edges that lie within `reach` seconds of a cut onto it.
void SnapToCuts(const std::vector<double>& cuts, double duration, double reach,
                std::vector<MatchedSegment>* segments);

}  // namespace uncut

#endif  // UNCUT_TRACE_VIDEO_MATCH_H_

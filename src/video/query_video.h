// A query clip's visual fingerprint: several hashes per sampled frame, one
// per way the clip may have been made from its source.
//
// The clip is decoded once at full frame rate. Over the whole clip uncut
// finds a blurred background (vertical re-posts) and a picture-in-picture
// inset; per frame it finds bars. Each sampled frame is then hashed over
// the whole frame, its bar-free region, the sharp region and the inset (and,
// in a portrait frame, the centred full-width bands a 16:9 or 4:3 picture
// re-posted vertically fills, for when stickers or captions in the padding
// hide the sharp region), each also mirrored (by PDQ's DCT-domain flip). A search accepts whichever
// variant matches. The bar-free region is also hashed in the parts a source
// frame's region hashes cover (video_signature.h): central fractions 0.92,
// 0.85 and 0.78 of it (a zoomed-in clip, against the source's 80% and 60%
// hashes), its top 75% and its halves (captions and panels), each compared
// only with the source hashes of the same part. Hard cuts are found at full
// frame rate, to place segment boundaries to the frame.
#ifndef UNCUT_VIDEO_QUERY_VIDEO_H_
#define UNCUT_VIDEO_QUERY_VIDEO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "video/pdq.h"
#include "video/video_signature.h"

namespace uncut {

// Which stored hashes of a source frame (FrameSig) a query hash is compared
// with: a set of these bits.
enum HashTarget : uint8_t {
  kTargetMain = 1,
  kTargetZoom = 2,
  kTargetMainOrZoom = 3,
};
inline uint8_t RegionTarget(int region) { return static_cast<uint8_t>(4u << region); }

struct QueryVideoFrame {
  double time_s = 0;
  std::vector<PdqHash> hashes;  // variants; see above
  int quality = 0;              // of the bar-free region
  size_t main_variant = 0;      // the bar-free region's (unmirrored) hash in `hashes`
  // Per variant: its HashTarget bits and its PDQ quality. A variant beyond
  // these vectors targets the main and zoom hashes and has `quality`.
  std::vector<uint8_t> targets;
  std::vector<uint8_t> qualities;

  uint8_t TargetsOf(size_t v) const {
    return v < targets.size() ? targets[v] : static_cast<uint8_t>(kTargetMainOrZoom);
  }
  int QualityOf(size_t v) const { return v < qualities.size() ? qualities[v] : quality; }
};

// The smallest Hamming distance between a variant of `query` of at least
// `min_quality` and the source frame's hashes it targets (256 if none).
// A region hash is compared only when the source frame has it and its
// quality is at least `min_quality` (flat parts match any flat part).
// With `regions` false, only the main and zoom hashes are compared; with
// `whole` false, only the region hashes.
int HashDistance(const QueryVideoFrame& query, const FrameSig& source, int min_quality,
                 bool regions = true, bool whole = true);

struct QueryVideo {
  double duration_s = 0;
  double hash_fps = 0;
  std::vector<QueryVideoFrame> frames;
  std::vector<double> cuts;  // times of hard cuts (first frame after the cut)
  double frame_interval_s = 0.04;
  nlohmann::json analysis = nlohmann::json::object();  // regions found, for the report
};

struct QueryVideoOptions {
  double hash_fps = 8;
  int max_side = 480;
  int max_hashed_frames = 2400;  // long clips are hashed at a lower rate
};

absl::StatusOr<QueryVideo> AnalyzeQueryVideo(const std::string& path,
                                             const QueryVideoOptions& options = QueryVideoOptions());

}  // namespace uncut

#endif  // UNCUT_VIDEO_QUERY_VIDEO_H_

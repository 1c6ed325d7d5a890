// A query clip's visual fingerprint: several hashes per sampled frame, one
// per way the clip may have been made from its source.
//
// The clip is decoded once at full frame rate. Over the whole clip uncut
// finds a blurred background (vertical re-posts) and a picture-in-picture
// inset; per frame it finds bars. Each sampled frame is then hashed over
// the whole frame, its bar-free region, the sharp region and the inset, each
// also mirrored (a mirrored hash from pixels, since PDQ's DCT-domain flip is
// only approximate after its filters). A search accepts whichever variant
// matches. Hard cuts are found at full frame rate, to place segment
// boundaries to the frame.
#ifndef UNCUT_VIDEO_QUERY_VIDEO_H_
#define UNCUT_VIDEO_QUERY_VIDEO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "video/pdq.h"

namespace uncut {

struct QueryVideoFrame {
  double time_s = 0;
  std::vector<PdqHash> hashes;  // variants; see above
  int quality = 0;              // of the bar-free region
};

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

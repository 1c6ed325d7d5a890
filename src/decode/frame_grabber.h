// Pictures of a video at chosen times, as small JPEGs: the frames a report
// puts side by side at segment boundaries, and thumbnails.
#ifndef UNCUT_DECODE_FRAME_GRABBER_H_
#define UNCUT_DECODE_FRAME_GRABBER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "decode/video_reader.h"

namespace uncut {

struct FrameGrabOptions {
  int max_side = 240;  // pictures are scaled so that neither side exceeds this
  int quality = 6;     // MJPEG quantiser scale, 2 (best) to 31 (smallest)
  // Times count from the first frame, as clip analysis counts them, rather
  // than on the file's own time line (as source times do).
  bool relative_time = false;
  double max_decode_seconds = 0;  // watchdog per decoding pass (0: the reader's default)
  int64_t max_pixels = VideoReadOptions().max_pixels;  // larger frames are refused
};

// For each time in `times_s` (any order), the JPEG of the frame on screen
// then: the last frame that starts at or before it, or the first frame when
// the time precedes every frame. result[i] answers times_s[i]; it is empty
// when the file has no decodable frame there. Sources are decoded only
// around the requested times (seeking); relative times need one pass from
// the start. Errors name the file and the reason.
absl::StatusOr<std::vector<std::string>> GrabFrames(const MediaSource& source,
                                                    const std::vector<double>& times_s,
                                                    const FrameGrabOptions& options);

}  // namespace uncut

#endif  // UNCUT_DECODE_FRAME_GRABBER_H_

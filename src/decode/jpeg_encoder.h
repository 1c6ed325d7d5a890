// Small JPEG pictures of decoded frames (FFmpeg's MJPEG encoder), for
// thumbnails and for the frames an HTML report shows side by side.
#ifndef UNCUT_DECODE_JPEG_ENCODER_H_
#define UNCUT_DECODE_JPEG_ENCODER_H_

#include <string>

#include "absl/status/statusor.h"
#include "decode/video_reader.h"

namespace uncut {

// Encodes an RGB frame (VideoReadOptions::rgb) as a baseline JPEG.
// `quality` is MJPEG's quantiser scale: 2 (best) to 31 (smallest).
// REQUIRES: frame.channels == 3 and the frame is at least 1x1.
absl::StatusOr<std::string> EncodeJpeg(const VideoFrame& frame, int quality = 5);

}  // namespace uncut

#endif  // UNCUT_DECODE_JPEG_ENCODER_H_

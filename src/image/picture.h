// Decoding a still picture (JPEG, PNG, WebP, GIF, TIFF, BMP) with FFmpeg,
// within limits that keep hostile files bounded: the declared size is
// checked before anything is decoded (a 100000x100000 header is refused
// without allocating its pixels), and decoding has a time budget.
#ifndef UNCUT_IMAGE_PICTURE_H_
#define UNCUT_IMAGE_PICTURE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "decode/video_reader.h"

namespace uncut {

struct PictureLimits {
  int64_t max_pixels = 100'000'000;  // 100 megapixels: above any camera's still
  int max_side = 30000;
  double max_decode_seconds = 30;
};

struct PictureInfo {
  int width = 0, height = 0;
  std::string codec;  // FFmpeg's decoder name, e.g. "mjpeg", "png"
};

// ResourceExhausted naming `name` when a picture of
// width x height exceeds `limits`.
absl::Status CheckPictureSize(const std::string& name, int64_t width, int64_t height,
                              const PictureLimits& limits = PictureLimits());

// The picture's size and codec, from its header. Errors say why the file
// is not a picture uncut reads, or that it is too large; they name the
// source.
absl::StatusOr<PictureInfo> ProbePicture(const MediaSource& source,
                                         const PictureLimits& limits = PictureLimits());

// The picture (the first frame of an animated GIF or WebP) scaled so that
// neither side exceeds `max_side` (0: its own size), as 8-bit grey or, with
// `rgb`, RGB24, turned as its EXIF `orientation` says a viewer shows it
// (see UprightFrame). Probes first (see ProbePicture).
absl::StatusOr<VideoFrame> DecodePicture(const MediaSource& source, int max_side, bool rgb,
                                         int orientation = 1,
                                         const PictureLimits& limits = PictureLimits());

// EXIF orientations (TIFF 6.0, tag 274) say how the stored rows map to what a
// viewer shows: 1 as stored; 2 mirrored left to right; 3 turned 180 degrees;
// 4 mirrored top to bottom; 5 transposed; 6 turned 90 degrees clockwise;
// 7 transverse; 8 turned 90 degrees counter-clockwise. `frame` (grey or RGB)
// as shown; any other value leaves it as stored.
VideoFrame UprightFrame(VideoFrame frame, int orientation);

// True when `orientation` swaps width and height (5 to 8).
inline bool OrientationSwapsSides(int orientation) { return orientation >= 5 && orientation <= 8; }

// What a viewer does to the stored picture, e.g. "turned 90 degrees
// clockwise"; "" for 1 and for values that are not orientations.
std::string OrientationText(int orientation);

}  // namespace uncut

#endif  // UNCUT_IMAGE_PICTURE_H_

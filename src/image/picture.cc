#include "image/picture.h"

#include <algorithm>

#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"

namespace uncut {

absl::Status CheckPictureSize(const std::string& name, int64_t width, int64_t height,
                              const PictureLimits& limits) {
  if (width > limits.max_side || height > limits.max_side ||
      width * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(
        StrCat(name, ": the picture declares ", width, "x", height, " pixels, more than uncut reads (",
               limits.max_pixels / 1'000'000, " megapixels, ", limits.max_side, " a side)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PictureInfo> ProbePicture(const MediaSource& source, const PictureLimits& limits) {
  auto media = ProbeMedia(source);
  if (!media.ok()) {
    return absl::InvalidArgumentError(
        StrCat(source.name, ": not a picture FFmpeg can read (", media.status().message(), ")"));
  }
  for (const StreamInfo& s : media->streams) {
    if (s.type != "video") continue;
    PictureInfo info{s.width, s.height, s.codec};
    if (info.width <= 0 || info.height <= 0) {
      return absl::InvalidArgumentError(StrCat(source.name, ": the picture declares no size"));
    }
    RETURN_IF_ERROR(CheckPictureSize(source.name, info.width, info.height, limits));
    return info;
  }
  return absl::InvalidArgumentError(StrCat(source.name, ": holds no picture"));
}

absl::StatusOr<VideoFrame> DecodePicture(const MediaSource& source, int max_side, bool rgb,
                                         const PictureLimits& limits) {
  RETURN_IF_ERROR(ProbePicture(source, limits).status());
  VideoReadOptions o;
  o.max_side = max_side;
  o.rgb = rgb;
  o.max_pixels = limits.max_pixels;
  o.max_decode_seconds = limits.max_decode_seconds;
  o.relative_time = true;
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(source, o));
  VideoFrame frame;
  auto got = reader->Next(&frame);
  if (!got.ok()) {
    return absl::Status(got.status().code(),
                        StrCat(source.name, ": the picture cannot be decoded (",
                               got.status().message(), ")"));
  }
  if (!*got || frame.width <= 0 || frame.height <= 0) {
    return absl::InvalidArgumentError(StrCat(source.name, ": the picture cannot be decoded"));
  }
  frame.time_s = 0;
  return frame;
}

}  // namespace uncut

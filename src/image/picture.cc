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
                                         int orientation, const PictureLimits& limits) {
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
  return UprightFrame(std::move(frame), orientation);
}

VideoFrame UprightFrame(VideoFrame frame, int orientation) {
  if (orientation < 2 || orientation > 8) return frame;
  const int w = frame.width, h = frame.height, c = frame.channels;
  VideoFrame out;
  out.time_s = frame.time_s;
  out.channels = c;
  out.width = OrientationSwapsSides(orientation) ? h : w;
  out.height = OrientationSwapsSides(orientation) ? w : h;
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * c);
  // The stored pixel shown at (x, y).
  auto from = [&](int x, int y) -> std::pair<int, int> {
    switch (orientation) {
      case 2: return {w - 1 - x, y};
      case 3: return {w - 1 - x, h - 1 - y};
      case 4: return {x, h - 1 - y};
      case 5: return {y, x};
      case 6: return {y, h - 1 - x};
      case 7: return {w - 1 - y, h - 1 - x};
      default: return {w - 1 - y, x};  // 8
    }
  };
  for (int y = 0; y < out.height; ++y) {
    uint8_t* row = out.pixels.data() + static_cast<size_t>(y) * out.width * c;
    for (int x = 0; x < out.width; ++x) {
      auto [sx, sy] = from(x, y);
      const uint8_t* p = frame.pixels.data() + (static_cast<size_t>(sy) * w + sx) * c;
      std::copy(p, p + c, row + static_cast<size_t>(x) * c);
    }
  }
  return out;
}

std::string OrientationText(int orientation) {
  switch (orientation) {
    case 2: return "mirrored left to right";
    case 3: return "turned 180 degrees";
    case 4: return "mirrored top to bottom";
    case 5: return "mirrored left to right and turned 90 degrees counter-clockwise";
    case 6: return "turned 90 degrees clockwise";
    case 7: return "mirrored left to right and turned 90 degrees clockwise";
    case 8: return "turned 90 degrees counter-clockwise";
    default: return "";
  }
}

}  // namespace uncut

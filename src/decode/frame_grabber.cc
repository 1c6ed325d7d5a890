#include "decode/frame_grabber.h"

#include <algorithm>
#include <numeric>

#include "base/status_macros.h"
#include "decode/jpeg_encoder.h"
#include "decode/video_reader.h"

namespace uncut {
namespace {

// Times closer than this are served by one decoding pass; farther apart,
// seeking is cheaper than decoding what lies between.
constexpr double kSeekGapS = 8.0;
// Decoding starts this long before the first time of a pass, so that the
// frame on screen at that time is seen.
constexpr double kLeadS = 0.5;

// One decoding pass over [times.front(), times.back()] (sorted), filling
// out[index[k]] for each times[k].
absl::Status GrabPass(const MediaSource& source, const std::vector<double>& times,
                      const std::vector<size_t>& index, const FrameGrabOptions& options,
                      std::vector<std::string>* out) {
  VideoReadOptions ro;
  ro.rgb = true;
  ro.max_side = options.max_side;
  ro.scale_flags = SWS_BICUBIC;
  ro.relative_time = options.relative_time;
  ro.max_decode_seconds = options.max_decode_seconds;
  ro.max_pixels = options.max_pixels;
  if (!options.relative_time) {
    ro.start_s = std::max(0.0, times.front() - kLeadS);
    ro.end_s = times.back() + kLeadS;
  }
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(source, ro));
  VideoFrame prev, frame;
  bool have_prev = false;
  size_t k = 0;
  auto answer = [&](const VideoFrame& f) -> absl::Status {
    ASSIGN_OR_RETURN((*out)[index[k]], EncodeJpeg(f, options.quality));
    ++k;
    return absl::OkStatus();
  };
  while (k < times.size()) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&frame));
    if (!got) break;
    while (k < times.size() && frame.time_s > times[k] + 1e-3) {
      RETURN_IF_ERROR(answer(have_prev ? prev : frame));
    }
    std::swap(prev, frame);
    have_prev = true;
  }
  while (have_prev && k < times.size()) RETURN_IF_ERROR(answer(prev));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> GrabFrames(const MediaSource& source,
                                                    const std::vector<double>& times_s,
                                                    const FrameGrabOptions& options) {
  std::vector<std::string> out(times_s.size());
  std::vector<size_t> order(times_s.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return times_s[a] < times_s[b]; });
  size_t i = 0;
  while (i < order.size()) {
    std::vector<double> times;
    std::vector<size_t> index;
    do {
      times.push_back(times_s[order[i]]);
      index.push_back(order[i]);
      ++i;
    } while (i < order.size() &&
             (options.relative_time || times_s[order[i]] - times.back() < kSeekGapS));
    RETURN_IF_ERROR(GrabPass(source, times, index, options, &out));
  }
  return out;
}

}  // namespace uncut

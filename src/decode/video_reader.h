// Streaming video decoding of sampled frames at reduced size.
//
// Frames are decoded in order; only the frames a sampling grid selects are
// converted (swscale) to grey or RGB at a bounded size. Optionally the
// decoder skips non-reference frames entirely (AVDISCARD_NONREF), which for
// typical H.264 removes most of the decoding work while still leaving
// frames every few hundredths of a second for a sampling grid. A watchdog
// bounds decoding time and frame size, so hostile files fail cleanly.
#ifndef UNCUT_DECODE_VIDEO_READER_H_
#define UNCUT_DECODE_VIDEO_READER_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"

namespace uncut {

struct VideoReadOptions {
  double sample_fps = 0;  // frames per second to return; 0 returns every decoded frame
  int max_side = 0;       // scale so that neither side exceeds this; 0 keeps the size
  int exact_width = 0, exact_height = 0;  // scale to exactly this size instead (both > 0)
  int scale_flags = 0;    // swscale algorithm; 0 = SWS_AREA
  bool rgb = false;       // RGB24 instead of 8-bit grey (luma)
  bool skip_nonreference = false;
  // Skip the in-loop deblocking filter: faster, slightly blockier pictures
  // (harmless for fingerprints, which low-pass far more).
  bool skip_loop_filter = false;
  double start_s = 0;     // seek here first (to the key frame before it)
  double end_s = std::numeric_limits<double>::infinity();
  // Watchdog: give up when decoding takes longer than this (0: 60 s plus
  // 20x the duration, capped by the file's size; see DecodeBudgetSeconds),
  // or a frame is larger than max_pixels (default: 8192x8192, above 8K UHD).
  double max_decode_seconds = 0;
  int64_t max_pixels = int64_t{8192} * 8192;
  // Timestamps relative to the first frame (queries) rather than the file's
  // own time line (sources).
  bool relative_time = false;
};

struct VideoFrame {
  double time_s = 0;
  int width = 0, height = 0, channels = 1;
  std::vector<uint8_t> pixels;  // row-major, width * channels bytes a row
};

class VideoReader {
 public:
  static absl::StatusOr<std::unique_ptr<VideoReader>> Open(const std::string& path,
                                                           const VideoReadOptions& options);
  static absl::StatusOr<std::unique_ptr<VideoReader>> Open(const MediaSource& source,
                                                           const VideoReadOptions& options);
  // Fills *frame with the next sampled frame; returns false at the end.
  absl::StatusOr<bool> Next(VideoFrame* frame);

  double duration_s() const { return duration_s_; }
  double fps() const { return fps_; }
  int width() const { return codec_->width; }
  int height() const { return codec_->height; }
  // Frames the decoder produced so far (sampled or not).
  int64_t decoded_frames() const { return decoded_; }

 private:
  VideoReader() = default;
  absl::StatusOr<bool> Receive(VideoFrame* frame);
  absl::Status Convert(const AVFrame* in, VideoFrame* out);

  std::string path_;
  VideoReadOptions options_;
  std::unique_ptr<MemoryIo> io_;  // memory sources; outlives fmt_
  FormatContextPtr fmt_;
  CodecContextPtr codec_;
  FramePtr frame_;
  PacketPtr packet_;
  SwsPtr sws_;
  int sws_w_ = 0, sws_h_ = 0, sws_fmt_ = -1, sws_ow_ = 0, sws_oh_ = 0;
  int stream_ = -1;
  double time_base_ = 0;
  double duration_s_ = 0;
  double fps_ = 0;
  double first_time_ = std::numeric_limits<double>::quiet_NaN();
  int64_t next_cell_ = std::numeric_limits<int64_t>::min();
  int64_t decoded_ = 0;
  int bad_frames_ = 0;  // damaged frames in a row
  bool flushing_ = false, done_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace uncut

#endif  // UNCUT_DECODE_VIDEO_READER_H_

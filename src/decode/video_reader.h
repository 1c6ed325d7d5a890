// Streaming video decoding of sampled frames at reduced size.
//
// Frames are decoded in order; only the frames a sampling grid selects are
// converted (swscale) to grey or RGB at a bounded size. Optionally the
// decoder skips non-reference frames entirely (AVDISCARD_NONREF), which for
// typical H.264 removes a third of the decoding work while still leaving
// frames every few hundredths of a second for a sampling grid, and the
// reference B-frames too where a probe shows that no other frame predicts
// from them (skip_unused_b_references); decodes
// intra-only codecs at reduced resolution; and uses several threads. With a
// sampling grid, the packets of an intra-only codec (MJPEG, ProRes, DV...)
// that the grid would not take are not decoded at all. A watchdog bounds
// decoding time and frame size, so hostile files fail cleanly.
#ifndef UNCUT_DECODE_VIDEO_READER_H_
#define UNCUT_DECODE_VIDEO_READER_H_

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"

namespace uncut {

// The probe runs again at the first IDR frame of each period this long
// (and after any change of sequence parameters); see b_recheck_period_s.
inline constexpr double kBRecheckSeconds = 60;

struct VideoReadOptions {
  double sample_fps = 0;  // frames per second to return; 0 returns every decoded frame
  int max_side = 0;       // scale so that neither side exceeds this; 0 keeps the size
  int exact_width = 0, exact_height = 0;  // scale to exactly this size instead (both > 0)
  int scale_flags = 0;    // swscale algorithm; 0 = SWS_AREA
  bool rgb = false;       // RGB24 instead of 8-bit grey (luma)
  bool skip_nonreference = false;
  // With skip_nonreference and a sampling grid: also skip the B-frames of
  // H.264 and HEVC that are references (pyramid B-frames), when no other
  // frame predicts from them. Whether that holds is found out on the first
  // frames: a second decoder skipping every B-frame (AVDISCARD_BIDIR) runs
  // beside the first, and takes over only once kBProbeMatches I- and
  // P-frames after a reference B-frame came out of both bit for bit (and
  // none differed); otherwise it is dropped within kBProbeMaxFrames frames
  // (kBProbeNoBFrames when none of them is a reference B-frame).
  // The frames returned are then exact decodes, only fewer: I- and P-frames
  // (every 2-4 frames with B-frames in a pyramid). x264's fast presets
  // (ref=1) qualify; its default (ref=3) lets P-frames predict from
  // pyramid B-frames, so such streams keep decoding them.
  bool skip_unused_b_references = true;
  double min_b_probe_duration_s = 60;  // shorter sources are not probed
  // While the probe is on, it runs again at the first IDR frame of each
  // period of this length of stream time (counted from time 0), whether or
  // not the last probe found the B-frames unused, and at the first IDR
  // frame after new sequence parameters. Decoding restarts from those IDR
  // frames with a drained decoder, so what is returned from one on depends
  // only on the packets from there: the points where a read in time chunks
  // may start (video/video_chunks.h).
  double b_recheck_period_s = kBRecheckSeconds;
  // Skip every B-frame, reference or not (AVDISCARD_BIDIR). Frames that
  // predict from a skipped reference B-frame decode with errors; only for
  // measuring.
  bool skip_bidirectional = false;
  // Skip the in-loop deblocking filter: faster, slightly blockier pictures
  // (harmless for fingerprints, which low-pass far more).
  bool skip_loop_filter = false;
  // Decode an intra-only codec (MJPEG) at reduced resolution (OpenDecoder's
  // lowres), by as much as still leaves max_side (or exact_width x
  // exact_height) pixels to scale down from; frames keep the size they would
  // have at full resolution. Inter-coded pictures are not reduced: motion
  // compensated at reduced size, they drift from the full decode until the
  // next key frame (MPEG-4 Part 2, 720p, 2 s GOP: 36 of 256 hash bits on
  // average, against 3 for MJPEG).
  bool reduced_resolution = false;
  int threads = 1;  // decoder threads; 0: one per core
  double start_s = 0;     // seek here first (to the key frame before it)
  // Chunked reading (video/video_chunks.h). With restart_from_s >= 0:
  // start at the first restart point (see IsRestartPoint) whose time is at
  // or after it, as if a whole read had reached it; packets before are
  // read but not decoded, and start_s becomes that point's time. With
  // boundary_s finite: note the first restart point at or after it
  // (boundary_point_s) while decoding on as a whole read does.
  double restart_from_s = -1;
  double boundary_s = std::numeric_limits<double>::infinity();
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
  // The decoder's picture size (reduced with reduced_resolution).
  int width() const { return codec_->width; }
  int height() const { return codec_->height; }
  // Frames the decoder produced so far (sampled or not).
  int64_t decoded_frames() const { return decoded_; }
  // Whether the reference B-frames are being skipped (the probe of
  // skip_unused_b_references found them unused, and the probing decoder took over).
  bool skipping_b_references() const { return skipping_b_references_; }
  // Whether the stream has restart points: packets from which decoding
  // gives what a decode from the start gives (IDR frames of H.264 and
  // HEVC, key frames of VP8, VP9 and AV1, every frame of intra-only codecs).
  bool has_restart_points() const { return restart_rule_ != RestartRule::kNone; }
  double start_time_s() const { return start_time_s_; }
  // The restart point read started from (restart_from_s), and the one
  // found at or after boundary_s; NaN until found.
  double start_point_s() const { return start_point_s_; }
  double boundary_point_s() const { return boundary_point_s_; }
  // Sequence parameters (H.264, HEVC) as a whole read would have them right
  // after the boundary point; and the first ones seen from the start
  // point, and whether the start point's packet carried them. A chunk
  // started at a restart point tracks changes of them as a whole read does
  // unless its first differ from its predecessor's at the boundary.
  uint64_t boundary_sps_digest() const { return boundary_sps_; }
  uint64_t first_sps_digest() const { return first_sps_; }
  bool first_sps_at_start() const { return first_sps_at_start_; }

 private:
  VideoReader() = default;
  absl::StatusOr<bool> Receive(VideoFrame* frame);
  // Whether a packet of the video stream is to be decoded.
  bool WantPacket(const AVPacket& packet);
  absl::Status Convert(const AVFrame* in, VideoFrame* out);
  // The probe of skip_unused_b_references: feeds `packet` to the probing
  // decoder and compares what it returns with the main decoder's frames.
  void ProbeSend(const AVPacket* packet);
  void ProbeCompare(bool from_probe, const AVFrame& frame);
  void StopProbe();
  void StartProbe();
  // The probe again, from the IDR frame in held_ (the skipping decoder
  // drained).
  absl::Status RestartProbe();
  struct PacketNals {
    bool idr = false;          // holds an IDR frame: nothing after it predicts from before it
    uint64_t sps_digest = 0;   // of the sequence parameter sets it carries; 0: none
  };
  PacketNals ScanNals(const AVPacket& packet) const;
  // Whether the probe is to run again from `packet` (tracking the stream's
  // sequence parameters).
  bool NeedsRecheck(const AVPacket& packet);
  enum class RestartRule { kNone, kIdr, kKeyFrame };
  bool IsRestartPoint(const AVPacket& packet) const;
  double PacketTime(const AVPacket& packet) const;
  // Notes restart points; false when the packet comes before the start
  // point and is not to be decoded.
  bool TrackRestartPoints(const AVPacket& packet);
  // The recheck period a time falls in.
  double PeriodOf(double t) const { return std::floor(t / options_.b_recheck_period_s); }

  std::string path_;
  VideoReadOptions options_;
  std::unique_ptr<MemoryIo> io_;  // memory sources; outlives fmt_
  FormatContextPtr fmt_;
  CodecContextPtr codec_;
  FramePtr frame_;
  PacketPtr packet_;
  SwsPtr sws_;
  int sws_w_ = 0, sws_h_ = 0, sws_fmt_ = -1, sws_ow_ = 0, sws_oh_ = 0;
  int lowres_ = 0;                  // the decoder's size reduction, log2
  int full_width_ = 0, full_height_ = 0;  // the stream's size before it
  int stream_ = -1;
  double time_base_ = 0;
  double duration_s_ = 0;
  double fps_ = 0;
  double first_time_ = std::numeric_limits<double>::quiet_NaN();
  int64_t next_cell_ = std::numeric_limits<int64_t>::min();
  int64_t decoded_ = 0;
  // Intra-only codecs (every frame a key frame): packets of grid cells that
  // already have a frame are not decoded at all.
  bool drop_unsampled_packets_ = false;
  int64_t next_packet_cell_ = std::numeric_limits<int64_t>::min();
  int bad_frames_ = 0;  // damaged frames in a row
  bool flushing_ = false, done_ = false;
  std::chrono::steady_clock::time_point deadline_;
  // skip_unused_b_references: the decoder skipping every B-frame, while it
  // is on probation; digests of the luma of I- and P-frames (by timestamp)
  // that one decoder returned and the other has not yet.
  CodecContextPtr probe_;
  FramePtr probe_frame_;
  std::map<int64_t, uint64_t> main_digests_, probe_digests_;
  bool saw_b_reference_ = false;
  int probe_matches_ = 0;
  bool skipping_b_references_ = false;
  bool b_probing_ = false;     // the probe ran from the start; it is rerun
  int nal_length_size_ = 0;    // see NalLengthSize
  uint64_t sps_digest_ = 0;    // the sequence parameter sets last seen
  bool sps_changed_ = false;   // since the probe last started
  double last_probe_s_ = std::numeric_limits<double>::quiet_NaN();  // stream time the probe last started at (or the first packet's)
  int64_t probe_start_ = 0;    // decoded_ then
  bool rechecking_ = false;    // draining the skipping decoder for RestartProbe
  PacketPtr held_;             // the IDR packet decoding restarts from
  RestartRule restart_rule_ = RestartRule::kNone;
  double start_time_s_ = 0;
  double start_point_s_ = std::numeric_limits<double>::quiet_NaN();
  double boundary_point_s_ = std::numeric_limits<double>::quiet_NaN();
  uint64_t boundary_sps_ = 0, first_sps_ = 0;
  bool first_sps_at_start_ = false;
  bool at_start_packet_ = false;  // the packet being handled is the start point's
};

// The probe of skip_unused_b_references: frames to compare, and how long to try.
inline constexpr int kBProbeMatches = 12;
inline constexpr int64_t kBProbeMaxFrames = 400;
inline constexpr int64_t kBProbeNoBFrames = 32;  // none of them a B-frame: no probe

}  // namespace uncut

#endif  // UNCUT_DECODE_VIDEO_READER_H_

// Streaming audio decoding to mono floats at a chosen sample rate
// (libswresample), for audio files and the sound of video files.
#ifndef UNCUT_DECODE_AUDIO_READER_H_
#define UNCUT_DECODE_AUDIO_READER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"

namespace uncut {

// Sample rates above this are refused as damaged or hostile (studio audio
// goes to 384 kHz).
inline constexpr int kMaxSampleRate = 768000;

struct AudioReadOptions {
  int sample_rate = 8000;
  // Watchdog: give up when decoding takes longer than this (0: 60 s plus 5x
  // the duration, capped by the file's size; see DecodeBudgetSeconds).
  double max_decode_seconds = 0;
  // Trust the container's header for the sound's parameters (see
  // OpenInput): for reading a range of a file already known to decode.
  bool trust_header = false;
};

class AudioReader {
 public:
  static absl::StatusOr<std::unique_ptr<AudioReader>> Open(const std::string& path,
                                                           const AudioReadOptions& options);
  static absl::StatusOr<std::unique_ptr<AudioReader>> Open(const MediaSource& source,
                                                           const AudioReadOptions& options);
  // Appends the next decoded samples to *out, about `chunk` of them (more
  // or fewer as the codec's frames fall); returns false at the end.
  absl::StatusOr<bool> Read(std::vector<float>* out, size_t chunk = 65536);
  // Moves to the last point at or before `t` (seconds of the file's time
  // line) that decoding can start from; start_s() then gives the time of the
  // first sample the next Read returns.
  absl::Status Seek(double t);
  // Seek(t), then drops decoded samples up to the first whose index counted
  // from `origin_s` (the time of the sound's first sample) is a multiple of
  // input rate / gcd(input rate, output rate): the resampler then starts
  // where an output sample falls on an input sample, as it does reading
  // from the start, and its output joins that of a read from the start,
  // bit for bit once its filter has filled (audio/peak_chunks.h). Reading
  // fails when the stream's timestamps are coarser than a sample.
  absl::Status SeekAligned(double t, double origin_s);
  // The sound's sample rate in the file.
  int input_sample_rate() const;
  double duration_s() const { return duration_s_; }
  const std::string& path() const { return path_; }
  int sample_rate() const { return options_.sample_rate; }
  // Time of the first sample (since opening, or the last Seek) in the file's
  // own time line; known once Read has returned samples.
  double start_s() const { return start_s_; }

 private:
  AudioReader() = default;
  absl::Status Drain(std::vector<float>* out, bool flush);
  absl::Status ConfigureResampler(const AVFrame* frame);
  void FlushResampler(std::vector<float>* out);
  // SeekAligned: how many of the frame's samples to drop.
  absl::StatusOr<int> AlignmentSkip(const AVFrame& frame) const;

  std::string path_;
  AudioReadOptions options_;
  std::unique_ptr<MemoryIo> io_;  // memory sources; outlives fmt_
  FormatContextPtr fmt_;
  CodecContextPtr codec_;
  SwrPtr swr_;
  FramePtr frame_;
  PacketPtr packet_;
  int bad_frames_ = 0;                                     // damaged frames in a row
  int swr_channels_ = 0, swr_format_ = -1, swr_rate_ = 0;  // what swr_ converts from
  int stream_ = -1;
  double duration_s_ = 0, start_s_ = 0;
  bool flushing_ = false, done_ = false, started_ = false;
  bool aligning_ = false;  // SeekAligned: the first samples are still to be dropped
  double align_origin_s_ = 0;
  std::chrono::steady_clock::time_point deadline_;
};

// Decodes a whole file (for short clips and tests).
absl::StatusOr<std::vector<float>> DecodeAudio(const std::string& path, int sample_rate);

// The sound of an open reader's file from t0 to t1 (seconds of its time
// line), at the reader's sample rate, for reading several ranges of one file: seeks
// (twice at most, the second well before t0, for containers that seek by
// estimate), never decodes from the beginning. *start receives the time of
// the first sample returned (t0, or the file's first sample when t0 lies
// before it). Fails when the reader cannot seek or its seeks land after t0.
absl::StatusOr<std::vector<float>> DecodeAudioRange(AudioReader* reader, double t0, double t1,
                                                    double* start);

// Mono samples at `in_rate` resampled to `out_rate` (libswresample), e.g. to
// play a sound back at another speed by reading the result at `in_rate`.
absl::StatusOr<std::vector<float>> ResampleMono(const std::vector<float>& samples, int in_rate,
                                                int out_rate);

}  // namespace uncut

#endif  // UNCUT_DECODE_AUDIO_READER_H_

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
};

class AudioReader {
 public:
  static absl::StatusOr<std::unique_ptr<AudioReader>> Open(const std::string& path,
                                                           const AudioReadOptions& options);
  static absl::StatusOr<std::unique_ptr<AudioReader>> Open(const MediaSource& source,
                                                           const AudioReadOptions& options);
  // Appends the next decoded samples to *out; returns false at the end.
  absl::StatusOr<bool> Read(std::vector<float>* out);
  double duration_s() const { return duration_s_; }
  // Time of the first sample in the file's own time line.
  double start_s() const { return start_s_; }

 private:
  AudioReader() = default;
  absl::Status Drain(std::vector<float>* out, bool flush);
  absl::Status ConfigureResampler(const AVFrame* frame);
  void FlushResampler(std::vector<float>* out);

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
  std::chrono::steady_clock::time_point deadline_;
};

// Decodes a whole file (for short clips and tests).
absl::StatusOr<std::vector<float>> DecodeAudio(const std::string& path, int sample_rate);

}  // namespace uncut

#endif  // UNCUT_DECODE_AUDIO_READER_H_

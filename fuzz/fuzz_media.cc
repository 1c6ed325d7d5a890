// libFuzzer target for the demux/decode path: bytes are read from memory
// through a custom AVIOContext, probed, and decoded by the video and audio
// readers (and the frame grabber, which seeks), with tight watchdogs.
// Checks that every frame has the size it claims and that probe results
// always serialise to JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/audio_reader.h"
#include "decode/frame_grabber.h"
#include "decode/media_info.h"
#include "decode/video_reader.h"

namespace {

constexpr double kWatchdogS = 2.0;
constexpr int kMaxFrames = 300;
constexpr size_t kMaxSamples = 8000 * 120;
constexpr int64_t kMaxPixels = int64_t{4096} * 4096;

void DecodeVideo(const uncut::MediaSource& src) {
  uncut::VideoReadOptions o;
  o.max_side = 64;
  o.max_decode_seconds = kWatchdogS;
  o.max_pixels = kMaxPixels;
  o.relative_time = true;
  auto reader = uncut::VideoReader::Open(src, o);
  if (!reader.ok()) return;
  uncut::VideoFrame f;
  for (int i = 0; i < kMaxFrames; ++i) {
    auto got = (*reader)->Next(&f);
    if (!got.ok() || !*got) break;
    if (f.width <= 0 || f.height <= 0 || f.width > 64 || f.height > 64 ||
        f.pixels.size() != static_cast<size_t>(f.width) * f.height * f.channels) {
      __builtin_trap();
    }
  }
}

void DecodeAudio(const uncut::MediaSource& src) {
  uncut::AudioReadOptions o;
  o.max_decode_seconds = kWatchdogS;
  auto reader = uncut::AudioReader::Open(src, o);
  if (!reader.ok()) return;
  std::vector<float> samples;
  while (samples.size() < kMaxSamples) {
    auto more = (*reader)->Read(&samples);
    if (!more.ok() || !*more) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  uncut::MediaSource src = uncut::MediaSource::Memory("fuzz-input", bytes);
  auto info = uncut::ProbeMedia(src);
  if (!info.ok()) return 0;
  (void)info->ToJson().dump();  // throws (and so fails) on invalid UTF-8
  if (info->has_video()) {
    DecodeVideo(src);
    uncut::FrameGrabOptions g;
    g.max_side = 32;
    g.quality = 20;
    g.max_decode_seconds = kWatchdogS;
    g.max_pixels = kMaxPixels;
    (void)uncut::GrabFrames(src, {0.0, 0.5, 30.0}, g);
  }
  if (info->has_audio()) DecodeAudio(src);
  return 0;
}

// Decoding from files and from memory, the watchdog and the size limit,
// probe tags, JPEG frames at chosen times. Inputs are made with ffmpeg.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "decode/audio_reader.h"
#include "decode/frame_grabber.h"
#include "decode/jpeg_encoder.h"
#include "decode/media_info.h"
#include "decode/video_reader.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::Ffmpeg;

// Three seconds: red, then green, then blue; a tone throughout.
class DecodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    video_ = dir_->File("rgb.mp4");
    std::string err = Ffmpeg(
        "-f lavfi -i color=c=red:size=96x64:rate=10:duration=1 "
        "-f lavfi -i color=c=lime:size=96x64:rate=10:duration=1 "
        "-f lavfi -i color=c=blue:size=96x64:rate=10:duration=1 "
        "-f lavfi -i sine=frequency=500:sample_rate=16000:duration=3 "
        "-filter_complex '[0][1][2]concat=n=3:v=1:a=0[v]' -map '[v]' -map 3 "
        "-c:v libx264 -preset ultrafast -g 10 -pix_fmt yuv420p -c:a aac "
        "-metadata creation_time=2024-05-01T12:00:00Z -metadata title=Colours " +
        testing::ShellQuote(video_));
    ASSERT_EQ(err, "");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string Bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  // The mean colour of a JPEG picture, decoded with the same readers.
  static std::array<int, 3> MeanColour(const std::string& jpeg) {
    VideoReadOptions o;
    o.rgb = true;
    auto r = VideoReader::Open(MediaSource::Memory("frame.jpg", jpeg), o);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {0, 0, 0};
    VideoFrame f;
    auto got = (*r)->Next(&f);
    EXPECT_TRUE(got.ok() && *got);
    std::array<long, 3> sum = {0, 0, 0};
    for (size_t i = 0; i < f.pixels.size(); ++i) sum[i % 3] += f.pixels[i];
    long n = std::max<long>(1, f.pixels.size() / 3);
    return {int(sum[0] / n), int(sum[1] / n), int(sum[2] / n)};
  }

  static testing::TempDir* dir_;
  static std::string video_;
};

testing::TempDir* DecodeTest::dir_ = nullptr;
std::string DecodeTest::video_;

TEST_F(DecodeTest, ProbesDurationStreamsAndTags) {
  auto info = ProbeMedia(video_);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_NEAR(info->duration_s, 3.0, 0.1);
  ASSERT_TRUE(info->has_video());
  ASSERT_TRUE(info->has_audio());
  EXPECT_EQ(info->streams[0].width, 96);
  EXPECT_EQ(info->streams[0].height, 64);
  EXPECT_EQ(info->tags.at("title"), "Colours");
  EXPECT_EQ(info->tags.at("creation_time").substr(0, 19), "2024-05-01T12:00:00");
}

TEST_F(DecodeTest, MemorySourceDecodesLikeTheFile) {
  std::string bytes = Bytes(video_);
  auto from_memory = ProbeMedia(MediaSource::Memory("in-memory.mp4", bytes));
  ASSERT_TRUE(from_memory.ok()) << from_memory.status();
  EXPECT_NEAR(from_memory->duration_s, 3.0, 0.1);
  auto count = [](const MediaSource& src) {
    auto r = VideoReader::Open(src, VideoReadOptions());
    EXPECT_TRUE(r.ok()) << r.status();
    int n = 0;
    VideoFrame f;
    while (r.ok()) {
      auto got = (*r)->Next(&f);
      if (!got.ok() || !*got) break;
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count(MediaSource::File(video_)), 30);
  EXPECT_EQ(count(MediaSource::Memory("in-memory.mp4", bytes)), 30);
  auto audio = AudioReader::Open(MediaSource::Memory("in-memory.mp4", bytes), AudioReadOptions());
  ASSERT_TRUE(audio.ok()) << audio.status();
  std::vector<float> samples;
  while (true) {
    auto more = (*audio)->Read(&samples);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
  }
  EXPECT_NEAR(samples.size() / 8000.0, 3.0, 0.1);
}

TEST_F(DecodeTest, WatchdogStopsDecodingAndNamesTheFile) {
  VideoReadOptions vo;
  vo.max_decode_seconds = 1e-9;
  auto v = VideoReader::Open(video_, vo);
  ASSERT_TRUE(v.ok()) << v.status();
  VideoFrame f;
  absl::StatusOr<bool> got = true;
  while (got.ok() && *got) got = (*v)->Next(&f);
  ASSERT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(got.status().message(), video_ + ": decoding took too long; giving up");

  AudioReadOptions ao;
  ao.max_decode_seconds = 1e-9;
  auto a = AudioReader::Open(video_, ao);
  ASSERT_TRUE(a.ok()) << a.status();
  std::vector<float> samples;
  EXPECT_EQ((*a)->Read(&samples).status().code(), absl::StatusCode::kDeadlineExceeded);
}

// Reading a tone resampled from 16 kHz to 10 kHz at 16 kHz plays it 1.6x
// slower and lower: what undoing a tape-speed change relies on.
TEST(ResampleMono, KeepsTheToneAndScalesTheLength) {
  std::vector<float> tone(16000);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = std::sin(2 * M_PI * 1000.0 * i / 16000.0);
  auto out = ResampleMono(tone, 16000, 10000);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NEAR(static_cast<double>(out->size()), 10000.0, 20.0);
  // Rising zero crossings away from the edges: 1,000 a second of the tone.
  int rising = 0;
  for (size_t i = 1000; i + 1 < 9000; ++i) rising += (*out)[i] <= 0 && (*out)[i + 1] > 0;
  EXPECT_NEAR(rising, 800, 2);  // 0.8 s of the tone
  EXPECT_FALSE(ResampleMono(tone, 16000, 0).ok());
}

TEST(VideoReader, RefusesAnEnormousDeclaredResolution) {
  testing::TempDir dir;
  // FFmpeg accepts 12000x9000; uncut's limit (8192x8192) does not.
  std::string path =
      dir.Write("huge.y4m", "YUV4MPEG2 W12000 H9000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" +
                                std::string(4096, '\x80'));
  auto r = VideoReader::Open(path, VideoReadOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), path + ": video frame size 12000x9000 exceeds the limit");
  // Beyond what FFmpeg accepts, its own reason is given.
  std::string absurd = dir.Write("absurd.y4m", "YUV4MPEG2 W40000 H30000 F25:1 Ip A1:1 C420jpeg\n");
  r = VideoReader::Open(absurd, VideoReadOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), absurd + ": cannot open: Picture size 40000x30000 is invalid");
}

TEST(ProbeMedia, NamesTheFileAndTheReasonForBytesThatAreNoMedia) {
  testing::TempDir dir;
  std::string path = dir.Write("notes.mp4", "These are notes, not a video.\n");
  auto info = ProbeMedia(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            path + ": not a media file FFmpeg can read (unknown or damaged format)");
  auto empty = ProbeMedia(MediaSource::Memory("nothing.mp4", ""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message().substr(0, 13), "nothing.mp4: ");
}

TEST(ProbeMedia, ReplacesTagBytesThatAreNotUtf8) {
  testing::TempDir dir;
  std::string path = dir.File("tagged.mkv");
  ASSERT_EQ(Ffmpeg("-f lavfi -i sine=duration=0.5 -metadata title=\"$(printf 'caf\\351 \\377')\" " +
                   testing::ShellQuote(path)),
            "");
  auto info = ProbeMedia(path);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->tags.at("title"), "caf\xEF\xBF\xBD \xEF\xBF\xBD");
  EXPECT_NO_THROW(info->ToJson().dump());
}

TEST_F(DecodeTest, GrabsTheFrameOnScreenAtEachTime) {
  FrameGrabOptions o;
  for (bool memory : {false, true}) {
    std::string bytes = Bytes(video_);
    MediaSource src = memory ? MediaSource::Memory("rgb.mp4", bytes) : MediaSource::File(video_);
    // Out of order, and one past the end (the last frame answers).
    auto jpegs = GrabFrames(src, {2.5, 0.5, 1.5, 9.0}, o);
    ASSERT_TRUE(jpegs.ok()) << jpegs.status();
    ASSERT_EQ(jpegs->size(), 4u);
    for (const std::string& j : *jpegs) {
      ASSERT_GT(j.size(), 4u);
      EXPECT_EQ(j.substr(0, 2), "\xff\xd8");
    }
    auto blue = MeanColour((*jpegs)[0]), red = MeanColour((*jpegs)[1]),
         green = MeanColour((*jpegs)[2]), last = MeanColour((*jpegs)[3]);
    EXPECT_GT(red[0], 200);
    EXPECT_LT(red[1], 60);
    EXPECT_GT(green[1], 200);
    EXPECT_LT(green[0], 60);
    EXPECT_GT(blue[2], 200);
    EXPECT_LT(blue[0], 60);
    EXPECT_GT(last[2], 200);
  }
}

TEST_F(DecodeTest, EncodesSmallJpegsOfTheRequestedSize) {
  FrameGrabOptions o;
  o.max_side = 48;
  o.relative_time = true;
  auto jpegs = GrabFrames(MediaSource::File(video_), {0.2}, o);
  ASSERT_TRUE(jpegs.ok()) << jpegs.status();
  auto info = ProbeMedia(MediaSource::Memory("frame.jpg", (*jpegs)[0]));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->streams[0].width, 48);
  EXPECT_EQ(info->streams[0].height, 32);
  VideoFrame grey;
  grey.width = 2;
  grey.height = 2;
  grey.pixels.assign(4, 0);
  EXPECT_FALSE(EncodeJpeg(grey).ok());
}

std::string Fixture(const std::string& name) {
  std::string here = __FILE__;  // .../src/decode/decode_test.cc
  return here.substr(0, here.rfind("/src/decode/")) + "/tests/fixtures/media/" + name;
}

// Found by fuzz/run.sh: AAC frames whose channel layout and rate change
// midway were resampled as if they had the first frame's.
TEST(AudioReader, FramesThatChangeTheirLayoutMidwayAreResampledSafely) {
  std::string path = Fixture("fuzz-audio-layout-change.ts");
  auto reader = AudioReader::Open(path, AudioReadOptions());
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<float> samples;
  absl::StatusOr<bool> more = true;
  while (more.ok() && *more) more = (*reader)->Read(&samples);
  EXPECT_TRUE(more.ok()) << more.status();
  EXPECT_GT(samples.size(), 0u);
}

// A rising tone (no two stretches alike), lossless and as AAC in MP4: a
// range decoded after a seek holds the samples the whole decode has at
// those times.
TEST(DecodeAudioRange, ReturnsTheWholeDecodesSamplesAtTheRequestedTimes) {
  testing::TempDir dir;
  for (const char* name : {"chirp.flac", "chirp.m4a"}) {
    const std::string path = dir.File(name);
    ASSERT_EQ(Ffmpeg("-f lavfi -i 'aevalsrc=0.5*sin(2*PI*(200+150*t)*t):s=16000:d=6' " +
                     testing::ShellQuote(path)),
              "");
    auto whole = DecodeAudio(path, 8000);
    ASSERT_TRUE(whole.ok()) << whole.status();
    AudioReadOptions o;
    o.sample_rate = 8000;
    auto reader = AudioReader::Open(path, o);
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::vector<float> probe;
    ASSERT_TRUE((*reader)->Read(&probe).ok());
    const double whole_start = (*reader)->start_s();
    // Later ranges first, then an earlier one: the reader seeks back too.
    for (const auto& [t0, t1] : {std::pair{3.3, 4.1}, {1.25, 2.0}, {4.5, 5.5}}) {
      double start = -1;
      auto range = DecodeAudioRange(reader->get(), t0, t1, &start);
      ASSERT_TRUE(range.ok()) << range.status();
      EXPECT_NEAR(start, t0, 1.0 / 8000) << name;
      EXPECT_NEAR(start + range->size() / 8000.0, t1, 2.0 / 8000) << name;
      const long at = std::lround((start - whole_start) * 8000);
      ASSERT_GE(at, 0);
      ASSERT_LE(at + static_cast<long>(range->size()), static_cast<long>(whole->size()));
      // The resampler and the codec settle within a few milliseconds of
      // where decoding began.
      double err = 0, energy = 0;
      for (size_t i = 80; i < range->size(); ++i) {
        const double d = (*range)[i] - (*whole)[at + i];
        err += d * d;
        energy += (*range)[i] * (*range)[i];
      }
      EXPECT_GT(energy, 100.0) << name;
      EXPECT_LT(err, energy * 1e-3) << name << " at " << t0;
    }
  }
}

// Found by fuzz/run.sh: a 536-byte WAV declaring 134 MHz made the
// resampler take seconds and hundreds of MB to set up.
TEST(AudioReader, RefusesAnAbsurdSampleRateAtOnce) {
  std::string path = Fixture("fuzz-absurd-sample-rate.wav");
  auto info = ProbeMedia(path);
  ASSERT_TRUE(info.ok()) << info.status();
  auto reader = AudioReader::Open(path, AudioReadOptions());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(), path + ": audio sample rate 134225728 Hz is implausible");
}

// Found by fuzz/run.sh: a VP8 stream whose frames turn 1 pixel wide and
// 8192 high. Scaling them, swscale wrote a few bytes past the end of the
// picture (caught by AddressSanitizer as a corrupted heap); pictures now
// carry padding.
TEST(VideoReader, ScalesAOnePixelWideFrameWithinItsBuffer) {
  std::string path = Fixture("fuzz-one-pixel-wide.webm");
  for (int round = 0; round < 20; ++round) {
    for (bool rgb : {false, true}) {
      VideoReadOptions o;
      o.max_side = rgb ? 32 : 64;
      o.rgb = rgb;
      auto reader = VideoReader::Open(path, o);
      ASSERT_TRUE(reader.ok()) << reader.status();
      VideoFrame f;
      absl::StatusOr<bool> got = true;
      while (got.ok() && *got) {
        got = (*reader)->Next(&f);
        if (got.ok() && *got) {
          ASSERT_EQ(f.pixels.size(), static_cast<size_t>(f.width) * f.height * f.channels);
        }
      }
    }
  }
}

// Every frame a reader returns, by timestamp.
std::map<double, std::vector<uint8_t>> ReadAll(const std::string& path, const VideoReadOptions& o,
                                               bool* skipped_b_references, int64_t* decoded) {
  std::map<double, std::vector<uint8_t>> out;
  auto reader = VideoReader::Open(path, o);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  VideoFrame f;
  while (true) {
    auto got = (*reader)->Next(&f);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok() || !*got) break;
    out[f.time_s] = f.pixels;
  }
  if (skipped_b_references) *skipped_b_references = (*reader)->skipping_b_references();
  if (decoded) *decoded = (*reader)->decoded_frames();
  return out;
}

// Moving test pictures with B-frames in a pyramid (every second B-frame a
// reference), encoded with `x264_options`.
std::string PyramidVideo(const testing::TempDir& dir, const std::string& name,
                         const std::string& x264_options) {
  std::string path = dir.File(name);
  std::string err = Ffmpeg(
      "-f lavfi -i testsrc2=size=192x108:rate=25:duration=8 -vf noise=alls=12:allf=t "
      "-c:v libx264 " + x264_options + " -pix_fmt yuv420p " + testing::ShellQuote(path));
  EXPECT_EQ(err, "");
  return path;
}

VideoReadOptions SamplingOptions(bool skip_unused_b_references) {
  VideoReadOptions o;
  o.sample_fps = 3;
  o.max_side = 96;
  o.skip_nonreference = true;
  o.skip_unused_b_references = skip_unused_b_references;
  o.min_b_probe_duration_s = 0;
  return o;
}

TEST(VideoReader, SkipsPyramidBFramesThatNoFramePredictsFromAndReturnsExactFrames) {
  testing::TempDir dir;
  // x264's fast presets predict P-frames from the previous P-frame only.
  std::string path = PyramidVideo(dir, "pyramid-ref1.mp4",
                                  "-preset ultrafast -x264-params bframes=3:b-pyramid=normal");
  bool skipped = false;
  int64_t decoded = 0, decoded_before = 0;
  auto fewer = ReadAll(path, SamplingOptions(true), &skipped, &decoded);
  ReadAll(path, SamplingOptions(false), nullptr, &decoded_before);
  EXPECT_TRUE(skipped);
  EXPECT_LT(decoded, decoded_before * 3 / 4);  // a reference B-frame in every four frames
  EXPECT_GE(fewer.size(), 22u);                // still a frame for (almost) every cell of 8 s
  // Every frame returned is the full decode's frame of that time, bit for bit.
  VideoReadOptions exact;
  exact.max_side = 96;
  auto all = ReadAll(path, exact, nullptr, nullptr);
  for (const auto& [t, pixels] : fewer) {
    auto it = all.find(t);
    ASSERT_NE(it, all.end()) << t;
    EXPECT_EQ(it->second, pixels) << "frame at " << t << " s";
  }
}

TEST(VideoReader, KeepsDecodingReferenceBFramesThatPFramesPredictFrom) {
  testing::TempDir dir;
  // With three reference frames, x264 predicts P-frames from pyramid B-frames too.
  std::string path = PyramidVideo(dir, "pyramid-ref3.mp4",
                                  "-preset medium -x264-params bframes=3:b-pyramid=normal:ref=3");
  bool skipped = true;
  auto probed = ReadAll(path, SamplingOptions(true), &skipped, nullptr);
  auto before = ReadAll(path, SamplingOptions(false), nullptr, nullptr);
  EXPECT_FALSE(skipped);
  EXPECT_EQ(probed, before);
}

// A stream joined from two differently encoded parts: B-frames that no
// frame predicts from in the first, B-frames that P-frames predict from in
// the second. The skipping found safe on the first part must stop at the
// second's IDR frame.
TEST(VideoReader, ProbesAgainWhereAJoinedStreamChangesHowItPredicts) {
  testing::TempDir dir;
  const std::string safe = dir.File("ref1.ts"), unsafe = dir.File("ref3.ts");
  const std::string source = "-f lavfi -i testsrc2=size=192x108:rate=25:duration=8 -vf noise=alls=12:allf=t ";
  ASSERT_EQ(Ffmpeg(source + "-c:v libx264 -preset ultrafast -x264-params bframes=3:b-pyramid=normal "
                   "-pix_fmt yuv420p " + safe), "");
  ASSERT_EQ(Ffmpeg(source + "-c:v libx264 -preset medium -x264-params bframes=3:b-pyramid=normal:ref=3 "
                   "-pix_fmt yuv420p " + unsafe), "");
  const std::string list = dir.File("parts.txt");
  {
    FILE* f = std::fopen(list.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "file '%s'\nfile '%s'\n", safe.c_str(), unsafe.c_str());
    std::fclose(f);
  }
  const std::string path = dir.File("joined.ts");
  ASSERT_EQ(Ffmpeg("-f concat -safe 0 -i " + list + " -c copy " + path), "");
  // Each part on its own, as a check of the fixture: the probe finds the
  // first part's B-frames unused, the second's used.
  bool skipped = false;
  ReadAll(safe, SamplingOptions(true), &skipped, nullptr);
  ASSERT_TRUE(skipped);
  ReadAll(unsafe, SamplingOptions(true), &skipped, nullptr);
  ASSERT_FALSE(skipped);

  auto fewer = ReadAll(path, SamplingOptions(true), &skipped, nullptr);
  EXPECT_FALSE(skipped);  // at the end, the second part's B-frames are decoded
  VideoReadOptions exact;
  exact.max_side = 96;
  auto all = ReadAll(path, exact, nullptr, nullptr);
  ASSERT_GT(all.size(), 350u);
  // Every frame returned is the full decode's frame of that time, bit for
  // bit, and no cell of the sampling grid is left without a frame it had
  // with the B-frames decoded.
  auto before = ReadAll(path, SamplingOptions(false), nullptr, nullptr);
  std::set<int64_t> cells, cells_before;
  for (const auto& [t, pixels] : fewer) {
    auto it = all.find(t);
    ASSERT_NE(it, all.end()) << t;
    EXPECT_EQ(it->second, pixels) << "frame at " << t << " s";
    cells.insert(std::llround(t * 3));
  }
  for (const auto& [t, pixels] : before) cells_before.insert(std::llround(t * 3));
  EXPECT_EQ(cells, cells_before);
}

}  // namespace
}  // namespace uncut

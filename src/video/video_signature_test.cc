// Fingerprinting a source video: the fast decoding paths (skipped frames,
// reduced resolution, decoder threads, undecoded intra-only packets)
// against a full decode of every frame.
#include "video/video_signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "base/strings.h"
#include "decode/video_reader.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// Twelve seconds of 1280x720 at 25 frames a second, three scenes that move,
// coded as `codec_args` says.
std::string MakeClip(const std::string& path, const std::string& codec_args) {
  return testing::Ffmpeg(StrCat(
      "-f lavfi -i testsrc2=size=1280x720:rate=25,trim=duration=4 "
      "-f lavfi -i cellauto=size=1280x720:rate=25:rule=110:seed=3,trim=duration=4 "
      "-f lavfi -i smptehdbars=size=1280x720:rate=25,rotate=a=t*0.6:fillcolor=navy,trim=duration=4 "
      "-filter_complex '[0][1][2]concat=n=3:v=1:a=0,format=yuv420p[v]' -map '[v]' ",
      codec_args, " ", testing::ShellQuote(path)));
}

class VideoSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    error_ = MakeClip(Mpeg4(), "-c:v mpeg4 -q:v 5 -g 50 -bf 2");
    if (error_.empty()) error_ = MakeClip(H264(), "-c:v libx264 -preset veryfast -crf 26 -g 50");
    if (error_.empty()) error_ = MakeClip(Mjpeg(), "-t 6 -c:v mjpeg -q:v 8");
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_EQ(error_, "") << "making the test media failed"; }

  static std::string Mpeg4() { return dir_->File("scenes-mpeg4.avi"); }
  static std::string H264() { return dir_->File("scenes-h264.mp4"); }
  static std::string Mjpeg() { return dir_->File("scenes-mjpeg.mkv"); }

  static VideoSignature Sign(const std::string& path, const VideoSignOptions& o) {
    auto sig = SignVideo(path, o);
    EXPECT_TRUE(sig.ok()) << sig.status();
    return sig.ok() ? *sig : VideoSignature();
  }

  static testing::TempDir* dir_;
  static std::string error_;
};

testing::TempDir* VideoSignatureTest::dir_ = nullptr;
std::string VideoSignatureTest::error_;

TEST_F(VideoSignatureTest, ReducedResolutionDecodesMjpegAtAQuarterOfItsSize) {
  VideoReadOptions o;
  o.max_side = VideoSignOptions().max_side;
  o.reduced_resolution = true;
  auto reader = VideoReader::Open(Mjpeg(), o);
  ASSERT_TRUE(reader.ok()) << reader.status();
  // 1280 / 4 = 320, just the size the fingerprint scales to.
  EXPECT_EQ((*reader)->width(), 320);
  EXPECT_EQ((*reader)->height(), 180);
  VideoFrame f;
  auto got = (*reader)->Next(&f);
  ASSERT_TRUE(got.ok() && *got) << got.status();
  EXPECT_EQ(f.width, 320);
  EXPECT_EQ(f.height, 180);
}

// Predicted pictures would drift at reduced size: MPEG-4 Part 2 could be
// reduced, but is decoded in full.
TEST_F(VideoSignatureTest, ReducedResolutionLeavesInterCodedVideoAtFullSize) {
  VideoReadOptions o;
  o.max_side = VideoSignOptions().max_side;
  o.reduced_resolution = true;
  auto reader = VideoReader::Open(Mpeg4(), o);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->width(), 1280);
  EXPECT_EQ((*reader)->height(), 720);
}

// The reduced decode's hashes differ from the full decode's by a few bits a
// frame (measured: mean 2.7, at most 12 of 256 on such a clip); matching
// accepts 48.
TEST_F(VideoSignatureTest, ReducedResolutionKeepsEveryFrameAndItsHashClose) {
  VideoSignOptions full, fast;
  full.reduced_resolution = false;
  fast.reduced_resolution = true;
  VideoSignature a = Sign(Mjpeg(), full), b = Sign(Mjpeg(), fast);
  ASSERT_EQ(a.frames.size(), b.frames.size());
  ASSERT_GE(a.frames.size(), 15u);
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  double sum = 0;
  int worst = 0;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].cell, b.frames[i].cell);
    EXPECT_FLOAT_EQ(a.frames[i].time_s, b.frames[i].time_s);
    int d = Hamming(a.frames[i].main, b.frames[i].main);
    sum += d;
    worst = std::max(worst, d);
    EXPECT_NEAR(a.frames[i].main_quality, b.frames[i].main_quality, 15) << "frame " << i;
  }
  EXPECT_LE(sum / a.frames.size(), 8.0);
  EXPECT_LE(worst, 32);
}

TEST_F(VideoSignatureTest, DecoderThreadsChangeNoHash) {
  VideoSignOptions one, all;
  one.threads = 1;
  all.threads = 0;
  for (const std::string& path : {H264(), Mpeg4()}) {
    VideoSignature a = Sign(path, one), b = Sign(path, all);
    ASSERT_EQ(a.frames.size(), b.frames.size()) << path;
    for (size_t i = 0; i < a.frames.size(); ++i) {
      EXPECT_EQ(a.frames[i].cell, b.frames[i].cell) << path << " frame " << i;
      EXPECT_EQ(a.frames[i].main, b.frames[i].main) << path << " frame " << i;
      EXPECT_EQ(a.frames[i].zoom, b.frames[i].zoom) << path << " frame " << i;
    }
  }
}

// What the index stores is what a full decode of every frame gives, up to
// the sampling: skipped frames move a cell's frame by at most two frames.
TEST_F(VideoSignatureTest, DefaultDecodingSamplesEveryCellNearItsTime) {
  VideoSignOptions exact;
  exact.skip_nonreference = exact.skip_loop_filter = exact.reduced_resolution = false;
  exact.threads = 1;
  for (const std::string& path : {H264(), Mpeg4()}) {
    VideoSignature a = Sign(path, exact), b = Sign(path, VideoSignOptions());
    ASSERT_EQ(a.frames.size(), b.frames.size()) << path;
    for (size_t i = 0; i < a.frames.size(); ++i) {
      EXPECT_EQ(a.frames[i].cell, b.frames[i].cell) << path;
      EXPECT_NEAR(a.frames[i].time_s, b.frames[i].time_s, 2.5 / 25) << path;
    }
  }
}

// MJPEG: every frame is a key frame, so the frames the grid does not take
// need not be decoded; the ones it takes are the same.
TEST_F(VideoSignatureTest, IntraOnlyVideoDecodesOnlyTheFramesTheGridTakes) {
  const std::string mjpeg = Mjpeg();
  VideoReadOptions every;
  every.max_side = 320;
  VideoReadOptions grid = every;
  grid.sample_fps = 3;
  auto all = VideoReader::Open(mjpeg, every);
  auto sampled = VideoReader::Open(mjpeg, grid);
  ASSERT_TRUE(all.ok() && sampled.ok());
  std::vector<VideoFrame> expected;
  int64_t next_cell = INT64_MIN;
  VideoFrame f;
  while (true) {
    auto got = (*all)->Next(&f);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) break;
    int64_t cell = static_cast<int64_t>(std::ceil(f.time_s * grid.sample_fps - 0.5));
    if (cell < next_cell) continue;
    next_cell = cell + 1;
    expected.push_back(f);
  }
  ASSERT_GE((*all)->decoded_frames(), 150);
  ASSERT_GE(expected.size(), 18u);
  size_t n = 0;
  while (true) {
    auto got = (*sampled)->Next(&f);
    ASSERT_TRUE(got.ok()) << got.status();
    if (!*got) break;
    ASSERT_LT(n, expected.size());
    EXPECT_DOUBLE_EQ(f.time_s, expected[n].time_s);
    EXPECT_TRUE(f.pixels == expected[n].pixels) << "frame at " << f.time_s;
    ++n;
  }
  EXPECT_EQ(n, expected.size());
  EXPECT_EQ((*sampled)->decoded_frames(), static_cast<int64_t>(expected.size()));
}

// The frames of every kRegionCellStep-th grid cell get region hashes, they
// survive serialization, and each region's postings are in a key space of
// its own.
TEST_F(VideoSignatureTest, RegionHashesAreStoredAndIndexedApart) {
  VideoSignature a = Sign(H264(), VideoSignOptions());
  ASSERT_GE(a.frames.size(), 30u);
  const std::string bytes = a.Serialize();
  EXPECT_EQ(bytes.substr(0, 4), "UVS2");
  auto b = VideoSignature::Parse(bytes);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->frames.size(), a.frames.size());
  size_t with_regions = 0;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].has_regions, a.frames[i].cell % kRegionCellStep == 0) << "frame " << i;
    ASSERT_EQ(b->frames[i].has_regions, a.frames[i].has_regions) << "frame " << i;
    EXPECT_EQ(b->frames[i].main, a.frames[i].main) << "frame " << i;
    if (!a.frames[i].has_regions) continue;
    ++with_regions;
    EXPECT_EQ(b->frames[i].region, a.frames[i].region) << "frame " << i;
    EXPECT_EQ(b->frames[i].region_quality, a.frames[i].region_quality) << "frame " << i;
    // The parts show other pictures than the whole.
    EXPECT_GT(Hamming(a.frames[i].region[kRegionLeft], a.frames[i].main), 48) << "frame " << i;
  }
  EXPECT_GE(with_regions * 5, a.frames.size() * 2);
  EXPECT_LE(with_regions * 5, a.frames.size() * 3);
  EXPECT_EQ(bytes.size(), 36 + a.frames.size() * (74 + 1) + with_regions * kRegionCount * 33);
  std::vector<Posting> postings = VideoPostings(a, 0);
  EXPECT_EQ(postings.size(), a.frames.size() * 16 * 2 + with_regions * 16 * kRegionCount);
  // A truncated or padded signature is refused.
  EXPECT_FALSE(VideoSignature::Parse(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(VideoSignature::Parse(bytes + "x").ok());
  const FrameSig& f = a.frames[0];
  ASSERT_TRUE(f.has_regions);
  for (int k = 0; k < kRegionCount; ++k) {
    const uint64_t key = RegionChunkKey(k, 3, f.region[k].Chunk(3));
    EXPECT_NE(key, ChunkKey(3, f.region[k].Chunk(3)));
    EXPECT_TRUE(std::any_of(postings.begin(), postings.end(), [&](const Posting& p) {
      return p.key == key && p.pos == f.cell * 2;
    })) << "region " << k;
  }
}

// Signatures written before the region hashes existed (version 1) still
// parse, without region hashes and without their postings.
TEST_F(VideoSignatureTest, SignatureWithoutRegionHashesParsesAsBefore) {
  VideoSignature a = Sign(H264(), VideoSignOptions());
  for (FrameSig& f : a.frames) f.has_regions = false;
  const std::string old = a.Serialize();
  EXPECT_EQ(old.substr(0, 4), "UVS1");
  EXPECT_EQ(old.size(), 36 + a.frames.size() * 74);
  auto b = VideoSignature::Parse(old);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->frames.size(), a.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_FALSE(b->frames[i].has_regions);
    EXPECT_EQ(b->frames[i].main, a.frames[i].main);
    EXPECT_EQ(b->frames[i].zoom, a.frames[i].zoom);
  }
  EXPECT_EQ(VideoPostings(*b, 0).size(), a.frames.size() * 32);
  // A truncated signature is refused.
  EXPECT_FALSE(VideoSignature::Parse(old.substr(0, old.size() - 1)).ok());
}

}  // namespace
}  // namespace uncut

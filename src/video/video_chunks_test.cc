// A video fingerprinted in chunks on several threads against the same video
// read whole: the same signature and postings, bit for bit, for each codec
// (H.264, HEVC, VP8, VP9, AV1; MPEG-4 Part 2 is read whole).
#include "video/video_chunks.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "decode/video_reader.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// 26 s of test pictures cut every few seconds to a fractal zoom and back
// (shot changes inside chunks and across their edges), with moving noise
// so that every frame differs from the last.
constexpr char kScenes[] =
    "-f lavfi -i testsrc2=size=192x108:rate=25:duration=26 "
    "-f lavfi -i mandelbrot=size=192x108:rate=25 "
    "-filter_complex \"[0][1]overlay=enable='lt(mod(t\\,7)\\,3)',noise=alls=12:allf=t\" "
    "-t 26 -pix_fmt yuv420p ";

// Chunk starts every 4 s of the recheck grid; the key frames 3.6 s apart
// (keyint 90), so chunk starts fall inside groups of pictures.
VideoSignOptions ShortPeriods() {
  VideoSignOptions o;
  o.min_b_probe_duration_s = 0;
  o.b_recheck_period_s = 4;
  return o;
}

std::string Make(const testing::TempDir& dir, const std::string& name, const std::string& codec) {
  const std::string path = dir.File(name);
  const std::string err = testing::Ffmpeg(std::string(kScenes) + codec + " " + path);
  EXPECT_EQ(err, "") << name;
  return err.empty() ? path : "";
}

void ExpectSameAsWhole(const std::string& path, const std::string& what, bool chunked) {
  const VideoSignOptions o = ShortPeriods();
  auto whole = SignVideo(path, o);
  ASSERT_TRUE(whole.ok()) << what << ": " << whole.status();
  ASSERT_GT(whole->frames.size(), 70u) << what;
  for (int jobs : {2, 3}) {
    ChunkedVideoOptions c;
    c.jobs = jobs;
    c.min_chunk_s = 4;
    auto got = SignVideoInChunks(path, o, c);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status();
    const std::string how = what + " on " + std::to_string(jobs) + " threads";
    if (chunked) {
      EXPECT_EQ(got->chunks, 2 * jobs) << how << ": read whole because " << got->whole_because;
    } else {
      EXPECT_EQ(got->chunks, 1) << how;
      EXPECT_NE(got->whole_because, "") << how;
    }
    EXPECT_EQ(got->signature.frames.size(), whole->frames.size()) << how;
    EXPECT_TRUE(got->signature.Serialize() == whole->Serialize()) << how;
    EXPECT_TRUE(VideoPostings(got->signature, o.min_quality) == VideoPostings(*whole, o.min_quality))
        << how;
  }
}

bool SkipsBReferences(const std::string& path) {
  VideoReadOptions o = SignReadOptions(ShortPeriods());
  auto reader = VideoReader::Open(path, o);
  if (!reader.ok()) return false;
  VideoFrame f;
  bool skipped = false;
  while ((*reader)->Next(&f).value_or(false)) skipped |= (*reader)->skipping_b_references();
  return skipped;
}

TEST(VideoChunks, GiveTheWholeReadsSignatureForH264WhoseBFramesAreSkipped) {
  testing::TempDir dir;
  // x264's fast presets predict P-frames from P-frames only: the probe
  // finds the pyramid B-frames unused and skips them.
  const std::string path =
      Make(dir, "ref1.mp4",
           "-c:v libx264 -preset ultrafast -x264-params bframes=3:b-pyramid=normal:keyint=90");
  ASSERT_FALSE(path.empty());
  ASSERT_TRUE(SkipsBReferences(path));
  ExpectSameAsWhole(path, "H.264 ref=1", true);
}

TEST(VideoChunks, GiveTheWholeReadsSignatureForH264WhoseBFramesAreReferences) {
  testing::TempDir dir;
  const std::string path =
      Make(dir, "ref3.mp4",
           "-c:v libx264 -preset medium -x264-params bframes=3:b-pyramid=normal:ref=3:keyint=90");
  ASSERT_FALSE(path.empty());
  ASSERT_FALSE(SkipsBReferences(path));
  ExpectSameAsWhole(path, "H.264 ref=3", true);
}

TEST(VideoChunks, GiveTheWholeReadsSignatureForVp9) {
  testing::TempDir dir;
  const std::string path =
      Make(dir, "scenes.webm", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 90 -b:v 300k");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "VP9", true);
}

// HEVC with closed groups of pictures (an IDR picture at each key frame).
TEST(VideoChunks, GiveTheWholeReadsSignatureForHevc) {
  testing::TempDir dir;
  const std::string path = Make(dir, "scenes.mp4",
                                "-c:v libx265 -preset ultrafast "
                                "-x265-params keyint=90:bframes=3:open-gop=0:log-level=error");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "HEVC closed GOP", true);
}

// x265's default open groups of pictures: its key frames are CRA pictures
// whose leading pictures need the frames before them, so no chunk can start
// there; the video is read whole, with the same result.
TEST(VideoChunks, ReadHevcWithOpenGroupsOfPicturesWhole) {
  testing::TempDir dir;
  const std::string path =
      Make(dir, "open.mp4",
           "-c:v libx265 -preset ultrafast -x265-params keyint=90:bframes=3:log-level=error");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "HEVC open GOP", false);
}

TEST(VideoChunks, GiveTheWholeReadsSignatureForVp8) {
  testing::TempDir dir;
  const std::string path =
      Make(dir, "scenes.webm", "-c:v libvpx -deadline realtime -cpu-used 8 -g 90 -b:v 300k");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "VP8", true);
}

TEST(VideoChunks, GiveTheWholeReadsSignatureForAv1) {
  testing::TempDir dir;
  const std::string path =
      Make(dir, "scenes.mkv", "-c:v libaom-av1 -usage realtime -cpu-used 8 -g 90");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "AV1", true);
}

// Annex B H.264 with its parameter sets in the stream, joined from two
// encodings whose B-frames the probe finds unused in the first and used in
// the second: the parameters change at the join.
TEST(VideoChunks, GiveTheWholeReadsSignatureForAJoinedTransportStream) {
  testing::TempDir dir;
  const std::string a = Make(dir, "a.ts",
                             "-c:v libx264 -preset ultrafast "
                             "-x264-params bframes=3:b-pyramid=normal:keyint=90");
  const std::string b = Make(dir, "b.ts",
                             "-c:v libx264 -preset medium "
                             "-x264-params bframes=3:b-pyramid=normal:ref=3:keyint=90");
  ASSERT_FALSE(a.empty() || b.empty());
  const std::string list = dir.File("parts.txt");
  {
    FILE* f = std::fopen(list.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "file '%s'\nfile '%s'\n", a.c_str(), b.c_str());
    std::fclose(f);
  }
  const std::string path = dir.File("joined.ts");
  ASSERT_EQ(testing::Ffmpeg("-f concat -safe 0 -i " + list + " -c copy " + path), "");
  ExpectSameAsWhole(path, "joined H.264 transport stream", true);
}

// MPEG-4 Part 2 has no frames that say nothing after them predicts from
// before them: the video is read whole, with the same result.
TEST(VideoChunks, ReadAVideoWithoutRestartPointsWhole) {
  testing::TempDir dir;
  const std::string path = Make(dir, "scenes.avi", "-c:v mpeg4 -g 90 -bf 2 -q:v 5");
  ASSERT_FALSE(path.empty());
  ExpectSameAsWhole(path, "MPEG-4 Part 2", false);
}

TEST(VideoChunks, ReadAShortVideoWhole) {
  testing::TempDir dir;
  const std::string path = Make(dir, "short.mp4", "-c:v libx264 -preset ultrafast");
  ASSERT_FALSE(path.empty());
  ChunkedVideoOptions c;
  c.jobs = 4;  // chunks are at least 60 s by default
  auto got = SignVideoInChunks(path, ShortPeriods(), c);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->chunks, 1);
  EXPECT_EQ(got->whole_because, "it is short");
}

TEST(VideoChunks, FailAsReadingWholeFailsOnADamagedFile) {
  testing::TempDir dir;
  const std::string path = dir.File("junk.mp4");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("not really a video", f);
    std::fclose(f);
  }
  ChunkedVideoOptions c;
  c.jobs = 2;
  auto got = SignVideoInChunks(path, ShortPeriods(), c);
  EXPECT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), SignVideo(path, ShortPeriods()).status().code());
}

}  // namespace
}  // namespace uncut

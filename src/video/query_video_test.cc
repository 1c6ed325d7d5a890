// A clip's frame hashes against its source's stored hashes, on generated
// footage: a zoomed-in copy and copies with a caption band or a logo panel
// over a quarter of the picture match through the region hashes, where the
// whole-picture hashes alone do not.
#include "video/query_video.h"

#include <gtest/gtest.h>

#include <string>

#include "base/strings.h"
#include "testing/media.h"
#include "testing/temp_dir.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

constexpr int kMaxDistance = 48;  // what the matcher accepts (trace/video_match.h)
constexpr int kMinQuality = 20;

class QueryVideoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    // Six seconds of textured, moving 640x360 footage, letterboxed within
    // the frame by 20 rows at the top and the bottom.
    error_ = testing::Ffmpeg(StrCat(
        "-f lavfi -i mandelbrot=size=640x320:rate=25,trim=duration=3 "
        "-f lavfi -i testsrc2=size=640x320:rate=25,trim=duration=3 "
        "-filter_complex '[0][1]concat=n=2:v=1:a=0,pad=640:360:0:20:black,format=yuv420p[v]' "
        "-map '[v]' -c:v libx264 -preset veryfast -crf 20 -g 25 ",
        testing::ShellQuote(Source())));
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_EQ(error_, "") << "making the test media failed"; }

  static std::string Source() { return dir_->File("source.mp4"); }

  // The source with `filter` applied to its picture, re-encoded.
  static std::string Copy(const std::string& name, const std::string& filter) {
    const std::string out = dir_->File(name);
    std::string err = testing::Ffmpeg(StrCat("-i ", testing::ShellQuote(Source()), " -vf '", filter,
                                             ",format=yuv420p' -c:v libx264 -preset veryfast -crf 23 ",
                                             testing::ShellQuote(out)));
    EXPECT_EQ(err, "");
    return out;
  }

  struct Matches {
    int frames = 0, whole = 0, any = 0;
  };
  // How many of the copy's textured frames match the source frame at the
  // same time: by the whole-picture hashes only, and by any hash. Only the
  // frames whose source frame has region hashes (every kRegionCellStep-th
  // grid cell) are counted.
  static Matches Compare(const std::string& copy) {
    auto source = SignVideo(Source(), VideoSignOptions());
    EXPECT_TRUE(source.ok()) << source.status();
    auto query = AnalyzeQueryVideo(copy);
    EXPECT_TRUE(query.ok()) << query.status();
    Matches m;
    if (!source.ok() || !query.ok()) return m;
    for (const FrameSig& f : source->frames) {
      EXPECT_EQ(f.has_regions, f.cell % kRegionCellStep == 0) << "cell " << f.cell;
    }
    for (const QueryVideoFrame& f : query->frames) {
      if (f.quality < kMinQuality) continue;
      const FrameSig& s = source->frames[source->Nearest(f.time_s)];
      if (std::abs(s.time_s - f.time_s) > 0.05 || !s.has_regions) continue;
      ++m.frames;
      if (HashDistance(f, s, kMinQuality, /*regions=*/false) <= kMaxDistance) ++m.whole;
      if (HashDistance(f, s, kMinQuality) <= kMaxDistance) ++m.any;
    }
    return m;
  }

  static testing::TempDir* dir_;
  static std::string error_;
};

testing::TempDir* QueryVideoTest::dir_ = nullptr;
std::string QueryVideoTest::error_;

TEST_F(QueryVideoTest, UntouchedCopyMatchesByTheWholePicture) {
  Matches m = Compare(Copy("plain.mp4", "scale=480:270"));
  ASSERT_GE(m.frames, 8);
  EXPECT_GE(m.whole * 10, m.frames * 9);
  EXPECT_GE(m.any, m.whole);
}

TEST_F(QueryVideoTest, CentralSixtyPercentCropMatchesTheCropHash) {
  Matches m = Compare(Copy("crop60.mp4", "crop=384:216,scale=640:360"));
  ASSERT_GE(m.frames, 8);
  EXPECT_LE(m.whole * 2, m.frames) << "the whole-picture hashes should not see through this crop";
  EXPECT_GE(m.any * 3, m.frames * 2);
}

TEST_F(QueryVideoTest, SeventyPercentCropMatchesThroughAZoomedQueryHash) {
  Matches m = Compare(Copy("crop70.mp4", "crop=448:252,scale=640:360"));
  ASSERT_GE(m.frames, 8);
  EXPECT_GE(m.any * 10, m.frames * 8);
}

TEST_F(QueryVideoTest, CaptionBandOverTheBottomQuarterMatchesTheUpperHash) {
  Matches m = Compare(Copy("caption.mp4",
                           "drawbox=x=0:y=ih*3/4:w=iw:h=ih/4:color=black@0.85:t=fill,"
                           "drawbox=x=20:y=ih*3/4+30:w=300:h=24:color=white:t=fill"));
  ASSERT_GE(m.frames, 8);
  EXPECT_LE(m.whole * 2, m.frames) << "the whole-picture hashes should not see through the band";
  EXPECT_GE(m.any * 10, m.frames * 8);
}

TEST_F(QueryVideoTest, PanelOverTheTopRightQuarterMatchesTheLeftHalfHash) {
  Matches m = Compare(Copy("panel.mp4",
                           "drawbox=x=iw/2:y=0:w=iw/2:h=ih/2:color=white@0.95:t=fill,"
                           "drawbox=x=iw*5/8:y=ih/8:w=iw/4:h=ih/8:color=navy:t=fill"));
  ASSERT_GE(m.frames, 8);
  EXPECT_LE(m.whole * 2, m.frames) << "the whole-picture hashes should not see through the panel";
  EXPECT_GE(m.any * 10, m.frames * 8);
}

// A vertical re-post (the picture at full width, centred over a blurred
// copy of itself) with stickers in the padding: the sharp region then
// spans them and the picture, and only the centred band of the picture's
// shape (16:9 here: the source's picture without its bars) matches. Was:
// no frame matched.
TEST_F(QueryVideoTest, VerticalRepostWithStickersInThePaddingMatchesByItsCentredBand) {
  Matches m = Compare(Copy("vertical.mp4",
                           "crop=640:320:0:20,scale=640:360,split[a][b];"
                           "[a]scale=360:640,boxblur=20[bg];[b]scale=360:-2[fg];"
                           "[bg][fg]overlay=(W-w)/2:(H-h)/2,"
                           "drawbox=x=20:y=60:w=150:h=70:color=white:t=fill,"
                           "drawbox=x=180:y=520:w=160:h=60:color=yellow:t=fill"));
  ASSERT_GE(m.frames, 8);
  EXPECT_GE(m.whole * 10, m.frames * 8);
}

// The same re-post with a caption band over the bottom quarter of the
// picture: the upper part of the centred band matches the source's upper
// hash. Was: no frame matched.
TEST_F(QueryVideoTest, CaptionedVerticalRepostMatchesByTheUpperPartOfItsBand) {
  Matches m = Compare(Copy("vertical_caption.mp4",
                           "split[a][b];"
                           "[a]scale=360:640,boxblur=20[bg];[b]scale=360:-2[fg];"
                           "[bg][fg]overlay=(W-w)/2:(H-h)/2,"
                           "drawbox=x=20:y=60:w=150:h=70:color=white:t=fill,"
                           "drawbox=x=0:y=370:w=360:h=51:color=black@0.85:t=fill,"
                           "drawbox=x=20:y=385:w=200:h=20:color=white:t=fill"));
  ASSERT_GE(m.frames, 8);
  EXPECT_LE(m.whole * 2, m.frames) << "the whole band should not see through the caption";
  EXPECT_GE(m.any * 10, m.frames * 8);
}

// A clip unrelated to the source matches none of its frames by any hash.
TEST_F(QueryVideoTest, UnrelatedFootageMatchesNoRegionHash) {
  const std::string other = dir_->File("other.mp4");
  ASSERT_EQ(testing::Ffmpeg(StrCat("-f lavfi -i cellauto=size=640x360:rate=25:rule=110:seed=5,"
                                   "trim=duration=6,format=yuv420p -c:v libx264 -preset veryfast ",
                                   testing::ShellQuote(other))),
            "");
  Matches m = Compare(other);
  ASSERT_GE(m.frames, 8);
  EXPECT_EQ(m.any, 0);
}

}  // namespace
}  // namespace uncut

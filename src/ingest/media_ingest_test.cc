// Analysing a media file for the archive.
#include "ingest/media_ingest.h"

#include <gtest/gtest.h>

#include <string>

#include "base/strings.h"
#include "ocr/ocr.h"
#include "testing/media.h"
#include "testing/temp_dir.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

TEST(AnalyseMedia, AVideoAddedWithoutCaptionsNeverLoadsTheOcrEngine) {
  testing::TempDir dir;
  const std::string video = dir.File("clip.mp4");
  ASSERT_EQ(testing::Ffmpeg(StrCat("-f lavfi -i testsrc2=size=320x180:rate=25,trim=duration=2 "
                                   "-f lavfi -i sine=frequency=440:duration=2 "
                                   "-c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest ",
                                   testing::ShellQuote(video))),
            "");
  const int64_t loads = OcrLanguageLoads();
  FileAnalysis a = AnalyseMedia(video, video, {});
  ASSERT_TRUE(a.status.ok()) << a.status;
  EXPECT_TRUE(a.item.blobs.count(kVideoSignatureBlob));
  EXPECT_EQ(OcrLanguageLoads(), loads);
}

}  // namespace
}  // namespace uncut

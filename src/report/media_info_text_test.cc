#include "report/media_info_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace uncut {
namespace {

using ::testing::Contains;
using ::testing::Pair;

TEST(MediaInfoLines, GivesDurationStreamsResolutionAndCreationTime) {
  nlohmann::json media = nlohmann::json::parse(R"({
    "container": "mov,mp4,m4a,3gp,3g2,mj2", "duration_s": 62.5, "start_s": 0,
    "bit_rate": 1250000,
    "streams": [
      {"index": 0, "type": "video", "codec": "h264", "width": 1280, "height": 720, "fps": 25},
      {"index": 1, "type": "audio", "codec": "aac", "sample_rate": 48000, "channels": 2,
       "language": "eng"}],
    "tags": {"creation_time": "2024-05-01T12:00:00.000000Z", "major_brand": "isom",
             "encoder": "Lavf59.27.100"}})");
  auto lines = MediaInfoLines(media);
  EXPECT_THAT(lines, Contains(Pair("duration", "1:02.500 (62.5 s)")));
  EXPECT_THAT(lines, Contains(Pair("container", "mov,mp4,m4a,3gp,3g2,mj2, 1250 kbit/s")));
  EXPECT_THAT(lines, Contains(Pair("stream 0", "video h264, 1280x720 pixels, 25 fps")));
  EXPECT_THAT(lines, Contains(Pair("stream 1", "audio aac, 48000 Hz, stereo, language eng")));
  EXPECT_THAT(lines, Contains(Pair("created", "2024-05-01T12:00:00.000000Z")));
  EXPECT_THAT(lines, Contains(Pair("encoder", "Lavf59.27.100")));
  EXPECT_THAT(lines, Contains(Pair("tags", "major_brand=isom")));
}

TEST(MediaInfoLines, SkipsWhatIsMissingOrMalformed) {
  nlohmann::json media = nlohmann::json::parse(
      R"({"duration_s": "long", "streams": [3, {"index": 0, "type": "audio", "codec": "mp3",
          "channels": 1}], "tags": {"title": 7}})");
  auto lines = MediaInfoLines(media);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], std::make_pair(std::string("stream 0"), std::string("audio mp3, mono")));
  EXPECT_TRUE(MediaInfoLines(nlohmann::json::array()).empty());
}

}  // namespace
}  // namespace uncut

#include "ingest/media_sniff.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

using namespace std::string_view_literals;

TEST(SniffMediaFormat, KnowsContainersByTheirFirstBytes) {
  EXPECT_EQ(SniffMediaFormat("\0\0\0\x20"
                             "ftypisom\0\0\2\0"sv),
            "mp4");
  EXPECT_EQ(SniffMediaFormat("\x1a\x45\xdf\xa3\x9f\x42\x86\x81"sv), "mkv");
  EXPECT_EQ(SniffMediaFormat("RIFF\x24\0\0\0WAVEfmt "sv), "wav");
  EXPECT_EQ(SniffMediaFormat("RIFF\x24\0\0\0AVI LIST"sv), "avi");
  EXPECT_EQ(SniffMediaFormat("OggS\0\2"sv), "ogg");
  EXPECT_EQ(SniffMediaFormat("ID3\x04\0\0"sv), "mp3");
  EXPECT_EQ(SniffMediaFormat("YUV4MPEG2 W64 H48"sv), "y4m");
  std::string ts(600, '\0');
  ts[0] = ts[188] = ts[376] = 0x47;
  EXPECT_EQ(SniffMediaFormat(ts), "ts");
}

TEST(SniffMediaFormat, LeavesTextAndOtherBinariesAlone) {
  EXPECT_EQ(SniffMediaFormat("Fellow citizens, we meet today"), std::nullopt);
  EXPECT_EQ(SniffMediaFormat("%PDF-1.7\n"), std::nullopt);
  EXPECT_EQ(SniffMediaFormat("PK\3\4"sv), std::nullopt);
  EXPECT_EQ(SniffMediaFormat("RIFF\x24\0\0\0WEBPVP8 "sv), std::nullopt);
  EXPECT_EQ(SniffMediaFormat("ID3"), std::nullopt);
  EXPECT_EQ(SniffMediaFormat(""), std::nullopt);
}

}  // namespace
}  // namespace uncut

#include "image/image_format.h"

#include <gtest/gtest.h>

#include <string>

namespace uncut {
namespace {

using namespace std::string_literals;

TEST(SniffImageFormat, NamesTheFormatsFfmpegReadsAndNothingElse) {
  EXPECT_EQ(SniffImageFormat("\xff\xd8\xff\xe0\0\x10JFIF"s), "jpg");
  EXPECT_EQ(SniffImageFormat("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s), "png");
  EXPECT_EQ(SniffImageFormat("RIFF\x10\0\0\0WEBPVP8 "s), "webp");
  EXPECT_EQ(SniffImageFormat("GIF89a"), "gif");
  EXPECT_EQ(SniffImageFormat("II*\0\x08\0\0\0"s), "tiff");
  EXPECT_FALSE(SniffImageFormat("RIFF\x10\0\0\0WAVEfmt "s));
  EXPECT_FALSE(SniffImageFormat("%PDF-1.7"));
  EXPECT_FALSE(SniffImageFormat("hello"));
}

TEST(SniffHeifImage, TellsHeicAndAvifStillsFromMp4Video) {
  EXPECT_TRUE(SniffHeifImage("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic"s));
  EXPECT_TRUE(SniffHeifImage("\0\0\0\x1c" "ftypavif\0\0\0\0avifmif1"s));
  EXPECT_FALSE(SniffHeifImage("\0\0\0\x18" "ftypisom\0\0\x02\0isomiso2"s));
  EXPECT_FALSE(SniffHeifImage("\0\0\0\x18" "ftypmp42"s));
}

TEST(CheckImageComplete, RefusesPicturesCutShortAndPassesWholeOnes) {
  std::string jpeg = "\xff\xd8\xff\xe0\0\x04..\xff\xda\0\x02\x12\x34\xff\x00\x56\xff\xd9"s;
  EXPECT_TRUE(CheckImageComplete("jpg", jpeg).ok());
  absl::Status cut = CheckImageComplete("jpg", jpeg.substr(0, jpeg.size() - 2));
  EXPECT_TRUE(absl::IsInvalidArgument(cut));
  EXPECT_NE(cut.message().find("truncated JPEG"), std::string::npos) << cut;
  // An end marker in an embedded thumbnail, before the scan, does not count.
  EXPECT_FALSE(CheckImageComplete("jpg", "\xff\xd8\xff\xd9\xff\xda\0\x02\x12"s).ok());

  std::string png = "\x89PNG\r\n\x1a\n\0\0\0\0IEND\xae\x42\x60\x82"s;
  EXPECT_TRUE(CheckImageComplete("png", png).ok());
  EXPECT_FALSE(CheckImageComplete("png", png.substr(0, 12)).ok());

  EXPECT_TRUE(CheckImageComplete("gif", "GIF89a....;"s).ok());
  EXPECT_FALSE(CheckImageComplete("gif", "GIF89a...."s).ok());

  std::string webp = "RIFF\x04\0\0\0WEBP"s;
  EXPECT_TRUE(CheckImageComplete("webp", webp).ok());
  EXPECT_FALSE(CheckImageComplete("webp", "RIFF\x40\0\0\0WEBPVP8 "s).ok());
}

TEST(ReadDeclaredSize, ReadsTheSizeFromHeadersWithoutDecoding) {
  auto png = ReadDeclaredSize("png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x03\x0d\x40\0\0\x01\x00"s);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->width, 200000u);
  EXPECT_EQ(png->height, 256u);
  // JPEG: an APP0 segment, then SOF0 with height 480 and width 640.
  auto jpeg = ReadDeclaredSize(
      "jpg", "\xff\xd8\xff\xe0\0\x04..\xff\xc0\0\x11\x08\x01\xe0\x02\x80\x03"s);
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->width, 640u);
  EXPECT_EQ(jpeg->height, 480u);
  auto gif = ReadDeclaredSize("gif", "GIF89a\xff\xff\x10\x00"s);
  ASSERT_TRUE(gif);
  EXPECT_EQ(gif->width, 65535u);
  EXPECT_EQ(gif->height, 16u);
  EXPECT_FALSE(ReadDeclaredSize("jpg", "\xff\xd8\xff\xe0\0\x40"s));  // cut before the frame header
}

}  // namespace
}  // namespace uncut

#include "image/picture_trace.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"

namespace uncut {
namespace {

// A w x h grey frame of pseudo-random texture (a picture with detail).
VideoFrame Textured(int w, int h) {
  VideoFrame f;
  f.width = w;
  f.height = h;
  f.channels = 1;
  f.pixels.resize(static_cast<size_t>(w) * h);
  uint32_t s = 12345;
  for (uint8_t& p : f.pixels) {
    s = s * 1664525u + 1013904223u;
    p = static_cast<uint8_t>(40 + (s >> 24) % 180);
  }
  return f;
}

void Fill(VideoFrame* f, int x, int y, int w, int h, uint8_t v) {
  for (int r = y; r < y + h; ++r) {
    for (int c = x; c < x + w; ++c) f->pixels[static_cast<size_t>(r) * f->width + c] = v;
  }
}

TEST(PictureContent, TakesOffAPlayersTitleBarSurroundAndControlBar) {
  // A 400x300 picture with a 12-pixel grey surround, a 40-pixel title bar
  // holding a line of white "text", and under the picture 10 grey rows
  // then a 24-pixel dark control bar (two colours below it).
  VideoFrame f = Textured(400, 300);
  Fill(&f, 0, 0, 400, 40, 60);               // title bar
  for (int x = 14; x < 120; x += 3) Fill(&f, x, 14, 1, 12, 250);  // its text
  Fill(&f, 0, 0, 12, 300, 60);               // left surround
  Fill(&f, 388, 0, 12, 300, 60);             // right surround
  Fill(&f, 0, 266, 400, 10, 60);             // grey under the picture
  Fill(&f, 0, 276, 400, 24, 17);             // control bar
  EXPECT_EQ(PictureContent(f), (Rect{12, 40, 376, 226}));
}

Item VideoItem(int width, int height) {
  Item item;
  item.kind = "video";
  item.info = nlohmann::json::parse(R"({"media": {"streams": [
      {"type": "audio", "codec": "aac"},
      {"type": "video", "codec": "h264", "width": )" + std::to_string(width) +
                                    R"(, "height": )" + std::to_string(height) + "}]}}");
  return item;
}

TEST(ScanCostSeconds, CountsAVideoBy720pFootageOfTheSamePixels) {
  EXPECT_DOUBLE_EQ(ScanCostSeconds(VideoItem(1280, 720), 52), 52);
  EXPECT_DOUBLE_EQ(ScanCostSeconds(VideoItem(640, 360), 40), 10);
  EXPECT_DOUBLE_EQ(ScanCostSeconds(VideoItem(1920, 1080), 10), 22.5);
}

TEST(ScanCostSeconds, CountsATinyVideoAsATenthAndOneOfUnknownSizeAs720p) {
  EXPECT_DOUBLE_EQ(ScanCostSeconds(VideoItem(160, 120), 70), 7);
  Item unknown;
  unknown.kind = "video";
  EXPECT_DOUBLE_EQ(ScanCostSeconds(unknown, 30), 30);
  EXPECT_DOUBLE_EQ(ScanCostSeconds(VideoItem(0, 0), 30), 30);
}

TEST(PictureContent, LeavesAPictureWithoutBarsWhole) {
  VideoFrame f = Textured(320, 180);
  EXPECT_EQ(PictureContent(f), (Rect{0, 0, 320, 180}));
}

}  // namespace
}  // namespace uncut

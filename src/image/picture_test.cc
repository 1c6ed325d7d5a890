#include "image/picture.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace uncut {
namespace {

// A 3x2 grey frame whose pixels are numbered row by row:
//   1 2 3
//   4 5 6
VideoFrame Numbered() {
  VideoFrame f;
  f.width = 3;
  f.height = 2;
  f.channels = 1;
  f.pixels = {1, 2, 3, 4, 5, 6};
  return f;
}

std::vector<uint8_t> Shown(int orientation, int* width, int* height) {
  VideoFrame f = UprightFrame(Numbered(), orientation);
  *width = f.width;
  *height = f.height;
  return f.pixels;
}

TEST(UprightFrame, TurnsAndMirrorsAsEachExifOrientationSays) {
  struct Case {
    int orientation, width, height;
    std::vector<uint8_t> pixels;
  };
  const Case cases[] = {
      {1, 3, 2, {1, 2, 3, 4, 5, 6}},
      {2, 3, 2, {3, 2, 1, 6, 5, 4}},
      {3, 3, 2, {6, 5, 4, 3, 2, 1}},
      {4, 3, 2, {4, 5, 6, 1, 2, 3}},
      {5, 2, 3, {1, 4, 2, 5, 3, 6}},
      {6, 2, 3, {4, 1, 5, 2, 6, 3}},  // turned 90 degrees clockwise
      {7, 2, 3, {6, 3, 5, 2, 4, 1}},
      {8, 2, 3, {3, 6, 2, 5, 1, 4}},  // turned 90 degrees counter-clockwise
  };
  for (const Case& c : cases) {
    int w = 0, h = 0;
    EXPECT_EQ(Shown(c.orientation, &w, &h), c.pixels) << "orientation " << c.orientation;
    EXPECT_EQ(w, c.width) << "orientation " << c.orientation;
    EXPECT_EQ(h, c.height) << "orientation " << c.orientation;
  }
}

TEST(UprightFrame, KeepsEveryChannelOfAnRgbPixelTogether) {
  VideoFrame f;
  f.width = 2;
  f.height = 1;
  f.channels = 3;
  f.pixels = {10, 11, 12, 20, 21, 22};
  VideoFrame turned = UprightFrame(f, 6);
  EXPECT_EQ(turned.width, 1);
  EXPECT_EQ(turned.height, 2);
  EXPECT_EQ(turned.pixels, (std::vector<uint8_t>{10, 11, 12, 20, 21, 22}));
  VideoFrame mirrored = UprightFrame(f, 2);
  EXPECT_EQ(mirrored.pixels, (std::vector<uint8_t>{20, 21, 22, 10, 11, 12}));
}

TEST(UprightFrame, LeavesThePictureAsStoredForValuesThatAreNotOrientations) {
  for (int o : {0, 1, 9, -3}) {
    int w = 0, h = 0;
    EXPECT_EQ(Shown(o, &w, &h), (std::vector<uint8_t>{1, 2, 3, 4, 5, 6})) << o;
  }
}

}  // namespace
}  // namespace uncut

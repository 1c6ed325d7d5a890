// Finding a picture-in-picture inset on constructed frames.
#include "video/content_region.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace uncut {
namespace {

// A 480x270 grey frame: a slowly changing backdrop, and an inset over
// columns [225, 465) whose top and bottom borders fall halfway between two
// rows (at 127.5 and 262.5, as a 640x360 picture with its inset at row 170
// reads at 270 rows): the rows they cross hold the average of both sides.
std::vector<uint8_t> HalfRowInsetFrame(int frame) {
  constexpr int kW = 480, kH = 270, kX0 = 225, kX1 = 465;
  std::vector<uint8_t> g(static_cast<size_t>(kW) * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const int outside = 40 + (x / 4 + y / 6 + frame * 3) % 40;
      const int inside = 170 + (x / 5 + y / 3 + frame * 5) % 50;
      int v = outside;
      if (x >= kX0 && x < kX1) {
        if (y == 127 || y == 262) {
          v = (outside + inside) / 2;
        } else if (y > 127 && y < 262) {
          v = inside;
        }
      }
      g[static_cast<size_t>(y) * kW + x] = static_cast<uint8_t>(v);
    }
  }
  return g;
}

TEST(InsetDetector, FindsAnInsetWhoseBordersFallBetweenTwoRows) {
  InsetDetector detector(480, 270);
  for (int f = 0; f < 12; ++f) detector.Add(HalfRowInsetFrame(f).data(), 480);
  std::optional<Rect> inset = detector.Inset();
  ASSERT_TRUE(inset.has_value());
  EXPECT_NEAR(inset->x, 226, 3);
  EXPECT_NEAR(inset->x + inset->w, 464, 3);
  EXPECT_NEAR(inset->y, 128, 3);
  EXPECT_NEAR(inset->y + inset->h, 262, 3);
}

// A 480x270 grey frame: a changing backdrop, and over columns [12, 300) and
// rows [96, 258) an inset showing a 4:3 picture pillarboxed in 16:9: black
// bars over columns [12, 48) and [264, 300). Over the bottom rows the left
// bar takes the backdrop's shade, so the inset's left border fades out
// there, and so does its bottom border along the bar; the edges between the
// bars and the picture run the inset's full height.
std::vector<uint8_t> FadingSideInsetFrame(int frame) {
  constexpr int kW = 480, kH = 270, kX0 = 12, kX1 = 300, kY0 = 96, kY1 = 258, kBar = 36;
  std::vector<uint8_t> g(static_cast<size_t>(kW) * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const int outside = 40 + (x / 4 + y / 6 + frame * 3) % 40;
      int v = outside;
      if (x >= kX0 && x < kX1 && y >= kY0 && y < kY1) {
        if (x < kX0 + kBar) {
          v = y >= 236 ? outside : 0;
        } else if (x >= kX1 - kBar) {
          v = 0;
        } else {
          v = 150 + (x / 5 + y / 3 + frame * 5) % 60;
        }
      }
      g[static_cast<size_t>(y) * kW + x] = static_cast<uint8_t>(v);
    }
  }
  return g;
}

TEST(InsetDetector, KeepsASideThatFadesIntoTheBackdrop) {
  InsetDetector detector(480, 270);
  for (int f = 0; f < 12; ++f) detector.Add(FadingSideInsetFrame(f).data(), 480);
  std::optional<Rect> inset = detector.Inset();
  ASSERT_TRUE(inset.has_value());
  EXPECT_NEAR(inset->x, 13, 3);
  EXPECT_NEAR(inset->x + inset->w, 299, 3);
  EXPECT_NEAR(inset->y, 97, 3);
  EXPECT_NEAR(inset->y + inset->h, 257, 3);
}

}  // namespace
}  // namespace uncut

#include "video/pdq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace uncut {
namespace {

// A smooth synthetic picture: a sum of random plane waves.
std::vector<float> Gradient(int rows, int cols, bool mirrored, bool flipped) {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> freq(-0.08, 0.08), phase(0, 6.28), amp(5, 25);
  struct Wave {
    double fx, fy, ph, a;
  };
  std::vector<Wave> waves;
  for (int k = 0; k < 24; ++k) waves.push_back({freq(rng), freq(rng), phase(rng), amp(rng)});
  std::vector<float> img(rows * cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      int x = mirrored ? cols - 1 - c : c, y = flipped ? rows - 1 - r : r;
      double v = 128;
      for (const Wave& w : waves) v += w.a * std::sin(w.fx * x + w.fy * y + w.ph);
      img[r * cols + c] = static_cast<float>(std::clamp(v, 0.0, 255.0));
    }
  }
  return img;
}

TEST(Pdq, HexRoundTripsInTheReferenceOrder) {
  const std::string hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
  auto h = PdqHash::FromHex(hex);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->ToHex(), hex);
  EXPECT_FALSE(PdqHash::FromHex("zz").has_value());
}

TEST(Pdq, SameImageAtAnotherSizeHashesAlike) {
  std::vector<float> big = Gradient(480, 640, false, false);
  std::vector<float> small(240 * 320);
  for (int r = 0; r < 240; ++r) {
    for (int c = 0; c < 320; ++c) small[r * 320 + c] = big[(2 * r) * 640 + 2 * c];
  }
  PdqHash a = PdqHashFromDct(PdqDctFromLuma(big.data(), 480, 640));
  PdqHash b = PdqHashFromDct(PdqDctFromLuma(small.data(), 240, 320));
  EXPECT_LE(Hamming(a, b), 10);
}

TEST(Pdq, FlippedDctEqualsTheDctOfTheFlippedImage) {
  for (int mode = 1; mode < 4; ++mode) {
    bool h = mode & 1, v = mode & 2;
    std::vector<float> img = Gradient(200, 300, false, false);
    std::vector<float> mir = Gradient(200, 300, h, v);
    PdqHash from_dct = PdqHashFromDct(FlipDct(PdqDctFromLuma(img.data(), 200, 300), h, v));
    PdqHash direct = PdqHashFromDct(PdqDctFromLuma(mir.data(), 200, 300));
    // Not exact: the Jarosz filter and the decimation grid are not symmetric
    // under mirroring (a shift of a pixel or so), as in the reference.
    EXPECT_LE(Hamming(from_dct, direct), 30) << "mode " << mode;
    PdqHash plain = PdqHashFromDct(PdqDctFromLuma(img.data(), 200, 300));
    EXPECT_GT(Hamming(plain, direct), 60) << "mirroring must change the hash";
  }
}

TEST(Pdq, AreaAverageWeighsFractionalPixelsByTheAreaTheyCover) {
  // 110x70 noise; the region 7..103 x 3..63 (96x60) makes cells of 1.5 x
  // 0.9375 pixels, so most cells take fractions of their edge pixels.
  const int w = 110, h = 70, stride = 112;
  std::mt19937 rng(7);
  std::vector<uint8_t> px(static_cast<size_t>(stride) * h);
  for (uint8_t& p : px) p = static_cast<uint8_t>(rng() & 0xFF);
  GrayIntegral image(px.data(), w, h, stride);
  const int rx = 7, ry = 3, rw = 96, rh = 60;
  PdqBlock got = AreaAverage64(image, rx, ry, rw, rh);
  // Reference: every pixel weighed by its overlap with the cell.
  const double sx = rw / 64.0, sy = rh / 64.0;
  for (int i = 0; i < 64; i += 7) {
    for (int j = 0; j < 64; j += 5) {
      double x0 = rx + j * sx, x1 = x0 + sx, y0 = ry + i * sy, y1 = y0 + sy, sum = 0;
      for (int y = static_cast<int>(y0); y < y1; ++y) {
        for (int x = static_cast<int>(x0); x < x1; ++x) {
          double ov = (std::min<double>(x + 1, x1) - std::max<double>(x, x0)) *
                      (std::min<double>(y + 1, y1) - std::max<double>(y, y0));
          sum += ov * px[static_cast<size_t>(y) * stride + x];
        }
      }
      EXPECT_NEAR(got[i * 64 + j], sum / (sx * sy), 1e-3) << "cell " << i << "," << j;
    }
  }
  // A whole-pixel region reads back the pixels' own values.
  PdqBlock exact = AreaAverage64(image, 10, 2, 64, 64);
  EXPECT_FLOAT_EQ(exact[0], px[2 * stride + 10]);
  EXPECT_FLOAT_EQ(exact[63 * 64 + 63], px[65 * stride + 73]);
}

TEST(Pdq, AreaAverageGivesTheBitsOfOneSumPerCell) {
  // Fingerprints already stored were made cell by cell with Sum; sharing
  // the cells' corners must not change a bit. Regions with fractional
  // cells, smaller than 64 pixels, and reaching past the image's edges.
  const int w = 97, h = 61, stride = 100;
  std::mt19937 rng(11);
  std::vector<uint8_t> px(static_cast<size_t>(stride) * h);
  for (uint8_t& p : px) p = static_cast<uint8_t>(rng() & 0xFF);
  GrayIntegral image(px.data(), w, h, stride);
  const int rects[][4] = {
      {0, 0, 97, 61}, {7, 3, 83, 55}, {20, 10, 31, 17}, {-5, -3, 110, 70}, {90, 50, 20, 20}};
  for (const auto& r : rects) {
    PdqBlock got = AreaAverage64(image, r[0], r[1], r[2], r[3]);
    const double sx = static_cast<double>(r[2]) / 64, sy = static_cast<double>(r[3]) / 64;
    for (int i = 0; i < 64; ++i) {
      for (int j = 0; j < 64; ++j) {
        const double one =
            image.Sum(r[0] + j * sx, r[1] + i * sy, r[0] + (j + 1) * sx, r[1] + (i + 1) * sy);
        ASSERT_EQ(got[i * 64 + j], static_cast<float>(one / (sx * sy)))
            << "rect " << r[0] << "," << r[1] << " " << r[2] << "x" << r[3] << " cell " << i << "," << j;
      }
    }
  }
}

TEST(Pdq, FlatImagesHaveLowQuality) {
  std::vector<float> flat(100 * 100, 80.0f);
  EXPECT_EQ(PdqDctFromLuma(flat.data(), 100, 100).quality, 0);
  std::vector<float> img = Gradient(100, 100, false, false);
  EXPECT_GT(PdqDctFromLuma(img.data(), 100, 100).quality, 30);
}

TEST(Pdq, UnrelatedImagesAreFarApart) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(0, 255);
  std::vector<float> a(128 * 128), b(128 * 128);
  for (auto& x : a) x = d(rng);
  for (auto& x : b) x = d(rng);
  int dist = Hamming(PdqHashFromDct(PdqDctFromLuma(a.data(), 128, 128)),
                     PdqHashFromDct(PdqDctFromLuma(b.data(), 128, 128)));
  EXPECT_GT(dist, 90);
  EXPECT_LT(dist, 166);
}

}  // namespace
}  // namespace uncut

// PDQ: a 256-bit perceptual hash of an image, implemented from the published
// algorithm (Meta, "The TMK+PDQF and PDQ hashing algorithms", 2019) so that
// uncut's frame hashes interoperate with PDQ and vPDQ data:
//   1. luminance Y = 0.299 R + 0.587 G + 0.114 B;
//   2. downsampling to 64x64 with a Jarosz filter (two passes of a box
//      filter along each axis, window about size/128), then decimation;
//   3. the 16x16 lowest non-constant frequencies of a 64x64 DCT-II;
//   4. one bit per coefficient: above the median or not;
//   5. quality: the image's gradient energy (0..100); flat images hash badly.
// Hashes of the image flipped horizontally or vertically follow from the same
// DCT by sign changes (odd frequencies change sign), which is how uncut hashes
// mirrored copies without decoding them twice.
#ifndef UNCUT_VIDEO_PDQ_H_
#define UNCUT_VIDEO_PDQ_H_

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uncut {

struct PdqHash {
  // Bit k (0..255) is coefficient k in row-major order of the 16x16 block;
  // words[k / 64] bit (k % 64).
  std::array<uint64_t, 4> words{};

  friend bool operator==(const PdqHash&, const PdqHash&) = default;
  // 64 hex digits, in the reference implementation's order.
  std::string ToHex() const;
  static std::optional<PdqHash> FromHex(std::string_view hex);
  // The 16-bit chunk i (0..15) used by multi-index hashing.
  uint16_t Chunk(int i) const { return static_cast<uint16_t>(words[i / 4] >> (16 * (i % 4))); }
};

inline int Hamming(const PdqHash& a, const PdqHash& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

// The 16x16 DCT coefficients of a luminance image, before thresholding.
struct PdqDct {
  std::array<float, 256> c{};
  int quality = 0;
};

// Luminance image, row-major floats in 0..255.
PdqDct PdqDctFromLuma(const float* luma, int rows, int cols);
PdqHash PdqHashFromDct(const PdqDct& dct);
// The DCT of the image mirrored left-right and/or top-bottom.
PdqDct FlipDct(const PdqDct& dct, bool horizontal, bool vertical);

// Summed-area table of an 8-bit grey image: the mean of any rectangle, with
// fractional edges, in constant time.
class GrayIntegral {
 public:
  GrayIntegral(const uint8_t* gray, int width, int height, int stride);
  // Sum of the pixels over [x0, x1) x [y0, y1), pixels being unit squares.
  double Sum(double x0, double y0, double x1, double y1) const;
  // out[j * xs.size() + i] = the integral over [0, xs[i]) x [0, ys[j]), the
  // same bits as the one Sum computes at that corner: the corners of a
  // grid of rectangles, each computed once.
  void Corners(const std::vector<double>& xs, const std::vector<double>& ys, double* out) const;

 private:
  double At(double x, double y) const;  // integral over [0, x) x [0, y)
  int w_, h_;
  std::vector<double> table_;  // (w + 1) x (h + 1)
};

// A rectangle of an 8-bit grey image area-averaged straight to 64x64: each
// cell is the mean of the area it covers, with fractional edges. Every region
// size gets the same low-pass filter this way, so a small inset of a query
// and a large source frame are filtered alike; uncut hashes regions for
// matching this way (the reference path above is for compatibility).
using PdqBlock = std::array<float, 64 * 64>;
PdqBlock AreaAverage64(const GrayIntegral& image, int x, int y, int w, int h);
PdqDct PdqDctFromBlock(const PdqBlock& block);

// Convenience: luminance from packed RGB24 or from 8-bit grey.
PdqDct PdqDctFromRgb(const uint8_t* rgb, int rows, int cols, int stride);
PdqDct PdqDctFromGray(const uint8_t* gray, int rows, int cols, int stride);

}  // namespace uncut

#endif  // UNCUT_VIDEO_PDQ_H_

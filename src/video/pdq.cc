#include "video/pdq.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace uncut {
namespace {

constexpr int kSize = 64;  // downsampled image
constexpr int kDct = 16;   // coefficients per axis

// Rows i = 1..16 of the 64-point DCT-II matrix (row 0, the mean, is skipped).
const std::array<float, kDct * kSize>& DctMatrix() {
  static const std::array<float, kDct* kSize> m = [] {
    std::array<float, kDct * kSize> out{};
    const double scale = std::sqrt(2.0 / kSize);
    for (int i = 0; i < kDct; ++i) {
      for (int j = 0; j < kSize; ++j) {
        out[i * kSize + j] = static_cast<float>(
            scale * std::cos(std::numbers::pi / 2.0 / kSize * (i + 1) * (2 * j + 1)));
      }
    }
    return out;
  }();
  return m;
}

// Centred moving average along one axis with a full window of `window`
// samples, shrinking at the edges.
void Box1D(const float* in, float* out, int n, int stride, int window) {
  const int half = (window + 2) / 2;
  const int before = window - half;  // samples before the centre
  const int after = half - 1;        // samples after the centre
  double sum = 0;
  int lo = 0, hi = -1;  // current window [lo, hi]
  for (int i = 0; i < n; ++i) {
    int want_lo = std::max(0, i - before), want_hi = std::min(n - 1, i + after);
    while (hi < want_hi) sum += in[(++hi) * stride];
    while (lo < want_lo) sum -= in[(lo++) * stride];
    out[i * stride] = static_cast<float>(sum / (hi - lo + 1));
  }
}

int WindowSize(int old_dim, int new_dim) { return (old_dim + 2 * new_dim - 1) / (2 * new_dim); }

// Jarosz filter (repeated box filtering) and decimation to 64x64.
void Downsample(const float* luma, int rows, int cols, float* out64) {
  std::vector<float> a(luma, luma + static_cast<size_t>(rows) * cols), b(a.size());
  const int wr = WindowSize(cols, kSize), wc = WindowSize(rows, kSize);
  for (int rep = 0; rep < 2; ++rep) {
    for (int r = 0; r < rows; ++r) Box1D(&a[size_t(r) * cols], &b[size_t(r) * cols], cols, 1, wr);
    for (int c = 0; c < cols; ++c) Box1D(&b[c], &a[c], rows, cols, wc);
  }
  for (int i = 0; i < kSize; ++i) {
    int ri = static_cast<int>((i + 0.5) * rows / kSize);
    for (int j = 0; j < kSize; ++j) {
      int cj = static_cast<int>((j + 0.5) * cols / kSize);
      out64[i * kSize + j] = a[static_cast<size_t>(ri) * cols + cj];
    }
  }
}

int Quality(const float* a) {
  int sum = 0;
  for (int i = 0; i < kSize - 1; ++i) {
    for (int j = 0; j < kSize; ++j) {
      int d = static_cast<int>((a[i * kSize + j] - a[(i + 1) * kSize + j]) * 100 / 255);
      sum += std::abs(d);
    }
  }
  for (int i = 0; i < kSize; ++i) {
    for (int j = 0; j < kSize - 1; ++j) {
      int d = static_cast<int>((a[i * kSize + j] - a[i * kSize + j + 1]) * 100 / 255);
      sum += std::abs(d);
    }
  }
  return std::min(100, sum / 90);
}

}  // namespace

std::string PdqHash::ToHex() const {
  // The reference prints sixteen 16-bit words, the last first.
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (int w = 15; w >= 0; --w) {
    uint16_t v = Chunk(w);
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 15]);
  }
  return out;
}

std::optional<PdqHash> PdqHash::FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  PdqHash h;
  for (int w = 15; w >= 0; --w) {
    uint64_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = hex[(15 - w) * 4 + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v << 4 | d;
    }
    h.words[w / 4] |= v << (16 * (w % 4));
  }
  return h;
}

// DCT and quality of a 64x64 luminance block.
static PdqDct DctOf64(const float* a) {
  PdqDct out;
  out.quality = Quality(a);
  const auto& d = DctMatrix();
  // T = D * A (16x64), then B = T * D^T (16x16).
  float t[kDct * kSize];
  for (int i = 0; i < kDct; ++i) {
    for (int j = 0; j < kSize; ++j) {
      float s = 0;
      for (int k = 0; k < kSize; ++k) s += d[i * kSize + k] * a[k * kSize + j];
      t[i * kSize + j] = s;
    }
  }
  for (int i = 0; i < kDct; ++i) {
    for (int j = 0; j < kDct; ++j) {
      float s = 0;
      for (int k = 0; k < kSize; ++k) s += t[i * kSize + k] * d[j * kSize + k];
      out.c[i * kDct + j] = s;
    }
  }
  return out;
}

PdqDct PdqDctFromLuma(const float* luma, int rows, int cols) {
  float a[kSize * kSize];
  Downsample(luma, rows, cols, a);
  return DctOf64(a);
}

GrayIntegral::GrayIntegral(const uint8_t* gray, int width, int height, int stride)
    : w_(width), h_(height), table_(static_cast<size_t>(width + 1) * (height + 1), 0.0) {
  for (int y = 0; y < height; ++y) {
    double row = 0;
    const uint8_t* p = gray + static_cast<size_t>(y) * stride;
    double* above = &table_[static_cast<size_t>(y) * (width + 1)];
    double* cur = above + (width + 1);
    for (int x = 0; x < width; ++x) {
      row += p[x];
      cur[x + 1] = above[x + 1] + row;
    }
  }
}

double GrayIntegral::At(double x, double y) const {
  // Bilinear interpolation of the table is exact for unit-square pixels.
  x = std::clamp(x, 0.0, static_cast<double>(w_));
  y = std::clamp(y, 0.0, static_cast<double>(h_));
  int xi = std::min(static_cast<int>(x), w_ - 1), yi = std::min(static_cast<int>(y), h_ - 1);
  double fx = x - xi, fy = y - yi;
  auto t = [&](int xx, int yy) { return table_[static_cast<size_t>(yy) * (w_ + 1) + xx]; };
  double top = t(xi, yi) * (1 - fx) + t(xi + 1, yi) * fx;
  double bottom = t(xi, yi + 1) * (1 - fx) + t(xi + 1, yi + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

double GrayIntegral::Sum(double x0, double y0, double x1, double y1) const {
  return At(x1, y1) - At(x0, y1) - At(x1, y0) + At(x0, y0);
}

void GrayIntegral::Corners(const std::vector<double>& xs, const std::vector<double>& ys,
                           double* out) const {
  // At's arithmetic, with each column's and row's part of it done once.
  struct Axis {
    int i;
    double f, g;  // fraction, 1 - fraction
  };
  auto axis = [](double v, int size) {
    v = std::clamp(v, 0.0, static_cast<double>(size));
    const int i = std::min(static_cast<int>(v), size - 1);
    const double f = v - i;
    return Axis{i, f, 1 - f};
  };
  std::vector<Axis> cols(xs.size());
  for (size_t c = 0; c < xs.size(); ++c) cols[c] = axis(xs[c], w_);
  const size_t stride = static_cast<size_t>(w_) + 1;
  for (size_t r = 0; r < ys.size(); ++r) {
    const Axis row = axis(ys[r], h_);
    const double* t0 = &table_[static_cast<size_t>(row.i) * stride];
    const double* t1 = t0 + stride;
    double* o = out + r * xs.size();
    for (size_t c = 0; c < xs.size(); ++c) {
      const Axis& col = cols[c];
      double top = t0[col.i] * col.g + t0[col.i + 1] * col.f;
      double bottom = t1[col.i] * col.g + t1[col.i + 1] * col.f;
      o[c] = top * row.g + bottom * row.f;
    }
  }
}

PdqBlock AreaAverage64(const GrayIntegral& image, int x, int y, int w, int h) {
  // Each cell is Sum over its rectangle; neighbouring cells share corners
  // (the same doubles: x + j * sx is both one cell's right edge and the
  // next one's left), so the 65 x 65 corners are computed once each.
  PdqBlock a;
  const double sx = static_cast<double>(w) / kSize, sy = static_cast<double>(h) / kSize;
  const double area = sx * sy;
  std::vector<double> xs(kSize + 1), ys(kSize + 1);
  for (int j = 0; j <= kSize; ++j) xs[j] = x + j * sx;
  for (int i = 0; i <= kSize; ++i) ys[i] = y + i * sy;
  std::vector<double> at((kSize + 1) * (kSize + 1));
  image.Corners(xs, ys, at.data());
  for (int i = 0; i < kSize; ++i) {
    const double* c0 = &at[i * (kSize + 1)];
    const double* c1 = c0 + (kSize + 1);
    for (int j = 0; j < kSize; ++j) {
      const double sum = c1[j + 1] - c1[j] - c0[j + 1] + c0[j];
      a[i * kSize + j] = static_cast<float>(sum / area);
    }
  }
  return a;
}

PdqDct PdqDctFromBlock(const PdqBlock& block) { return DctOf64(block.data()); }

PdqHash PdqHashFromDct(const PdqDct& dct) {
  std::array<float, 256> sorted = dct.c;
  std::nth_element(sorted.begin(), sorted.begin() + 127, sorted.end());
  float median = sorted[127];
  PdqHash h;
  for (int k = 0; k < 256; ++k) {
    if (dct.c[k] > median) h.words[k / 64] |= uint64_t{1} << (k % 64);
  }
  return h;
}

PdqDct FlipDct(const PdqDct& dct, bool horizontal, bool vertical) {
  PdqDct out = dct;
  // Coefficient (i, j) holds frequencies (i + 1, j + 1): mirroring an axis
  // negates its odd frequencies, i.e. even indexes.
  for (int i = 0; i < kDct; ++i) {
    for (int j = 0; j < kDct; ++j) {
      bool neg = (horizontal && j % 2 == 0) != (vertical && i % 2 == 0);
      if (neg) out.c[i * kDct + j] = -out.c[i * kDct + j];
    }
  }
  return out;
}

PdqDct PdqDctFromRgb(const uint8_t* rgb, int rows, int cols, int stride) {
  std::vector<float> luma(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    const uint8_t* p = rgb + static_cast<size_t>(r) * stride;
    for (int c = 0; c < cols; ++c) {
      luma[static_cast<size_t>(r) * cols + c] =
          0.299f * p[3 * c] + 0.587f * p[3 * c + 1] + 0.114f * p[3 * c + 2];
    }
  }
  return PdqDctFromLuma(luma.data(), rows, cols);
}

PdqDct PdqDctFromGray(const uint8_t* gray, int rows, int cols, int stride) {
  std::vector<float> luma(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c)
      luma[static_cast<size_t>(r) * cols + c] = gray[static_cast<size_t>(r) * stride + c];
  }
  return PdqDctFromLuma(luma.data(), rows, cols);
}

}  // namespace uncut

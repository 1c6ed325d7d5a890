#include "video/content_region.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace uncut {
namespace {

// Pixels within kFlatRange / 2 of the bar colour count as bar (compression
// noise).
constexpr int kFlatRange = 24;

float Percentile(std::vector<float> v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// Whether a line is part of a bar: at least 80% of its pixels have the bar's
// colour. "Nearly" lets captions and logos drawn across a bar through.
bool IsBarLine(const uint8_t* p, int n, int step, int colour) {
  int same = 0;
  for (int i = 0; i < n; ++i) same += std::abs(p[static_cast<size_t>(i) * step] - colour) <= kFlatRange / 2;
  return same * 5 >= n * 4;
}

int EdgeColour(const uint8_t* p, int n, int step) {
  std::vector<uint8_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = p[static_cast<size_t>(i) * step];
  std::nth_element(v.begin(), v.begin() + n / 2, v.end());
  return v[n / 2];
}

}  // namespace

Rect Rect::Intersect(const Rect& o) const {
  int x0 = std::max(x, o.x), y0 = std::max(y, o.y);
  int x1 = std::min(x + w, o.x + o.w), y1 = std::min(y + h, o.y + o.h);
  if (x1 <= x0 || y1 <= y0) return *this;
  return {x0, y0, x1 - x0, y1 - y0};
}

Rect DetectBars(const uint8_t* g, int width, int height, int stride) {
  Rect full{0, 0, width, height};
  if (width < 8 || height < 8) return full;
  int top = 0, bottom = height, left = 0, right = width;
  auto row = [&](int y) { return g + static_cast<size_t>(y) * stride; };
  int c = EdgeColour(row(0), width, 1);
  while (top < bottom && IsBarLine(row(top), width, 1, c)) ++top;
  c = EdgeColour(row(height - 1), width, 1);
  while (bottom > top && IsBarLine(row(bottom - 1), width, 1, c)) --bottom;
  if (bottom - top < height / 5) return full;
  const int rows = bottom - top;
  c = EdgeColour(row(top), rows, stride);
  while (left < right && IsBarLine(row(top) + left, rows, stride, c)) ++left;
  c = EdgeColour(row(top) + width - 1, rows, stride);
  while (right > left && IsBarLine(row(top) + right - 1, rows, stride, c)) --right;
  if (right - left < width / 5) return full;
  // A frame that is mostly one colour (a fade, a dark scene) says nothing about bars.
  if (static_cast<int64_t>(right - left) * (bottom - top) < static_cast<int64_t>(width) * height / 4) {
    return full;
  }
  return {left, top, right - left, bottom - top};
}

void SharpRegion::Add(const uint8_t* g, int stride) {
  rows_.resize(height_);
  cols_.resize(width_);
  std::vector<double> col_sum(width_, 0);
  for (int y = 0; y + 1 < height_; ++y) {
    const uint8_t* p = g + static_cast<size_t>(y) * stride;
    const uint8_t* q = p + stride;
    double row_sum = 0;
    for (int x = 0; x + 1 < width_; ++x) {
      int d = std::abs(p[x + 1] - p[x]) + std::abs(q[x] - p[x]);
      row_sum += d;
      col_sum[x] += d;
    }
    rows_[y].push_back(static_cast<float>(row_sum / std::max(1, width_ - 1)));
  }
  rows_[height_ - 1].push_back(rows_[std::max(0, height_ - 2)].empty() ? 0 : rows_[std::max(0, height_ - 2)].back());
  for (int x = 0; x < width_; ++x) {
    cols_[x].push_back(static_cast<float>(col_sum[std::min(x, width_ - 2)] / std::max(1, height_ - 1)));
  }
  ++frames_;
}

Rect SharpRegion::Region() const {
  Rect full{0, 0, width_, height_};
  if (frames_ == 0) return full;
  // Detail of each line: a high percentile over time, so a line counts as
  // picture if it ever shows detail.
  auto profile = [](const std::vector<std::vector<float>>& lines) {
    std::vector<float> p;
    p.reserve(lines.size());
    for (const auto& l : lines) p.push_back(Percentile(l, 0.9));
    return p;
  };
  // Trims a side only when a wide band there is far less detailed than the
  // picture: hashing is very sensitive to the region, so doubtful trims
  // would do more harm than good.
  auto trim = [](const std::vector<float>& p, int* b, int* e) {
    const int n = static_cast<int>(p.size());
    float typical = Percentile(p, 0.9);
    float threshold = std::max(1.0f, 0.3f * typical);
    *b = 0;
    *e = n;
    while (*b < *e && p[*b] < threshold) ++*b;
    while (*e > *b && p[*e - 1] < threshold) --*e;
    if (*b < n / 12) *b = 0;
    if (n - *e < n / 12) *e = n;
  };
  std::vector<float> rows = profile(rows_), cols = profile(cols_);
  int top, bottom, left, right;
  trim(rows, &top, &bottom);
  trim(cols, &left, &right);
  if (bottom - top < height_ / 5 || right - left < width_ / 5) return full;
  return {left, top, right - left, bottom - top};
}

InsetDetector::InsetDetector(int width, int height)
    : width_(width), height_(height),
      ex_(static_cast<size_t>(width) * height, 0.0f),
      ey_(static_cast<size_t>(width) * height, 0.0f) {}

void InsetDetector::Add(const uint8_t* g, int stride) {
  for (int y = 0; y + 1 < height_; ++y) {
    const uint8_t* p = g + static_cast<size_t>(y) * stride;
    const uint8_t* q = p + stride;
    float* ex = &ex_[static_cast<size_t>(y) * width_];
    float* ey = &ey_[static_cast<size_t>(y) * width_];
    for (int x = 0; x + 1 < width_; ++x) {
      ex[x] += std::abs(p[x + 1] - p[x]);
      ey[x] += std::abs(q[x] - p[x]);
    }
  }
  ++frames_;
}

namespace {

struct Run {
  int line, begin, end;  // a run of edge pixels on one line, [begin, end)
};

// Runs of persistent edges along lines. `at(line, i)` is the time-averaged
// edge strength between pixel i of `line` and its neighbour across.
template <typename At>
std::vector<Run> EdgeRuns(int lines, int length, At at, float mean) {
  std::vector<Run> runs;
  const int min_len = length / 6;
  for (int l = 1; l + 2 < lines; ++l) {
    int begin = -1, gap = 0;
    for (int i = 0; i <= length; ++i) {
      bool on = false;
      if (i < length) {
        const float v = at(l, i), next = at(l + 1, i);
        // Strong, and a ridge: clearly above the lines beside it. A border
        // that falls between two pixels of the analysed frame (an inset
        // placed at an odd position, then scaled) splits its step over two
        // lines, each about half as strong: such a pair counts on its first
        // line.
        const bool single = v > 2.5f * mean && v > 1.5f * at(l - 1, i) && v > 1.5f * next;
        const bool pair = v + next > 2.5f * mean && std::min(v, next) > 0.4f * (v + next) &&
                          std::min(v, next) > 1.5f * std::max(at(l - 1, i), at(l + 2, i));
        on = single || pair;
      }
      if (on) {
        if (begin < 0) begin = i;
        gap = 0;
      } else if (begin >= 0 && ++gap > 3) {
        int end = i - gap + 1;
        if (end - begin >= min_len) runs.push_back({l, begin, end});
        begin = -1;
        gap = 0;
      }
    }
  }
  return runs;
}

}  // namespace

std::optional<Rect> InsetDetector::Inset() const {
  if (frames_ < 3) return std::nullopt;
  double total = 0;
  for (size_t i = 0; i < ex_.size(); ++i) total += ex_[i] + ey_[i];
  float mean = static_cast<float>(total / (2.0 * ex_.size()));
  if (mean <= 0) return std::nullopt;
  // Vertical borders: runs down a column of ex (edge between x and x+1).
  auto ex = [&](int x, int y) { return ex_[static_cast<size_t>(y) * width_ + x]; };
  auto ey = [&](int y, int x) { return ey_[static_cast<size_t>(y) * width_ + x]; };
  std::vector<Run> vertical = EdgeRuns(width_, height_, ex, mean);
  std::vector<Run> horizontal = EdgeRuns(height_, width_, ey, mean);
  auto covered = [](const std::vector<Run>& runs, int line, int begin, int end) {
    // Share of [begin, end) on `line` (or a line beside it) covered by runs.
    int best = 0;
    for (const Run& r : runs) {
      if (std::abs(r.line - line) > 1) continue;
      best = std::max(best, std::min(end, r.end) - std::max(begin, r.begin));
    }
    return static_cast<double>(best) / std::max(1, end - begin);
  };
  std::optional<Rect> best;
  double best_score = 0;
  int64_t best_area = 0;
  for (const Run& l : vertical) {
    for (const Run& r : vertical) {
      if (r.line <= l.line + width_ / 8) continue;
      int top = std::max(l.begin, r.begin), bottom = std::min(l.end, r.end);
      if (bottom - top < height_ / 8) continue;
      // The rectangle spans from the left border to the right one; check the
      // top and bottom borders (either may lie on the frame edge).
      int x0 = l.line + 1, x1 = r.line + 1;
      double side_l = covered(vertical, l.line, top, bottom);
      double side_r = covered(vertical, r.line, top, bottom);
      double side_t = covered(horizontal, top - 1, x0, x1);
      double side_b = covered(horizontal, bottom - 1, x0, x1);
      int strong = (side_l > 0.7) + (side_r > 0.7) + (side_t > 0.7) + (side_b > 0.7);
      if (strong < 3) continue;
      int64_t area = int64_t{x1 - x0} * (bottom - top);
      int64_t frame = int64_t{width_} * height_;
      if (area < frame / 10 || area > frame * 8 / 10) continue;
      // Of rectangles about as well bordered, the largest: an edge inside
      // the inset's picture bounds a smaller one whose other borders are
      // the inset's own, as fully covered.
      double score = side_l + side_r + side_t + side_b;
      if (score > best_score + 0.05 || (score > best_score - 0.05 && area > best_area)) {
        best_score = std::max(best_score, score);
        best_area = area;
        best = Rect{x0 + 1, top + 1, x1 - x0 - 2, bottom - top - 2};
      }
    }
  }
  return best;
}

}  // namespace uncut

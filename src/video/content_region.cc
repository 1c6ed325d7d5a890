#include "video/content_region.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

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

// Share of [begin, end) on `line` (or a line beside it) covered by runs.
double Covered(const std::vector<Run>& runs, int line, int begin, int end) {
  int best = 0;
  for (const Run& r : runs) {
    if (std::abs(r.line - line) > 1) continue;
    best = std::max(best, std::min(end, r.end) - std::max(begin, r.begin));
  }
  return static_cast<double>(best) / std::max(1, end - begin);
}

// The extents a rectangle may take along two parallel borders' runs: where
// both run (a weak stretch at one end of either border leaves the corner to
// the other) or where either runs.
std::vector<std::pair<int, int>> SpanChoices(const Run& a, const Run& b) {
  std::vector<std::pair<int, int>> out;
  for (int begin : {std::max(a.begin, b.begin), std::min(a.begin, b.begin)}) {
    for (int end : {std::min(a.end, b.end), std::max(a.end, b.end)}) {
      if (end > begin) out.push_back({begin, end});
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// A rectangle [x0, x1) x [y0, y1) and how well its four borders show.
struct Candidate {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int strong = 0;  // borders at least 70% covered by runs
  int64_t area() const { return int64_t{x1 - x0} * (y1 - y0); }
};

// Searches the rectangles that runs of persistent edges outline. A border on
// line k is the edge between pixels k and k + 1, so a rectangle whose left
// border is on column k starts at column k + 1.
class InsetSearch {
 public:
  InsetSearch(int width, int height, std::vector<Run> vertical, std::vector<Run> horizontal)
      : width_(width), height_(height), vertical_(std::move(vertical)),
        horizontal_(std::move(horizontal)) {}

  // The rectangle with the most clear borders (at least three); of as many,
  // the largest: an edge inside the inset's picture (a pillarbox's edge, a
  // split screen) bounds a smaller rectangle whose other borders are the
  // inset's own. Rectangles come from two vertical borders, their top and
  // bottom where the runs end, and from two horizontal borders, their sides
  // where the runs end: either pair may leave out a border too weak (the
  // inset's edge of the same colour as the backdrop there) to make a run.
  std::optional<Candidate> BestBordered() const {
    std::optional<Candidate> best;
    auto consider = [&](int x0, int x1, int y0, int y1) {
      std::optional<Candidate> c = Evaluate(x0, x1, y0, y1);
      if (!c || c->strong < 3) return;
      if (!best || c->strong > best->strong ||
          (c->strong == best->strong && c->area() > best->area())) {
        best = c;
      }
    };
    for (const Run& l : vertical_) {
      for (const Run& r : vertical_) {
        if (r.line <= l.line + width_ / 8) continue;
        for (auto [y0, y1] : SpanChoices(l, r)) consider(l.line + 1, r.line + 1, y0, y1);
      }
    }
    for (const Run& t : horizontal_) {
      for (const Run& b : horizontal_) {
        if (b.line <= t.line + height_ / 8) continue;
        for (auto [x0, x1] : SpanChoices(t, b)) consider(x0, x1, t.line + 1, b.line + 1);
      }
    }
    return best;
  }

 private:
  std::optional<Candidate> Evaluate(int x0, int x1, int y0, int y1) const {
    if (x1 - x0 < width_ / 8 || y1 - y0 < height_ / 8) return std::nullopt;
    Candidate c{x0, y0, x1, y1};
    const int64_t frame = int64_t{width_} * height_;
    if (c.area() < frame / 10 || c.area() > frame * 8 / 10) return std::nullopt;
    for (double side : {Covered(vertical_, x0 - 1, y0, y1), Covered(vertical_, x1 - 1, y0, y1),
                        Covered(horizontal_, y0 - 1, x0, x1), Covered(horizontal_, y1 - 1, x0, x1)}) {
      c.strong += side > 0.7;
    }
    return c;
  }

  int width_, height_;
  std::vector<Run> vertical_, horizontal_;
};

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
  InsetSearch search(width_, height_, EdgeRuns(width_, height_, ex, mean),
                     EdgeRuns(height_, width_, ey, mean));
  std::optional<Candidate> best = search.BestBordered();
  if (!best) return std::nullopt;
  // The inner rectangle: a pixel in from each border.
  return Rect{best->x0 + 1, best->y0 + 1, best->x1 - best->x0 - 2, best->y1 - best->y0 - 2};
}

}  // namespace uncut

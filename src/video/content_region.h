// Finding the picture's real content inside a frame.
//
// Circulating copies add black or solid bars (letterbox, pillarbox, padded
// squares) or put the picture on a blurred copy of itself (vertical
// re-posts). Hashing the whole frame then compares bars with picture; uncut
// hashes the content rectangle instead.
//  - DetectBars works on one frame: it trims edge rows and columns that are
//    flat (nearly uniform) and of the border's colour.
//  - SharpRegion works on a whole clip: it trims edge rows and columns whose
//    detail never rises above a small share of the picture's detail over the
//    clip (blurred backgrounds, static borders), which one frame cannot tell
//    from a dark or smooth scene.
#ifndef UNCUT_VIDEO_CONTENT_REGION_H_
#define UNCUT_VIDEO_CONTENT_REGION_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace uncut {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  friend bool operator==(const Rect&, const Rect&) = default;
  Rect Intersect(const Rect& o) const;
};

// Content rectangle of an 8-bit grey frame (the whole frame when no bars).
Rect DetectBars(const uint8_t* gray, int width, int height, int stride);

// Accumulates per-row and per-column detail over a clip's frames.
class SharpRegion {
 public:
  SharpRegion(int width, int height) : width_(width), height_(height) {}
  void Add(const uint8_t* gray, int stride);
  // The rectangle of rows and columns that carry detail.
  Rect Region() const;
  int frames() const { return frames_; }

 private:
  int width_, height_;
  int frames_ = 0;
  // Per row/column: detail per frame, to take a high percentile over time.
  std::vector<std::vector<float>> rows_, cols_;
};

// Finds a picture-in-picture inset: a rectangle whose four borders are
// straight edges that stay put over the clip while the pictures inside and
// outside change. Works on the clip's time-averaged edge maps: a border
// shows as a long run of strong edge pixels, stronger than its neighbours,
// along one column (or row). A border may fade where the inset's picture
// meets a backdrop of its shade: rectangles take their corners from where
// either of two parallel borders' runs ends.
class InsetDetector {
 public:
  InsetDetector(int width, int height);
  void Add(const uint8_t* gray, int stride);
  // The inset's inner rectangle, if one with at least three clear borders
  // covering 10-80% of the frame was found.
  std::optional<Rect> Inset() const;

 private:
  int width_, height_;
  int frames_ = 0;
  std::vector<float> ex_, ey_;  // mean |d/dx| and |d/dy| per pixel
};

}  // namespace uncut

#endif  // UNCUT_VIDEO_CONTENT_REGION_H_

#include "video/query_video.h"

#include <algorithm>
#include <cmath>

#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"
#include "decode/video_reader.h"
#include "video/content_region.h"

namespace uncut {
namespace {

// Mean absolute difference of two frames on a coarse grid.
double FrameDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::abs(int(a[i]) - int(b[i]));
  return s / a.size();
}

std::vector<uint8_t> Thumbnail(const VideoFrame& f) {
  constexpr int kW = 32, kH = 18;
  std::vector<uint8_t> t(kW * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      int x0 = x * f.width / kW, x1 = std::max(x0 + 1, (x + 1) * f.width / kW);
      int y0 = y * f.height / kH, y1 = std::max(y0 + 1, (y + 1) * f.height / kH);
      int sum = 0, n = 0;
      for (int yy = y0; yy < y1; yy += 2) {
        for (int xx = x0; xx < x1; xx += 2) {
          sum += f.pixels[static_cast<size_t>(yy) * f.width + xx];
          ++n;
        }
      }
      t[y * kW + x] = static_cast<uint8_t>(sum / std::max(1, n));
    }
  }
  return t;
}

Rect BarsWithin(const VideoFrame& f, Rect outer) {
  Rect b = DetectBars(f.pixels.data() + static_cast<size_t>(outer.y) * f.width + outer.x, outer.w,
                      outer.h, f.width);
  return Rect{outer.x + b.x, outer.y + b.y, b.w, b.h};
}
// The part of `r` given as fractions of it.
Rect Part(const Rect& r, double x0, double y0, double x1, double y1) {
  const int a = r.x + static_cast<int>(std::lround(x0 * r.w));
  const int b = r.y + static_cast<int>(std::lround(y0 * r.h));
  const int c = r.x + static_cast<int>(std::lround(x1 * r.w));
  const int d = r.y + static_cast<int>(std::lround(y1 * r.h));
  return Rect{a, b, std::max(1, c - a), std::max(1, d - b)};
}

// A vertical re-post shows the landscape original at full width, centred
// over a blurred copy of itself; where the sharp region is not found (the
// blur leaves edges, a caption or logo sits in the padding), the band it
// would be is hashed anyway: for a portrait frame, the centred full-width
// bands of 16:9 and 4:3 pictures.
std::vector<Rect> VerticalRepostBands(int w, int h) {
  std::vector<Rect> bands;
  if (h * 4 <= w * 5) return bands;
  for (double aspect : {16.0 / 9.0, 4.0 / 3.0}) {
    const int bh = static_cast<int>(std::lround(w / aspect));
    bands.push_back(Rect{0, (h - bh) / 2, w, bh});
  }
  return bands;
}

// Central fractions of a clip's picture hashed against the source's zoom
// (80%) and crop (60%) hashes: with the whole picture against the crop
// hash, a zoom to 60-100% of the source is within 5% of one of them.
constexpr double kZoomFractions[] = {0.92, 0.85, 0.78};

}  // namespace

int HashDistance(const QueryVideoFrame& f, const FrameSig& s, int min_quality, bool regions,
                 bool whole) {
  int best = 256;
  for (size_t v = 0; v < f.hashes.size(); ++v) {
    if (f.QualityOf(v) < min_quality) continue;
    const uint8_t t = f.TargetsOf(v);
    const PdqHash& h = f.hashes[v];
    if (whole && (t & kTargetMain)) best = std::min(best, Hamming(h, s.main));
    if (whole && (t & kTargetZoom)) best = std::min(best, Hamming(h, s.zoom));
    if (!regions || !s.has_regions) continue;
    for (int k = 0; k < kRegionCount; ++k) {
      if ((t & RegionTarget(k)) && s.region_quality[k] >= min_quality) {
        best = std::min(best, Hamming(h, s.region[k]) + kRegionPenalty[k]);
      }
    }
  }
  return best;
}

absl::StatusOr<QueryVideo> AnalyzeQueryVideo(const std::string& path,
                                             const QueryVideoOptions& options) {
  ASSIGN_OR_RETURN(MediaInfo info, ProbeMedia(path));
  QueryVideo out;
  out.duration_s = info.duration_s;
  double hash_fps = options.hash_fps;
  if (info.duration_s * hash_fps > options.max_hashed_frames && info.duration_s > 0) {
    hash_fps = options.max_hashed_frames / info.duration_s;
  }
  out.hash_fps = hash_fps;
  VideoReadOptions ro;
  ro.max_side = options.max_side;
  ro.relative_time = true;
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(path, ro));
  if (reader->fps() > 0) out.frame_interval_s = 1.0 / reader->fps();

  // Pass 1: decode every frame; keep the ones on the hashing grid, and a
  // thumbnail difference for every frame (cuts).
  std::vector<VideoFrame> kept;
  std::vector<std::pair<double, double>> diffs;  // (time, difference to the previous frame)
  std::vector<uint8_t> prev;
  int64_t next_cell = INT64_MIN;
  VideoFrame frame;
  while (true) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&frame));
    if (!got) break;
    std::vector<uint8_t> thumb = Thumbnail(frame);
    if (!prev.empty()) diffs.push_back({frame.time_s, FrameDifference(prev, thumb)});
    prev = std::move(thumb);
    int64_t cell = static_cast<int64_t>(std::ceil(frame.time_s * hash_fps - 0.5));
    if (cell >= next_cell) {
      kept.push_back(frame);
      next_cell = cell + 1;
    }
  }
  if (kept.empty()) return absl::InvalidArgumentError(StrCat(path, ": no video frames could be decoded"));
  if (out.duration_s <= 0) out.duration_s = kept.back().time_s + out.frame_interval_s;

  // Hard cuts: a difference well above its neighbourhood.
  for (size_t i = 0; i < diffs.size(); ++i) {
    double local = 0;
    int n = 0;
    for (size_t j = (i > 6 ? i - 6 : 0); j < std::min(diffs.size(), i + 7); ++j) {
      if (j == i) continue;
      local = std::max(local, diffs[j].second);
      ++n;
    }
    bool peak = diffs[i].second >= 8.0 && diffs[i].second > 2.5 * local;
    if (peak) out.cuts.push_back(diffs[i].first);
  }

  // Clip-level regions.
  const int w = kept[0].width, h = kept[0].height;
  SharpRegion sharp(w, h);
  InsetDetector inset(w, h);
  for (const VideoFrame& f : kept) {
    if (f.width != w || f.height != h) continue;
    sharp.Add(f.pixels.data(), f.width);
    inset.Add(f.pixels.data(), f.width);
  }
  Rect sharp_rect = sharp.Region();
  std::optional<Rect> inset_rect = inset.Inset();
  Rect full{0, 0, w, h};
  if (!(sharp_rect == full)) {
    out.analysis["sharp_region"] = {sharp_rect.x, sharp_rect.y, sharp_rect.w, sharp_rect.h};
  }
  if (inset_rect) {
    out.analysis["inset"] = {inset_rect->x, inset_rect->y, inset_rect->w, inset_rect->h};
  }
  out.analysis["frame"] = {w, h};

  // Pass 2: hash the kept frames. One summed-area table a frame serves every
  // region; a mirrored hash comes from the DCT's sign pattern (FlipDct).
  for (const VideoFrame& f : kept) {
    if (f.width != w || f.height != h) continue;
    QueryVideoFrame q;
    q.time_s = f.time_s;
    std::vector<Rect> regions = {full, BarsWithin(f, full)};
    if (!(sharp_rect == full)) regions.push_back(BarsWithin(f, sharp_rect));
    if (inset_rect) regions.push_back(BarsWithin(f, *inset_rect));
    // A vertical re-post's band shows the source's frame, bars and all: its
    // bar-free region is compared with the source's content, its parts with
    // the source frame's parts.
    const std::vector<Rect> bands = VerticalRepostBands(w, h);
    for (const Rect& band : bands) regions.push_back(BarsWithin(f, band));
    std::sort(regions.begin(), regions.end(), [](const Rect& a, const Rect& b) {
      return std::tie(a.x, a.y, a.w, a.h) < std::tie(b.x, b.y, b.w, b.h);
    });
    regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
    GrayIntegral image(f.pixels.data(), w, h, w);
    Rect main = BarsWithin(f, full);
    // A hash of rectangle r and its mirror image, compared with the stored
    // hashes `targets` (plain) and `mirror_targets` (mirrored).
    auto add = [&](const Rect& r, uint8_t targets, uint8_t mirror_targets) {
      PdqDct dct = PdqDctFromBlock(AreaAverage64(image, r.x, r.y, r.w, r.h));
      q.hashes.push_back(PdqHashFromDct(dct));
      q.hashes.push_back(PdqHashFromDct(FlipDct(dct, /*horizontal=*/true, /*vertical=*/false)));
      q.targets.insert(q.targets.end(), {targets, mirror_targets});
      q.qualities.insert(q.qualities.end(), 2, static_cast<uint8_t>(dct.quality));
      return dct.quality;
    };
    // The whole frame and its bar-free region are also compared with the
    // source's crop hash, and zoomed into (bars found in a zoomed-in copy
    // are often dark picture, not bars).
    for (const Rect& r : regions) {
      const bool whole = r == main || r == full;
      const uint8_t t = whole ? kTargetMainOrZoom | RegionTarget(kRegionCrop) : kTargetMainOrZoom;
      const int quality = add(r, t, t);
      if (r == main) {
        q.quality = quality;
        q.main_variant = q.hashes.size() - 2;
      }
    }
    std::vector<Rect> bases = {full};
    if (!(main == full)) bases.push_back(main);
    for (const Rect& base : bases) {
      for (double z : kZoomFractions) {
        const double m = (1 - z) / 2;
        add(Part(base, m, m, 1 - m, 1 - m), kTargetZoom | RegionTarget(kRegionCrop),
            kTargetZoom | RegionTarget(kRegionCrop));
      }
    }
    // The parts a caption or a panel may leave, of the frame (overlays are
    // drawn on the frame, over any bars) and of its bar-free region (bars
    // added to the copy), and of a vertical re-post's bands (a caption or
    // logo drawn on the picture itself).
    std::vector<Rect> part_bases = bases;
    part_bases.insert(part_bases.end(), bands.begin(), bands.end());
    for (const Rect& base : part_bases) {
      const RegionBox& u = kRegionBoxes[kRegionUpper];
      add(Part(base, u.x0, u.y0, u.x1, u.y1), RegionTarget(kRegionUpper), RegionTarget(kRegionUpper));
      // A mirrored clip's left half is the source's right half.
      for (int k : {kRegionLeft, kRegionRight}) {
        const RegionBox& b = kRegionBoxes[k];
        const int other = k == kRegionLeft ? kRegionRight : kRegionLeft;
        add(Part(base, b.x0, b.y0, b.x1, b.y1), RegionTarget(k), RegionTarget(other));
      }
    }
    out.frames.push_back(std::move(q));
  }
  return out;
}

}  // namespace uncut

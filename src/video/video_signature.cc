#include "video/video_signature.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/status_macros.h"
#include "base/strings.h"
#include "video/content_region.h"

namespace uncut {
namespace {

// Version 1: main and zoom hashes. Version 2: each frame also has a byte
// saying whether its region hashes follow (1) or not (0).
constexpr char kMagic1[4] = {'U', 'V', 'S', '1'};
constexpr char kMagic2[4] = {'U', 'V', 'S', '2'};
constexpr size_t kFrameBytes1 = 4 + 4 + 32 + 32 + 2;
constexpr size_t kRegionBytes = kRegionCount * (32 + 1);

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

}  // namespace

// Written as version 2 when a frame has region hashes, else as version 1
// (which older versions read).
std::string VideoSignature::Serialize() const {
  const bool regions =
      std::any_of(frames.begin(), frames.end(), [](const FrameSig& f) { return f.has_regions; });
  std::string out;
  out.reserve(40 + frames.size() * (kFrameBytes1 + (regions ? 1 + kRegionBytes : 0)));
  out.append(regions ? kMagic2 : kMagic1, 4);
  Put(&out, sample_fps);
  Put(&out, duration_s);
  Put(&out, static_cast<int32_t>(width));
  Put(&out, static_cast<int32_t>(height));
  Put(&out, static_cast<uint64_t>(frames.size()));
  for (const FrameSig& f : frames) {
    Put(&out, f.cell);
    Put(&out, f.time_s);
    for (uint64_t w : f.main.words) Put(&out, w);
    for (uint64_t w : f.zoom.words) Put(&out, w);
    Put(&out, f.main_quality);
    Put(&out, f.zoom_quality);
    if (!regions) continue;
    Put(&out, static_cast<uint8_t>(f.has_regions));
    if (!f.has_regions) continue;
    for (const PdqHash& h : f.region) {
      for (uint64_t w : h.words) Put(&out, w);
    }
    for (uint8_t q : f.region_quality) Put(&out, q);
  }
  return out;
}

absl::StatusOr<VideoSignature> VideoSignature::Parse(std::string_view b) {
  if (b.size() < 36) return absl::DataLossError("video signature: bad header");
  const bool v2 = std::memcmp(b.data(), kMagic2, 4) == 0;
  if (!v2 && std::memcmp(b.data(), kMagic1, 4) != 0) {
    return absl::DataLossError("video signature: bad header");
  }
  const size_t min_frame_bytes = kFrameBytes1 + (v2 ? 1 : 0);
  VideoSignature s;
  const char* p = b.data() + 4;
  const char* const end = b.data() + b.size();
  s.sample_fps = Get<double>(p);
  s.duration_s = Get<double>(p + 8);
  s.width = Get<int32_t>(p + 16);
  s.height = Get<int32_t>(p + 20);
  uint64_t n = Get<uint64_t>(p + 24);
  p += 32;
  if (n > (b.size() - 36) / min_frame_bytes || (!v2 && b.size() != 36 + n * kFrameBytes1)) {
    return absl::DataLossError("video signature: bad length");
  }
  s.frames.resize(n);
  for (FrameSig& f : s.frames) {
    if (static_cast<size_t>(end - p) < min_frame_bytes) {
      return absl::DataLossError("video signature: bad length");
    }
    f.cell = Get<uint32_t>(p);
    f.time_s = Get<float>(p + 4);
    for (int i = 0; i < 4; ++i) f.main.words[i] = Get<uint64_t>(p + 8 + 8 * i);
    for (int i = 0; i < 4; ++i) f.zoom.words[i] = Get<uint64_t>(p + 40 + 8 * i);
    f.main_quality = static_cast<uint8_t>(p[72]);
    f.zoom_quality = static_cast<uint8_t>(p[73]);
    p += kFrameBytes1;
    if (!v2) continue;
    const uint8_t flag = static_cast<uint8_t>(*p++);
    if (flag > 1) return absl::DataLossError("video signature: bad region flag");
    f.has_regions = flag == 1;
    if (!f.has_regions) continue;
    if (static_cast<size_t>(end - p) < kRegionBytes) {
      return absl::DataLossError("video signature: bad length");
    }
    for (int k = 0; k < kRegionCount; ++k) {
      for (int i = 0; i < 4; ++i) f.region[k].words[i] = Get<uint64_t>(p + 32 * k + 8 * i);
      f.region_quality[k] = static_cast<uint8_t>(p[32 * kRegionCount + k]);
    }
    p += kRegionBytes;
  }
  if (p != end) return absl::DataLossError("video signature: bad length");
  return s;
}

size_t VideoSignature::Nearest(double t) const {
  if (frames.empty()) return 0;
  auto it = std::lower_bound(frames.begin(), frames.end(), t,
                             [](const FrameSig& f, double v) { return f.time_s < v; });
  size_t i = static_cast<size_t>(it - frames.begin());
  if (i == frames.size()) return i - 1;
  if (i > 0 && t - frames[i - 1].time_s < frames[i].time_s - t) return i - 1;
  return i;
}

SourceRegions SourceFrameRegions(const VideoFrame& f) {
  Rect c = DetectBars(f.pixels.data(), f.width, f.height, f.width);
  Rect zoom = Rect{f.width / 10, f.height / 10, f.width * 8 / 10, f.height * 8 / 10}.Intersect(c);
  return {c.x, c.y, c.w, c.h, zoom.x, zoom.y, zoom.w, zoom.h};
}

FrameSig SignFrame(const VideoFrame& frame, double sample_fps) {
  SourceRegions r = SourceFrameRegions(frame);
  GrayIntegral image(frame.pixels.data(), frame.width, frame.height, frame.width);
  PdqDct main = PdqDctFromBlock(AreaAverage64(image, r.x, r.y, r.w, r.h));
  PdqDct zoom = PdqDctFromBlock(AreaAverage64(image, r.zx, r.zy, r.zw, r.zh));
  FrameSig f;
  f.time_s = static_cast<float>(frame.time_s);
  f.cell = static_cast<uint32_t>(
      std::max<int64_t>(0, static_cast<int64_t>(std::ceil(frame.time_s * sample_fps - 0.5))));
  f.main = PdqHashFromDct(main);
  f.zoom = PdqHashFromDct(zoom);
  f.main_quality = static_cast<uint8_t>(main.quality);
  f.zoom_quality = static_cast<uint8_t>(zoom.quality);
  f.has_regions = f.cell % kRegionCellStep == 0;
  for (int k = 0; k < kRegionCount && f.has_regions; ++k) {
    // Parts of the frame, like the zoom: a zoomed-in copy of a letterboxed
    // film crops the frame, and captions and panels are drawn on the frame.
    const RegionBox& b = kRegionBoxes[k];
    const Rect base{0, 0, frame.width, frame.height};
    Rect part{base.x + static_cast<int>(std::lround(b.x0 * base.w)),
              base.y + static_cast<int>(std::lround(b.y0 * base.h)), 0, 0};
    part.w = std::max(1, base.x + static_cast<int>(std::lround(b.x1 * base.w)) - part.x);
    part.h = std::max(1, base.y + static_cast<int>(std::lround(b.y1 * base.h)) - part.y);
    if (k == kRegionCrop) part = part.Intersect(Rect{r.x, r.y, r.w, r.h});
    const int x0 = part.x, y0 = part.y, x1 = part.x + part.w, y1 = part.y + part.h;
    PdqDct dct = PdqDctFromBlock(AreaAverage64(image, x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0)));
    f.region[k] = PdqHashFromDct(dct);
    f.region_quality[k] = static_cast<uint8_t>(dct.quality);
  }
  return f;
}

VideoReadOptions SignReadOptions(const VideoSignOptions& options) {
  VideoReadOptions ro;
  ro.sample_fps = options.sample_fps;
  ro.max_side = options.max_side;
  ro.skip_nonreference = options.skip_nonreference;
  ro.skip_bidirectional = options.skip_bidirectional;
  ro.skip_loop_filter = options.skip_loop_filter;
  ro.reduced_resolution = options.reduced_resolution;
  ro.threads = options.threads;
  ro.min_b_probe_duration_s = options.min_b_probe_duration_s;
  ro.b_recheck_period_s = options.b_recheck_period_s;
  return ro;
}

absl::StatusOr<VideoSignature> SignVideo(const std::string& path, const VideoSignOptions& options) {
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(path, SignReadOptions(options)));
  VideoSignature sig;
  sig.sample_fps = options.sample_fps;
  sig.duration_s = reader->duration_s();
  VideoFrame frame;
  while (true) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&frame));
    if (!got) break;
    sig.width = frame.width;
    sig.height = frame.height;
    sig.frames.push_back(SignFrame(frame, options.sample_fps));
    if (options.on_frame) options.on_frame(frame);
  }
  if (sig.frames.empty()) {
    return absl::InvalidArgumentError(StrCat(path, ": no video frames could be decoded"));
  }
  if (sig.duration_s <= 0) sig.duration_s = sig.frames.back().time_s;
  return sig;
}

std::vector<Posting> VideoPostings(const VideoSignature& sig, int min_quality) {
  std::vector<Posting> out;
  out.reserve(sig.frames.size() * 16 * (2 + kRegionCount));
  for (const FrameSig& f : sig.frames) {
    for (int v = 0; v < 2; ++v) {
      const PdqHash& h = v == 0 ? f.main : f.zoom;
      int q = v == 0 ? f.main_quality : f.zoom_quality;
      if (q < min_quality) continue;
      for (int c = 0; c < 16; ++c) out.push_back({ChunkKey(c, h.Chunk(c)), 0, f.cell * 2 + v});
    }
  }
  std::vector<Posting> regions = VideoRegionPostings(sig, min_quality);
  out.insert(out.end(), regions.begin(), regions.end());
  return out;
}

std::vector<Posting> VideoRegionPostings(const VideoSignature& sig, int min_quality) {
  std::vector<Posting> out;
  for (const FrameSig& f : sig.frames) {
    if (!f.has_regions) continue;
    for (int k = 0; k < kRegionCount; ++k) {
      if (f.region_quality[k] < min_quality) continue;
      for (int c = 0; c < 16; ++c) {
        out.push_back({RegionChunkKey(k, c, f.region[k].Chunk(c)), 0, f.cell * 2});
      }
    }
  }
  return out;
}

size_t AddRegionHashes(const VideoSignature& fresh, VideoSignature* older) {
  size_t added = 0, j = 0;
  for (FrameSig& f : older->frames) {
    // Both are in time order, one frame a cell.
    while (j < fresh.frames.size() && fresh.frames[j].cell < f.cell) ++j;
    if (j == fresh.frames.size()) break;
    const FrameSig& n = fresh.frames[j];
    if (n.cell != f.cell || !n.has_regions || f.has_regions) continue;
    f.has_regions = true;
    f.region = n.region;
    f.region_quality = n.region_quality;
    ++added;
  }
  return added;
}

}  // namespace uncut

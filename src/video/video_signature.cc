#include "video/video_signature.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/status_macros.h"
#include "base/strings.h"
#include "video/content_region.h"

namespace uncut {
namespace {

constexpr char kMagic[4] = {'U', 'V', 'S', '1'};
constexpr size_t kFrameBytes = 4 + 4 + 32 + 32 + 2;

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

std::string VideoSignature::Serialize() const {
  std::string out;
  out.reserve(40 + frames.size() * kFrameBytes);
  out.append(kMagic, 4);
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
  }
  return out;
}

absl::StatusOr<VideoSignature> VideoSignature::Parse(std::string_view b) {
  if (b.size() < 36 || std::memcmp(b.data(), kMagic, 4) != 0) {
    return absl::DataLossError("video signature: bad header");
  }
  VideoSignature s;
  const char* p = b.data() + 4;
  s.sample_fps = Get<double>(p);
  s.duration_s = Get<double>(p + 8);
  s.width = Get<int32_t>(p + 16);
  s.height = Get<int32_t>(p + 20);
  uint64_t n = Get<uint64_t>(p + 24);
  p += 32;
  if (b.size() != 36 + n * kFrameBytes) return absl::DataLossError("video signature: bad length");
  s.frames.resize(n);
  for (FrameSig& f : s.frames) {
    f.cell = Get<uint32_t>(p);
    f.time_s = Get<float>(p + 4);
    for (int i = 0; i < 4; ++i) f.main.words[i] = Get<uint64_t>(p + 8 + 8 * i);
    for (int i = 0; i < 4; ++i) f.zoom.words[i] = Get<uint64_t>(p + 40 + 8 * i);
    f.main_quality = static_cast<uint8_t>(p[72]);
    f.zoom_quality = static_cast<uint8_t>(p[73]);
    p += kFrameBytes;
  }
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
  return f;
}

absl::StatusOr<VideoSignature> SignVideo(const std::string& path, const VideoSignOptions& options) {
  VideoReadOptions ro;
  ro.sample_fps = options.sample_fps;
  ro.max_side = options.max_side;
  ro.skip_nonreference = options.skip_nonreference;
  ro.skip_bidirectional = options.skip_bidirectional;
  ro.skip_loop_filter = options.skip_loop_filter;
  ro.reduced_resolution = options.reduced_resolution;
  ro.threads = options.threads;
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(path, ro));
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
  out.reserve(sig.frames.size() * 32);
  for (const FrameSig& f : sig.frames) {
    for (int v = 0; v < 2; ++v) {
      const PdqHash& h = v == 0 ? f.main : f.zoom;
      int q = v == 0 ? f.main_quality : f.zoom_quality;
      if (q < min_quality) continue;
      for (int c = 0; c < 16; ++c) out.push_back({ChunkKey(c, h.Chunk(c)), 0, f.cell * 2 + v});
    }
  }
  return out;
}

}  // namespace uncut

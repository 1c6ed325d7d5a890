#include "video/video_chunks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "base/parallel.h"
#include "base/strings.h"
#include "decode/video_reader.h"

namespace uncut {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A sampled frame as a chunk saw it.
struct Sampled {
  FrameSig sig;
  double time_s = 0;   // exact (FrameSig keeps a float)
  uint64_t digest = 0;  // of the grey pixels
  int width = 0, height = 0;
};

struct Chunk {
  double restart_from_s = -1;  // < 0: the video's start
  double boundary_s = std::numeric_limits<double>::infinity();  // the next chunk's
  absl::Status status;
  std::vector<Sampled> frames;  // before the boundary point
  std::vector<Sampled> past;    // at and after it: the check of the next chunk's start
  bool reached_end = false;
  bool out_of_order = false;    // a frame before the boundary point came after one past it
  double start_point_s = kNaN, boundary_point_s = kNaN;
  uint64_t boundary_sps = 0, first_sps = 0;
  bool first_sps_at_start = false;
};

uint64_t PixelDigest(const VideoFrame& f) {
  uint64_t h = (uint64_t{static_cast<uint32_t>(f.width)} << 32) | static_cast<uint32_t>(f.height);
  std::string_view bytes(reinterpret_cast<const char*>(f.pixels.data()), f.pixels.size());
  return (h ^ std::hash<std::string_view>()(bytes)) * 0x100000001b3ULL;
}

// The sampling grid's cell of a time, as VideoReader computes it.
int64_t CellOf(double t, double sample_fps) {
  return static_cast<int64_t>(std::ceil(t * sample_fps - 0.5));
}

void ReadChunk(const std::string& path, const VideoSignOptions& options, int check_frames,
               Chunk* c) {
  VideoReadOptions ro = SignReadOptions(options);
  ro.restart_from_s = c->restart_from_s;
  ro.boundary_s = c->boundary_s;
  auto reader = VideoReader::Open(path, ro);
  if (!reader.ok()) {
    c->status = reader.status();
    return;
  }
  VideoReader& r = **reader;
  VideoFrame f;
  while (true) {
    auto got = r.Next(&f);
    if (!got.ok()) {
      c->status = got.status();
      return;
    }
    if (!*got) {
      c->reached_end = true;
      break;
    }
    const double b = r.boundary_point_s();
    const bool past = !std::isnan(b) && f.time_s >= b;
    Sampled s{SignFrame(f, options.sample_fps), f.time_s, PixelDigest(f), f.width, f.height};
    if (!past) {
      if (!c->past.empty()) c->out_of_order = true;
      c->frames.push_back(std::move(s));
      continue;
    }
    c->past.push_back(std::move(s));
    if (static_cast<int>(c->past.size()) >= check_frames) break;
  }
  c->start_point_s = r.start_point_s();
  c->boundary_point_s = r.boundary_point_s();
  c->boundary_sps = r.boundary_sps_digest();
  c->first_sps = r.first_sps_digest();
  c->first_sps_at_start = r.first_sps_at_start();
  // Frames found to be past the boundary only once it was seen.
  if (!std::isnan(c->boundary_point_s)) {
    for (const Sampled& s : c->frames) c->out_of_order |= s.time_s >= c->boundary_point_s;
  }
}

bool SameFrame(const Sampled& a, const Sampled& b) {
  return a.time_s == b.time_s && a.digest == b.digest && a.width == b.width &&
         a.height == b.height && a.sig.cell == b.sig.cell && a.sig.main == b.sig.main &&
         a.sig.zoom == b.sig.zoom;
}

// Joins the chunks' frames into `sig` as a whole read would have sampled
// them; an empty string, or why they do not join exactly.
std::string Join(const std::vector<Chunk>& chunks, double sample_fps, VideoSignature* sig) {
  int64_t next_cell = std::numeric_limits<int64_t>::min();
  uint64_t sps = 0;  // a whole read's sequence parameters at the last boundary
  const Sampled* last = nullptr;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const Chunk& c = chunks[k];
    const bool final = k + 1 == chunks.size();
    if (!final && std::isnan(c.boundary_point_s)) return "a chunk's end point was not found";
    if (c.out_of_order) return "frames come out of order across a chunk's end point";
    if (k > 0) {
      const Chunk& before = chunks[k - 1];
      if (std::isnan(c.start_point_s) || c.start_point_s != before.boundary_point_s) {
        return "a chunk's start point differs from its predecessor's end point";
      }
      if (before.boundary_sps != 0) sps = before.boundary_sps;
      if (c.first_sps != 0 && !c.first_sps_at_start && sps != 0 && c.first_sps != sps) {
        return "sequence parameters change right after a chunk's start point";
      }
    }
    // The grid takes the first frame of each cell (of those after the
    // cells the chunk before filled).
    std::vector<const Sampled*> taken;
    int64_t cell = next_cell;
    for (const auto* part : {&c.frames, &c.past}) {
      for (const Sampled& s : *part) {
        const int64_t at = CellOf(s.time_s, sample_fps);
        if (at < cell) continue;
        cell = at + 1;
        taken.push_back(&s);
      }
    }
    if (k > 0) {
      const std::vector<Sampled>& check = chunks[k - 1].past;
      if (check.size() > taken.size()) return "a chunk has fewer frames than its check";
      for (size_t i = 0; i < check.size(); ++i) {
        if (!SameFrame(check[i], *taken[i])) {
          return StrCat("the frame at ", check[i].time_s,
                        " s decodes differently from a chunk's start point");
        }
      }
    }
    for (const Sampled& s : c.frames) {
      const int64_t at = CellOf(s.time_s, sample_fps);
      if (at < next_cell) continue;
      next_cell = at + 1;
      sig->frames.push_back(s.sig);
      last = &s;
    }
  }
  if (last == nullptr) return "no frames";
  sig->width = last->width;
  sig->height = last->height;
  return "";
}

}  // namespace

absl::StatusOr<ChunkedSignature> SignVideoInChunks(const std::string& path,
                                                   const VideoSignOptions& options,
                                                   const ChunkedVideoOptions& chunked) {
  ChunkedSignature out;
  auto whole = [&](std::string why) -> absl::StatusOr<ChunkedSignature> {
    auto sig = SignVideo(path, options);
    if (!sig.ok()) return sig.status();
    out.signature = std::move(*sig);
    out.chunks = 1;
    out.whole_because = std::move(why);
    return std::move(out);
  };
  if (chunked.jobs <= 1) return whole("");
  if (options.on_frame) return whole("its frames are watched in order");
  double duration_s = 0, start_s = 0;
  {
    auto reader = VideoReader::Open(path, SignReadOptions(options));
    if (!reader.ok()) return whole("it does not open");
    if (!(*reader)->has_restart_points()) return whole("its codec has no restart points");
    duration_s = (*reader)->duration_s();
    start_s = (*reader)->start_time_s();
  }
  const int wanted = static_cast<int>(std::min<double>(
      std::max(1, chunked.jobs) * std::max(1, chunked.chunks_per_job),
      std::floor(duration_s / std::max(1.0, chunked.min_chunk_s))));
  if (wanted < 2) return whole("it is short");
  // Chunk starts on the recheck grid (see video_chunks.h), in order, inside the video.
  const double period = options.b_recheck_period_s;
  std::vector<double> starts;
  for (int k = 1; k < wanted; ++k) {
    const double t = period * std::round((start_s + k * duration_s / wanted) / period);
    if (t <= start_s || t >= start_s + duration_s) continue;
    if (!starts.empty() && t <= starts.back()) continue;
    starts.push_back(t);
  }
  if (starts.empty()) return whole("it is short");
  std::vector<Chunk> chunks(starts.size() + 1);
  for (size_t k = 0; k < chunks.size(); ++k) {
    if (k > 0) chunks[k].restart_from_s = starts[k - 1];
    if (k < starts.size()) chunks[k].boundary_s = starts[k];
  }
  RunTasksOnThreads(chunks.size(), std::max(1, chunked.jobs), [&](size_t k) {
    ReadChunk(path, options, chunked.check_frames, &chunks[k]);
  });
  for (const Chunk& c : chunks) {
    if (!c.status.ok()) return whole("a chunk could not be read");
  }
  VideoSignature sig;
  sig.sample_fps = options.sample_fps;
  sig.duration_s = duration_s;
  std::string why = Join(chunks, options.sample_fps, &sig);
  if (!why.empty()) return whole(std::move(why));
  if (sig.duration_s <= 0) sig.duration_s = sig.frames.back().time_s;
  out.signature = std::move(sig);
  out.chunks = static_cast<int>(chunks.size());
  return std::move(out);
}

}  // namespace uncut

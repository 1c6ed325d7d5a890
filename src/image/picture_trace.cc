#include "image/picture_trace.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/frame_grabber.h"
#include "decode/jpeg_encoder.h"
#include "decode/video_reader.h"
#include "image/exif.h"
#include "image/image_signature.h"
#include "image/picture.h"
#include "ocr/ocr.h"
#include "trace/text_trace.h"
#include "video/content_region.h"
#include "video/pdq.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

// Query pictures are read at the size clips are (QueryVideoOptions).
constexpr int kQuerySide = 480;
// ... and by OCR at up to this size (longer side), as archived pictures are.
constexpr int kQueryOcrSide = 4000;

struct Variant {
  PdqHash hash;
  const char* name;
};

std::string SecondsText(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", s);
  return text;
}

Rect Central(const Rect& c, int percent) {
  int cw = c.w * percent / 100, ch = c.h * percent / 100;
  return Rect{c.x + (c.w - cw) / 2, c.y + (c.h - ch) / 2, std::max(1, cw), std::max(1, ch)};
}

// The upper `percent` of `c`: what a caption band across the bottom leaves.
Rect Upper(const Rect& c, int percent) {
  return Rect{c.x, c.y, c.w, std::max(1, c.h * percent / 100)};
}

PdqDct RegionDct(const GrayIntegral& image, const Rect& r) {
  return PdqDctFromBlock(AreaAverage64(image, r.x, r.y, r.w, r.h));
}

}  // namespace

Rect PictureContent(const VideoFrame& f) {
  Rect r{0, 0, f.width, f.height};
  // Each pass trims the bars of one colour on each side; a player's frame
  // has several (a title bar, a grey surround, a control bar).
  for (int pass = 0; pass < 4; ++pass) {
    const uint8_t* corner = f.pixels.data() + static_cast<size_t>(r.y) * f.width + r.x;
    Rect in = DetectBars(corner, r.w, r.h, f.width);
    if (in.w == r.w && in.h == r.h) break;
    r = Rect{r.x + in.x, r.y + in.y, in.w, in.h};
  }
  return r;
}

double ScanCostSeconds(const Item& item, double duration_s) {
  double pixels = 1280.0 * 720.0;
  const nlohmann::json& streams =
      item.info.value("media", nlohmann::json::object()).value("streams", nlohmann::json::array());
  for (const nlohmann::json& s : streams) {
    if (!s.is_object() || s.value("type", "") != "video") continue;
    const double w = s.value("width", 0.0), h = s.value("height", 0.0);
    if (w > 0 && h > 0) pixels = w * h;
    break;
  }
  return duration_s * std::max(0.1, pixels / (1280.0 * 720.0));
}

namespace {

// The ways the picture may have been made from its source: whole, without
// bars, the index's own regions, cropped, above a caption band; each also
// mirrored.
std::vector<Variant> HashVariants(const VideoFrame& f, int* quality) {
  const int w = f.width, h = f.height;
  GrayIntegral image(f.pixels.data(), w, h, w);
  Rect full{0, 0, w, h};
  Rect content = PictureContent(f);
  SourceRegions r = SourceFrameRegions(f);
  const std::pair<Rect, const char*> regions[] = {
      {full, "whole"},
      {content, "content"},
      {Rect{r.zx, r.zy, std::max(1, r.zw), std::max(1, r.zh)}, "zoom"},
      {Central(content, 90), "crop90"},
      {Central(content, 80), "crop80"},
      {Central(content, 70), "crop70"},
      {Upper(full, 80), "upper80"},
  };
  std::vector<Variant> out;
  *quality = 0;
  for (const auto& [rect, name] : regions) {
    PdqDct dct = RegionDct(image, rect);
    if (rect == content) *quality = std::max(*quality, dct.quality);
    out.push_back({PdqHashFromDct(dct), name});
    out.push_back({PdqHashFromDct(FlipDct(dct, /*horizontal=*/true, /*vertical=*/false)), name});
  }
  return out;
}

struct Nearest {
  int distance = 257;
  const char* variant = "";
  bool mirrored = false;
};

Nearest Compare(const std::vector<Variant>& query, const PdqHash* hashes, size_t n) {
  Nearest best;
  for (size_t i = 0; i < query.size(); ++i) {
    for (size_t k = 0; k < n; ++k) {
      int d = Hamming(query[i].hash, hashes[k]);
      if (d < best.distance) best = {d, query[i].name, i % 2 == 1};
    }
  }
  return best;
}

Nearest Compare(const std::vector<Variant>& query, const PdqHash& a, const PdqHash& b) {
  const PdqHash hashes[] = {a, b};
  return Compare(query, hashes, 2);
}

// A decoded source frame against the picture: the index's two regions
// (content and zoom) and the regions a screenshot is commonly cut to (the
// whole frame, its central 90%, its part above a caption band), so that
// a crop or a captioned copy meets the region it was made from.
Nearest CompareFrame(const std::vector<Variant>& query, const VideoFrame& frame) {
  const SourceRegions r = SourceFrameRegions(frame);
  GrayIntegral image(frame.pixels.data(), frame.width, frame.height, frame.width);
  const Rect full{0, 0, frame.width, frame.height};
  const PdqHash hashes[] = {PdqHashFromDct(RegionDct(image, Rect{r.x, r.y, r.w, r.h})),
                            PdqHashFromDct(RegionDct(image, Rect{r.zx, r.zy, r.zw, r.zh})),
                            PdqHashFromDct(RegionDct(image, full)),
                            PdqHashFromDct(RegionDct(image, Central(full, 90))),
                            PdqHashFromDct(RegionDct(image, Upper(full, 80)))};
  return Compare(query, hashes, std::size(hashes));
}

struct Candidate {
  uint32_t item = 0;
  bool image = false;
  int hits = 0;
};

struct Found {
  uint32_t item = 0;
  bool image = false;
  Nearest best;
  double time_s = 0, end_s = 0;
  double sampled_time_s = 0;
  bool refined = false;
  // The stretch of frames as near to the picture as the matched one (a
  // static shot): which of them the picture was taken from cannot be told.
  double span_start_s = 0, span_end_s = 0;
  std::vector<double> also_at;  // other sampled times that match as well
  bool scanned = false;         // found by decoding the whole video
};

// Multi-index lookup keys of `hash`: each chunk's value and, with radius 1,
// the values one bit away (Norouzi et al.'s search of a larger radius).
void AddKeys(const PdqHash& hash, int radius, std::vector<uint64_t>* keys) {
  for (int c = 0; c < 16; ++c) {
    const uint16_t v = hash.Chunk(c);
    keys->push_back(ChunkKey(c, v));
    if (radius < 1) continue;
    for (int b = 0; b < 16; ++b) keys->push_back(ChunkKey(c, static_cast<uint16_t>(v ^ (1u << b))));
  }
}

absl::StatusOr<std::vector<Candidate>> Candidates(const Storage& storage,
                                                  const std::vector<Variant>& query,
                                                  const PictureTraceOptions& o) {
  std::vector<uint64_t> keys;
  for (const Variant& v : query) AddKeys(v.hash, o.lookup_radius, &keys);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::map<std::pair<bool, uint32_t>, int> hits;
  for (bool image : {false, true}) {
    std::vector<Posting> postings;
    RETURN_IF_ERROR(storage.postings->Lookup(image ? Modality::kImage : Modality::kVideo, keys,
                                             o.max_postings_per_key, &postings));
    for (const Posting& p : postings) ++hits[{image, p.item}];
  }
  std::vector<Candidate> out;
  for (const auto& [k, n] : hits) out.push_back({k.second, k.first, n});
  std::sort(out.begin(), out.end(),
            [](const Candidate& a, const Candidate& b) { return a.hits > b.hits; });
  if (out.size() > o.max_candidates) out.resize(o.max_candidates);
  return out;
}

// One decoded stretch of a source around a sampled frame: every frame's
// distance to the picture.
struct Verified {
  bool ok = false;
  size_t best = 0;
  std::vector<std::pair<double, Nearest>> frames;  // (time, nearest) in time order
  double interval_s = 0.04;
};

// Decodes the source from start_s to end_s at its full frame rate and
// compares every frame with the picture; `more`, when given, is asked
// after each frame whether to go on.
Verified DecodeRange(const MediaSource& source, double start_s, double end_s,
                     const std::vector<Variant>& query,
                     const std::function<bool(const Verified&)>& more = nullptr) {
  Verified v;
  VideoReadOptions ro;
  ro.max_side = VideoSignOptions().max_side;
  ro.skip_loop_filter = VideoSignOptions().skip_loop_filter;  // as the index decodes
  ro.start_s = start_s;
  ro.end_s = end_s;
  ro.max_decode_seconds = 30;
  auto reader = VideoReader::Open(source, ro);
  if (!reader.ok()) return v;
  VideoFrame frame;
  while (true) {
    auto got = (*reader)->Next(&frame);
    if (!got.ok() || !*got) break;
    v.frames.push_back({frame.time_s, CompareFrame(query, frame)});
    if (more && !more(v)) break;
  }
  if (v.frames.empty()) return v;
  v.ok = true;
  for (size_t i = 1; i < v.frames.size(); ++i) {
    if (v.frames[i].second.distance < v.frames[v.best].second.distance) v.best = i;
  }
  if ((*reader)->fps() > 0) v.interval_s = 1.0 / (*reader)->fps();
  return v;
}

// Decodes on past either end of the stretch `w` while the frames at that
// end stay within span_slack of its nearest frame: a static shot goes on
// there, or the picture lies further on (the distance was still falling
// at the end), up to grow_s each way; the nearest frame is taken again
// from all decoded.
void Grow(const MediaSource& source, const std::vector<Variant>& query,
          const PictureTraceOptions& o, Verified* w) {
  auto nearest = [](const Verified& v) {
    size_t best = 0;
    for (size_t i = 1; i < v.frames.size(); ++i) {
      if (v.frames[i].second.distance < v.frames[best].second.distance) best = i;
    }
    return best;
  };
  // Forwards in one pass, until the frames of half a second are all
  // further (a single frame may be, in noisy footage).
  constexpr double kFurtherFor_s = 0.5;
  if (w->frames.back().second.distance <= w->frames[w->best].second.distance + o.span_slack) {
    const double t = w->frames.back().first;
    int nearest_distance = w->frames[w->best].second.distance;
    std::optional<double> further_since_s;
    Verified more = DecodeRange(source, t, t + o.grow_s, query, [&](const Verified& v) {
      const auto& [time_s, got] = v.frames.back();
      nearest_distance = std::min(nearest_distance, got.distance);
      if (got.distance <= nearest_distance + o.span_slack) {
        further_since_s.reset();
      } else if (!further_since_s) {
        further_since_s = time_s;
      }
      return !further_since_s || time_s - *further_since_s < kFurtherFor_s;
    });
    for (const auto& frame : more.frames) {
      if (frame.first > t + 1e-6) w->frames.push_back(frame);
    }
    w->best = nearest(*w);
  }
  // Backwards by steps, each twice as long as the one before (a reader
  // cannot go back): seeking costs the decoding from a key frame each time.
  double step_s = 0.5, grown_s = 0;
  while (grown_s < o.grow_s) {
    const auto& first = w->frames.front();
    if (first.second.distance > w->frames[w->best].second.distance + o.span_slack ||
        first.first <= 0) {
      break;
    }
    step_s = std::min(step_s, o.grow_s - grown_s);
    const double t = first.first;
    Verified more = DecodeRange(source, std::max(0.0, t - step_s), t, query);
    std::vector<std::pair<double, Nearest>> before;
    for (const auto& frame : more.frames) {
      if (frame.first < t - 1e-6) before.push_back(frame);
    }
    if (before.empty()) break;
    w->frames.insert(w->frames.begin(), before.begin(), before.end());
    w->best = nearest(*w);
    grown_s += step_s;
    step_s *= 2;
  }
}

// ... between the sampled frames around frame j.
Verified DecodeAround(const MediaSource& source, const VideoSignature& sig, size_t j,
                      const std::vector<Variant>& query) {
  const double t = sig.frames[j].time_s;
  return DecodeRange(source, j > 0 ? sig.frames[j - 1].time_s : std::max(0.0, t - 1.0),
                     j + 1 < sig.frames.size() ? sig.frames[j + 1].time_s : t + 1.0, query);
}

// An archived video's bytes, to decode.
struct OpenedSource {
  std::optional<MediaSource> source;
  std::string bytes;  // the bytes `source` reads when the original is not a file
};

absl::Status OpenSource(const Storage& storage, uint32_t item_id, OpenedSource* out) {
  ASSIGN_OR_RETURN(Item item, storage.catalog->GetItem(item_id));
  ASSIGN_OR_RETURN(auto original, storage.originals->OpenOriginal(item));
  if (original.file()) {
    out->source = MediaSource::File(*original.file());
  } else {
    ASSIGN_OR_RETURN(out->bytes, original.Bytes());
    out->source = MediaSource::Memory(item.name, out->bytes);
  }
  return absl::OkStatus();
}

// What a candidate video's sampled frames say, and where to decode.
struct VideoCandidate {
  uint32_t item = 0;
  VideoSignature sig;
  std::vector<Nearest> near;   // per sampled frame
  size_t best = 0;             // the nearest sampled frame
  std::vector<size_t> windows; // sampled frames to decode around, nearest first
  int hits = 0;                // chunks shared with the picture's hashes
};

// Puts `f` on the nearest frame of the decoded stretch `w`, with the span
// of the frames around it as near as it (within span_slack).
void PlaceOn(const Verified& w, const PictureTraceOptions& o, Found* f) {
  const Nearest& got = w.frames[w.best].second;
  f->best = got;
  f->refined = true;
  f->time_s = w.frames[w.best].first;
  f->end_s = w.best + 1 < w.frames.size() ? w.frames[w.best + 1].first : f->time_s + w.interval_s;
  size_t a = w.best, b = w.best;
  while (a > 0 && w.frames[a - 1].second.distance <= got.distance + o.span_slack) --a;
  while (b + 1 < w.frames.size() && w.frames[b + 1].second.distance <= got.distance + o.span_slack) {
    ++b;
  }
  f->span_start_s = w.frames[a].first;
  f->span_end_s = b + 1 < w.frames.size() ? w.frames[b + 1].first : w.frames[b].first + w.interval_s;
}

// Compares each candidate's sampled frames with the picture. A picture
// within max_distance goes straight to `found`; a video goes on to be
// decoded around its nearest sampled frames (Locate) when any is within
// lookup_distance.
absl::StatusOr<std::vector<VideoCandidate>> Compared(const Storage& storage,
                                                     const std::vector<Candidate>& candidates,
                                                     const std::vector<Variant>& query,
                                                     const PictureTraceOptions& o,
                                                     std::vector<Found>* found) {
  std::vector<VideoCandidate> videos;
  for (const Candidate& c : candidates) {
    ASSIGN_OR_RETURN(std::optional<std::string> blob,
                     storage.catalog->LoadBlob(
                         c.item, c.image ? kImageSignatureBlob : kVideoSignatureBlob));
    if (!blob) continue;
    VideoCandidate v;
    v.item = c.item;
    ASSIGN_OR_RETURN(v.sig, VideoSignature::Parse(*blob));
    const size_t n = v.sig.frames.size();
    v.near.resize(n);
    v.best = n;
    for (size_t j = 0; j < n; ++j) {
      const FrameSig& fs = v.sig.frames[j];
      if (std::max(fs.main_quality, fs.zoom_quality) < o.min_quality) continue;
      v.near[j] = Compare(query, fs.main, fs.zoom);
      if (v.best == n || v.near[j].distance < v.near[v.best].distance) v.best = j;
    }
    if (v.best == n) continue;
    if (c.image) {
      if (v.near[v.best].distance <= o.max_distance) {
        Found f;
        f.item = c.item;
        f.image = true;
        f.best = v.near[v.best];
        found->push_back(std::move(f));
      }
      continue;
    }
    // Local minima of the distance over time, nearest first: one per moment.
    for (size_t j = 0; j < n; ++j) {
      const int d = v.near[j].distance;
      if (d > o.lookup_distance) continue;
      if ((j > 0 && v.near[j - 1].distance < d) || (j + 1 < n && v.near[j + 1].distance <= d)) {
        continue;
      }
      v.windows.push_back(j);
    }
    std::stable_sort(v.windows.begin(), v.windows.end(), [&](size_t a, size_t b) {
      return v.near[a].distance < v.near[b].distance;
    });
    if (v.windows.size() > o.windows_per_video) v.windows.resize(o.windows_per_video);
    v.hits = c.hits;
    videos.push_back(std::move(v));
  }
  // The decoding budget goes to the nearest moments of all videos first.
  std::vector<std::pair<int, size_t>> order;
  for (size_t i = 0; i < videos.size(); ++i) {
    order.push_back({videos[i].windows.empty() ? 1000 : videos[i].near[videos[i].windows[0]].distance, i});
  }
  std::stable_sort(order.begin(), order.end());
  std::vector<VideoCandidate> sorted;
  for (const auto& [d, i] : order) sorted.push_back(std::move(videos[i]));
  return sorted;
}

// Where in video `v` the picture is: its nearest sampled moments are
// decoded at the full frame rate (while `*decoded` stays under the
// budget) and the frame nearest to the picture is the answer, if within
// max_distance; without decoding, the nearest sampled frame is, if within
// max_distance. Frames as near as the best one around it make its span.
std::optional<Found> Locate(const Storage& storage, const VideoCandidate& v,
                            const std::vector<Variant>& query, const PictureTraceOptions& o,
                            int* decoded) {
  const VideoSignature& sig = v.sig;
  const size_t n = sig.frames.size();
  Found f;
  f.item = v.item;
  f.best = v.near[v.best];
  f.sampled_time_s = f.time_s = sig.frames[v.best].time_s;
  f.end_s = v.best + 1 < n ? sig.frames[v.best + 1].time_s : f.time_s + 1.0 / sig.sample_fps;
  f.span_start_s = f.time_s;
  f.span_end_s = f.end_s;
  size_t centre = v.best;  // the sampled frame the answer lies around
  if (o.refine) {
    OpenedSource opened;
    for (size_t j : v.windows) {
      if (*decoded >= o.max_windows) break;
      if (!opened.source && !OpenSource(storage, v.item, &opened).ok()) break;
      ++*decoded;
      Verified w = DecodeAround(*opened.source, sig, j, query);
      if (!w.ok) continue;
      if (w.frames[w.best].second.distance > o.verify_max_distance) continue;
      Grow(*opened.source, query, o, &w);
      const Nearest& got = w.frames[w.best].second;
      const bool better = got.distance < f.best.distance || f.best.distance > o.max_distance ||
                          (!f.refined && got.distance == f.best.distance);
      if (!better) continue;
      PlaceOn(w, o, &f);
      f.sampled_time_s = sig.frames[j].time_s;
      const bool a_first = f.span_start_s <= w.frames.front().first;
      const bool b_last = f.span_end_s > w.frames.back().first;
      // ... and a static shot goes on beyond the decoded stretch while its
      // sampled frames stay as near as the one decoded around.
      const int limit = std::min(o.max_distance, v.near[j].distance + o.span_slack);
      if (a_first) {
        for (size_t k = j; k > 0 && v.near[k - 1].distance <= limit; --k) {
          f.span_start_s = std::min<double>(f.span_start_s, sig.frames[k - 1].time_s);
        }
      }
      if (b_last) {
        for (size_t k = j; k + 1 < n && v.near[k + 1].distance <= limit; ++k) {
          f.span_end_s = std::max<double>(f.span_end_s, k + 2 < n ? sig.frames[k + 2].time_s
                                                                  : sig.frames[k + 1].time_s +
                                                                        1.0 / sig.sample_fps);
        }
      }
      centre = j;
    }
  }
  if (f.best.distance > o.max_distance) return std::nullopt;
  // A static shot or a recurring picture matches at other moments too; they are listed.
  const int limit = std::min(o.max_distance, v.near[centre].distance + o.span_slack);
  for (size_t j = 0; j < n && f.also_at.size() < 10; ++j) {
    const double t = sig.frames[j].time_s;
    if (v.near[j].distance <= limit && (t < f.span_start_s - 1.0 || t > f.span_end_s + 1.0)) {
      f.also_at.push_back(t);
    }
  }
  return f;
}

// When no sampled moment leads to the picture (every frame of a fast
// shot differs from the next, so a frame between samples is far from all
// of them), the candidate videos are decoded whole, the one with the
// nearest sampled frame first, while their cost (ScanCostSeconds) stays within
// scan_seconds in all; a frame within scan_max_distance is the answer.
std::optional<Found> Scan(const Storage& storage, std::vector<const VideoCandidate*> videos,
                          const std::vector<Variant>& query, const PictureTraceOptions& o,
                          double* scanned_s) {
  // Nearest sampled frame first: even at distances near those of unrelated
  // pictures, the video a frame comes from tends to hold the nearest one.
  std::stable_sort(videos.begin(), videos.end(), [](const VideoCandidate* a, const VideoCandidate* b) {
    const int da = a->near[a->best].distance, db = b->near[b->best].distance;
    return da != db ? da < db : a->hits > b->hits;
  });
  std::optional<Found> best;
  for (const VideoCandidate* v : videos) {
    const double duration_s = std::max(v->sig.duration_s, 1.0);
    auto item = storage.catalog->GetItem(v->item);
    if (!item.ok()) continue;
    const double cost_s = ScanCostSeconds(*item, duration_s);
    if (*scanned_s + cost_s > o.scan_seconds) continue;
    *scanned_s += cost_s;
    OpenedSource opened;
    if (!OpenSource(storage, v->item, &opened).ok()) continue;
    Verified w = DecodeRange(*opened.source, 0, duration_s + 1.0, query);
    if (!w.ok || w.frames[w.best].second.distance > o.scan_max_distance) continue;
    Found f;
    f.item = v->item;
    PlaceOn(w, o, &f);
    f.sampled_time_s = v->sig.frames[v->sig.Nearest(f.time_s)].time_s;
    // Unrelated videos' frames come nowhere near scan_max_distance: the
    // first match ends the scan.
    best = std::move(f);
    break;
  }
  return best;
}

// The picture beside each match's frame (or picture), as small JPEGs.
void AddFrames(const Storage& storage, const std::string& path, int orientation,
               TraceReport* report) {
  constexpr int kSide = 240;
  std::string query_jpeg;
  if (auto rgb = DecodePicture(MediaSource::File(path), kSide, /*rgb=*/true, orientation);
      rgb.ok()) {
    if (auto jpeg = EncodeJpeg(*rgb, 6); jpeg.ok()) query_jpeg = std::move(*jpeg);
  }
  for (SourceMatch& sm : report->sources) {
    BoundaryFrame bf;
    bf.query_jpeg = query_jpeg;
    const nlohmann::json picture = sm.segments[0].extra.value("picture", nlohmann::json::object());
    bf.source_time_s = picture.contains("time_s") ? picture["time_s"].get<double>()
                                                  : sm.segments[0].source_start;
    auto original = storage.originals->OpenOriginal(sm.item);
    if (original.ok() && original->file()) {
      const MediaSource source = MediaSource::File(*original->file());
      if (sm.item.kind == "image") {
        auto rgb = DecodePicture(source, kSide, /*rgb=*/true, ExifOrientation(sm.item.info));
        if (rgb.ok()) {
          if (auto jpeg = EncodeJpeg(*rgb, 6); jpeg.ok()) bf.source_jpeg = std::move(*jpeg);
        }
      } else {
        FrameGrabOptions o;
        o.max_side = kSide;
        auto jpeg = GrabFrames(source, {bf.source_time_s}, o);
        if (jpeg.ok() && !jpeg->empty()) bf.source_jpeg = std::move((*jpeg)[0]);
      }
    }
    sm.boundary_frames.push_back(std::move(bf));
  }
}

// The words OCR reads in the picture, a line of text per line read.
std::string OcrLines(const OcrResult& ocr) {
  std::string text;
  for (const OcrWord& w : ocr.words) {
    if (!text.empty()) text += w.starts_line ? "\n" : " ";
    text += w.text;
  }
  return text;
}

// The text the picture shows, read by OCR and traced as a quote; nothing
// when it holds too few words.
absl::StatusOr<std::optional<TraceReport>> TracePictureText(const Storage& storage,
                                                            const std::string& path,
                                                            int orientation,
                                                            std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(VideoFrame gray, DecodePicture(MediaSource::File(path), kQueryOcrSide,
                                                  /*rgb=*/false, orientation));
  auto ocr = RecognizeText(gray.pixels.data(), gray.width, gray.height, gray.width);
  if (!ocr.ok()) {
    if (ocr.status().code() == absl::StatusCode::kFailedPrecondition) {
      warnings->push_back(StrCat("the text in the picture is not read: ", ocr.status().message()));
      return std::nullopt;
    }
    return ocr.status();
  }
  if (ocr->timed_out) warnings->push_back("OCR ran out of time; part of the picture is unread");
  if (ocr->words.size() < kMinQueryWords) return std::nullopt;
  std::string text = OcrLines(*ocr);
  if (text.size() > kMaxExtractBytes) text.resize(kMaxExtractBytes);
  ASSIGN_OR_RETURN(TraceReport traced, TraceText(storage, text));
  traced.query_name = BaseName(path);
  traced.parameters["ocr"] = {{"engine", kOcrEngine},
                              {"engine_version", OcrEngineVersion()},
                              {"languages", ocr->languages},
                              {"words", ocr->words.size()}};
  return traced;
}

}  // namespace

absl::StatusOr<TraceReport> TracePicture(const Storage& storage, const std::string& path,
                                         const PictureTraceOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  TraceReport report;
  report.query_kind = "image";
  report.unit = "s";
  report.query_name = BaseName(path);
  report.traced_at = NowRfc3339();
  ASSIGN_OR_RETURN(report.query_sha256, Sha256OfFile(path));
  int orientation = 1;
  {
    ASSIGN_OR_RETURN(MappedFile bytes, MappedFile::Open(path));
    orientation = ExifOrientation(bytes.data());
  }
  ASSIGN_OR_RETURN(VideoFrame gray,
                   DecodePicture(MediaSource::File(path), kQuerySide, false, orientation));
  int quality = 0;
  std::vector<Variant> query = HashVariants(gray, &quality);
  report.parameters["picture"] = {{"width", gray.width},
                                  {"height", gray.height},
                                  {"quality", quality},
                                  {"variants", query.size()},
                                  {"max_distance", options.max_distance}};
  if (!OrientationText(orientation).empty()) {
    report.parameters["picture"]["orientation"] = {{"exif", orientation},
                                                   {"shown", OrientationText(orientation)}};
  }
  std::vector<Found> found;
  if (quality < options.min_quality) {
    report.warnings.push_back(
        "the picture is too plain (too little detail) to be traced by its picture");
  } else {
    ASSIGN_OR_RETURN(std::vector<Candidate> candidates, Candidates(storage, query, options));
    ASSIGN_OR_RETURN(std::vector<VideoCandidate> videos,
                     Compared(storage, candidates, query, options, &found));
    int decoded = 0;
    for (VideoCandidate& v : videos) {
      std::optional<Found> f = Locate(storage, v, query, options, &decoded);
      if (f) found.push_back(std::move(*f));
    }
    report.parameters["picture"]["windows_decoded"] = decoded;
    const bool video_found = std::any_of(found.begin(), found.end(),
                                         [](const Found& f) { return !f.image; });
    if (!video_found && options.refine && options.scan_seconds > 0) {
      std::vector<const VideoCandidate*> all;
      for (const VideoCandidate& v : videos) all.push_back(&v);
      double scanned_s = 0;
      std::optional<Found> f = Scan(storage, all, query, options, &scanned_s);
      report.parameters["picture"]["scanned_s"] = scanned_s;
      if (f) {
        f->scanned = true;
        found.push_back(std::move(*f));
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.best.distance < b.best.distance; });
  for (const Found& f : found) {
    SourceMatch sm;
    ASSIGN_OR_RETURN(sm.item, storage.catalog->GetItem(f.item));
    // The report names the source by its SHA-256: its bytes must still be there.
    RETURN_IF_ERROR(storage.originals->OpenOriginal(sm.item).status());
    sm.verdict = f.image ? MatchVerdict::kSamePicture : MatchVerdict::kFrame;
    Segment s;
    s.source_start = f.image ? 0 : f.span_start_s;
    s.source_end = f.image ? 0 : f.span_end_s;
    s.confidence = std::clamp(1.0 - f.best.distance / 64.0, 0.0, 1.0);
    s.evidence = {EvidenceKind::kPicture};
    s.extra["picture"] = {{"distance", f.best.distance},
                          {"variant", f.best.variant},
                          {"mirrored", f.best.mirrored}};
    const bool span = !f.image && f.span_end_s - f.span_start_s > 2 * (f.end_s - f.time_s) + 1e-6;
    if (!f.image) {
      s.extra["picture"]["time_s"] = f.time_s;
      s.extra["picture"]["sampled_time_s"] = f.sampled_time_s;
      s.extra["picture"]["refined"] = f.refined;
      if (f.scanned) s.extra["picture"]["scanned"] = true;
      s.extra["picture"]["static"] = span;
      if (!f.also_at.empty()) s.extra["picture"]["also_at_s"] = f.also_at;
    }
    if (f.best.mirrored) sm.notes.push_back("the picture is mirrored left to right");
    if (span) {
      sm.notes.push_back(StrCat("the picture is on screen from ", SecondsText(f.span_start_s),
                                " to ", SecondsText(f.span_end_s),
                                " (a static shot): which of those frames it shows cannot be told"));
    }
    if (!f.also_at.empty()) {
      sm.notes.push_back("the same picture is on screen at other moments too");
    }
    sm.score = s.confidence;
    sm.segments.push_back(std::move(s));
    report.sources.push_back(std::move(sm));
  }
  if (options.read_text) {
    ASSIGN_OR_RETURN(std::optional<TraceReport> text,
                     TracePictureText(storage, path, orientation, &report.warnings));
    if (text) report.text_trace.push_back(std::move(*text));
  }
  const bool text_found = !report.text_trace.empty() && !report.text_trace[0].sources.empty();
  report.verdict =
      report.sources.empty() && !text_found ? TraceVerdict::kNotFound : TraceVerdict::kFound;
  if (options.frames) AddFrames(storage, path, orientation, &report);
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace uncut

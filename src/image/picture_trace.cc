#include "image/picture_trace.h"

#include <algorithm>
#include <chrono>
#include <cmath>
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

// The ways the picture may have been made from its source: whole, without
// bars, the index's own regions, cropped; each also mirrored.
std::vector<Variant> HashVariants(const VideoFrame& f, int* quality) {
  const int w = f.width, h = f.height;
  GrayIntegral image(f.pixels.data(), w, h, w);
  Rect full{0, 0, w, h};
  Rect content = DetectBars(f.pixels.data(), w, h, w);
  SourceRegions r = SourceFrameRegions(f);
  auto central = [&](const Rect& c, int percent) {
    int cw = c.w * percent / 100, ch = c.h * percent / 100;
    return Rect{c.x + (c.w - cw) / 2, c.y + (c.h - ch) / 2, std::max(1, cw), std::max(1, ch)};
  };
  const std::pair<Rect, const char*> regions[] = {
      {full, "whole"},
      {content, "content"},
      {Rect{r.zx, r.zy, std::max(1, r.zw), std::max(1, r.zh)}, "zoom"},
      {central(content, 90), "crop90"},
      {central(content, 70), "crop70"},
  };
  std::vector<Variant> out;
  *quality = 0;
  for (const auto& [rect, name] : regions) {
    PdqDct dct = PdqDctFromBlock(AreaAverage64(image, rect.x, rect.y, rect.w, rect.h));
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

Nearest Compare(const std::vector<Variant>& query, const PdqHash& a, const PdqHash& b) {
  Nearest n;
  for (size_t i = 0; i < query.size(); ++i) {
    int d = std::min(Hamming(query[i].hash, a), Hamming(query[i].hash, b));
    if (d < n.distance) n = {d, query[i].name, i % 2 == 1};
  }
  return n;
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
  std::vector<double> also_at;  // other sampled times that match as well
};

absl::StatusOr<std::vector<Candidate>> Candidates(const Storage& storage,
                                                  const std::vector<Variant>& query,
                                                  const PictureTraceOptions& o) {
  std::vector<uint64_t> keys;
  for (const Variant& v : query) {
    for (int c = 0; c < 16; ++c) keys.push_back(ChunkKey(c, v.hash.Chunk(c)));
  }
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

// Decodes the source around the matched sampled frame and finds the frame
// nearest to the picture: times between the neighbouring sampled frames.
void Refine(OriginalSource* originals, const Item& item, const VideoSignature& sig, size_t j,
            const std::vector<Variant>& query, Found* f) {
  auto original = originals->OpenOriginal(item);
  if (!original.ok()) return;
  std::optional<MediaSource> source;
  if (original->file()) {
    source = MediaSource::File(*original->file());
  } else {
    auto bytes = original->Bytes();
    if (!bytes.ok()) return;
    source = MediaSource::Memory(item.name, *bytes);
  }
  VideoReadOptions ro;
  ro.max_side = VideoSignOptions().max_side;
  ro.start_s = j > 0 ? sig.frames[j - 1].time_s : std::max(0.0, f->sampled_time_s - 1.0);
  ro.end_s = j + 1 < sig.frames.size() ? sig.frames[j + 1].time_s : f->sampled_time_s + 1.0;
  ro.max_decode_seconds = 30;
  auto reader = VideoReader::Open(*source, ro);
  if (!reader.ok()) return;
  VideoFrame frame;
  std::vector<std::pair<double, Nearest>> seen;
  while (true) {
    auto got = (*reader)->Next(&frame);
    if (!got.ok() || !*got) break;
    FrameSig s = SignFrame(frame, 1);
    seen.push_back({frame.time_s, Compare(query, s.main, s.zoom)});
  }
  size_t best = seen.size();
  for (size_t i = 0; i < seen.size(); ++i) {
    if (best == seen.size() || seen[i].second.distance < seen[best].second.distance) best = i;
  }
  if (best == seen.size() || seen[best].second.distance > f->best.distance) return;
  f->best = seen[best].second;
  f->time_s = seen[best].first;
  double interval = (*reader)->fps() > 0 ? 1.0 / (*reader)->fps() : 0.04;
  f->end_s = best + 1 < seen.size() ? seen[best + 1].first : f->time_s + interval;
  f->refined = true;
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
    bf.source_time_s = sm.segments[0].source_start;
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
    for (const Candidate& c : candidates) {
      ASSIGN_OR_RETURN(std::optional<std::string> blob,
                       storage.catalog->LoadBlob(
                           c.item, c.image ? kImageSignatureBlob : kVideoSignatureBlob));
      if (!blob) continue;
      ASSIGN_OR_RETURN(VideoSignature sig, VideoSignature::Parse(*blob));
      std::vector<Nearest> near(sig.frames.size());
      size_t best = sig.frames.size();
      for (size_t j = 0; j < sig.frames.size(); ++j) {
        const FrameSig& fs = sig.frames[j];
        if (std::max(fs.main_quality, fs.zoom_quality) < options.min_quality) continue;
        near[j] = Compare(query, fs.main, fs.zoom);
        if (best == sig.frames.size() || near[j].distance < near[best].distance) best = j;
      }
      if (best == sig.frames.size() || near[best].distance > options.max_distance) continue;
      Found f;
      f.item = c.item;
      f.image = c.image;
      f.best = near[best];
      if (!c.image) {
        f.sampled_time_s = f.time_s = sig.frames[best].time_s;
        f.end_s = best + 1 < sig.frames.size() ? sig.frames[best + 1].time_s
                                               : f.time_s + 1.0 / sig.sample_fps;
        // A static shot matches at several moments; they are listed.
        for (size_t j = 0; j < sig.frames.size() && f.also_at.size() < 10; ++j) {
          if (j != best && near[j].distance <= std::min(options.max_distance,
                                                        near[best].distance + 4) &&
              std::abs(sig.frames[j].time_s - f.time_s) >= 1.0) {
            f.also_at.push_back(sig.frames[j].time_s);
          }
        }
        if (options.refine) {
          ASSIGN_OR_RETURN(Item item, storage.catalog->GetItem(c.item));
          Refine(storage.originals, item, sig, best, query, &f);
        }
      }
      found.push_back(std::move(f));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.best.distance < b.best.distance; });
  for (const Found& f : found) {
    SourceMatch sm;
    ASSIGN_OR_RETURN(sm.item, storage.catalog->GetItem(f.item));
    // The report names the source by its SHA-256: its bytes must still be there.
    RETURN_IF_ERROR(storage.originals->OpenOriginal(sm.item).status());
    sm.verdict = f.image ? "same_picture" : "frame";
    Segment s;
    s.source_start = f.image ? 0 : f.time_s;
    s.source_end = f.image ? 0 : f.end_s;
    s.confidence = std::clamp(1.0 - f.best.distance / 64.0, 0.0, 1.0);
    s.evidence = {"picture"};
    s.extra["picture"] = {{"distance", f.best.distance},
                          {"variant", f.best.variant},
                          {"mirrored", f.best.mirrored}};
    if (!f.image) {
      s.extra["picture"]["sampled_time_s"] = f.sampled_time_s;
      s.extra["picture"]["refined"] = f.refined;
      if (!f.also_at.empty()) s.extra["picture"]["also_at_s"] = f.also_at;
    }
    if (f.best.mirrored) sm.notes.push_back("the picture is mirrored left to right");
    if (!f.also_at.empty()) {
      sm.notes.push_back("the same picture is on screen at other moments too (a static shot)");
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
  report.verdict = report.sources.empty() && !text_found ? "not_found" : "found";
  if (options.frames) AddFrames(storage, path, orientation, &report);
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace uncut

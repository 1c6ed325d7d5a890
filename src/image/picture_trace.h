// Tracing a picture (a screenshot, a still): the archived video frames and
// pictures it shows, by their PDQ hashes.
//
// 1. The picture is hashed several ways, as a clip's frames are
//    (video/query_video.h): the whole picture, its content without bars,
//    the index's own content region and central zoom, and central crops,
//    each also mirrored.
// 2. Each hash's sixteen 16-bit chunks are looked up in the multi-index
//    tables of video frames and of pictures (Norouzi et al., CVPR 2012);
//    items sharing chunks are candidates.
// 3. Each candidate's stored hashes are compared with every variant
//    (Hamming distance); a video's best sampled frame is then refined to
//    the exact frame by decoding its neighbourhood and hashing every frame.
//
// 4. The text the picture shows (a screenshot of a quote, a scanned page)
//    is read by OCR and traced as a quote (trace/text_trace.h).
//
// The picture is read as a viewer shows it (turned by its EXIF orientation).
// The report (query.kind "image") has one segment per matching source: a
// video's segment spans the matched frame's display time (source.start to
// source.end); a picture's is 0 to 0. The text's trace, when the picture
// holds at least kMinQueryWords words, is TraceReport::text_trace[0]; the
// verdict is "found" when the picture or its text is.
#ifndef UNCUT_IMAGE_PICTURE_TRACE_H_
#define UNCUT_IMAGE_PICTURE_TRACE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "storage/storage.h"

namespace uncut {

struct PictureTraceOptions {
  // Largest Hamming distance (of 256 bits) that counts as the same picture.
  // PDQ's authors suggest 31 for near-duplicates; rescaled, re-encoded and
  // lightly cropped screenshots of a frame come in under 40, unrelated
  // pictures near 128.
  int max_distance = 40;
  int min_quality = 20;         // a flatter picture is refused as untraceable
  size_t max_candidates = 64;   // items compared in full, most chunks shared first
  size_t max_postings_per_key = 50000;
  bool refine = true;           // place a video match on its exact frame
  // Put the picture and each match's frame (or picture) side by side in
  // SourceMatch::boundary_frames, as small JPEGs, for the HTML report.
  bool frames = false;
  // Read the picture's text by OCR and trace it as a quote.
  bool read_text = true;
};

absl::StatusOr<TraceReport> TracePicture(const Storage& storage, const std::string& path,
                                         const PictureTraceOptions& options = PictureTraceOptions());

}  // namespace uncut

#endif  // UNCUT_IMAGE_PICTURE_TRACE_H_

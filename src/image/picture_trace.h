// Tracing a picture (a screenshot, a still): the archived video frames and
// pictures it shows, by their PDQ hashes.
//
// 1. The picture is hashed several ways, as a clip's frames are
//    (video/query_video.h): the whole picture, its content without bars
//    (PictureContent: a player's bars of several colours too), the index's
//    own content region and central zoom, central crops, and the part
//    above a caption band, each also mirrored.
// 2. Each hash's sixteen 16-bit chunks, and the values one bit from them,
//    are looked up in the multi-index tables of video frames and of
//    pictures (Norouzi et al., CVPR 2012); items sharing chunks are
//    candidates.
// 3. Each candidate's stored hashes are compared with every variant
//    (Hamming distance). A picture within max_distance matches. A video
//    is decoded at its full frame rate between the sampled frames around
//    its nearest sampled moments (lookup_distance, within a budget of
//    max_windows stretches), each frame hashed over the index's regions,
//    the whole frame, its central 90% and its upper 80%; the nearest
//    frame within verify_max_distance is the match. The index keeps 3 frames a
//    second, so a frame of fast motion can be far from every sampled
//    frame: when no video matched, the candidates are decoded whole (the
//    one with the nearest sampled frame first), up to scan_seconds of
//    720p footage (smaller pictures count for less), and a frame within
//    scan_max_distance matches. A matching stretch is decoded on while
//    the frames at its end stay as near (grow_s).
//    Frames around the match as near to the picture as it (a static shot)
//    cannot be told from it: the match spans them.
//
// 4. The text the picture shows (a screenshot of a quote, a scanned page)
//    is read by OCR and traced as a quote (trace/text_trace.h).
//
// The picture is read as a viewer shows it (turned by its EXIF orientation).
// The report (query.kind "image") has one segment per matching source: a
// video's segment spans the matched frame's display time (source.start to
// source.end), or a static shot's frames that cannot be told apart
// (details.picture.static; details.picture.time_s is the nearest frame);
// a picture's is 0 to 0. The text's trace, when the picture
// holds at least kMinQueryWords words, is TraceReport::text_trace[0]; the
// verdict is "found" when the picture or its text is.
#ifndef UNCUT_IMAGE_PICTURE_TRACE_H_
#define UNCUT_IMAGE_PICTURE_TRACE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "decode/video_reader.h"
#include "storage/item.h"
#include "storage/storage.h"
#include "video/content_region.h"

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
  // A video is decoded around its sampled frames within this distance
  // (the index keeps 3 frames a second: a frame of fast motion between two
  // of them can be far from both), and matches only if a decoded frame is
  // within max_distance.
  int lookup_distance = 80;
  // A decoded frame matches within this distance: stricter than
  // max_distance, as each frame is compared over more regions.
  int verify_max_distance = 36;
  // Chunk values this many bits from the picture's are looked up too, so
  // that a video whose sampled frames are only loosely like it is found.
  int lookup_radius = 1;
  bool refine = true;           // decode videos to place a match on its exact frame
  size_t windows_per_video = 3; // moments of one video decoded at most
  int max_windows = 8;          // moments decoded at most in all (bounds the time a trace takes)
  // When no sampled frame leads to a match, candidate videos are decoded
  // whole, up to this many seconds of 1280x720 footage in all (0: never;
  // a video of fewer pixels counts for less, in proportion, down to a
  // tenth), and a frame within scan_max_distance matches. Unrelated
  // videos' frames came no nearer than 72 on the picture benchmark.
  double scan_seconds = 60;
  int scan_max_distance = 36;
  // Frames within this many bits of the best one cannot be told from it
  // (a static shot): the match spans them.
  int span_slack = 4;
  // A matching stretch is decoded on past an end where its frames stay
  // within span_slack of the nearest (a static shot going on, or a
  // distance still falling), up to this many seconds each way.
  double grow_s = 8;
  // Put the picture and each match's frame (or picture) side by side in
  // SourceMatch::boundary_frames, as small JPEGs, for the HTML report.
  bool frames = false;
  // Read the picture's text by OCR and trace it as a quote.
  bool read_text = true;
};

// The picture's content without the bars around it: trims flat edge rows
// and columns (DetectBars) again and again inside what is left, so that a
// player's frame of several colours (title bar, surround, control bar) is
// taken off.
Rect PictureContent(const VideoFrame& gray);

// What decoding the archived video `item` of `duration_s` whole costs, in
// seconds of 1280x720 footage: its duration scaled by its picture's pixels
// (decoding and scaling a frame take time in proportion to them), no less
// than a tenth of it. Without a stored picture size it counts as 1280x720.
double ScanCostSeconds(const Item& item, double duration_s);

absl::StatusOr<TraceReport> TracePicture(const Storage& storage, const std::string& path,
                                         const PictureTraceOptions& options = PictureTraceOptions());

}  // namespace uncut

#endif  // UNCUT_IMAGE_PICTURE_TRACE_H_

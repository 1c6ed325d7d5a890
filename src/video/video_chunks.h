// The visual fingerprint of one long video made on several threads: its
// time line is cut into chunks, each decoded by its own VideoReader, and
// the chunks' sampled frames join into the signature a whole read gives,
// bit for bit.
//
// A chunk starts at a restart point (VideoReadOptions::restart_from_s): an
// IDR frame of H.264 or HEVC, a key frame of VP8, VP9 or AV1, any frame of
// an intra-only codec; decoding from there does not depend on what came
// before. Everything else a whole read carries along is made a function of
// the stream from such a point: the sampling grid takes the first frame of
// each cell by its timestamp (the join drops a chunk's first frames whose
// cell the chunk before filled); and the probe that decides whether
// reference B-frames are skipped (VideoReadOptions::
// skip_unused_b_references) starts again, with a drained decoder, at the
// first IDR frame of each b_recheck_period_s, which is where chunks start.
//
// The join is checked, not assumed. Each chunk but the last finds its
// successor's start point on its own, reading on as a whole read does,
// and decodes past it until it has check_frames sampled frames there; those
// must equal the successor's first frames, pixel for pixel. Start points
// must agree, no frame may come out of order across them, and sequence
// parameters (H.264, HEVC) must not change unseen at one. Otherwise
// (codecs without restart points, such as MPEG-2 and MPEG-4 Part 2 with
// open GOPs; key frames more than a chunk
// apart; a caller watching every frame in order through on_frame) the
// video is read whole, on one thread.
#ifndef UNCUT_VIDEO_VIDEO_CHUNKS_H_
#define UNCUT_VIDEO_VIDEO_CHUNKS_H_

#include <string>

#include "absl/status/statusor.h"
#include "video/video_signature.h"

namespace uncut {

struct ChunkedVideoOptions {
  int jobs = 1;  // threads; 1 reads the video whole
  // Chunks are at least this long, so videos shorter than two are read
  // whole. A chunk costs about 2 s of video decoded twice (check_frames at
  // 3 frames a second past its start) and a second read but not decoded,
  // about 3% of a 60 s chunk. Chunk starts are aligned to
  // b_recheck_period_s (60 s), so a shorter chunk would not help.
  double min_chunk_s = 60;
  // Chunks per thread at most, so that a thread slowed by other work on
  // the machine holds up the end less.
  int chunks_per_job = 2;
  int check_frames = 6;
};

struct ChunkedSignature {
  VideoSignature signature;
  int chunks = 1;        // chunks the video was read in (1: whole)
  std::string whole_because;  // why it was read whole, when jobs > 1
};

// What SignVideo(path, options) returns, on up to chunked.jobs threads.
// Errors are those of reading the video whole.
absl::StatusOr<ChunkedSignature> SignVideoInChunks(const std::string& path,
                                                   const VideoSignOptions& options,
                                                   const ChunkedVideoOptions& chunked);

}  // namespace uncut

#endif  // UNCUT_VIDEO_VIDEO_CHUNKS_H_

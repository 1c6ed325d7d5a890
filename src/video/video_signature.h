// A video's visual fingerprint: a PDQ hash of each sampled frame's content
// region, plus a hash of a central zoom of it.
//
// Why two hashes a frame: PDQ is robust to re-encoding, scaling, colour and
// small overlays, but not to cropping, and circulating copies are often
// zoomed in. The zoom hash covers the central 80% of the frame (inside the
// content region), which is what a typical crop keeps. Flips, letterboxes,
// blurred backgrounds and picture-in-picture are handled on the query side
// (query_video.h), where they cost nothing at indexing.
//
// Frames are sampled on a fixed time grid (sample_fps); each frame keeps its
// grid cell, so a posting's position gives its time without the signature.
// Flat frames (low PDQ quality) are kept for alignment but not indexed.
#ifndef UNCUT_VIDEO_VIDEO_SIGNATURE_H_
#define UNCUT_VIDEO_VIDEO_SIGNATURE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/video_reader.h"
#include "index/posting.h"
#include "video/pdq.h"

namespace uncut {

inline constexpr char kVideoModality[] = "video";
inline constexpr char kVideoSignatureBlob[] = "video.sig";

struct FrameSig {
  uint32_t cell = 0;  // grid cell: time ~ cell / sample_fps
  float time_s = 0;   // the frame's own timestamp
  PdqHash main, zoom;
  uint8_t main_quality = 0, zoom_quality = 0;
};

struct VideoSignature {
  double sample_fps = 0;
  double duration_s = 0;
  int width = 0, height = 0;  // of the decoded picture
  std::vector<FrameSig> frames;

  std::string Serialize() const;
  static absl::StatusOr<VideoSignature> Parse(std::string_view bytes);
  // Index of the frame nearest to time t.
  size_t Nearest(double t) const;
};

// How a source is decoded for its fingerprint (see VideoReadOptions and
// bench/media/README.md for what each setting saves and costs).
struct VideoSignOptions {
  double sample_fps = 3;
  int max_side = 320;
  bool skip_nonreference = true;
  bool skip_bidirectional = false;  // corrupts pyramid-coded H.264: measuring only
  bool skip_loop_filter = true;
  bool reduced_resolution = true;
  int threads = 1;  // decoder threads; 0: one per core
  int min_quality = 30;  // frames below are not indexed
  // Called with each sampled grey frame, in time order, after it is
  // hashed (other indexes watch the same frames without decoding again).
  std::function<void(const VideoFrame&)> on_frame;
};

// The hashes of one grey source frame (its content region and central
// zoom), on the grid of `sample_fps`: what SignVideo keeps for each sampled
// frame, and what a still picture is indexed by.
FrameSig SignFrame(const VideoFrame& frame, double sample_fps);

// Decodes and fingerprints a source video.
absl::StatusOr<VideoSignature> SignVideo(const std::string& path, const VideoSignOptions& options);

// Multi-index hashing postings (Norouzi, Punjani and Fleet, "Fast Search in
// Hamming Space with Multi-Index Hashing", CVPR 2012): each 256-bit hash is
// cut into sixteen 16-bit chunks; key = chunk index << 16 | chunk value;
// pos = cell * 2 + (0 for the main hash, 1 for the zoom hash).
std::vector<Posting> VideoPostings(const VideoSignature& sig, int min_quality);
inline uint64_t ChunkKey(int chunk, uint16_t value) {
  return (static_cast<uint64_t>(chunk) << 16) | value;
}

// The content region of a source frame and its central zoom.
struct SourceRegions {
  int x = 0, y = 0, w = 0, h = 0;
  int zx = 0, zy = 0, zw = 0, zh = 0;
};
SourceRegions SourceFrameRegions(const VideoFrame& frame);

}  // namespace uncut

#endif  // UNCUT_VIDEO_VIDEO_SIGNATURE_H_

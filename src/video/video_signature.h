// A video's visual fingerprint: a PDQ hash of each sampled frame's content
// region, a hash of a central zoom of it, and hashes of four parts of the
// frame.
//
// Why several hashes a frame: PDQ is robust to re-encoding, scaling, colour
// and small overlays, but not to cropping nor to large overlays, and
// circulating copies are often zoomed in or carry captions and logo panels.
//  - The zoom hash covers the central 80% of the frame (inside the content
//    region), the crop hash the central 60% (likewise). A clip zoomed in
//    anywhere between 60% and 100% of the frame is hashed on the query side
//    at a few central fractions of its own (query_video.h), one of which
//    shows about what one of these hashes shows (scale error under 5%).
//  - The upper hash covers the top 75% of the frame (what a caption band or
//    lower third leaves), the left and right hashes each half of it (what
//    a panel or logo over a quarter of the frame, in a corner of the other
//    half, leaves). Overlays are drawn on the frame, over any bars, so
//    these parts are of the frame, not of the content region. The query
//    hashes the same parts of its frames; a part the overlay missed matches. This is the region-hashing idea of
//    partial-copy detection (e.g. Law-To et al., "Video Copy Detection: a
//    Comparative Study", CIVR 2007: local descriptors survive inserts and
//    crops that defeat global ones), kept to a few fixed regions so that
//    each stays one 256-bit PDQ hash in the same multi-index table.
//    Kept on every kRegionCellStep-th sampled frame only. Cost: 4 x (16
//    postings + 33 signature bytes) more such a frame; on the media
//    benchmark the video index grows from 1.9 to 3.9 MB per hour (5.6 with
//    the parts on every frame). They are looked up only where the whole
//    frames explain nothing (trace/video_match.h).
// Signatures written before the region hashes existed have none; their
// frames match on the main and zoom hashes as before.
//
// Frames are sampled on a fixed time grid (sample_fps); each frame keeps its
// grid cell, so a posting's position gives its time without the signature.
// Flat frames (low PDQ quality) are kept for alignment but not indexed.
#ifndef UNCUT_VIDEO_VIDEO_SIGNATURE_H_
#define UNCUT_VIDEO_VIDEO_SIGNATURE_H_

#include <array>
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

// The parts of a source frame hashed besides the whole and its central zoom
// (see above), as fractions of the frame (the crop within the content
// region: bars are not picture).
enum FrameRegion { kRegionCrop = 0, kRegionUpper, kRegionLeft, kRegionRight, kRegionCount };
struct RegionBox {
  double x0, y0, x1, y1;
};
inline constexpr RegionBox kRegionBoxes[kRegionCount] = {
    {0.2, 0.2, 0.8, 0.8},  // crop: the central 60%
    {0.0, 0.0, 1.0, 0.75},  // upper: above a caption band
    {0.0, 0.0, 0.5, 1.0},  // left half
    {0.5, 0.0, 1.0, 1.0},  // right half
};
// What a match of each region hash costs beyond its Hamming distance: half
// a frame shows half the picture, and other pictures that look alike at
// that distance are more common (on the media benchmark, unrelated frames'
// halves came within 30-33 bits where true ones came within 15-25).
inline constexpr int kRegionPenalty[kRegionCount] = {0, 0, 12, 12};
// Region hashes are kept for the frames of every kRegionCellStep-th grid
// cell only (1.5 a second at the default 3): they serve clips whose whole
// pictures find nothing, where a match over a stretch of frames needs
// fewer of them, and they would otherwise triple the index.
inline constexpr uint32_t kRegionCellStep = 2;

struct FrameSig {
  uint32_t cell = 0;  // grid cell: time ~ cell / sample_fps
  float time_s = 0;   // the frame's own timestamp
  PdqHash main, zoom;
  uint8_t main_quality = 0, zoom_quality = 0;
  // Hashes of the FrameRegion parts; absent in signatures written before
  // they existed (has_regions false).
  bool has_regions = false;
  std::array<PdqHash, kRegionCount> region{};
  std::array<uint8_t, kRegionCount> region_quality{};
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
  // See VideoReadOptions (tests shorten them).
  double min_b_probe_duration_s = 60;
  double b_recheck_period_s = kBRecheckSeconds;
  int min_quality = 30;  // frames below are not indexed
  // Called with each sampled grey frame, in time order, after it is
  // hashed (other indexes watch the same frames without decoding again).
  std::function<void(const VideoFrame&)> on_frame;
};

// The hashes of one grey source frame (its content region and central
// zoom), on the grid of `sample_fps`: what SignVideo keeps for each sampled
// frame, and what a still picture is indexed by.
FrameSig SignFrame(const VideoFrame& frame, double sample_fps);

// How SignVideo reads the video.
VideoReadOptions SignReadOptions(const VideoSignOptions& options);

// Decodes and fingerprints a source video (on one thread; see
// video/video_chunks.h for several).
absl::StatusOr<VideoSignature> SignVideo(const std::string& path, const VideoSignOptions& options);

// Multi-index hashing postings (Norouzi, Punjani and Fleet, "Fast Search in
// Hamming Space with Multi-Index Hashing", CVPR 2012): each 256-bit hash is
// cut into sixteen 16-bit chunks; key = chunk index << 16 | chunk value;
// pos = cell * 2 + (0 for the main hash, 1 for the zoom hash). The region
// hashes have key spaces of their own (RegionChunkKey), so that a query's
// part is only looked up among the same parts of source frames; their pos
// is cell * 2. Hashes below min_quality get no postings.
std::vector<Posting> VideoPostings(const VideoSignature& sig, int min_quality);
// The postings of the region hashes alone: what a video indexed before
// they existed gains from an upgrade (its main and zoom postings stay).
std::vector<Posting> VideoRegionPostings(const VideoSignature& sig, int min_quality);
// Gives the frames of `older` (a signature written before the region hashes
// existed) the region hashes of the frames of `fresh` (the same video signed
// anew, at the same rate) in the same grid cell, keeping their main and zoom
// hashes as they are; returns how many frames gained them.
size_t AddRegionHashes(const VideoSignature& fresh, VideoSignature* older);
inline uint64_t ChunkKey(int chunk, uint16_t value) {
  return (static_cast<uint64_t>(chunk) << 16) | value;
}
inline uint64_t RegionChunkKey(int region, int chunk, uint16_t value) {
  return ChunkKey(16 * (1 + region) + chunk, value);
}

// The content region of a source frame and its central zoom.
struct SourceRegions {
  int x = 0, y = 0, w = 0, h = 0;
  int zx = 0, zy = 0, zw = 0, zh = 0;
};
SourceRegions SourceFrameRegions(const VideoFrame& frame);

}  // namespace uncut

#endif  // UNCUT_VIDEO_VIDEO_SIGNATURE_H_

// The picture matcher on an in-memory archive: synthetic frame hashes, no
// decoding.
#include "trace/video_match.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/memory_storage.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

constexpr double kFps = 3;

PdqHash RandomHash(std::mt19937_64* rng) {
  PdqHash h;
  for (uint64_t& w : h.words) w = (*rng)();
  return h;
}

// A source of `frames` textured frames sampled at kFps, each with its own
// random hashes.
VideoSignature RandomSignature(size_t frames, std::mt19937_64* rng) {
  VideoSignature sig;
  sig.sample_fps = kFps;
  sig.duration_s = frames / kFps;
  sig.width = 320;
  sig.height = 180;
  for (uint32_t i = 0; i < frames; ++i) {
    FrameSig f;
    f.cell = i;
    f.time_s = static_cast<float>(i / kFps);
    f.main = RandomHash(rng);
    f.zoom = RandomHash(rng);
    f.main_quality = f.zoom_quality = 100;
    sig.frames.push_back(f);
  }
  return sig;
}

int64_t AddVideo(MemoryStorage* storage, const VideoSignature& sig) {
  MemoryItem m;
  m.item.kind = "video";
  m.item.format = "mp4";
  m.item.info = {{"video", {{"sample_fps", sig.sample_fps}}}};
  m.blobs[kVideoSignatureBlob] = sig.Serialize();
  m.postings[Modality::kVideo] = VideoPostings(sig, VideoSignOptions().min_quality);
  return storage->Add(std::move(m));
}

// The clip shows source frames [first, first + n), each hash with a few
// bits changed (a re-encoded copy).
QueryVideo ClipOf(const VideoSignature& sig, size_t first, size_t n, std::mt19937_64* rng) {
  QueryVideo q;
  q.hash_fps = kFps;
  q.duration_s = n / kFps;
  for (size_t i = 0; i < n; ++i) {
    QueryVideoFrame f;
    f.time_s = i / kFps;
    PdqHash h = sig.frames[first + i].main;
    for (int b = 0; b < 6; ++b) {
      const int bit = static_cast<int>((*rng)() % 256);
      h.words[bit / 64] ^= uint64_t{1} << (bit % 64);
    }
    f.hashes = {h};
    f.quality = 100;
    q.frames.push_back(f);
  }
  return q;
}

TEST(MatchVideoInMemory, FindsTheSourceAndTheOffsetOfASyntheticClip) {
  std::mt19937_64 rng(7);
  MemoryStorage storage;
  const VideoSignature decoy = RandomSignature(60, &rng);
  const VideoSignature source = RandomSignature(90, &rng);
  AddVideo(&storage, decoy);
  const int64_t id = AddVideo(&storage, source);
  // Seconds 10-20 of the 30 s source.
  const QueryVideo clip = ClipOf(source, 30, 30, &rng);

  auto found = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MatchedSegment& m = (*found)[0];
  EXPECT_EQ(m.seg.item, id);
  EXPECT_EQ(m.modality, SegmentModality::kVideo);
  EXPECT_NEAR(m.seg.offset, 10.0, 0.1);
  EXPECT_NEAR(m.seg.speed, 1.0, 0.01);
  EXPECT_NEAR(m.seg.q_start, 0.0, 0.5);
  EXPECT_NEAR(m.seg.q_end, 10.0, 0.5);
  EXPECT_NEAR(m.seg.s_start, 10.0, 0.5);
  EXPECT_GE(m.matched, 25);
  EXPECT_FALSE(m.static_content);
}

TEST(MatchVideoInMemory, FindsNothingOnceTheSourceIsRemoved) {
  std::mt19937_64 rng(8);
  MemoryStorage storage;
  const VideoSignature source = RandomSignature(60, &rng);
  const int64_t id = AddVideo(&storage, source);
  const QueryVideo clip = ClipOf(source, 15, 30, &rng);
  auto before = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 1u);
  storage.Remove(id);
  auto after = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->empty());
}

TEST(MatchVideoInMemory, AClipOfUnrelatedPicturesMatchesNothing) {
  std::mt19937_64 rng(9);
  MemoryStorage storage;
  AddVideo(&storage, RandomSignature(90, &rng));
  const VideoSignature elsewhere = RandomSignature(30, &rng);
  auto found = MatchVideo(storage.storage(), ClipOf(elsewhere, 0, 30, &rng));
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty());
}

}  // namespace
}  // namespace uncut

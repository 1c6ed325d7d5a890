// The picture matcher on an in-memory archive: synthetic frame hashes, no
// decoding.
#include "trace/video_match.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

// Expects `found` to be one segment of item `id`, at `offset` in it,
// covering the clip from `q_start` to `q_end` (within 0.4 s).
void ExpectOneSegment(const absl::StatusOr<std::vector<MatchedSegment>>& found, int64_t id,
                      double offset, double q_start, double q_end) {
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MatchedSegment& m = (*found)[0];
  EXPECT_EQ(m.seg.item, id);
  EXPECT_NEAR(m.seg.offset, offset, 0.2);
  EXPECT_NEAR(m.seg.q_start, q_start, 0.4);
  EXPECT_NEAR(m.seg.q_end, q_end, 0.4);
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

// Flips `bits` random bits of h.
PdqHash Blur(PdqHash h, int bits, std::mt19937_64* rng) {
  for (int b = 0; b < bits; ++b) {
    const int bit = static_cast<int>((*rng)() % 256);
    h.words[bit / 64] ^= uint64_t{1} << (bit % 64);
  }
  return h;
}

// A fixed camera: seconds 25-35 of the source are another take of seconds
// 10-20, each frame within 30 bits of its counterpart (close enough to
// match, further than copies of one frame come).
VideoSignature FixedCamera(std::mt19937_64* rng) {
  VideoSignature sig = RandomSignature(120, rng);
  for (size_t i = 0; i < 30; ++i) {
    sig.frames[75 + i].main = Blur(sig.frames[30 + i].main, 30, rng);
    sig.frames[75 + i].zoom = Blur(sig.frames[30 + i].zoom, 30, rng);
  }
  return sig;
}

// Source frames [a, a + n) then [b, b + n), each re-encoded (6 bits off).
QueryVideo SplicedClipOf(const VideoSignature& sig, size_t a, size_t b, size_t n,
                         std::mt19937_64* rng) {
  QueryVideo q = ClipOf(sig, a, 2 * n, rng);
  for (size_t i = 0; i < n; ++i) q.frames[n + i].hashes = {Blur(sig.frames[b + i].main, 6, rng)};
  return q;
}

// Seconds 10-15 of the fixed camera, then 30-35 (the other take's
// counterpart of 15-20): each line runs on across the splice through
// look-alike frames, but the clip's frames are far closer to one of them
// on each side, so the splice is where one segment ends and the other
// begins. Was: one line over the whole clip, the second part at the first
// take's place.
TEST(MatchVideoInMemory, ASpliceIntoAnotherTakeOfAFixedCameraEndsEachLineThere) {
  std::mt19937_64 rng(21);
  MemoryStorage storage;
  const VideoSignature source = FixedCamera(&rng);
  const int64_t id = AddVideo(&storage, source);
  const QueryVideo clip = SplicedClipOf(source, 30, 90, 15, &rng);
  auto found = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(found.ok()) << found.status();
  std::vector<MatchedSegment> segs = *found;
  std::sort(segs.begin(), segs.end(), [](const MatchedSegment& x, const MatchedSegment& y) {
    return x.seg.q_start < y.seg.q_start;
  });
  ASSERT_EQ(segs.size(), 2u);
  for (const MatchedSegment& m : segs) EXPECT_EQ(m.seg.item, id);
  EXPECT_NEAR(segs[0].seg.offset, 10.0, 0.2);
  EXPECT_NEAR(segs[0].seg.q_start, 0.0, 0.4);
  EXPECT_NEAR(segs[0].seg.q_end, 5.0, 0.4);
  EXPECT_NEAR(segs[1].seg.offset, 25.0, 0.2);
  EXPECT_NEAR(segs[1].seg.q_start, 5.0, 0.4);
  EXPECT_NEAR(segs[1].seg.q_end, 10.0, 0.4);
}

// The same camera, one continuous piece (seconds 10-20): the other take
// matches it too, but never more closely, so the clip stays one segment
// on its own line.
TEST(MatchVideoInMemory, AnUncutPieceOfAFixedCameraStaysWhole) {
  std::mt19937_64 rng(22);
  MemoryStorage storage;
  const VideoSignature source = FixedCamera(&rng);
  AddVideo(&storage, source);
  const QueryVideo clip = ClipOf(source, 30, 30, &rng);
  auto found = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_FALSE(found->empty());
  int on_line = 0;
  for (const MatchedSegment& m : *found) {
    if (std::abs(m.seg.offset - 10.0) > 0.2) continue;
    ++on_line;
    EXPECT_NEAR(m.seg.q_start, 0.0, 0.4);
    EXPECT_NEAR(m.seg.q_end, 10.0, 0.4);
  }
  EXPECT_EQ(on_line, 1);
}

// A slowly changing shot: from second 13 on, each frame is another look of
// the one `shift` frames earlier (within 30 bits, as a fixed camera's
// picture changes little from moment to moment), for 10 s.
VideoSignature SlowShot(size_t shift, std::mt19937_64* rng) {
  VideoSignature sig = RandomSignature(120, rng);
  for (size_t i = 0; i < 30; ++i) {
    sig.frames[30 + shift + i].main = Blur(sig.frames[30 + i].main, 30, rng);
    sig.frames[30 + shift + i].zoom = Blur(sig.frames[30 + i].zoom, 30, rng);
  }
  return sig;
}

// The clip's segments, in clip order.
std::vector<MatchedSegment> InClipOrder(std::vector<MatchedSegment> segs) {
  std::sort(segs.begin(), segs.end(), [](const MatchedSegment& x, const MatchedSegment& y) {
    return x.seg.q_start < y.seg.q_start;
  });
  return segs;
}

// Seconds 10-15 of a slowly changing shot, then 18-23: a jump of 3 s
// inside one take, where every frame looks like the one 3 s before. The
// picture cannot tell a trimmed moment from the take running on (the
// lines 3 s apart both match throughout): lines of one item under 4 s
// apart win no edge from each other, and the clip stays one segment. Fails
// with that rule taken out (two segments, a "cut" of 3 s).
TEST(MatchVideoInMemory, LinesOfOneTakeUnderFourSecondsApartWinNoEdge) {
  std::mt19937_64 rng(23);
  MemoryStorage storage;
  const VideoSignature source = SlowShot(9, &rng);
  AddVideo(&storage, source);
  const QueryVideo clip = SplicedClipOf(source, 30, 54, 15, &rng);
  auto found = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(found.ok()) << found.status();
  const std::vector<MatchedSegment> segs = InClipOrder(*found);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_NEAR(segs[0].seg.q_start, 0.0, 0.4);
  EXPECT_NEAR(segs[0].seg.q_end, 10.0, 0.4);
}

// The same jump of 5 s, beyond the same take's reach: the frames on each
// side are closer to their own line, and the clip splits where it jumps.
TEST(MatchVideoInMemory, LinesOfOneItemFiveSecondsApartSplitWhereTheClipJumps) {
  std::mt19937_64 rng(23);
  MemoryStorage storage;
  const VideoSignature source = SlowShot(15, &rng);
  const int64_t id = AddVideo(&storage, source);
  const QueryVideo clip = SplicedClipOf(source, 30, 60, 15, &rng);
  auto found = MatchVideo(storage.storage(), clip);
  ASSERT_TRUE(found.ok()) << found.status();
  const std::vector<MatchedSegment> segs = InClipOrder(*found);
  ASSERT_EQ(segs.size(), 2u);
  for (const MatchedSegment& m : segs) EXPECT_EQ(m.seg.item, id);
  EXPECT_NEAR(segs[0].seg.offset, 10.0, 0.2);
  EXPECT_NEAR(segs[0].seg.q_end, 5.0, 0.4);
  EXPECT_NEAR(segs[1].seg.offset, 15.0, 0.2);
  EXPECT_NEAR(segs[1].seg.q_start, 5.0, 0.4);
}

// h with two bits flipped in each of its sixteen 16-bit chunks: 32 bits
// off, within a match, yet with no chunk left intact for a lookup to find.
PdqHash NoChunkIntact(PdqHash h, std::mt19937_64* rng) {
  for (int c = 0; c < 16; ++c) {
    const int a = static_cast<int>((*rng)() % 16);
    const int b = (a + 1 + static_cast<int>((*rng)() % 15)) % 16;
    for (int bit : {16 * c + a, 16 * c + b}) h.words[bit / 64] ^= uint64_t{1} << (bit % 64);
  }
  return h;
}

// Seconds 10-22 of the source: only the first 2 s keep chunks a lookup
// finds (the rest is a heavier re-encode, 32 bits off throughout). The
// line voted there verifies on over the whole clip. Was: grown at most 3 s
// past the voted stretch (to 5 s), the rest of the clip unexplained.
TEST(MatchVideoInMemory, AShortVotedStretchGrowsAsFarAsItsFramesMatch) {
  std::mt19937_64 rng(25);
  MemoryStorage storage;
  const VideoSignature source = RandomSignature(90, &rng);
  const int64_t id = AddVideo(&storage, source);
  QueryVideo clip = ClipOf(source, 30, 36, &rng);
  for (size_t i = 6; i < clip.frames.size(); ++i) {
    clip.frames[i].hashes = {NoChunkIntact(source.frames[30 + i].main, &rng)};
  }
  ExpectOneSegment(MatchVideo(storage.storage(), clip), id, 10.0, 0.0, 12.0);
}

// A source that is one still held throughout (a title card or a slide:
// each frame within a few bits of the first).
VideoSignature AStillThroughout(std::mt19937_64* rng) {
  VideoSignature sig = RandomSignature(45, rng);
  for (size_t i = 1; i < sig.frames.size(); ++i) {
    sig.frames[i].main = Blur(sig.frames[0].main, 4, rng);
    sig.frames[i].zoom = Blur(sig.frames[0].zoom, 4, rng);
  }
  return sig;
}

// Three seconds of a 15 s still: wherever in it the clip is placed, the
// picture matches as well 4 s off, on whichever side that stays inside the
// source, so every match is static. Was: a line 4 s off beyond the
// source's start or end counted as not matching, and a match near either
// end was taken for moving footage that places the clip.
TEST(MatchVideoInMemory, AStillIsStaticNearTheSourcesEndsToo) {
  std::mt19937_64 rng(26);
  MemoryStorage storage;
  const VideoSignature source = AStillThroughout(&rng);
  AddVideo(&storage, source);
  auto found = MatchVideo(storage.storage(), ClipOf(source, 1, 9, &rng));
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_FALSE(found->empty());
  for (const MatchedSegment& m : *found) {
    EXPECT_TRUE(m.static_content) << "at offset " << m.seg.offset;
  }
}

// A source whose frames also keep their upper-part hash (the region a
// panel at the bottom of a clip leaves intact).
VideoSignature WithUpperParts(VideoSignature sig, std::mt19937_64* rng) {
  for (FrameSig& f : sig.frames) {
    f.has_regions = true;
    f.region[kRegionUpper] = RandomHash(rng);
    f.region_quality[kRegionUpper] = 100;
  }
  return sig;
}

// Seconds 10-20 of the source, a panel over the bottom of the picture for
// the first `panel` frames: their whole-frame hash is foreign, and only the
// upper part (a region variant) still shows the source. The other frames
// carry both.
QueryVideo ClipWithPanelAtFirst(const VideoSignature& sig, size_t panel, std::mt19937_64* rng) {
  QueryVideo q = ClipOf(sig, 30, 30, rng);
  for (size_t i = 0; i < q.frames.size(); ++i) {
    QueryVideoFrame& f = q.frames[i];
    if (i < panel) f.hashes[0] = RandomHash(rng);
    f.hashes.push_back(Blur(sig.frames[30 + i].region[kRegionUpper], 6, rng));
    f.targets = {kTargetMainOrZoom, RegionTarget(kRegionUpper)};
    f.qualities = {100, 100};
  }
  return q;
}

// The whole frames find seconds 4-10 of the clip; the parts, looked up
// over the first 4 s, find the same line and grow 3 s past them. The two
// are one match, over the whole clip. Was: the one with more matching
// frames alone (0-7 s), the last 3 s of the clip unexplained.
TEST(MatchVideoInMemory, WholeFramesAndPartsOnOneLineSpanBothStretches) {
  std::mt19937_64 rng(24);
  MemoryStorage storage;
  const VideoSignature source = WithUpperParts(RandomSignature(90, &rng), &rng);
  const int64_t id = AddVideo(&storage, source);
  ExpectOneSegment(MatchVideo(storage.storage(), ClipWithPanelAtFirst(source, 12, &rng)), id, 10.0,
                   0.0, 10.0);
}

}  // namespace
}  // namespace uncut

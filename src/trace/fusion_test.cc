// Fusion of picture and sound segments, on constructed segments.
#include "trace/fusion.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

// A verified segment of `item` over clip seconds [q0, q1] on the line
// s = offset + q.
MatchedSegment Seg(SegmentModality modality, uint32_t item, double q0, double q1, double offset,
                   double confidence, int matched, int checked) {
  MatchedSegment m;
  m.modality = modality;
  m.seg.item = item;
  m.seg.offset = offset;
  m.seg.speed = 1.0;
  m.seg.q_start = q0;
  m.seg.q_end = q1;
  m.seg.s_start = offset + q0;
  m.seg.s_end = offset + q1;
  m.seg.confidence = confidence;
  m.seg.score = matched;
  m.core_start = q0;
  m.core_end = q1;
  m.matched = matched;
  m.checked = checked;
  return m;
}

TEST(FusePictureAndSound, AgreeingSegmentsBecomeOneWithBothKindsOfEvidence) {
  MatchedSegment picture = Seg(SegmentModality::kVideo, 7, 2.0, 10.0, 100.0, 0.6, 20, 24);
  MatchedSegment sound = Seg(SegmentModality::kAudio, 7, 1.0, 9.0, 100.2, 0.5, 80, 100);
  sound.loudness_only = {{1.0, 1.5}};
  std::vector<MatchedSegment> out = FusePictureAndSound({picture}, {sound});
  ASSERT_EQ(out.size(), 1u);
  const MatchedSegment& f = out[0];
  EXPECT_EQ(f.modality, SegmentModality::kVideoAndAudio);
  EXPECT_EQ(f.seg.item, 7u);
  // The sound's line, the union of both stretches.
  EXPECT_DOUBLE_EQ(f.seg.offset, 100.2);
  EXPECT_DOUBLE_EQ(f.seg.q_start, 1.0);
  EXPECT_DOUBLE_EQ(f.seg.q_end, 10.0);
  EXPECT_DOUBLE_EQ(f.seg.s_start, 101.2);
  EXPECT_DOUBLE_EQ(f.seg.s_end, 110.2);
  // Independent evidence: 1 - 0.4 * 0.5.
  EXPECT_DOUBLE_EQ(f.seg.confidence, 0.8);
  EXPECT_DOUBLE_EQ(f.seg.score, 100.0);
  // Each modality's own counts and the sound's own stretch are kept.
  EXPECT_EQ(f.matched, 20);
  EXPECT_EQ(f.checked, 24);
  EXPECT_EQ(f.audio_matched, 80);
  EXPECT_EQ(f.audio_checked, 100);
  EXPECT_DOUBLE_EQ(f.audio_start, 1.0);
  EXPECT_DOUBLE_EQ(f.audio_end, 9.0);
  EXPECT_DOUBLE_EQ(f.core_start, 1.0);
  EXPECT_DOUBLE_EQ(f.core_end, 10.0);
  ASSERT_EQ(f.loudness_only.size(), 1u);
  EXPECT_DOUBLE_EQ(f.loudness_only[0].first, 1.0);
}

TEST(FusePictureAndSound, PictureOnlySegmentsPassUnchanged) {
  MatchedSegment picture = Seg(SegmentModality::kVideo, 3, 0.0, 5.0, 40.0, 0.7, 12, 15);
  std::vector<MatchedSegment> out = FusePictureAndSound({picture}, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].modality, SegmentModality::kVideo);
  EXPECT_DOUBLE_EQ(out[0].seg.offset, 40.0);
  EXPECT_DOUBLE_EQ(out[0].seg.confidence, 0.7);
  EXPECT_EQ(out[0].audio_checked, 0);
}

TEST(FusePictureAndSound, SoundOnlySegmentsPassUnchanged) {
  MatchedSegment sound = Seg(SegmentModality::kAudio, 3, 0.0, 5.0, 40.0, 0.7, 50, 60);
  std::vector<MatchedSegment> out = FusePictureAndSound({}, {sound});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].modality, SegmentModality::kAudio);
  EXPECT_EQ(out[0].matched, 50);
}

TEST(FusePictureAndSound, LinesFartherApartThanTheToleranceStaySeparate) {
  // Same item, overlapping in the clip, but half a second apart in the source.
  MatchedSegment picture = Seg(SegmentModality::kVideo, 5, 0.0, 8.0, 30.0, 0.6, 20, 24);
  MatchedSegment sound =
      Seg(SegmentModality::kAudio, 5, 0.0, 8.0, 30.0 + kFusionMaxLineGapS + 0.1, 0.5, 80, 90);
  std::vector<MatchedSegment> out = FusePictureAndSound({picture}, {sound});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].modality, SegmentModality::kVideo);
  EXPECT_DOUBLE_EQ(out[0].seg.offset, 30.0);
  EXPECT_EQ(out[1].modality, SegmentModality::kAudio);
  // Just inside the tolerance, they fuse.
  sound.seg.offset = 30.0 + kFusionMaxLineGapS - 0.05;
  EXPECT_EQ(FusePictureAndSound({picture}, {sound}).size(), 1u);
}

TEST(FusePictureAndSound, SegmentsOfOtherItemsOrDisjointInTheClipStaySeparate) {
  MatchedSegment picture = Seg(SegmentModality::kVideo, 1, 0.0, 4.0, 10.0, 0.6, 10, 12);
  MatchedSegment other_item = Seg(SegmentModality::kAudio, 2, 0.0, 4.0, 10.0, 0.5, 40, 50);
  MatchedSegment later = Seg(SegmentModality::kAudio, 1, 5.0, 9.0, 10.0, 0.5, 40, 50);
  std::vector<MatchedSegment> out = FusePictureAndSound({picture}, {other_item, later});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].modality, SegmentModality::kVideo);
  EXPECT_EQ(out[1].seg.item, 2u);
  EXPECT_EQ(out[2].seg.q_start, 5.0);
}

TEST(FusePictureAndSound, EachSoundSegmentFusesWithOnePictureOnly) {
  // Two picture segments of one stretch (a repeated shot) and one sound.
  MatchedSegment first = Seg(SegmentModality::kVideo, 4, 0.0, 6.0, 20.0, 0.6, 10, 12);
  MatchedSegment second = Seg(SegmentModality::kVideo, 4, 3.0, 9.0, 20.0, 0.6, 10, 12);
  MatchedSegment sound = Seg(SegmentModality::kAudio, 4, 0.0, 9.0, 20.0, 0.5, 60, 70);
  std::vector<MatchedSegment> out = FusePictureAndSound({first, second}, {sound});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].modality, SegmentModality::kVideoAndAudio);
  EXPECT_EQ(out[1].modality, SegmentModality::kVideo);
}

TEST(FusePictureAndSound, AFusedSegmentIsAnAlternateOnlyWhenBothWere) {
  MatchedSegment picture = Seg(SegmentModality::kVideo, 9, 0.0, 6.0, 0.0, 0.6, 10, 12);
  MatchedSegment sound = Seg(SegmentModality::kAudio, 9, 0.0, 6.0, 0.0, 0.5, 60, 70);
  picture.seg.alternate = true;
  EXPECT_FALSE(FusePictureAndSound({picture}, {sound})[0].seg.alternate);
  sound.seg.alternate = true;
  EXPECT_TRUE(FusePictureAndSound({picture}, {sound})[0].seg.alternate);
}

}  // namespace
}  // namespace uncut

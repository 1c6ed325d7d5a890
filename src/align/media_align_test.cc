#include "align/media_align.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace uncut {
namespace {

// Hits every 0.25 s of the query stretch [q0, q1] along s = offset + q in
// `item`, each slightly jittered.
void AddLine(uint32_t item, double offset, double q0, double q1, std::mt19937* rng,
             std::vector<MediaHit>* hits) {
  std::uniform_real_distribution<double> jitter(-0.03, 0.03);
  for (double q = q0; q <= q1; q += 0.25) hits->push_back({q, item, offset + q + jitter(*rng)});
}

MediaAlignParams Params(double clip_length_s) {
  MediaAlignParams p;
  p.place_separation_s = clip_length_s;
  return p;
}

std::vector<MediaSegment> Align(const std::vector<MediaHit>& hits, const MediaAlignParams& p) {
  return SelectSegments(FindSegments(hits, p), p);
}

TEST(SelectSegments, KeepsASecondPlaceOfOneItemAsAnotherOccurrence) {
  std::mt19937 rng(1);
  std::vector<MediaHit> hits;
  AddLine(3, 40.0, 0, 10, &rng, &hits);   // a 10 s clip at 40 s
  AddLine(3, 400.0, 0, 10, &rng, &hits);  // and the same 10 s again at 400 s
  hits.pop_back();                        // a little less evidence there
  const std::vector<MediaSegment> segs = Align(hits, Params(10.0));
  ASSERT_EQ(segs.size(), 2u);
  const auto main = std::find_if(segs.begin(), segs.end(), [](auto& s) { return !s.alternate; });
  const auto other = std::find_if(segs.begin(), segs.end(), [](auto& s) { return s.alternate; });
  ASSERT_NE(main, segs.end());
  ASSERT_NE(other, segs.end());
  EXPECT_NEAR(main->offset, 40.0, 0.1);
  EXPECT_NEAR(other->offset, 400.0, 0.1);
  EXPECT_NEAR(other->q_start, 0.0, 0.01);
  EXPECT_NEAR(other->q_end, 10.0, 0.3);
}

TEST(SelectSegments, WithoutAPlaceSeparationAnItemIsOnePlace) {
  std::mt19937 rng(2);
  std::vector<MediaHit> hits;
  AddLine(3, 40.0, 0, 10, &rng, &hits);
  AddLine(3, 400.0, 0, 10, &rng, &hits);
  hits.pop_back();
  const std::vector<MediaSegment> segs = Align(hits, Params(0));
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_NEAR(segs[0].offset, 40.0, 0.1);
  EXPECT_FALSE(segs[0].alternate);
}

TEST(SelectSegments, ALineLessThanTheClipsLengthOffIsNotAnotherPlace) {
  std::mt19937 rng(3);
  std::vector<MediaHit> hits;
  AddLine(3, 40.0, 0, 10, &rng, &hits);
  // A weaker peak 6 s off over the whole clip (the item repeats itself
  // within the clip's reach): the same place seen again, not a second one.
  AddLine(3, 46.0, 0, 10, &rng, &hits);
  hits.resize(hits.size() - 5);
  const std::vector<MediaSegment> segs = Align(hits, Params(10.0));
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_NEAR(segs[0].offset, 40.0, 0.1);
  EXPECT_FALSE(segs[0].alternate);
}

TEST(SelectSegments, ASecondPlaceWithFarThinnerEvidenceIsNotAnOccurrence) {
  std::mt19937 rng(4);
  std::vector<MediaHit> hits;
  AddLine(3, 40.0, 0, 10, &rng, &hits);
  // A chance line at 400 s with a tenth of the evidence.
  for (double q = 0; q <= 10; q += 2.5) hits.push_back({q, 3, 400.0 + q});
  const std::vector<MediaSegment> segs = Align(hits, Params(10.0));
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_NEAR(segs[0].offset, 40.0, 0.1);
}

TEST(SelectSegments, TwoSidesOfASpliceFromFarApartInOneItemStayTheMainExplanation) {
  std::mt19937 rng(5);
  std::vector<MediaHit> hits;
  // 0-6 s of the clip from 40 s on, 5.5-10 s from 400 s on: the runs share
  // half a second at the splice.
  AddLine(3, 40.0, 0, 6, &rng, &hits);
  AddLine(3, 400.0, 5.5, 10, &rng, &hits);
  const std::vector<MediaSegment> segs = Align(hits, Params(10.0));
  ASSERT_EQ(segs.size(), 2u);
  for (const MediaSegment& s : segs) EXPECT_FALSE(s.alternate);
  EXPECT_NEAR(segs[0].offset, 40.0, 0.1);
  EXPECT_NEAR(segs[1].offset, 400.0, 0.1);
}

TEST(AtAnotherPlace, ComparesSourceTimesOverTheSharedStretch) {
  MediaSegment a{.item = 1, .speed = 1.0, .offset = 10, .q_start = 0, .q_end = 8};
  MediaSegment b = a;
  b.offset = 19;
  EXPECT_TRUE(AtAnotherPlace(a, b, 8.0));
  EXPECT_FALSE(AtAnotherPlace(a, b, 10.0));
  EXPECT_FALSE(AtAnotherPlace(a, b, 0.0));
  b.item = 2;
  EXPECT_FALSE(AtAnotherPlace(a, b, 8.0));  // another item, not another place
}

}  // namespace
}  // namespace uncut

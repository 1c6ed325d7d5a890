// Grouping matched segments into the sources a report lists, on
// constructed segments.
#include "trace/place_groups.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

// A segment of `item` over clip seconds [q0, q1] on the line s = offset + q.
MatchedSegment Seg(uint32_t item, double q0, double q1, double offset, bool alternate) {
  MatchedSegment m;
  m.seg.item = item;
  m.seg.offset = offset;
  m.seg.q_start = q0;
  m.seg.q_end = q1;
  m.seg.s_start = offset + q0;
  m.seg.s_end = offset + q1;
  m.seg.confidence = 0.8;
  m.seg.score = 10 * (q1 - q0);
  m.seg.alternate = alternate;
  m.core_start = q0;
  m.core_end = q1;
  return m;
}

// The groups holding a segment of `item`, each as its segments' clip starts.
std::vector<std::vector<double>> GroupsOf(const std::vector<MatchedSegment>& segs, uint32_t item) {
  std::vector<std::vector<double>> out;
  for (const auto& place : GroupByPlace(segs)) {
    if (place.front()->seg.item != item) continue;
    std::vector<double>& starts = out.emplace_back();
    for (const MatchedSegment* m : place) starts.push_back(m->seg.q_start);
  }
  return out;
}

// An uncut piece of item 1 (0-27 s of the clip, at 85 s in it) whose first
// and last shots item 2 also holds, 60 s apart (a programme re-using two
// shots). Item 1 runs on unbroken from one shot to the other, so the clip
// was not cut between them: item 2's shots are two occurrences, not one
// source with a cut between. Was: one group for item 2, "cut" 57 s.
TEST(GroupByPlace, ShotsThatAnotherSourceRunsOnThroughAreSeparateOccurrences) {
  const std::vector<MatchedSegment> segs = {Seg(1, 0, 27, 85, false), Seg(2, 0, 2.7, 14.6, true),
                                            Seg(2, 25, 27, 48, true)};
  EXPECT_EQ(GroupsOf(segs, 2), (std::vector<std::vector<double>>{{0.0}, {25.0}}));
  EXPECT_TRUE(RunsThrough(segs, segs[1], segs[2]));
}

// The same with the running source in three pieces meeting on one line
// (fingerprints placed its edges at shot changes).
TEST(GroupByPlace, ARunOfPiecesOnOneLineRunsThrough) {
  const std::vector<MatchedSegment> segs = {
      Seg(1, 0, 9.1, 87.24, false), Seg(1, 9.1, 12.5, 87.28, false),
      Seg(1, 12.5, 21.8, 87.24, false), Seg(2, 0, 9.1, 26.1, true),
      Seg(2, 9.1, 12.3, 109.5, true)};
  EXPECT_EQ(GroupsOf(segs, 2), (std::vector<std::vector<double>>{{0.0}, {9.1}}));
}

// A real splice: both sources show the two pieces apart (each jumps where
// the clip was cut), so no source runs through and each source is one group
// with its cut.
TEST(GroupByPlace, ASpliceEverySourceJumpsAtStaysOneSourceWithItsCut) {
  const std::vector<MatchedSegment> segs = {Seg(1, 0, 4, 20, false), Seg(1, 4, 9, 26, false),
                                            Seg(2, 0, 4, 70, true), Seg(2, 4, 9, 76, true)};
  EXPECT_EQ(GroupsOf(segs, 1), (std::vector<std::vector<double>>{{0.0, 4.0}}));
  EXPECT_EQ(GroupsOf(segs, 2), (std::vector<std::vector<double>>{{0.0, 4.0}}));
  EXPECT_FALSE(RunsThrough(segs, segs[0], segs[1]));
}

// A source that covers only one side of the junction, or runs through with
// a gap of a second, does not show the clip unbroken there.
TEST(GroupByPlace, ASourceThatStopsShortOrBreaksOffDoesNotRunThrough) {
  const std::vector<MatchedSegment> short_of = {Seg(1, 0, 4, 20, false), Seg(1, 4, 9, 30, false),
                                                Seg(2, 0, 4.2, 70, true)};
  EXPECT_FALSE(RunsThrough(short_of, short_of[0], short_of[1]));
  EXPECT_EQ(GroupsOf(short_of, 1), (std::vector<std::vector<double>>{{0.0, 4.0}}));
  const std::vector<MatchedSegment> broken = {Seg(1, 0, 4, 20, false), Seg(1, 4, 9, 30, false),
                                              Seg(2, 0, 3.5, 70, true), Seg(2, 4.5, 9, 70, true)};
  EXPECT_FALSE(RunsThrough(broken, broken[0], broken[1]));
}

// A static shot whose place the picture cannot tell (it matches as well at
// several places) is its own source: a cut measured from one of its
// candidate places would be a guess. Was: one group, "cut" 80 s.
TEST(GroupByPlace, ASegmentThePictureCannotPlaceSharesNoGroup) {
  std::vector<MatchedSegment> segs = {Seg(1, 0, 9, 26, false), Seg(1, 9, 12, 110, false)};
  segs[1].indistinguishable = true;
  EXPECT_EQ(GroupsOf(segs, 1), (std::vector<std::vector<double>>{{0.0}, {9.0}}));
  segs[1].indistinguishable = false;
  EXPECT_EQ(GroupsOf(segs, 1), (std::vector<std::vector<double>>{{0.0, 9.0}}));
}

}  // namespace
}  // namespace uncut

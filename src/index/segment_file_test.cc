#include "index/segment_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "testing/temp_dir.h"

namespace uncut {
namespace {

TEST(SegmentFile, FindsEveryPostingOfAKeyInItemAndPositionOrder) {
  testing::TempDir dir;
  std::vector<Posting> p = {{5, 2, 9}, {3, 1, 1}, {5, 1, 4}, {5, 2, 1}, {7, 3, 3}};
  ASSERT_TRUE(WriteSegment(dir.File("a.seg"), &p).ok());
  auto r = SegmentReader::Open(dir.File("a.seg"));
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<Posting> five;
  EXPECT_EQ(r->Find(5, &five), 3u);
  ASSERT_EQ(five.size(), 3u);
  EXPECT_EQ(five[0], (Posting{5, 1, 4}));
  EXPECT_EQ(five[1], (Posting{5, 2, 1}));
  EXPECT_EQ(five[2], (Posting{5, 2, 9}));
  std::vector<Posting> none;
  EXPECT_EQ(r->Find(4, &none), 0u);
  EXPECT_EQ(r->Find(8, &none), 0u);
  EXPECT_EQ(r->Find(2, &none), 0u);
  EXPECT_EQ(r->Locate(5).count, 3u);
  EXPECT_TRUE(r->Verify().ok());
}

TEST(SegmentFile, LargeSegmentsSortAndSearchCorrectly) {
  testing::TempDir dir;
  std::mt19937_64 rng(5);
  std::vector<Posting> p;
  for (uint32_t item = 1; item <= 50; ++item) {
    for (uint32_t pos = 0; pos < 2000; ++pos) p.push_back({rng() % 20000, item, pos});
  }
  std::vector<Posting> expected = p;
  std::sort(expected.begin(), expected.end());
  ASSERT_TRUE(WriteSegment(dir.File("b.seg"), &p).ok());
  auto r = SegmentReader::Open(dir.File("b.seg"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), expected.size());
  std::vector<Posting> all;
  r->ForEach([&](const Posting& x) {
    all.push_back(x);
    return true;
  });
  ASSERT_EQ(all, expected);
  uint64_t key = expected[12345].key;
  size_t n = std::count_if(expected.begin(), expected.end(),
                           [&](const Posting& x) { return x.key == key; });
  std::vector<Posting> found;
  EXPECT_EQ(r->Find(key, &found), n);
  EXPECT_EQ(r->Locate(key).count, n);
  EXPECT_TRUE(r->Verify().ok());
}

TEST(SegmentFile, LargeSegmentsOfSmallKeysSortCorrectly) {
  // Keys of at most 11 bits take one radix pass (an odd number), and keys
  // of more than 22 bits are sorted on their top bits then within groups.
  for (uint64_t key_range : {uint64_t{1000}, uint64_t{1} << 40}) {
    testing::TempDir dir;
    std::mt19937_64 rng(7);
    std::vector<Posting> p;
    for (uint32_t item = 1; item <= 10; ++item) {
      for (uint32_t pos = 0; pos < 1000; ++pos) p.push_back({rng() % key_range, item, pos});
    }
    std::shuffle(p.begin(), p.end(), rng);
    std::vector<Posting> expected = p;
    std::sort(expected.begin(), expected.end());
    ASSERT_TRUE(WriteSegment(dir.File("s.seg"), &p).ok());
    auto r = SegmentReader::Open(dir.File("s.seg"));
    ASSERT_TRUE(r.ok());
    std::vector<Posting> all;
    r->ForEach([&](const Posting& x) {
      all.push_back(x);
      return true;
    });
    EXPECT_EQ(all, expected) << key_range;
  }
}

TEST(SegmentFile, MergeKeepsOnlyLiveItems) {
  testing::TempDir dir;
  std::vector<Posting> a = {{1, 1, 0}, {2, 2, 0}}, b = {{1, 3, 0}, {3, 2, 5}};
  ASSERT_TRUE(WriteSegment(dir.File("a.seg"), &a).ok());
  ASSERT_TRUE(WriteSegment(dir.File("b.seg"), &b).ok());
  auto ra = SegmentReader::Open(dir.File("a.seg"));
  auto rb = SegmentReader::Open(dir.File("b.seg"));
  ASSERT_TRUE(MergeSegments(
                  {&*ra, &*rb}, [](uint32_t item) { return item != 2; }, dir.File("m.seg"))
                  .ok());
  auto m = SegmentReader::Open(dir.File("m.seg"));
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  std::vector<Posting> all;
  m->ForEach([&](const Posting& x) {
    all.push_back(x);
    return true;
  });
  EXPECT_EQ(all, (std::vector<Posting>{{1, 1, 0}, {1, 3, 0}}));
}

TEST(SegmentFile, VerifyDetectsAFlippedByte) {
  testing::TempDir dir;
  std::vector<Posting> p = {{1, 1, 0}, {2, 2, 0}, {3, 3, 3}};
  ASSERT_TRUE(WriteSegment(dir.File("c.seg"), &p).ok());
  testing::RunShell("chmod u+w " + dir.File("c.seg") + " && printf '\\x01' | dd of=" +
                    dir.File("c.seg") + " bs=1 seek=50 conv=notrunc 2>/dev/null");
  auto r = SegmentReader::Open(dir.File("c.seg"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->Verify().ok());
}

TEST(SegmentFile, RefusesATruncatedFile) {
  testing::TempDir dir;
  std::vector<Posting> p = {{1, 1, 0}, {2, 2, 0}};
  ASSERT_TRUE(WriteSegment(dir.File("d.seg"), &p).ok());
  testing::RunShell("chmod u+w " + dir.File("d.seg") + " && truncate -s 60 " + dir.File("d.seg"));
  EXPECT_FALSE(SegmentReader::Open(dir.File("d.seg")).ok());
}

// Postings of a sound index as one add writes them: a few items, most keys
// with one posting, some with several (of one item or more).
std::vector<Posting> MixedPostings() {
  std::mt19937_64 rng(11);
  std::vector<Posting> p;
  for (uint32_t item = 3; item <= 5; ++item) {
    for (uint32_t pos = 0; pos < 3000; ++pos) p.push_back({rng() % (1u << 30), item, pos * 7});
  }
  for (uint32_t pos = 0; pos < 200; ++pos) {
    p.push_back({1000 + pos % 13, 3 + pos % 2, pos});
    p.push_back({5000, 200 + pos, 1u << 31});
  }
  return p;
}

std::vector<Posting> AllOf(const SegmentReader& r) {
  std::vector<Posting> all;
  r.ForEach([&](const Posting& x) {
    all.push_back(x);
    return true;
  });
  return all;
}

// Keys far apart: a delta of 2^62 or more between neighbours in a block
// does not fit beside the header's flags and must come back whole.
TEST(SegmentFile, KeysAcrossTheWholeSixtyFourBitRangeComeBackExactly) {
  testing::TempDir dir;
  const uint64_t top = ~uint64_t{0};
  std::vector<Posting> p = {{top, 1, 2},         {3, 1, 0},          {top - 1, 2, 7},
                            {uint64_t{1} << 62, 3, 1}, {(uint64_t{1} << 62) + 1, 1, 5},
                            {uint64_t{1} << 63, 2, 4}, {top, 2, 3}};
  std::vector<Posting> want = p;
  std::sort(want.begin(), want.end(), [](const Posting& a, const Posting& b) {
    return std::tie(a.key, a.item, a.pos) < std::tie(b.key, b.item, b.pos);
  });
  ASSERT_TRUE(WriteSegment(dir.File("wide.seg"), &p).ok());
  auto r = SegmentReader::Open(dir.File("wide.seg"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(AllOf(*r), want);
  for (const Posting& x : want) {
    std::vector<Posting> found;
    r->Find(x.key, &found);
    EXPECT_NE(std::find(found.begin(), found.end(), x), found.end()) << x.key;
  }
  std::vector<Posting> none;
  EXPECT_EQ(r->Find(top - 2, &none), 0u);
  EXPECT_TRUE(r->Verify().ok());
}

TEST(SegmentFile, ReadsSegmentsOfTheOlderFormatAsTheCurrentOne) {
  testing::TempDir dir;
  std::vector<Posting> expected = MixedPostings(), p2 = expected, p3 = expected;
  std::sort(expected.begin(), expected.end());
  ASSERT_TRUE(WriteSegment(dir.File("v2.seg"), &p2, 2).ok());
  ASSERT_TRUE(WriteSegment(dir.File("v3.seg"), &p3).ok());
  auto v2 = SegmentReader::Open(dir.File("v2.seg"));
  auto v3 = SegmentReader::Open(dir.File("v3.seg"));
  ASSERT_TRUE(v2.ok() && v3.ok());
  EXPECT_EQ(v2->version(), 2u);
  EXPECT_EQ(v3->version(), kSegmentVersion);
  EXPECT_EQ(AllOf(*v2), expected);
  EXPECT_EQ(AllOf(*v3), expected);
  EXPECT_TRUE(v2->Verify().ok());
  EXPECT_TRUE(v3->Verify().ok());
  for (size_t i = 0; i < expected.size(); i += 97) {
    const uint64_t key = expected[i].key;
    std::vector<Posting> want;
    for (const Posting& x : expected) {
      if (x.key == key) want.push_back(x);
    }
    std::vector<Posting> a, b;
    EXPECT_EQ(v2->Find(key, &a), want.size());
    EXPECT_EQ(v3->Find(key, &b), want.size());
    EXPECT_EQ(a, want);
    EXPECT_EQ(b, want);
  }
  std::vector<Posting> none;
  EXPECT_EQ(v3->Find(4999, &none), 0u);
  // A merge writes the current format, whatever its inputs'.
  ASSERT_TRUE(MergeSegments({&*v2}, [](uint32_t) { return true; }, dir.File("m.seg")).ok());
  auto m = SegmentReader::Open(dir.File("m.seg"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->version(), kSegmentVersion);
  EXPECT_EQ(AllOf(*m), expected);
}

TEST(SegmentFile, AKeyWithOnePostingOfTheBlocksItemTakesItsHeaderAndPositionOnly) {
  testing::TempDir dir;
  // One item, keys far apart: 3 bytes of key header and 2 of position
  // each in format 3, against 2 more (count and item) in format 2.
  std::vector<Posting> p2, p3;
  for (uint32_t i = 0; i < 10000; ++i) p2.push_back({uint64_t{i} << 16, 7, (i * 37) % 9000});
  p3 = p2;
  ASSERT_TRUE(WriteSegment(dir.File("v2.seg"), &p2, 2).ok());
  ASSERT_TRUE(WriteSegment(dir.File("v3.seg"), &p3).ok());
  auto v2 = SegmentReader::Open(dir.File("v2.seg"));
  auto v3 = SegmentReader::Open(dir.File("v3.seg"));
  ASSERT_TRUE(v2.ok() && v3.ok());
  EXPECT_LT(v3->file_bytes() + 19000, v2->file_bytes());
  EXPECT_EQ(AllOf(*v3), AllOf(*v2));
}

}  // namespace
}  // namespace uncut

#include "text/winnow.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace uncut {
namespace {

std::u32string RandomText(std::mt19937* rng, size_t n) {
  std::u32string s;
  std::uniform_int_distribution<int> d('a', 'z');
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char32_t>(d(*rng)));
  return s;
}

TEST(Winnow, EveryLongEnoughSharedRunSharesAFingerprint) {
  WinnowParams p{12, 8};
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::u32string shared = RandomText(&rng, p.k + p.w - 1);
    std::u32string doc = RandomText(&rng, 500) + shared + RandomText(&rng, 500);
    std::set<uint64_t> stored;
    for (const Posting& f : Winnow(doc, p)) stored.insert(f.key);
    bool found = false;
    for (uint64_t h : KgramHashes(shared, p.k)) found |= stored.count(h) > 0;
    EXPECT_TRUE(found) << "trial " << trial;
  }
}

TEST(Winnow, KeepsAboutTwoOutOfWPlusOnePositions) {
  WinnowParams p{12, 8};
  std::mt19937 rng(11);
  std::u32string doc = RandomText(&rng, 200000);
  double density = static_cast<double>(Winnow(doc, p).size()) / doc.size();
  EXPECT_NEAR(density, 2.0 / (p.w + 1), 0.03);
}

TEST(Winnow, PositionsAreIncreasingAndHashesMatchTheirKgrams) {
  WinnowParams p{12, 8};
  std::mt19937 rng(3);
  std::u32string doc = RandomText(&rng, 3000);
  std::vector<uint64_t> all = KgramHashes(doc, p.k);
  std::vector<Posting> fp = Winnow(doc, p);
  for (size_t i = 0; i < fp.size(); ++i) {
    EXPECT_EQ(fp[i].key, all[fp[i].pos]);
    if (i > 0) EXPECT_LT(fp[i - 1].pos, fp[i].pos);
  }
}

TEST(Winnow, ShortTextStillGetsOneFingerprint) {
  EXPECT_EQ(Winnow(U"abcdefghijklm", WinnowParams{12, 8}).size(), 1u);
  EXPECT_TRUE(Winnow(U"short", WinnowParams{12, 8}).empty());
}

}  // namespace
}  // namespace uncut

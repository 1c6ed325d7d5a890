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
    if (i > 0) {
      EXPECT_LT(fp[i - 1].pos, fp[i].pos);
    }
  }
}

TEST(Winnow, ShortTextStillGetsOneFingerprint) {
  EXPECT_EQ(Winnow(U"abcdefghijklm", WinnowParams{12, 8}).size(), 1u);
  EXPECT_TRUE(Winnow(U"short", WinnowParams{12, 8}).empty());
}

}  // namespace
}  // namespace uncut

namespace uncut {
namespace {

bool SamePostings(const std::vector<Posting>& a, const std::vector<Posting>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].item != b[i].item || a[i].pos != b[i].pos) return false;
  }
  return true;
}

TEST(Winnower, PiecesOfAnySizeGiveWhatWinnowGivesForTheWhole) {
  std::mt19937 rng(11);
  for (WinnowParams p : {WinnowParams{12, 8}, WinnowParams{5, 3}, WinnowParams{1, 1}}) {
    for (size_t n : {0, 1, 4, 11, 12, 13, 18, 19, 20, 64, 3000}) {
      std::u32string text = RandomText(&rng, n);
      // Runs of one letter tie hashes: the rightmost minimum must win too.
      if (n > 40) text.replace(10, 30, std::u32string(30, U'q'));
      std::uniform_int_distribution<size_t> cut(0, 40);
      Winnower w(p);
      for (size_t at = 0; at < text.size();) {
        size_t len = std::min(cut(rng), text.size() - at);
        w.Add(std::u32string_view(text).substr(at, len));
        at += len;
      }
      EXPECT_TRUE(SamePostings(w.Finish(), Winnow(text, p))) << "n=" << n << " k=" << p.k;
    }
  }
}

}  // namespace
}  // namespace uncut

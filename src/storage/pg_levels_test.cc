#include "storage/pg_levels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace uncut {
namespace {

TEST(PgLevels, ARunsLevelGrowsByTheFanInFromTheUnit) {
  const TierRules r{1000, 4};
  EXPECT_EQ(RunLevel(0, r), 0);
  EXPECT_EQ(RunLevel(999, r), 0);
  EXPECT_EQ(RunLevel(1000, r), 1);
  EXPECT_EQ(RunLevel(3999, r), 1);
  EXPECT_EQ(RunLevel(4000, r), 2);
  EXPECT_EQ(RunLevel(64000, r), 4);
  EXPECT_EQ(RunLevel(UINT64_MAX, r), 28);  // 1000 * 4^27 <= 2^64 - 1 < 1000 * 4^28
}

TEST(PgLevels, TheLowestLevelWithFanInRunsIsMergedWhole) {
  const TierRules r{1000, 4};
  // Three runs at level 0, four at level 2, five at level 1.
  const std::vector<uint64_t> sizes = {10, 5000, 1500, 20, 6000, 1200, 4000, 1100, 30, 7000, 1000,
                                       1999};
  MergePick p = PickMerge(sizes, r, UINT64_MAX);
  EXPECT_EQ(p.runs, (std::vector<size_t>{2, 5, 7, 10, 11}));
  EXPECT_EQ(p.postings, 1500u + 1200 + 1100 + 1000 + 1999);
  EXPECT_FALSE(p.over);
  EXPECT_TRUE(PickMerge({10, 20, 30}, r, UINT64_MAX).runs.empty());
  // Over the limit: nothing merged, the merge due said so.
  p = PickMerge(sizes, r, 5000);
  EXPECT_TRUE(p.runs.empty());
  EXPECT_TRUE(p.over);
}

// Batches of equal size added one by one, merging what is due after each:
// a posting is rewritten about once per level (not once per later batch),
// and the runs stay few.
TEST(PgLevels, EqualBatchesAreRewrittenOncePerLevelAndLeaveFewRuns) {
  const TierRules r{1000, 4};
  std::vector<uint64_t> runs;
  uint64_t written = 0, added = 0;
  size_t most_runs = 0;
  for (int batch = 0; batch < 256; ++batch) {
    runs.push_back(1000);
    added += 1000;
    for (MergePick p = PickMerge(runs, r, UINT64_MAX); !p.runs.empty();
         p = PickMerge(runs, r, UINT64_MAX)) {
      written += p.postings;
      for (size_t k = p.runs.size(); k-- > 0;) runs.erase(runs.begin() + p.runs[k]);
      runs.push_back(p.postings);
    }
    most_runs = std::max(most_runs, runs.size());
  }
  // 256 = 4^4 batches: every posting climbed 4 levels, one run left.
  EXPECT_EQ(written, 4 * added);
  EXPECT_EQ(runs, (std::vector<uint64_t>{256000}));
  EXPECT_LE(most_runs, 3u * 4 + 1);
}

}  // namespace
}  // namespace uncut

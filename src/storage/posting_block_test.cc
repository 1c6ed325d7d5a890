#include "storage/posting_block.h"

#include <gtest/gtest.h>

#include <random>

namespace uncut {
namespace {

TEST(PostingBlock, PackedBlocksUnpackToTheSortedPostingsAndKeepEachKeyWhole) {
  std::mt19937_64 rng(7);
  std::vector<Posting> postings;
  for (int i = 0; i < 5000; ++i) {
    postings.push_back({rng() % 700 + (i % 3 == 0 ? ~uint64_t{0} - 700 : 0),
                        static_cast<uint32_t>(rng() % 50 + 1), static_cast<uint32_t>(rng() % 100000)});
  }
  std::vector<PostingBlock> blocks = PackPostings(postings, 64);
  ASSERT_GT(blocks.size(), 10u);
  std::vector<Posting> back;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const size_t before = back.size();
    ASSERT_TRUE(UnpackPostings(blocks[i].data, &back).ok());
    EXPECT_EQ(back.size() - before, blocks[i].postings);
    EXPECT_EQ(back[before].key, blocks[i].first_key);
    EXPECT_EQ(back.back().key, blocks[i].last_key);
    if (i > 0) {
      EXPECT_LT(blocks[i - 1].last_key, blocks[i].first_key);
    }
  }
  std::sort(postings.begin(), postings.end());
  EXPECT_EQ(back, postings);
}

TEST(PostingBlock, AKeyWithABlocksWorthOfPostingsHasABlockOfItsOwn) {
  std::vector<Posting> postings;
  for (uint32_t i = 0; i < 30; ++i) postings.push_back({10 + i % 3, 1, i});  // 10, 11, 12
  for (uint32_t i = 0; i < 100; ++i) postings.push_back({13, 2, i});      // common
  for (uint32_t i = 0; i < 30; ++i) postings.push_back({14 + i % 2, 3, i});
  std::vector<PostingBlock> blocks = PackPostings(postings, 64);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].first_key, 10u);
  EXPECT_EQ(blocks[0].last_key, 12u);
  EXPECT_EQ(blocks[1].first_key, 13u);
  EXPECT_EQ(blocks[1].last_key, 13u);
  EXPECT_EQ(blocks[1].postings, 100u);
  EXPECT_EQ(blocks[2].first_key, 14u);
}

TEST(PostingBlock, PostingsTakeAFewBytesEach) {
  std::vector<Posting> postings;
  for (uint32_t i = 0; i < 10000; ++i) postings.push_back({uint64_t{i} * 1000003, 1 + i / 500, i});
  size_t bytes = 0;
  for (const PostingBlock& b : PackPostings(postings)) bytes += b.data.size();
  EXPECT_LT(bytes, postings.size() * 8);
}

TEST(PostingBlock, DamagedBytesAreDataLoss) {
  std::vector<PostingBlock> blocks = PackPostings({{5, 1, 2}, {5, 1, 9}, {8, 2, 1}});
  ASSERT_EQ(blocks.size(), 1u);
  std::string cut = blocks[0].data.substr(0, blocks[0].data.size() - 1) + "\x80";
  std::vector<Posting> out;
  EXPECT_EQ(UnpackPostings(cut, &out).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace uncut

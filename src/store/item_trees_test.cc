#include "store/item_trees.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

Item MakeItem(int64_t id, std::optional<int64_t> parent, uint64_t size) {
  Item it;
  it.id = id;
  it.parent_id = parent;
  it.size = size;
  return it;
}

std::vector<int64_t> Ids(const std::vector<const Item*>& batch) {
  std::vector<int64_t> ids;
  for (const Item* it : batch) ids.push_back(it->id);
  return ids;
}

const ItemTrees::SkipTree kCopyAll = [](const Item&) -> absl::StatusOr<bool> { return false; };

// A mailbox (1) with a message (2) holding an attachment (3), two files (4,
// 5), and an item whose parent is not being copied (6): a top of its own.
std::vector<Item> Archive() {
  return {MakeItem(1, std::nullopt, 10), MakeItem(2, 1, 4),      MakeItem(3, 2, 2),
          MakeItem(4, std::nullopt, 100), MakeItem(5, std::nullopt, 1), MakeItem(6, 99, 7)};
}

TEST(ItemTrees, ABatchTakesWholeTreesParentsFirstEvenPastItsItemLimit) {
  std::vector<Item> items = Archive();
  ItemTrees trees(items);
  EXPECT_EQ(trees.trees(), 4u);
  auto first = trees.NextBatch(2, 1 << 20, kCopyAll);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<int64_t>{1, 2, 3}));
  auto second = trees.NextBatch(2, 1 << 20, kCopyAll);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<int64_t>{4, 5}));
  auto third = trees.NextBatch(2, 1 << 20, kCopyAll);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(Ids(*third), (std::vector<int64_t>{6}));
  EXPECT_TRUE(trees.done());
  EXPECT_EQ(trees.trees_taken(), 4u);
}

TEST(ItemTrees, OnlyTopsCountTowardsTheByteLimit) {
  std::vector<Item> items = Archive();
  ItemTrees trees(items);
  // 10 bytes for the mailbox's tree (its children are inside it), then 100.
  auto first = trees.NextBatch(100, 50, kCopyAll);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<int64_t>{1, 2, 3, 4}));
}

// Items of few bytes may carry hours of fingerprints: a batch also ends
// once it holds the postings allowed, counting every item of its trees.
TEST(ItemTrees, ABatchEndsAtItsPostingLimitCountingChildren) {
  std::vector<Item> items = Archive();
  ItemTrees trees(items);
  trees.SetPostingCounts({{1, 5}, {2, 5}, {3, 20}, {4, 10}, {5, 10}, {6, 100}});
  auto first = trees.NextBatch(100, 1 << 20, kCopyAll, 30);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<int64_t>{1, 2, 3}));
  auto second = trees.NextBatch(100, 1 << 20, kCopyAll, 30);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<int64_t>{4, 5, 6}));
  EXPECT_TRUE(trees.done());
}

TEST(ItemTrees, SkippedTreesAreLeftOutWholeAndErrorsStopTheBatch) {
  std::vector<Item> items = Archive();
  ItemTrees trees(items);
  auto batch = trees.NextBatch(100, 1 << 20, [](const Item& top) -> absl::StatusOr<bool> {
    return top.id == 1 || top.id == 5;
  });
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(Ids(*batch), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(trees.Parent(items[2])->id, 2);
  EXPECT_EQ(trees.Parent(items[5]), nullptr);

  ItemTrees again(items);
  auto failed = again.NextBatch(100, 1 << 20, [](const Item&) -> absl::StatusOr<bool> {
    return absl::UnavailableError("shard down");
  });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ItemTrees, AnEnclosingParentHoldsTheChildsBytesInTheSameObject) {
  Item box = MakeItem(1, std::nullopt, 100);
  box.object = "pack-1";
  box.object_offset = 50;
  Item inside = MakeItem(2, 1, 30), outside = MakeItem(3, 1, 30), own = MakeItem(4, 1, 10);
  inside.object = outside.object = "pack-1";
  inside.object_offset = 120;   // 120..150 within 50..150
  outside.object_offset = 130;  // 130..160 runs past the box
  own.object = "file-4";
  std::vector<Item> items = {box, inside, outside, own};
  ItemTrees trees(items);
  EXPECT_EQ(trees.EnclosingParent(items[1]), &items[0]);
  EXPECT_EQ(trees.EnclosingParent(items[2]), nullptr);
  EXPECT_EQ(trees.EnclosingParent(items[3]), nullptr);
  EXPECT_EQ(trees.EnclosingParent(items[0]), nullptr);
}

}  // namespace
}  // namespace uncut

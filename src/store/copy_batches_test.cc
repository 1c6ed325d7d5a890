// A copy's batches and their postings: the spill hands each partition back
// exactly what was added to it, holding no more than its limit in memory
// and leaving no file behind; the planned batches end at their posting
// limit, and the source's index is read twice whatever their number.
#include "store/copy_batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "storage/memory_storage.h"
#include "store/counting_reads_testing.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// What a partition should give back: by item, by modality, sorted.
using Expected = std::map<uint32_t, std::map<Modality, std::vector<Posting>>>;

void SortLists(BatchPostings* postings) {
  for (auto& [item, by_modality] : *postings) {
    for (auto& [modality, list] : by_modality) std::sort(list.begin(), list.end());
  }
}

TEST(CopyPostingSpill, GivesEachPartitionBackWhatWasAddedHoldingAtMostItsLimit) {
  testing::TempDir dir;
  auto spill = PostingSpill::Create(3, 50, dir.path());
  ASSERT_TRUE(spill.ok()) << spill.status();
  std::vector<Expected> want(3);
  for (uint32_t i = 0; i < 3000; ++i) {
    const uint32_t item = 1 + i % 7;
    const size_t partition = item % 3;
    const Modality modality = i % 2 ? Modality::kVideo : Modality::kAudio;
    const Posting p{(i * 2654435761u) % 500, item, i};
    ASSERT_TRUE((*spill)->Add(partition, modality, p).ok());
    want[partition][item][modality].push_back({p.key, 0, p.pos});
  }
  EXPECT_LE((*spill)->max_held_seen(), 50u);
  EXPECT_GT((*spill)->bytes_written(), 0u);
  // The file was unlinked when made: nothing is left to clean up, however
  // the copy ends.
  EXPECT_TRUE(ListDir(dir.path()).empty());
  for (size_t partition : {2u, 0u, 1u}) {
    auto got = (*spill)->Take(partition);
    ASSERT_TRUE(got.ok()) << got.status();
    SortLists(&*got);
    SortLists(&want[partition]);
    EXPECT_EQ(*got, want[partition]) << "partition " << partition;
  }
  // Taken once: a second take is empty.
  auto again = (*spill)->Take(1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

// Fails every positioned write with ENOSPC: a full disk.
class FullDisk : public FileSystem {
 public:
  long WriteAt(int, std::string_view, uint64_t) override {
    errno = ENOSPC;
    return -1;
  }
};

TEST(CopyPostingSpill, AFullDiskIsAnErrorNamingTheSpillFile) {
  testing::TempDir dir;
  auto spill = PostingSpill::Create(2, 4, dir.path());
  ASSERT_TRUE(spill.ok()) << spill.status();
  FullDisk full;
  ScopedFileSystemForTesting scoped(&full);
  absl::Status s;
  for (uint32_t i = 0; i < 10 && s.ok(); ++i) s = (*spill)->Add(i % 2, Modality::kText, {i, 1, i});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("uncut-copy-postings-"), std::string::npos) << s;
  EXPECT_NE(s.message().find("write failed"), std::string::npos) << s;
}

// Items 1-5, each with `id` text postings; item 4 removed (its postings
// stay in the index until a compaction).
class CopyPlannedBatchesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint32_t id = 1; id <= 5; ++id) {
      MemoryItem m;
      m.item.name = StrCat("doc", id, ".txt");
      m.item.kind = "text";
      m.original = StrCat("document ", id);
      m.item.object = Sha256Hex(m.original);
      for (uint32_t k = 0; k < id; ++k) m.postings[Modality::kText].push_back({100 + k, 0, k});
      m.postings[Modality::kAudio].push_back({7, 0, id});
      source_.Add(m);
    }
    source_.Remove(4);
    auto listed = source_.ListItems();
    ASSERT_TRUE(listed.ok());
    items_ = *listed;
  }

  MemoryStorage source_;
  std::vector<Item> items_;
};

std::vector<std::vector<int64_t>> Ids(const std::vector<PlannedBatch>& batches) {
  std::vector<std::vector<int64_t>> out;
  for (const PlannedBatch& b : batches) {
    out.emplace_back();
    for (const Item* it : b.items) out.back().push_back(it->id);
  }
  return out;
}

TEST_F(CopyPlannedBatchesTest, BatchesEndAtThePostingLimitAndTheIndexIsReadTwice) {
  ItemTrees trees(items_);
  CountingReads counting(source_.storage().postings);
  // Item 3 is at the target already.
  auto skip = [](const Item& top) -> absl::StatusOr<bool> { return top.id == 3; };
  BatchLimits limits;
  limits.postings = 4;
  auto planned = PlanBatches(&trees, &counting, limits, skip);
  ASSERT_TRUE(planned.ok()) << planned.status();
  // 1 and 2 hold 5 postings (text and sound), 5 holds 6.
  EXPECT_EQ(Ids(*planned), (std::vector<std::vector<int64_t>>{{1, 2}, {5}}));
  EXPECT_EQ((*planned)[0].trees_done, 2u);
  EXPECT_EQ((*planned)[1].trees_done, 4u);
  auto spill = SpillByBatch(&counting, *planned, 3);
  ASSERT_TRUE(spill.ok()) << spill.status();
  for (Modality m : kAllModalities) EXPECT_EQ(counting.reads[m], 2) << ModalityName(m);

  auto first = (*spill)->Take(0);
  ASSERT_TRUE(first.ok()) << first.status();
  SortLists(&*first);
  EXPECT_EQ(*first, (BatchPostings{
                        {1, {{Modality::kText, {{100, 0, 0}}}, {Modality::kAudio, {{7, 0, 1}}}}},
                        {2,
                         {{Modality::kText, {{100, 0, 0}, {101, 0, 1}}},
                          {Modality::kAudio, {{7, 0, 2}}}}}}));
  auto second = (*spill)->Take(1);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->size(), 1u);  // neither the skipped 3 nor the removed 4
  EXPECT_EQ((*second)[5][Modality::kText].size(), 5u);
  EXPECT_EQ((*second)[5][Modality::kAudio].size(), 1u);
}

}  // namespace
}  // namespace uncut

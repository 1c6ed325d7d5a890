#include "index/index_manager.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/file.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

class IndexManagerTest : public ::testing::Test {
 protected:
  // Writes a segment of `modality` and lists it as live.
  std::string Add(const std::string& modality, std::vector<Posting> postings) {
    auto name = index_.WriteNew(modality, std::to_string(next_++), &postings);
    EXPECT_TRUE(name.ok()) << name.status();
    listed_.push_back({modality, *name});
    return *name;
  }
  absl::Status Refresh() {
    ++version_;
    return index_.Refresh(version_, [&]() { return listed_; });
  }
  std::vector<Posting> Lookup(const std::string& modality, std::vector<uint64_t> keys,
                              size_t cap = 100) {
    std::vector<Posting> out;
    index_.Lookup(modality, keys, cap, [&](uint32_t item) { return !dead_.count(item); }, &out);
    return out;
  }

  testing::TempDir dir_;
  IndexManager index_{dir_.path()};
  std::vector<IndexManager::Listed> listed_;
  std::set<uint32_t> dead_;
  int64_t version_ = 0;
  int next_ = 0;
};

TEST_F(IndexManagerTest, LooksUpAcrossTheListedSegmentsOfOneModality) {
  Add("video", {{4, 1, 10}, {4, 1, 2}, {9, 1, 3}});
  Add("video", {{4, 2, 1}});
  Add("text", {{4, 3, 3}});
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(Lookup("video", {4, 9}),
            (std::vector<Posting>{{4, 1, 2}, {4, 1, 10}, {4, 2, 1}, {9, 1, 3}}));
  EXPECT_EQ(Lookup("text", {4}), (std::vector<Posting>{{4, 3, 3}}));
  EXPECT_TRUE(Lookup("audio", {4}).empty());
  EXPECT_EQ(index_.PostingCount("video"), 4u);
  EXPECT_EQ(index_.PostingCount("audio"), 0u);
}

TEST_F(IndexManagerTest, OpensOnlyTheSegmentsOfTheModalityAskedFor) {
  Add("text", {{7, 1, 0}});
  ASSERT_TRUE(MakeDirs(JoinPath(dir_.path(), "video")).ok());
  ASSERT_TRUE(WriteFileAtomic(JoinPath(dir_.path(), "video/damaged.seg"), "not a segment").ok());
  listed_.push_back({"video", "video/damaged.seg"});
  ++version_;
  auto list = [&]() { return absl::StatusOr<std::vector<IndexManager::Listed>>(listed_); };
  // A text lookup never opens the picture segments.
  ASSERT_TRUE(index_.Refresh(version_, list, "text").ok());
  EXPECT_EQ(Lookup("text", {7}), (std::vector<Posting>{{7, 1, 0}}));
  EXPECT_EQ(index_.PostingCount("text"), 1u);
  absl::Status video = index_.Refresh(version_, list, "video");
  EXPECT_TRUE(absl::IsDataLoss(video)) << video;
  EXPECT_TRUE(absl::IsDataLoss(index_.Refresh(version_, list)));
  // Text stays open and readable.
  EXPECT_EQ(Lookup("text", {7}), (std::vector<Posting>{{7, 1, 0}}));
}

TEST_F(IndexManagerTest, AModalityOpenedForAnOlderListIsReopenedWhenNextAskedFor) {
  Add("text", {{7, 1, 0}});
  Add("video", {{3, 1, 0}});
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(Lookup("video", {3}), (std::vector<Posting>{{3, 1, 0}}));
  // The video segment is replaced (a compaction elsewhere); a text lookup
  // follows the new list without opening the new video segment.
  listed_.erase(listed_.begin() + 1);
  Add("video", {{3, 2, 0}});
  ++version_;
  auto list = [&]() { return absl::StatusOr<std::vector<IndexManager::Listed>>(listed_); };
  ASSERT_TRUE(index_.Refresh(version_, list, "text").ok());
  EXPECT_EQ(Lookup("text", {7}), (std::vector<Posting>{{7, 1, 0}}));
  EXPECT_TRUE(index_.Segments("video").empty());
  ASSERT_TRUE(index_.Refresh(version_, list, "video").ok());
  EXPECT_EQ(Lookup("video", {3}), (std::vector<Posting>{{3, 2, 0}}));
  EXPECT_EQ(index_.VerifyAll().size(), 0u);
}

TEST_F(IndexManagerTest, CommonKeysAreSkippedAndDeadItemsFilteredButCounted) {
  Add("video", {{1, 1, 0}, {1, 2, 0}, {1, 3, 0}, {2, 1, 5}, {2, 2, 5}});
  ASSERT_TRUE(Refresh().ok());
  EXPECT_TRUE(Lookup("video", {1}, 2).empty());
  dead_.insert(2);
  EXPECT_EQ(Lookup("video", {2}, 2), (std::vector<Posting>{{2, 1, 5}}));
  // The dead item's posting still counts against the cap.
  EXPECT_TRUE(Lookup("video", {2}, 1).empty());
}

TEST_F(IndexManagerTest, FollowsTheListAndReadsItOnlyWhenItsVersionChanges) {
  Add("video", {{1, 1, 0}});
  ASSERT_TRUE(Refresh().ok());
  int reads = 0;
  ASSERT_TRUE(index_.Refresh(version_, [&]() {
                      ++reads;
                      return absl::StatusOr<std::vector<IndexManager::Listed>>(listed_);
                    }).ok());
  EXPECT_EQ(reads, 0);
  // A segment no longer listed is no longer read.
  listed_.clear();
  Add("video", {{1, 2, 0}});
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(Lookup("video", {1}), (std::vector<Posting>{{1, 2, 0}}));
}

TEST_F(IndexManagerTest, AListedSegmentThatIsGoneFailsTheRefresh) {
  const std::string name = Add("video", {{1, 1, 0}});
  ASSERT_TRUE(RemoveFile(index_.PathOf(name)).ok());
  absl::Status s = Refresh();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
}

TEST_F(IndexManagerTest, MergesTheNewestSegmentsWhileTheyAreComparableInSize) {
  std::vector<Posting> big;
  for (uint32_t i = 0; i < 1000; ++i) big.push_back({i, 1, 0});
  const std::string a = Add("video", big);
  const std::string b = Add("video", {{5, 2, 0}, {6, 2, 0}});
  const std::string c = Add("video", {{5, 3, 0}, {7, 3, 0}});
  std::vector<std::pair<std::string, int64_t>> segs = {{a, 1000}, {b, 2}, {c, 2}};
  auto merge = index_.MergeNewest("video", segs, "m1", [](uint32_t item) { return item != 3; });
  ASSERT_TRUE(merge.ok()) << merge.status();
  ASSERT_TRUE(merge->has_value());
  EXPECT_EQ((*merge)->inputs, (std::vector<std::string>{b, c}));
  EXPECT_EQ((*merge)->postings, 2u);  // item 3's postings are dropped
  index_.RemoveFiles((*merge)->inputs);
  listed_ = {{"video", a}, {"video", (*merge)->output}};
  ASSERT_TRUE(Refresh().ok());
  EXPECT_EQ(Lookup("video", {5, 6, 7}),
            (std::vector<Posting>{{5, 1, 0}, {5, 2, 0}, {6, 1, 0}, {6, 2, 0}, {7, 1, 0}}));
  // A single segment, or a newest one far smaller than the rest, stays.
  auto none = index_.MergeNewest("video", {{a, 1000}, {(*merge)->output, 2}}, "m2",
                                 [](uint32_t) { return true; });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace uncut

// The archive's index interface: Lookup and PostingCount over segments.
#include "store/archive.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/file.h"
#include "store/archive_testing.h"

namespace uncut {
namespace {

class ArchiveIndex : public ArchiveTest {
 protected:
  // Adds an item whose bytes are `bytes`, with `postings` (item left 0) in
  // the "video" modality, in a batch of its own.
  int64_t Add(const std::string& bytes, std::vector<Posting> postings) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    NewItem n = StagedItem(batch->get(), bytes, "video", bytes + ".mp4");
    n.postings["video"] = std::move(postings);
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *id;
  }

  std::vector<Posting> Lookup(std::vector<uint64_t> keys, size_t cap) {
    std::vector<Posting> out;
    EXPECT_TRUE(archive_->Lookup("video", keys, cap, &out).ok());
    return out;
  }

};

TEST_F(ArchiveIndex, LookupReturnsEachKeysPostingsFromEverySegmentInTheOrderAsked) {
  int64_t a = Add("first", {{7, 0, 1}, {9, 0, 2}, {7, 0, 5}});
  int64_t b = Add("second", {{9, 0, 3}, {7, 0, 4}});
  std::vector<Posting> got = Lookup({7, 9}, 100);
  ASSERT_EQ(got.size(), 5u);
  // Grouped by key, keys in the order asked.
  EXPECT_TRUE(
      std::all_of(got.begin(), got.begin() + 3, [](const Posting& p) { return p.key == 7; }));
  EXPECT_TRUE(std::all_of(got.begin() + 3, got.end(), [](const Posting& p) { return p.key == 9; }));
  std::vector<Posting> sevens(got.begin(), got.begin() + 3);
  std::sort(sevens.begin(), sevens.end());
  EXPECT_EQ(sevens[0].item, static_cast<uint32_t>(a));
  EXPECT_EQ(sevens[0].pos, 1u);
  EXPECT_EQ(sevens[1].pos, 5u);
  EXPECT_EQ(sevens[2].item, static_cast<uint32_t>(b));
  EXPECT_EQ(sevens[2].pos, 4u);
  EXPECT_TRUE(Lookup({8}, 100).empty());
}

TEST_F(ArchiveIndex, LookupSkipsKeysWithMorePostingsThanTheCap) {
  Add("first", {{7, 0, 1}, {7, 0, 2}, {7, 0, 3}, {9, 0, 1}});
  Add("second", {{7, 0, 1}, {9, 0, 2}});
  std::vector<Posting> got = Lookup({7, 9}, 3);
  ASSERT_EQ(got.size(), 2u);  // key 7 has four postings across two segments
  EXPECT_EQ(got[0].key, 9u);
  EXPECT_EQ(got[1].key, 9u);
  EXPECT_EQ(Lookup({7, 9}, 4).size(), 6u);
}

TEST_F(ArchiveIndex, PostingCountSumsOneModalitysSegments) {
  auto empty = archive_->PostingCount("video");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, 0u);
  Add("first", {{7, 0, 1}, {9, 0, 2}, {7, 0, 5}});
  Add("second", {{9, 0, 3}, {7, 0, 4}});
  auto count = archive_->PostingCount("video");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 5u);
  auto audio = archive_->PostingCount("audio");
  ASSERT_TRUE(audio.ok());
  EXPECT_EQ(*audio, 0u);
}

TEST_F(ArchiveIndex, RemovedItemsPostingsAreNotReturned) {
  int64_t a = Add("first", {{7, 0, 1}});
  int64_t b = Add("second", {{7, 0, 2}});
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->RemoveItem(a).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  std::vector<Posting> got = Lookup({7}, 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].item, static_cast<uint32_t>(b));
}

// The segment files of a modality, opened.
std::vector<SegmentReader> SegmentsIn(const std::string& dir) {
  std::vector<SegmentReader> out;
  for (const std::string& name : ListDir(dir)) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".seg") continue;
    auto r = SegmentReader::Open(JoinPath(dir, name));
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) out.push_back(std::move(*r));
  }
  return out;
}

TEST_F(ArchiveIndex, UpgradeRewritesSegmentsOfTheOlderFormatWithTheSamePostings) {
  const int64_t a = Add("first", {{7, 0, 1}, {9, 0, 2}, {7, 0, 5}});
  const int64_t b = Add("second", {{9, 0, 3}, {7, 0, 4}, {11, 0, 6}});
  const std::vector<Posting> before = Lookup({7, 9, 11}, 100);
  ASSERT_EQ(before.size(), 6u);
  // Each segment as an older version wrote it: same name, same postings.
  const std::string dir = dir_.File("archive/index/video");
  archive_.reset();
  for (SegmentReader& r : SegmentsIn(dir)) {
    std::vector<Posting> p;
    r.ForEach([&](const Posting& x) {
      p.push_back(x);
      return true;
    });
    const std::string path = r.path();
    ASSERT_TRUE(WriteSegment(path + ".old", &p, 2).ok());
    ASSERT_TRUE(RenameFile(path + ".old", path).ok());
  }
  for (const SegmentReader& r : SegmentsIn(dir)) EXPECT_EQ(r.version(), 2u);
  auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  archive_ = std::move(*reopened);
  EXPECT_EQ(Lookup({7, 9, 11}, 100), before);

  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    auto rewritten = (*batch)->RewriteOlderSegments();
    ASSERT_TRUE(rewritten.ok()) << rewritten.status();
    EXPECT_EQ(*rewritten, 1u);
  }
  const std::vector<SegmentReader> after = SegmentsIn(dir);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].version(), kSegmentVersion);
  std::vector<Posting> got = Lookup({7, 9, 11}, 100);
  std::vector<Posting> want = before;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(std::count_if(got.begin(), got.end(),
                          [&](const Posting& p) { return p.item == static_cast<uint32_t>(a); }),
            3);
  EXPECT_EQ(std::count_if(got.begin(), got.end(),
                          [&](const Posting& p) { return p.item == static_cast<uint32_t>(b); }),
            3);
  auto problems = archive_->Verify();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
  // Nothing older is left: the second run merges nothing.
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok());
  auto again = (*batch)->RewriteOlderSegments();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST_F(ArchiveIndex, ReindexingReplacesBlobsAndInfoAndDroppingAModalityRemovesItsSegments) {
  // An item indexed in an older format ("old"), with a blob of that format.
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  NewItem n = StagedItem(batch->get(), "recording", "audio", "recording.flac");
  n.item.info["audio"] = {{"peaks", 1}};
  n.postings["old"] = {{5, 0, 1}};
  n.blobs["peaks"] = "old peaks";
  auto id = (*batch)->AddItem(std::move(n));
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE((*batch)->Commit().ok());
  auto before = archive_->GetItem(*id);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(PathExists(dir_.File("archive/index/old")));

  nlohmann::json info = before->info;
  info["audio"]["peaks"] = 2;
  PostingsByModality postings;
  postings["new"] = {{6, 0, 3}, {7, 0, 4}};
  ASSERT_TRUE((*batch)->Reindex(*id, info, std::move(postings), {{"peaks", "new peaks"}}).ok());
  ASSERT_TRUE((*batch)->DropModality("old").ok());
  ASSERT_TRUE((*batch)->Commit().ok());

  auto after = archive_->GetItem(*id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->sha256, before->sha256);
  EXPECT_EQ(after->name, before->name);
  EXPECT_EQ(after->info["audio"]["peaks"], 2);
  auto blob = archive_->LoadBlob(*id, "peaks");
  ASSERT_TRUE(blob.ok() && blob->has_value());
  EXPECT_EQ(**blob, "new peaks");
  std::vector<Posting> got;
  ASSERT_TRUE(archive_->Lookup("new", {6, 7}, 10, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].item, static_cast<uint32_t>(*id));
  EXPECT_EQ(got[1].pos, 4u);
  EXPECT_EQ(*archive_->PostingCount("old"), 0u);
  got.clear();
  ASSERT_TRUE(archive_->Lookup("old", {5}, 10, &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_FALSE(PathExists(dir_.File("archive/index/old")));
  ExpectVerifies();
}

using WriterLock = ArchiveTest;

TEST_F(WriterLock, IsNotHandedToProcessesStartedWhileABatchHoldsIt) {
  // A server's job may start a process (a test its command line) while a
  // batch holds the lock; the lock must not live on in that process.
  pid_t child = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    char sleep[] = "sleep", seconds[] = "30";
    char* argv[] = {sleep, seconds, nullptr};
    ASSERT_EQ(::posix_spawnp(&child, "sleep", nullptr, nullptr, argv, environ), 0);
  }
  // The batch is gone: another writer gets the lock while the process lives.
  testing::RunResult r = testing::RunShell(
      StrCat("flock -n ", testing::ShellQuote(dir_.File("archive/lock")), " true"));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(r.exit_code, 0) << "the lock is still held: " << r.err;
}

}  // namespace
}  // namespace uncut

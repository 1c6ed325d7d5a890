// How the archive keeps originals: small ones packed together, each item a
// range of a pack that hashes to the item's SHA-256.
#include <dirent.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "store/archive.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(JoinPath(dir, n));
  }
  ::closedir(d);
  return out;
}

class ObjectStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
  }

  // Stages `bytes` and queues a text item stored there.
  int64_t Queue(WriteBatch* batch, const std::string& bytes) {
    auto staged = batch->StageBytes(bytes);
    EXPECT_TRUE(staged.ok()) << staged.status();
    NewItem n;
    n.item.sha256 = staged->sha256;
    n.item.size = staged->size;
    n.item.object = staged->object;
    n.item.object_offset = staged->offset;
    n.item.kind = "text";
    n.item.format = "txt";
    n.item.name = bytes.substr(0, 8) + ".txt";
    n.item.added_from = "/nowhere";
    n.item.added_at = NowRfc3339();
    auto id = batch->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    return *id;
  }

  // The bytes the catalog says item `id` has, read from where it says.
  std::string StoredBytes(int64_t id) {
    auto item = archive_->GetItem(id);
    EXPECT_TRUE(item.ok()) << item.status();
    auto all = ReadFileToString(archive_->ObjectPath(item->object));
    EXPECT_TRUE(all.ok()) << all.status();
    if (!all.ok() || item->object_offset + item->size > all->size()) return "";
    return all->substr(item->object_offset, item->size);
  }

  std::string PacksDir() { return JoinPath(archive_->dir(), "objects/packs"); }

  testing::TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(ObjectStore, SmallOriginalsOfOneBatchShareOnePackAndReadBackExactly) {
  const std::vector<std::string> texts = {"first original\n", "second, longer original\n",
                                          "third\n"};
  std::vector<int64_t> ids;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    for (const std::string& t : texts) ids.push_back(Queue(batch->get(), t));
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  EXPECT_EQ(FilesIn(PacksDir()).size(), 1u);
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(StoredBytes(ids[i]), texts[i]);
    auto item = archive_->GetItem(ids[i]);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(item->sha256, Sha256Hex(texts[i]));
  }
  auto problems = archive_->Verify(nullptr);
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_F(ObjectStore, TheSameBytesAreStoredOnceWithinAndAcrossBatches) {
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok());
  auto a = (*batch)->StageBytes("same bytes");
  auto b = (*batch)->StageBytes("same bytes");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->object, b->object);
  EXPECT_EQ(a->offset, b->offset);
  Queue(batch->get(), "same bytes");
  ASSERT_TRUE((*batch)->Commit().ok());
  auto c = (*batch)->StageBytes("same bytes");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->existed);
  EXPECT_EQ(c->object, a->object);
  EXPECT_EQ(c->offset, a->offset);
}

TEST_F(ObjectStore, ADiscardedOriginalLeavesNoBytesInThePack) {
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok());
  Queue(batch->get(), "kept original");
  auto dropped = (*batch)->StageBytes("an original whose extraction failed");
  ASSERT_TRUE(dropped.ok());
  (*batch)->Discard(*dropped);
  ASSERT_TRUE((*batch)->Commit().ok());
  std::vector<std::string> packs = FilesIn(PacksDir());
  ASSERT_EQ(packs.size(), 1u);
  auto bytes = ReadFileToString(packs[0]);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "kept original");
}

TEST_F(ObjectStore, RemovingAnItemRewritesItsPackWithoutItsBytes) {
  int64_t keep1, gone, keep2;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    keep1 = Queue(batch->get(), "alpha original\n");
    gone = Queue(batch->get(), "private original to be removed\n");
    keep2 = Queue(batch->get(), "gamma original\n");
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->RemoveItem(gone).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  std::vector<std::string> packs = FilesIn(PacksDir());
  ASSERT_EQ(packs.size(), 1u);
  auto bytes = ReadFileToString(packs[0]);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->find("private"), std::string::npos);
  EXPECT_EQ(StoredBytes(keep1), "alpha original\n");
  EXPECT_EQ(StoredBytes(keep2), "gamma original\n");
  EXPECT_FALSE(archive_->GetItem(gone).ok());
  auto problems = archive_->Verify(nullptr);
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_F(ObjectStore, AnUncommittedPackIsDeletedWithItsBatch) {
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    Queue(batch->get(), "never published");
    EXPECT_EQ(FilesIn(PacksDir()).size(), 1u);
  }
  EXPECT_TRUE(FilesIn(PacksDir()).empty());
  auto items = archive_->ListItems();
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
}

TEST_F(ObjectStore, VerifyNamesTheItemWhosePackedBytesChanged) {
  int64_t intact, damaged;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    intact = Queue(batch->get(), "intact original\n");
    damaged = Queue(batch->get(), "damaged original\n");
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto item = archive_->GetItem(damaged);
  ASSERT_TRUE(item.ok());
  std::string pack = archive_->ObjectPath(item->object);
  auto bytes = ReadFileToString(pack);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[item->object_offset] ^= 1;
  ASSERT_EQ(::chmod(pack.c_str(), 0644), 0);
  ASSERT_TRUE(WriteFileAtomic(pack, *bytes).ok());
  auto problems = archive_->Verify(nullptr);
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ((*problems)[0].what.rfind("item " + std::to_string(damaged) + " ", 0), 0u);
  EXPECT_NE(damaged, intact);
}

}  // namespace
}  // namespace uncut

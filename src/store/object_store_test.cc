// How the archive keeps originals: small ones packed together, each item a
// range of a pack that hashes to the item's SHA-256.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "store/archive.h"
#include "store/archive_testing.h"
#include "store/sqlite.h"

namespace uncut {
namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& name : ListDir(dir)) out.push_back(JoinPath(dir, name));
  return out;
}

class ObjectStore : public ArchiveTest {
 protected:
  // Stages `bytes` and queues a text item stored there, with `bytes` as its
  // text (kept in the original, or stored as a copy).
  int64_t Queue(WriteBatch* batch, const std::string& bytes, bool text_in_original = true) {
    NewItem n = StagedItem(batch, bytes, "text", bytes.substr(0, 8) + ".txt");
    n.text = ExtractedText{bytes, OffsetMap::Identity(bytes.size()), {}};
    n.text_is_original = text_in_original;
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
  ExpectVerifies();
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
  ExpectVerifies();
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
  // Its bytes, and its text (which is those bytes), are reported.
  ASSERT_EQ(problems->size(), 2u);
  for (const auto& p : *problems) {
    EXPECT_EQ(p.what.rfind("item " + std::to_string(damaged) + " ", 0), 0u) << p.what;
  }
  EXPECT_NE(damaged, intact);
}

TEST_F(ObjectStore, TextsKeptInTheirOriginalsOrCopiedReadBackAfterARepack) {
  int64_t gone, kept_in_original, copied;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    gone = Queue(batch->get(), "first text, to be removed\n");
    kept_in_original = Queue(batch->get(), "second text, read from its original\n");
    copied = Queue(batch->get(), "third text, stored as a copy\n", false);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->RemoveItem(gone).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto a = archive_->LoadText(kept_in_original);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->text.text, "second text, read from its original\n");
  auto b = archive_->LoadText(copied);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->text.text, "third text, stored as a copy\n");
}

TEST_F(ObjectStore, ATextKeptInItsOriginalIsNotReadWhenTheOriginalLostItsSha256) {
  int64_t damaged, intact;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    damaged = Queue(batch->get(), "the minister said the plan would work\n");
    intact = Queue(batch->get(), "a neighbour in the same pack\n");
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto item = archive_->GetItem(damaged);
  ASSERT_TRUE(item.ok());
  // One byte of the stored copy: "would" -> "could".
  const std::string path = archive_->ObjectPath(item->object);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  {
    File f(::open(path.c_str(), O_WRONLY), path);
    ASSERT_GE(f.fd(), 0);
    ASSERT_EQ(::pwrite(f.fd(), "c", 1, item->object_offset + 27), 1);
  }
  auto text = archive_->LoadText(damaged);
  ASSERT_FALSE(text.ok()) << text->text.text;
  EXPECT_EQ(text.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(text.status().message(),
            "item 1 (the mini.txt): stored original does not match its SHA-256 \xE2\x80\x94 "
            "archive damaged, run uncut verify");
  auto other = archive_->LoadText(intact);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->text.text, "a neighbour in the same pack\n");
}

TEST_F(ObjectStore, ACatalogFromBeforeTextsInOriginalsOpensAndReadsItsTexts) {
  int64_t id;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    id = Queue(batch->get(), "a text stored whole\n", false);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  archive_.reset();
  {
    // Back to the first schema: no in_original column.
    auto db = SqliteDb::Open(dir_.File("archive/catalog.sqlite"), false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("ALTER TABLE texts DROP COLUMN in_original").ok());
    ASSERT_TRUE((*db)->Exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'").ok());
  }
  auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto text = (*reopened)->LoadText(id);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->text.text, "a text stored whole\n");
}

}  // namespace
}  // namespace uncut

// What the archive promises as evidence: nothing added is lost or silently
// altered. A damaged catalog never costs an original, verify finds every
// kind of damage, and a write that fails at any step leaves the archive
// consistent.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "store/archive.h"
#include "store/archive_testing.h"
#include "store/sqlite.h"

namespace uncut {
namespace {

// Every file under `root` (paths), sorted.
std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> out;
  WalkFiles(root, [&](const std::string& f) { out.push_back(f); },
            [](const std::string&, const absl::Status&) {});
  return out;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class Integrity : public ArchiveTest {
 protected:
  // Queues a text item whose text is stored in the catalog.
  int64_t QueueText(WriteBatch* batch, const std::string& bytes) {
    NewItem n = StagedItem(batch, bytes, "text", bytes.substr(0, 8) + ".txt");
    n.text = ExtractedText{bytes, OffsetMap::Identity(bytes.size()), {}};
    auto id = batch->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    return *id;
  }

  // Adds one text item and commits.
  int64_t AddText(const std::string& bytes) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    int64_t id = QueueText(batch->get(), bytes);
    EXPECT_TRUE((*batch)->Commit().ok());
    return id;
  }

  std::string Catalog() { return dir_.File("archive/catalog.sqlite"); }

  // Problems verify reports, as "what: problem" lines.
  std::vector<std::string> Problems(Archive* a, Archive::VerifySummary* summary = nullptr) {
    auto problems = a->Verify(nullptr, summary);
    EXPECT_TRUE(problems.ok()) << problems.status();
    std::vector<std::string> out;
    if (problems.ok()) {
      for (const auto& p : *problems) out.push_back(p.what + ": " + p.problem);
    }
    return out;
  }
};

TEST_F(Integrity, AnEmptyOrMissingCatalogBesideOriginalsIsDamageAndNothingIsCreatedOrDeleted) {
  AddText("an original that must survive a lost catalog\n");
  archive_.reset();
  const std::string root = dir_.File("archive");
  const std::vector<std::string> before = FilesUnder(root);
  ASSERT_TRUE(WriteFileAtomic(Catalog(), "").ok());  // truncated to 0 bytes
  for (auto mode : {Archive::Mode::kReadOnly, Archive::Mode::kCreate}) {
    auto a = Archive::Open(root, mode);
    ASSERT_FALSE(a.ok());
    EXPECT_TRUE(absl::IsDataLoss(a.status())) << a.status();
    EXPECT_NE(a.status().message().find("catalog.sqlite"), std::string::npos) << a.status();
    EXPECT_EQ(FilesUnder(root), before);
  }
  ASSERT_TRUE(RemoveFile(Catalog()).ok());
  auto a = Archive::Open(root, Archive::Mode::kCreate);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(absl::IsDataLoss(a.status())) << a.status();
  EXPECT_FALSE(PathExists(Catalog()));
}

TEST_F(Integrity, ACatalogWithADamagedHeaderIsDamageNamingTheFile) {
  AddText("a text\n");
  archive_.reset();
  {
    File f(::open(Catalog().c_str(), O_WRONLY), Catalog());
    ASSERT_GE(f.fd(), 0);
    ASSERT_EQ(::pwrite(f.fd(), "garbage garbage!", 16, 0), 16);
  }
  auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(absl::IsDataLoss(a.status())) << a.status();
  EXPECT_NE(a.status().message().find("catalog.sqlite: the catalog is damaged"), std::string::npos)
      << a.status();
}

TEST_F(Integrity, TheSweepLeavesAFileNoWriterNamedEvenWhenTheCatalogDoesNotReferenceIt) {
  AddText("a committed text\n");
  // An unreferenced object, as a catalog restored from an older backup
  // would leave, and the staging marker of an older writer.
  const std::string stray_sha = Sha256Hex("stray bytes");
  const std::string stray =
      JoinPath(JoinPath(dir_.File("archive/objects"), stray_sha.substr(0, 2)), stray_sha);
  ASSERT_TRUE(MakeDirs(JoinPath(dir_.File("archive/objects"), stray_sha.substr(0, 2))).ok());
  ASSERT_TRUE(WriteFileAtomic(stray, "stray bytes").ok());
  ASSERT_TRUE(MakeDirs(dir_.File("archive/objects/staging")).ok());
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
  }
  EXPECT_TRUE(PathExists(stray));
  std::vector<std::string> problems = Problems(archive_.get());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(stray_sha + ": not referenced by the catalog"), std::string::npos)
      << problems[0];
}

TEST_F(Integrity, WhatAKilledWriterStagedIsSweptByTheNextWriter) {
  AddText("a committed text\n");
  const std::string big = dir_.Write("big.bin", Repeat("0123456789abcdef", 1 << 10));
  const std::string sha = Sha256Hex(Repeat("0123456789abcdef", 1 << 10));
  archive_.reset();  // the child opens its own SQLite connection
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Stages an original and a packed one, then dies without cleaning up.
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
    if (!a.ok()) ::_exit(2);
    auto batch = (*a)->BeginWrite();
    if (!batch.ok()) ::_exit(3);
    if (!(*batch)->StageFile(big, Placement::kOwnFile).ok()) ::_exit(4);
    if (!(*batch)->StageBytes("packed and never published").ok()) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  archive_ = std::move(*reopened);
  const std::string staged = archive_->ObjectPath(sha);
  ASSERT_TRUE(PathExists(staged));
  // Not damage: named in the writer's journal, left for the next writer.
  Archive::VerifySummary summary;
  EXPECT_TRUE(Problems(archive_.get(), &summary).empty());
  EXPECT_EQ(summary.left_by_writer.size(), 2u);  // the object and the pack
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
  }
  EXPECT_FALSE(PathExists(staged));
  EXPECT_FALSE(PathExists(dir_.File("archive/objects/staging")));
  EXPECT_TRUE(Problems(archive_.get()).empty());
}

TEST_F(Integrity, VerifyFindsADamagedCatalogPage) {
  const std::string marker = Repeat("catalog page marker ", 20);
  AddText(marker);
  archive_.reset();  // the last connection checkpoints the WAL into the file
  auto bytes = ReadFileToString(Catalog());
  ASSERT_TRUE(bytes.ok());
  size_t at = bytes->find(marker);
  ASSERT_NE(at, std::string::npos);
  const size_t page_size = (static_cast<unsigned char>((*bytes)[16]) << 8) |
                           static_cast<unsigned char>((*bytes)[17]);
  const size_t page = at / page_size;
  ASSERT_GT(page, 0u);
  // The b-tree page header's cell count and content offset: garbage.
  {
    File f(::open(Catalog().c_str(), O_WRONLY), Catalog());
    ASSERT_GE(f.fd(), 0);
    ASSERT_EQ(::pwrite(f.fd(), "\xff\xff\xff\xff", 4, page * page_size + 3), 4);
  }
  auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(a.ok()) << a.status();
  std::vector<std::string> problems = Problems(a->get());
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].rfind(Catalog() + ": ", 0), 0u) << problems[0];
}

TEST_F(Integrity, VerifyFindsOneChangedByteOfAStoredText) {
  int64_t id = AddText("The minister said the plan would work.\n");
  AddText("an untouched text\n");
  EXPECT_TRUE(Problems(archive_.get()).empty());
  auto db = SqliteDb::Open(Catalog(), false);
  ASSERT_TRUE(db.ok()) << db.status();
  // One byte: "would" -> "could".
  ASSERT_TRUE((*db)->Exec(StrCat("UPDATE texts SET text = CAST(replace(CAST(text AS TEXT), "
                                 "'would', 'could') AS BLOB) WHERE item_id = ", id))
                  .ok());
  auto text = archive_->LoadText(id);
  ASSERT_TRUE(text.ok());
  ASSERT_EQ(text->text.text, "The minister said the plan could work.\n");
  std::vector<std::string> problems = Problems(archive_.get());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind(StrCat("item ", id, " "), 0), 0u) << problems[0];
  EXPECT_NE(problems[0].find("differs from what was stored"), std::string::npos);
}

TEST_F(Integrity, StoredTextDigestIsTheSha256OfLengthsTextMapAndAnchors) {
  // Archives made earlier were checked with this formula: it must not change.
  const std::string text = "A digest that older archives rely on.\n";
  int64_t id = AddText(text);
  auto db = SqliteDb::Open(Catalog(), false);
  ASSERT_TRUE(db.ok()) << db.status();
  auto q = (*db)->Prepare("SELECT offset_map, anchors, digest FROM texts WHERE item_id = ?");
  ASSERT_TRUE(q.ok()) << q.status();
  q->Bind(1, id);
  auto row = q->Step();
  ASSERT_TRUE(row.ok() && *row);
  const std::string map(q->ColumnBlob(0));
  const std::string anchors = q->ColumnText(1);
  EXPECT_EQ(q->ColumnText(2),
            Sha256Hex(StrCat(text.size(), ":", map.size(), ":", text, map, anchors)));
}

TEST_F(Integrity, VerifyFindsAChangedOffsetMap) {
  int64_t id = AddText("a text with an offset map\n");
  auto db = SqliteDb::Open(Catalog(), false);
  ASSERT_TRUE(db.ok());
  OffsetMap shifted({{0, 1, 26, 26, true}});
  auto upd = (*db)->Prepare("UPDATE texts SET offset_map = ? WHERE item_id = ?");
  ASSERT_TRUE(upd.ok());
  upd->BindBlob(1, shifted.Serialize()).Bind(2, id);
  ASSERT_TRUE(upd->Run().ok());
  EXPECT_EQ(Problems(archive_.get()).size(), 1u);
}

TEST_F(Integrity, VerifyFindsAnUnreferencedFileUnderObjectsAndIndex) {
  AddText("a text\n");
  ASSERT_TRUE(WriteFileAtomic(dir_.File("archive/objects/packs/pack-left-behind"), "old").ok());
  ASSERT_TRUE(MakeDirs(dir_.File("archive/index/text")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.File("archive/index/text/orphan.seg"), "seg").ok());
  std::vector<std::string> problems = Problems(archive_.get());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "objects/packs/pack-left-behind: not referenced by the catalog");
  EXPECT_EQ(problems[1], "index/text/orphan.seg: not referenced by the catalog");
}

TEST_F(Integrity, TextsStoredBeforeDigestsAreCountedAsNotCheckable) {
  AddText("an old text\n");
  archive_.reset();
  {
    auto db = SqliteDb::Open(Catalog(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE texts DROP COLUMN digest").ok());
  }
  auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(a.ok()) << a.status();
  Archive::VerifySummary summary;
  EXPECT_TRUE(Problems(a->get(), &summary).empty());
  EXPECT_EQ(summary.texts_without_digest, 1u);
  EXPECT_EQ(summary.texts_checked, 0u);
}

// Fails the Nth file operation of the write path (and every one after it,
// as a full disk would), counting from construction. Also checks the order a
// power cut relies on: a file under objects/ or index/ of `archive_dir` is
// created (or renamed into place) only once its name is in the staging
// journal and the journal was fsynced after that name was appended.
class FaultyFileSystem : public FileSystem {
 public:
  FaultyFileSystem(int fail_at, std::string archive_dir)
      : fail_at_(fail_at), root_(std::move(archive_dir) + "/") {}
  int calls() const { return calls_; }
  // Segment files published under index/ through this file system.
  int index_renames() const { return index_renames_; }
  // Files created before their journal entry was durable.
  const std::vector<std::string>& unnamed() const { return unnamed_; }
  int Create(const std::string& path, int mode) override {
    if (Fail()) return -1;
    CheckNamed(path);
    return FileSystem::Create(path, mode);
  }
  long Write(int fd, std::string_view data) override {
    if (Fail()) return -1;
    long n = FileSystem::Write(fd, data);
    if (n > 0 && IsJournal(fd)) pending_.append(data.data(), static_cast<size_t>(n));
    return n;
  }
  long WriteAt(int fd, std::string_view data, uint64_t offset) override {
    return Fail() ? -1 : FileSystem::WriteAt(fd, data, offset);
  }
  int Sync(int fd) override {
    if (Fail()) return -1;
    int rc = FileSystem::Sync(fd);
    if (rc == 0 && IsJournal(fd)) {
      for (size_t at = 0, end; (end = pending_.find('\n', at)) != std::string::npos; at = end + 1) {
        durable_.insert(pending_.substr(at, end - at));
      }
      pending_.erase(0, pending_.rfind('\n') + 1);
    }
    return rc;
  }
  int SyncFileSystem(int fd) override { return Fail() ? -1 : FileSystem::SyncFileSystem(fd); }
  int Rename(const std::string& from, const std::string& to) override {
    if (Fail()) return -1;
    CheckNamed(to);
    if (to.rfind(root_ + "index/", 0) == 0) ++index_renames_;
    return FileSystem::Rename(from, to);
  }

 private:
  bool Fail() {
    if (++calls_ < fail_at_) return false;
    errno = EIO;
    return true;
  }
  static bool IsJournal(int fd) {
    char buf[4096];
    ssize_t n = ::readlink(StrCat("/proc/self/fd/", fd).c_str(), buf, sizeof(buf));
    const std::string_view suffix = "/objects/staging/journal";
    return n >= static_cast<ssize_t>(suffix.size()) &&
           std::string_view(buf, n).substr(n - suffix.size()) == suffix;
  }
  void CheckNamed(const std::string& path) {
    if (path.rfind(root_, 0) != 0) return;
    std::string rel = path.substr(root_.size());
    if (rel.rfind("objects/", 0) != 0 && rel.rfind("index/", 0) != 0) return;
    if (rel.rfind("objects/staging/", 0) == 0) return;
    if (rel.size() > 4 && rel.compare(rel.size() - 4, 4, ".tmp") == 0) rel.resize(rel.size() - 4);
    if (!durable_.count(rel)) unnamed_.push_back(rel);
  }
  int fail_at_;
  int calls_ = 0;
  int index_renames_ = 0;
  std::string root_;
  std::string pending_;           // journal bytes written since its last fsync
  std::set<std::string> durable_;  // names in the journal as of its last fsync
  std::vector<std::string> unnamed_;
};

TEST_F(Integrity, AWriteThatFailsAtAnyStepLeavesEveryItemWholeOrAbsent) {
  // Committed before any fault: must survive every failing write after it.
  const std::string kept = "an original committed before the faults\n";
  int64_t kept_id = AddText(kept);
  const std::string big_bytes = Repeat("large original, stored as a file of its own. ", 400);
  const std::string big = dir_.Write("big.txt", big_bytes);
  const std::string small = dir_.Write("small.txt", "a small original, packed\n");
  bool completed = false;
  int steps = 0;
  int index_renames = 0;
  for (int fail_at = 1; !completed && fail_at < 200; ++fail_at) {
    absl::Status outcome;
    {
      FaultyFileSystem faulty(fail_at, dir_.File("archive"));
      ScopedFileSystemForTesting scoped(&faulty);
      outcome = [&]() -> absl::Status {
        ASSIGN_OR_RETURN(auto batch, archive_->BeginWrite());
        for (const auto& [path, placement] :
             {std::pair{big, Placement::kOwnFile}, std::pair{small, Placement::kPackIfSmall}}) {
          ASSIGN_OR_RETURN(StagedObject staged, batch->StageFile(path, placement));
          NewItem n;
          n.item.sha256 = staged.sha256;
          n.item.size = staged.size;
          n.item.object = staged.object;
          n.item.object_offset = staged.offset;
          n.item.kind = "text";
          n.item.format = "txt";
          n.item.name = BaseName(path);
          n.item.added_from = path;
          n.item.added_at = NowRfc3339();
          std::string text = *ReadFileToString(path);
          n.text = ExtractedText{text, OffsetMap::Identity(text.size()), {}};
          n.postings["text"] = {Posting{static_cast<uint64_t>(text.size()), 0, 0}};
          RETURN_IF_ERROR(batch->AddItem(std::move(n)).status());
        }
        RETURN_IF_ERROR(batch->Commit());
        // Removing the first item rewrites the pack the other shares.
        RETURN_IF_ERROR(batch->RemoveItem(kept_id));
        return batch->Commit();
      }();
      completed = outcome.ok();
      steps = faulty.calls();
      if (completed) index_renames = faulty.index_renames();
      EXPECT_EQ(faulty.unnamed(), std::vector<std::string>())
          << "created before the journal naming them was fsynced (failing operation " << fail_at
          << ")";
    }
    SCOPED_TRACE(StrCat("failing file operation ", fail_at, ": ", outcome.ToString()));
    // Reopened, the archive verifies clean, and each item is whole or absent.
    archive_.reset();
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
    ASSERT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
    {
      auto batch = archive_->BeginWrite();  // sweeps what the failed writer left
      ASSERT_TRUE(batch.ok()) << batch.status();
    }
    EXPECT_EQ(Problems(archive_.get()), std::vector<std::string>());
    auto items = archive_->ListItems();
    ASSERT_TRUE(items.ok());
    bool has_kept = false;
    for (const Item& it : *items) {
      auto text = archive_->LoadText(it.id);
      ASSERT_TRUE(text.ok()) << text.status();
      EXPECT_EQ(Sha256Hex(text->text.text), it.sha256);
      if (it.id == kept_id) has_kept = true;
    }
    // The committed original goes only when the removal itself committed.
    if (!completed) {
      auto again = archive_->GetItem(kept_id);
      if (!has_kept) {
        // Removal committed; only its cleanup failed.
        EXPECT_EQ(items->size(), 2u);
      } else {
        EXPECT_TRUE(again.ok());
      }
    }
    // Start the next round from the same state: the first item back, the
    // others gone.
    if (!has_kept) kept_id = AddText(kept);
    {
      auto batch = archive_->BeginWrite();
      ASSERT_TRUE(batch.ok());
      for (const Item& it : *items) {
        if (it.id != kept_id && !it.parent_id) {
          ASSERT_TRUE((*batch)->RemoveItem(it.id).ok());
        }
      }
      ASSERT_TRUE((*batch)->Commit().ok());
    }
  }
  EXPECT_TRUE(completed);
  EXPECT_GT(steps, 10);  // the loop really failed each of many steps
  // The index segment was written through the file system the faults come
  // from, so each of its steps failed in some round too.
  EXPECT_GE(index_renames, 1);
}

}  // namespace
}  // namespace uncut

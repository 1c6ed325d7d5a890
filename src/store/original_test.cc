// Reading originals for traces, exports and the API: the bytes are checked
// against the item's SHA-256 on the way, in packs and in files of their own.
#include "store/original.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "base/file.h"
#include "store/archive_testing.h"

namespace uncut {
namespace {

class OriginalTest : public ArchiveTest {
 protected:
  // Archives `bytes` as item "report.txt": packed, or as a file of its own.
  Item Add(const std::string& bytes, bool own_file) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    NewItem n;
    if (own_file) {
      std::string path = dir_.Write("in/report.txt", bytes);
      auto staged = (*batch)->StageFile(path, Placement::kOwnFile);
      EXPECT_TRUE(staged.ok()) << staged.status();
      n.item.object = staged->object;
      n.item.object_offset = staged->offset;
      n.item.sha256 = staged->sha256;
      n.item.size = staged->size;
      n.item.kind = "text";
      n.item.format = "txt";
      n.item.name = "report.txt";
      n.item.added_from = path;
      n.item.added_at = NowRfc3339();
    } else {
      n = StagedItem(batch->get(), bytes, "text", "report.txt");
    }
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    auto item = archive_->GetItem(*id);
    EXPECT_TRUE(item.ok()) << item.status();
    return *item;
  }

  // Overwrites one byte of the item's stored copy, as damage would.
  void Damage(const Item& item, uint64_t at, char byte) {
    std::string path = archive_->ObjectPath(item.object);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, &byte, 1, item.object_offset + at), 1);
    ::close(fd);
  }

  static absl::StatusOr<std::string> ReadStream(OriginalStream* s, size_t chunk) {
    std::string out;
    std::string buf(chunk, '\0');
    while (true) {
      auto n = s->Read(buf.data(), buf.size());
      if (!n.ok()) return n.status();
      if (*n == 0) return out;
      out.append(buf.data(), *n);
    }
  }
};

const std::string kText = "The board met on Tuesday and agreed to repair the eastern locks.\n";

TEST_F(OriginalTest, IntactOriginalsReadBackExactlyFromPacksAndOwnFiles) {
  for (bool own : {false, true}) {
    Item item = Add(kText + (own ? "own" : "packed"), own);
    auto s = OriginalStream::Open(archive_.get(), item);
    ASSERT_TRUE(s.ok()) << s.status();
    auto bytes = ReadStream(&*s, 7);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, kText + (own ? "own" : "packed"));
    auto m = MappedOriginal::Open(archive_.get(), item);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->data(), *bytes);
    EXPECT_TRUE(CheckOriginalOnce(archive_.get(), item).ok());
  }
}

TEST_F(OriginalTest, AChangedByteIsAnErrorNamingTheItemForEveryReader) {
  for (bool own : {false, true}) {
    Item item = Add(kText + (own ? "own" : "packed"), own);
    Damage(item, 10, 'X');
    auto s = OriginalStream::Open(archive_.get(), item);
    ASSERT_TRUE(s.ok()) << s.status();
    auto bytes = ReadStream(&*s, 1 << 16);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(bytes.status().message(),
              "item " + std::to_string(item.id) +
                  " (report.txt): stored original does not match its SHA-256 \xE2\x80\x94 archive "
                  "damaged, run uncut verify");
    auto m = MappedOriginal::Open(archive_.get(), item);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(CheckOriginalOnce(archive_.get(), item).code(), absl::StatusCode::kDataLoss);
  }
}

TEST_F(OriginalTest, TheStreamNeverEndsCleanlyOnDamagedBytes) {
  Item item = Add(kText, true);
  Damage(item, item.size - 1, 'X');
  auto s = OriginalStream::Open(archive_.get(), item);
  ASSERT_TRUE(s.ok());
  // Every byte but the last comes; the read that reaches the end fails.
  std::string buf(item.size - 1, '\0');
  auto n = s->Read(buf.data(), buf.size());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, item.size - 1);
  EXPECT_EQ(s->Read(buf.data(), buf.size()).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(OriginalTest, ATruncatedOriginalIsAnError) {
  Item item = Add(kText, true);
  std::string path = archive_->ObjectPath(item.object);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_EQ(::truncate(path.c_str(), 20), 0);
  auto s = OriginalStream::Open(archive_.get(), item);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ReadStream(&*s, 4096).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(MappedOriginal::Open(archive_.get(), item).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CheckOriginalOnce(archive_.get(), item).code(), absl::StatusCode::kDataLoss);
}

TEST_F(OriginalTest, ACheckRememberedForAFileIsRedoneOnceTheFileChanges) {
  Item item = Add(kText, true);
  ASSERT_TRUE(CheckOriginalOnce(archive_.get(), item).ok());
  Damage(item, 3, 'X');
  EXPECT_EQ(CheckOriginalOnce(archive_.get(), item).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace uncut

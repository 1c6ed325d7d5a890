// What only the PostgreSQL backend has: originals in pieces of 4 MiB,
// checked as written, and batches that leave nothing when not committed.
// On the shared 3-shard test cluster (testing/pg_cluster.h).
#include "storage/postgres_storage.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>

#include "base/sha256.h"
#include "storage/pg_conn.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

class PostgresStorage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    testing::TestCluster* cluster = testing::TestCluster::Get(&why);
    if (cluster == nullptr && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    testing::TestCluster::Databases dbs = cluster->NewDatabases();
    ASSERT_TRUE(PgArchive::Init(dbs.coordinator, dbs.shards).ok());
    uri_ = dbs.coordinator;
    auto a = PgArchive::Open(dbs.coordinator);
    ASSERT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
  }

  int64_t AddItem(PgWriteBatch* batch, const std::string& object, uint64_t offset,
                  std::string_view bytes, std::optional<int64_t> parent = std::nullopt) {
    PgNewItem n;
    n.item.sha256 = Sha256Hex(bytes);
    n.item.size = bytes.size();
    n.item.object = object;
    n.item.object_offset = offset;
    n.item.parent_id = parent;
    n.item.kind = "video";
    n.item.format = "bin";
    n.item.name = "part";
    auto id = batch->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  std::unique_ptr<PgArchive> archive_;
  std::string uri_;
};

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

TEST_F(PostgresStorage, AnOriginalOfSeveralPiecesAndARangeAcrossTwoReadBackExactly) {
  std::string big(9u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  const std::string sha = Sha256Hex(big);
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE((*batch)->PutObjectBytes(sha, big).ok());
  const int64_t whole = AddItem(batch->get(), sha, 0, big);
  // A part inside it that starts before the first 4 MiB end and ends after.
  const uint64_t from = (4u << 20) - 1000, size = 5000;
  const int64_t part = AddItem(batch->get(), sha, from, std::string_view(big).substr(from, size),
                               whole);
  ASSERT_TRUE((*batch)->Commit().ok());
  // In memory, and through a temporary file (as a large original is read),
  // which does not stay behind.
  testing::TempDir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string old_tmpdir = old ? old : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  for (uint64_t spill : {kPgSpillBytes, uint64_t{1000}}) {
    archive_->set_spill_bytes(spill);
    for (auto [id, want] : {std::pair<int64_t, std::string_view>{whole, big},
                            {part, std::string_view(big).substr(from, size)}}) {
      auto item = archive_->GetItem(id);
      ASSERT_TRUE(item.ok()) << item.status();
      auto original = archive_->OpenOriginal(*item);
      ASSERT_TRUE(original.ok()) << original.status();
      Original moved = std::move(*original);
      auto bytes = moved.Bytes();
      ASSERT_TRUE(bytes.ok());
      EXPECT_TRUE(*bytes == want) << id << " spilling above " << spill;
    }
  }
  EXPECT_EQ(FilesIn(tmp.path()), 0u);
  if (old_tmpdir.empty()) {
    ::unsetenv("TMPDIR");
  } else {
    ::setenv("TMPDIR", old_tmpdir.c_str(), 1);
  }
}

TEST_F(PostgresStorage, AnAlteredPieceIsDataLossNamingTheItem) {
  const std::string bytes = "the archived bytes, as they were added";
  const std::string sha = Sha256Hex(bytes);
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE((*batch)->PutObjectBytes(sha, bytes).ok());
  const int64_t id = AddItem(batch->get(), sha, 0, bytes);
  ASSERT_TRUE((*batch)->Commit().ok());
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE((*conn)->Exec("UPDATE chunks SET data = $1 WHERE object = $2",
                            {PgParam::Bytes("the archived bytes, as they were altered"),
                             PgParam::Text(sha)})
                  .ok());
  auto item = archive_->GetItem(id);
  ASSERT_TRUE(item.ok());
  auto original = archive_->OpenOriginal(*item);
  EXPECT_EQ(original.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(original.status().message().find(StrCat("item ", id, " (part)")), std::string::npos)
      << original.status();
}

TEST_F(PostgresStorage, BytesThatAreNotTheNamedDigestAreRefusedAndNothingStays) {
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  const std::string claimed = Sha256Hex("the bytes meant");
  EXPECT_EQ((*batch)->PutObjectBytes(claimed, "other bytes").code(), absl::StatusCode::kDataLoss);
  batch->reset();  // not committed
  auto again = archive_->BeginWrite();
  ASSERT_TRUE(again.ok());
  auto has = (*again)->HasObject(claimed);
  ASSERT_TRUE(has.ok()) << has.status();
  EXPECT_FALSE(*has);
}

TEST_F(PostgresStorage, ABatchDroppedWithoutCommitLeavesNoItem) {
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    const std::string bytes = "never published";
    ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
    PgNewItem n;
    n.item.sha256 = n.item.object = Sha256Hex(bytes);
    n.item.size = bytes.size();
    n.item.kind = "text";
    n.postings[Modality::kText] = {{42, 0, 1}};
    ASSERT_TRUE((*batch)->AddItem(std::move(n)).ok());
  }
  auto items = archive_->ListItems();
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  std::vector<Posting> got;
  ASSERT_TRUE(archive_->Lookup(Modality::kText, {42}, 10, &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 0u);
}

// Sessions this archive's coordinator database has, other than the one
// asking: polled until they are `want` (a closed session's server process
// leaves a moment after), for up to a minute; the last count.
int64_t Sessions(const std::string& uri, int64_t want = 1) {
  auto c = PgConn::Connect(uri);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return -1;
  int64_t n = -1;
  for (int i = 0; i < 600 && n != want; ++i) {
    if (i > 0) ::usleep(100 * 1000);
    auto r = (*c)->Exec("SELECT count(*)::text FROM pg_stat_activity WHERE datname = "
                        "current_database() AND pid <> pg_backend_pid()");
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return -1;
    n = r->GetInt(0, 0);
  }
  return n;
}

// A batch takes the handle's idle session and gives it back: batches one
// after another use one coordinator session; reads while a batch holds it
// connect anew and see only what is committed.
TEST_F(PostgresStorage, BatchesShareTheHandlesSessionAndReadsMeanwhileSeeOnlyCommits) {
  ASSERT_TRUE(archive_->ListItems().ok());
  EXPECT_EQ(Sessions(uri_), 1);
  const std::string bytes = "published by the first batch";
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(Sessions(uri_), 1);
    ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
    AddItem(batch->get(), Sha256Hex(bytes), 0, bytes);
    auto before = archive_->ListItems();  // a session of its own
    ASSERT_TRUE(before.ok()) << before.status();
    EXPECT_TRUE(before->empty());
    ASSERT_TRUE((*batch)->Commit().ok());
    auto after = archive_->ListItems();
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->size(), 1u);
  }
  for (int i = 0; i < 2; ++i) {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  // The first batch's session was closed (the handle had connected anew
  // for the read); the next batches took the handle's and gave it back.
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(Sessions(uri_), 1);
  }
  auto items = archive_->ListItems();
  ASSERT_TRUE(items.ok()) << items.status();
  EXPECT_EQ(items->size(), 1u);
  EXPECT_EQ(Sessions(uri_), 1);
}

// A copy keeps its source's ids: id 1, taken on a new archive, is not
// handed out again to the next new item.
TEST_F(PostgresStorage, AnIdKeptFromACopyIsNotHandedOutAgain) {
  const std::string bytes = "first";
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
    auto id = (*batch)->ClaimId(1);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, 1);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  auto next = (*batch)->ClaimId();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_GT(*next, 1);
}

}  // namespace
}  // namespace uncut

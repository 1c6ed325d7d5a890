// What only the PostgreSQL backend has: originals in pieces of 4 MiB,
// checked as written, and batches that leave nothing when not committed.
// On the shared 3-shard test cluster (testing/pg_cluster.h).
#include "storage/postgres_storage.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "base/sha256.h"
#include "storage/pg_archive_testing.h"
#include "storage/pg_conn.h"
#include "storage/posting_block.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// A top-level item of `kind` whose original is `bytes` (stored apart with
// PutObjectBytes), named by its bytes.
PgNewItem ItemOf(const std::string& bytes, const std::string& kind = "text") {
  PgNewItem n;
  n.item.sha256 = n.item.object = Sha256Hex(bytes);
  n.item.size = bytes.size();
  n.item.kind = kind;
  n.item.name = bytes;
  return n;
}

class PostgresStorage : public testing::ClusterArchiveTest {
 protected:
  void SetUp() override {
    ClusterArchiveTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto a = PgArchive::Open(uri_);
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
    PgNewItem n = ItemOf(bytes);
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

TEST(KeySpans, JoinsKeysAtMostTheGapApartAndNeverOverflows) {
  using Spans = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(KeySpans({}, 64), Spans{});
  EXPECT_EQ(KeySpans({1, 2, 66, 131, 200}, 64), (Spans{{1, 66}, {131, 131}, {200, 200}}));
  EXPECT_EQ(KeySpans({1, 2, 3}, 0), (Spans{{1, 1}, {2, 2}, {3, 3}}));
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max() - 1;
  EXPECT_EQ(KeySpans({lo, lo + 10, hi}, 64), (Spans{{lo, lo + 10}, {hi, hi}}));
}

// A lookup sends nearby keys as one span, which also covers keys between
// them: postings of those keys, in the same blocks, are not returned.
TEST_F(PostgresStorage, ALookupOfNearbyKeysReturnsOnlyTheirPostings) {
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  const std::string bytes = "keys between keys";
  ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
  PgNewItem n = ItemOf(bytes, "audio");
  for (uint32_t k = 0; k < 2000; ++k) {
    n.postings[Modality::kAudio].push_back({(uint64_t{7} << 40) + k, 0, k});
  }
  auto id = (*batch)->AddItem(std::move(n));
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE((*batch)->Commit().ok());
  std::vector<uint64_t> keys;
  for (uint32_t k = 10; k < 2000; k += 37) keys.push_back((uint64_t{7} << 40) + k);
  keys.push_back((uint64_t{7} << 40) + 5000);  // held by no block
  std::vector<Posting> got;
  ASSERT_TRUE(archive_->Lookup(Modality::kAudio, keys, 10, &got).ok());
  ASSERT_EQ(got.size(), keys.size() - 1);
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    EXPECT_EQ(got[i].key, keys[i]);
    EXPECT_EQ(got[i].item, static_cast<uint32_t>(*id));
    EXPECT_EQ(got[i].pos, static_cast<uint32_t>(keys[i] - (uint64_t{7} << 40)));
  }
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

// A trace asks for the shard sessions before it decodes its query: they
// are open before the first read, which then uses them.
TEST_F(PostgresStorage, ShardSessionsAskedForEarlyAreOpenBeforeTheFirstReadAndServeIt) {
  auto batch = archive_->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  const std::string bytes = "asked for early";
  ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
  PgNewItem n = ItemOf(bytes);
  n.postings[Modality::kText] = {{42, 0, 1}};
  ASSERT_TRUE((*batch)->AddItem(std::move(n)).ok());
  ASSERT_TRUE((*batch)->Commit().ok());
  // The writer's session, and with it its postgres_fdw sessions, end.
  batch->reset();
  archive_.reset();
  ASSERT_EQ(shard_uris_.size(), 3u);
  for (const std::string& shard : shard_uris_) ASSERT_EQ(Sessions(shard, 0), 0) << shard;
  auto reader = PgArchive::Open(uri_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  (*reader)->ConnectShardsSoon();
  for (const std::string& shard : shard_uris_) EXPECT_EQ(Sessions(shard, 1), 1) << shard;
  std::vector<Posting> got;
  ASSERT_TRUE((*reader)->Lookup(Modality::kText, {42}, 10, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].pos, 1u);
  for (const std::string& shard : shard_uris_) EXPECT_EQ(Sessions(shard, 1), 1) << shard;
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

// Commits, on the shards, a posting block of `item` at `key` and one piece
// of `object`, marked as written by batch `batch`: what postgres_fdw leaves
// there once it has committed a batch's parts on the shards, whether or
// not the coordinator then commits the batch.
void PlantShardRows(const std::string& uri, int64_t batch, uint32_t item, uint64_t key,
                    const std::string& object, std::string_view piece) {
  auto conn = PgConn::Connect(uri);
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::vector<PostingBlock> blocks = PackPostings({{key, item, 3}});
  const int64_t stored = static_cast<int64_t>(key ^ (uint64_t{1} << 63));
  auto p = (*conn)->Exec(StrCat("INSERT INTO postings(modality, span, n, data, batch) VALUES (1, "
                                "int8range(", stored, ",", stored, ",'[]'), 1, $1, $2)"),
                         {PgParam::Bytes(blocks[0].data), PgParam::Int(batch)});
  ASSERT_TRUE(p.ok()) << p.status();
  auto c = (*conn)->Exec("INSERT INTO chunks(object, seq, data, batch) VALUES ($1, 0, $2, $3)",
                         {PgParam::Text(object), PgParam::Bytes(piece), PgParam::Int(batch)});
  ASSERT_TRUE(c.ok()) << c.status();
}

// Rows on the shards (postings blocks, pieces) of one batch.
int64_t ShardRows(const std::string& uri, const std::string& table, int64_t batch) {
  auto conn = PgConn::Connect(uri);
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return -1;
  auto r = (*conn)->Exec(StrCat("SELECT count(*)::text FROM ", table, " WHERE batch = ", batch));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->GetInt(0, 0) : -1;
}

std::vector<Posting> Found(PgArchive* archive, uint64_t key) {
  std::vector<Posting> got;
  absl::Status s = archive->Lookup(Modality::kText, {key}, 100, &got);
  EXPECT_TRUE(s.ok()) << s;
  return got;
}

// A removed item's postings share blocks with a live item's: the sweep
// rewrites those blocks without them, the count drops to the live item's,
// the live item's postings and original are as they were, and a second
// sweep finds nothing.
TEST_F(PostgresStorage, ASweepDropsRemovedItemsPostingsAndKeepsTheLiveOnes) {
  const std::string kept_bytes = "the item that stays", gone_bytes = "the item that goes";
  int64_t kept = 0, gone = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const std::string* bytes : {&kept_bytes, &gone_bytes}) {
      ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(*bytes), *bytes).ok());
      PgNewItem n = ItemOf(*bytes);
      // The same keys for both (their postings share blocks), 2,000 each.
      for (uint32_t k = 0; k < 2000; ++k) n.postings[Modality::kText].push_back({1000 + k, 0, k});
      auto id = (*batch)->AddItem(std::move(n));
      ASSERT_TRUE(id.ok()) << id.status();
      (bytes == &kept_bytes ? kept : gone) = *id;
    }
    ASSERT_TRUE((*batch)->Commit().ok());
    ASSERT_TRUE((*batch)->RemoveItem(gone).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 4000u);
  const std::vector<Posting> before = Found(archive_.get(), 1500);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].item, kept);

  auto counted = archive_->Sweep(/*remove=*/false);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->postings, 2000u);
  EXPECT_GT(counted->posting_bytes, 2000u);
  // The removed item's original, unregistered at its commit (no
  // SweepPieces after it here): its one piece is no one's.
  EXPECT_EQ(counted->pieces, 1u);
  EXPECT_EQ(counted->piece_bytes, gone_bytes.size());
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 4000u);  // counting removed nothing

  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->postings, 2000u);
  EXPECT_EQ(swept->posting_bytes, counted->posting_bytes);
  EXPECT_EQ(swept->pieces, 1u);
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 2000u);
  std::vector<Posting> all;
  ASSERT_TRUE(archive_->ForEachPosting(Modality::kText, [&](const Posting& p) {
                         all.push_back(p);
                         return true;
                       }).ok());
  ASSERT_EQ(all.size(), 2000u);
  for (const Posting& p : all) ASSERT_EQ(p.item, kept);
  EXPECT_EQ(Found(archive_.get(), 1500), before);
  auto item = archive_->GetItem(kept);
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(archive_->OpenOriginal(*item).ok());

  auto again = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
  auto log = archive_->AuditLog();
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->back().action, "sweep");
  EXPECT_EQ(log->back().details["postings"], 2000);
  EXPECT_EQ(std::count_if(log->begin(), log->end(),
                          [](const AuditEntry& e) { return e.action == "sweep"; }),
            1);
}

// The shard rows of a batch whose coordinator transaction has not ended
// (held open here; a writer between its shards' commit and its own) are
// left alone by a sweep; once it commits they are its item's and stay;
// what a batch that rolled back left is swept, and nothing else.
TEST_F(PostgresStorage, ASweepLeavesARunningBatchAloneAndRemovesWhatAnEndedOneLeft) {
  const std::string bytes = "written while a sweep runs";
  const std::string sha = Sha256Hex(bytes);
  auto running = archive_->BeginWrite();
  ASSERT_TRUE(running.ok()) << running.status();
  ASSERT_NE((*running)->id(), 0);
  ASSERT_TRUE((*running)->PutObjectBytes(sha, bytes).ok());
  PgNewItem n;
  n.item.sha256 = n.item.object = sha;
  n.item.size = bytes.size();
  n.item.kind = "text";
  n.item.name = "running";
  n.postings[Modality::kText] = {{500, 0, 1}};
  auto id = (*running)->AddItem(std::move(n));
  ASSERT_TRUE(id.ok()) << id.status();
  // Its parts on the shards, committed there before the coordinator's.
  const std::string other_piece = "a piece of another original of the same batch";
  PlantShardRows(uri_, (*running)->id(), static_cast<uint32_t>(*id), 501, Sha256Hex(other_piece),
                 other_piece);

  auto during = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_TRUE(during->empty());
  EXPECT_EQ(during->batches_running, 1u);
  EXPECT_EQ(ShardRows(uri_, "postings", (*running)->id()), 1);
  EXPECT_EQ(ShardRows(uri_, "chunks", (*running)->id()), 1);

  const int64_t committed_batch = (*running)->id();
  ASSERT_TRUE((*running)->Commit().ok());
  running->reset();
  auto after = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(after.ok()) << after.status();
  // The planted piece's object was never registered: nothing reads it, and
  // its batch has ended, so it goes; everything the item needs stays.
  EXPECT_EQ(after->postings, 0u);
  EXPECT_EQ(after->pieces, 1u);
  EXPECT_EQ(after->piece_bytes, other_piece.size());
  EXPECT_EQ(after->batches_running, 0u);
  EXPECT_EQ(Found(archive_.get(), 500).size(), 1u);
  EXPECT_EQ(Found(archive_.get(), 501).size(), 1u);
  auto item = archive_->GetItem(*id);
  ASSERT_TRUE(item.ok()) << item.status();
  auto original = archive_->OpenOriginal(*item);
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_EQ(ShardRows(uri_, "chunks", committed_batch), 1);  // the item's own piece

  // A batch that rolls back after its shards committed.
  int64_t failed = 0;
  const std::string lost = "the bytes of a batch that failed";
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    failed = (*batch)->id();
    PlantShardRows(uri_, failed, static_cast<uint32_t>(*id + 1), 600, Sha256Hex(lost), lost);
    auto held = archive_->Sweep(/*remove=*/false);
    ASSERT_TRUE(held.ok()) << held.status();
    EXPECT_TRUE(held->empty());
    EXPECT_EQ(held->batches_running, 1u);
  }
  auto counted = archive_->Sweep(/*remove=*/false);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->postings, 1u);
  EXPECT_EQ(counted->pieces, 1u);
  EXPECT_EQ(counted->piece_bytes, lost.size());
  EXPECT_EQ(ShardRows(uri_, "postings", failed), 1);
  const uint64_t count_before = *archive_->PostingCount(Modality::kText);
  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->postings, 1u);
  EXPECT_EQ(swept->pieces, 1u);
  EXPECT_EQ(ShardRows(uri_, "postings", failed), 0);
  EXPECT_EQ(ShardRows(uri_, "chunks", failed), 0);
  // The failed batch's postings were never counted.
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), count_before);
  EXPECT_EQ(Found(archive_.get(), 500).size(), 1u);
  EXPECT_TRUE(archive_->OpenOriginal(*item).ok());
  auto again = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
}

// A text item whose postings are one at each of `keys` (pos = key + salt).
int64_t AddTextItem(PgWriteBatch* batch, const std::string& bytes, const std::vector<uint64_t>& keys,
                    uint32_t salt) {
  EXPECT_TRUE(batch->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
  PgNewItem n = ItemOf(bytes);
  for (uint64_t k : keys) n.postings[Modality::kText].push_back({k, 0, static_cast<uint32_t>(k) + salt});
  auto id = batch->AddItem(std::move(n));
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : 0;
}

std::vector<uint64_t> KeyRange(uint64_t from, uint64_t count) {
  std::vector<uint64_t> keys(count);
  for (uint64_t i = 0; i < count; ++i) keys[i] = from + i;
  return keys;
}

// Every posting on the shards, by the batch that wrote it, sorted; each
// row's n is checked against its block.
std::map<int64_t, std::vector<Posting>> StoredPostings(const std::string& uri) {
  std::map<int64_t, std::vector<Posting>> out;
  auto conn = PgConn::Connect(uri);
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return out;
  auto r = (*conn)->Exec("SELECT batch::text, n::text, data FROM postings WHERE batch IS NOT NULL",
                         {}, true);
  EXPECT_TRUE(r.ok()) << r.status();
  for (int i = 0; r.ok() && i < r->rows(); ++i) {
    std::vector<Posting> block;
    EXPECT_TRUE(UnpackPostings(r->Get(i, 2), &block).ok());
    EXPECT_EQ(static_cast<int64_t>(block.size()), r->GetInt(i, 1));
    std::vector<Posting>& all = out[r->GetInt(i, 0)];
    all.insert(all.end(), block.begin(), block.end());
  }
  for (auto& [batch, all] : out) std::sort(all.begin(), all.end());
  return out;
}

// Hundreds of blocks over every partition, rewritten seven per statement:
// blocks shared by live and removed items keep exactly the live items'
// postings, blocks of removed items alone go, a running batch's rows stay
// as they are, an aborted batch's postings of items the catalog does not
// list go and those of a listed item stay, and the counts match what is
// stored. (The same results as the sweep that rewrote one block per
// statement.)
TEST_F(PostgresStorage, ASweepOfManyBlocksKeepsExactlyWhatItsRulesKeep) {
  archive_->set_sweep_blocks_per_statement(7);
  std::vector<int64_t> shared, alone;
  int64_t first_batch = 0, second_batch = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    // Twelve items at the same 12,000 keys: about 280 blocks, each holding
    // postings of all twelve.
    first_batch = (*batch)->id();
    for (uint32_t j = 0; j < 12; ++j) {
      shared.push_back(AddTextItem(batch->get(), StrCat("shared ", j), KeyRange(0, 12000), j));
    }
    ASSERT_TRUE((*batch)->Commit().ok());
    // Three items with keys of their own: blocks of theirs alone.
    second_batch = (*batch)->id();
    for (uint32_t j = 0; j < 3; ++j) {
      alone.push_back(
          AddTextItem(batch->get(), StrCat("alone ", j), KeyRange(1000000 + j * 5000, 4000), j));
    }
    ASSERT_TRUE((*batch)->Commit().ok());
    for (int64_t id : {shared[1], shared[5], shared[9], shared[10], alone[0], alone[1], alone[2]}) {
      ASSERT_TRUE((*batch)->RemoveItem(id).ok());
    }
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  const std::set<uint32_t> removed = {static_cast<uint32_t>(shared[1]), static_cast<uint32_t>(shared[5]),
                                      static_cast<uint32_t>(shared[9]), static_cast<uint32_t>(shared[10]),
                                      static_cast<uint32_t>(alone[0]), static_cast<uint32_t>(alone[1]),
                                      static_cast<uint32_t>(alone[2])};
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 12u * 12000 + 3 * 4000);
  // A batch still running, its shards' part committed.
  auto running = archive_->BeginWrite();
  ASSERT_TRUE(running.ok()) << running.status();
  const std::string piece = "a piece of the running batch";
  PlantShardRows(uri_, (*running)->id(), 999999, 2000000, Sha256Hex(piece), piece);
  // A batch that rolled back after its shards committed a block holding a
  // posting of an item it never published and one of a listed item.
  int64_t aborted = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    aborted = (*batch)->id();
    auto conn = PgConn::Connect(uri_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    std::vector<PostingBlock> b = PackPostings(
        {{3000000, static_cast<uint32_t>(shared[0]), 1}, {3000000, 888888, 2}});
    const int64_t stored = static_cast<int64_t>(uint64_t{3000000} ^ (uint64_t{1} << 63));
    ASSERT_TRUE((*conn)
                    ->Exec(StrCat("INSERT INTO postings(modality, span, n, data, batch) VALUES (1, "
                                  "int8range(", stored, ",", stored, ",'[]'), 2, $1, $2)"),
                           {PgParam::Bytes(b[0].data), PgParam::Int(aborted)})
                    .ok());
  }
  const std::map<int64_t, std::vector<Posting>> before = StoredPostings(uri_);
  ASSERT_EQ(before.size(), 4u);  // two committed batches, the running one, the aborted one
  std::map<int64_t, std::vector<Posting>> want;
  uint64_t gone = 0;
  for (const auto& [batch, postings] : before) {
    for (const Posting& p : postings) {
      const bool dead = batch != (*running)->id() && (removed.count(p.item) || p.item == 888888);
      gone += dead;
      if (!dead) want[batch].push_back(p);
    }
  }
  ASSERT_EQ(gone, 4u * 12000 + 3 * 4000 + 1);

  auto counted = archive_->Sweep(/*remove=*/false);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->postings, gone);
  EXPECT_EQ(counted->batches_running, 1u);
  EXPECT_EQ(StoredPostings(uri_), before);
  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->postings, gone);
  EXPECT_EQ(swept->posting_bytes, counted->posting_bytes);
  EXPECT_EQ(swept->batches_running, 1u);
  EXPECT_EQ(StoredPostings(uri_), want);
  EXPECT_EQ(ShardRows(uri_, "postings", second_batch), 0);  // its blocks held removed items only
  EXPECT_GT(ShardRows(uri_, "postings", first_batch), 200);
  EXPECT_EQ(ShardRows(uri_, "postings", (*running)->id()), 1);
  EXPECT_EQ(ShardRows(uri_, "chunks", (*running)->id()), 1);
  // Counted: the live shared items' postings (the aborted and the running
  // batch's never were).
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 8u * 12000);
  EXPECT_EQ(Found(archive_.get(), 500).size(), 8u);
  auto again = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(StoredPostings(uri_), want);
}

int64_t CountRows(const std::string& uri, const std::string& sql) {
  auto conn = PgConn::Connect(uri);
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return -1;
  auto r = (*conn)->Exec(sql);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->GetInt(0, 0) : -1;
}

// Rows of postings a coordinator query counts (`where` on postings).
int64_t PostingRows(const std::string& uri, const std::string& where) {
  return CountRows(uri, StrCat("SELECT count(*)::text FROM postings WHERE ", where));
}

// Every row in the partition its span hashes to (partition i has remainder i).
int64_t MisplacedBlocks(const std::string& uri) {
  return CountRows(uri,
                   "SELECT count(*)::text FROM postings WHERE NOT satisfies_hash_partition("
                   "'postings'::regclass, (SELECT value::int FROM uncut_meta WHERE key = 'partitions'), "
                   "substring(tableoid::regclass::text from '_p([0-9]+)$')::int, span)");
}

std::map<uint64_t, std::vector<Posting>> LookupEach(PgArchive* archive, const std::vector<uint64_t>& keys,
                                                    size_t max_per_key) {
  std::map<uint64_t, std::vector<Posting>> out;
  for (uint64_t k : keys) {
    absl::Status s = archive->Lookup(Modality::kText, {k}, max_per_key, &out[k]);
    EXPECT_TRUE(s.ok()) << s;
  }
  std::vector<Posting> all;
  EXPECT_TRUE(archive->Lookup(Modality::kText, keys, max_per_key, &all).ok());
  out[~uint64_t{0}] = all;  // all at once, as a matcher asks
  return out;
}

// A posting block of a few KiB (random keys and positions: packed varints
// that don't compress) is kept in its row on the shard, not in the
// partition's TOAST relation, so a lookup reads the row alone.
TEST_F(PostgresStorage, APostingBlockOfAFewKibStaysInItsRow) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> keys(2000);
  for (uint64_t& k : keys) k = rng() >> 8;
  std::sort(keys.begin(), keys.end());
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    AddTextItem(batch->get(), "sparse keys", keys, static_cast<uint32_t>(rng()));
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  EXPECT_GT(CountRows(uri_, "SELECT max(octet_length(data))::text FROM postings"), 2500);
  for (const std::string& shard : shard_uris_) {
    EXPECT_EQ(CountRows(shard, "SELECT coalesce(sum(pg_relation_size(reltoastrelid)), 0)::text "
                               "FROM pg_class WHERE relname LIKE 'postings_p%' AND relkind = 'r'"),
              0)
        << shard;
  }
}

// Each shard partition of the postings has the index a compaction's
// planning totals the runs from: (modality, batch) holding n.
TEST_F(PostgresStorage, EveryPostingPartitionHasTheIndexRunTotalsAreReadFrom) {
  for (const std::string& shard : shard_uris_) {
    const int64_t partitions = CountRows(
        shard, "SELECT count(*)::text FROM pg_class WHERE relname LIKE 'postings_p%' AND relkind = 'r'");
    EXPECT_GT(partitions, 0) << shard;
    EXPECT_EQ(CountRows(shard, "SELECT count(*)::text FROM pg_indexes WHERE tablename LIKE 'postings_p%' "
                               "AND indexdef LIKE '%(modality, batch) INCLUDE (n)'"),
              partitions)
        << shard;
  }
}

// The condition (of PostingRows) of the text blocks whose span holds `key`.
std::string TextBlocksAt(uint64_t key) {
  return StrCat("modality = 1 AND span @> ", StoredKey(key), "::int8");
}

// Commits batch `b`: four items, each with a text posting at every key
// 0-2999 (positions differ by item).
void AddBatchOfFour(PgArchive* archive, uint32_t b) {
  auto batch = archive->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  for (uint32_t j = 0; j < 4; ++j) {
    AddTextItem(batch->get(), StrCat("item ", b, " ", j), KeyRange(0, 3000), b * 4 + j);
  }
  ASSERT_TRUE((*batch)->Commit().ok());
}

// Five batches over the same keys leave a key in five blocks; a compaction
// leaves it in one block per server, every lookup answers as before (a
// removed item's postings gone, as before, since lookups never return
// them), the counts drop by the removed item's postings, every block is in
// the partition its span says, a running batch's rows are left as they are,
// and a second compaction finds nothing to merge.
TEST_F(PostgresStorage, ACompactionLeavesAKeyInOneBlockPerServerAndLookupsAnswerAsBefore) {
  std::vector<int64_t> ids;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (uint32_t b = 0; b < 5; ++b) {
      for (uint32_t j = 0; j < 2; ++j) {
        ids.push_back(AddTextItem(batch->get(), StrCat("item ", b, " ", j), KeyRange(0, 3000), b * 2 + j));
      }
      ASSERT_TRUE((*batch)->Commit().ok());
    }
    ASSERT_TRUE((*batch)->RemoveItem(ids[3]).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto running = archive_->BeginWrite();
  ASSERT_TRUE(running.ok()) << running.status();
  {
    // Its block (a posting at key 2999, its span all the others' keys) meets
    // other batches' blocks on whichever server holds it.
    auto conn = PgConn::Connect(uri_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    std::vector<PostingBlock> b = PackPostings({{2999, 999999, 3}});
    ASSERT_TRUE((*conn)
                    ->Exec(StrCat("INSERT INTO postings(modality, span, n, data, batch) VALUES (1, "
                                  "int8range(", StoredKey(0), ",", StoredKey(2999), ",'[]'), 1, $1, $2)"),
                           {PgParam::Bytes(b[0].data), PgParam::Int((*running)->id())})
                    .ok());
  }

  std::vector<uint64_t> keys = {0, 1, 2, 1499, 1500, 2999, 3000};
  for (uint64_t k = 7; k < 3000; k += 97) keys.push_back(k);
  const auto before = LookupEach(archive_.get(), keys, 100);
  ASSERT_EQ(before.at(1500).size(), 9u);
  const std::string at_1500 = StrCat(TextBlocksAt(1500), " AND batch <> ", (*running)->id());
  EXPECT_EQ(PostingRows(uri_, at_1500), 5);
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 10u * 3000);

  // In steps of a few blocks (a block a step writes can start past its
  // stretch: it is not merged again by the next step).
  archive_->set_compact_step_postings(2000);
  auto report = archive_->Compact();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->steps, 6u);
  EXPECT_EQ(report->postings, 9u * 3000);
  EXPECT_EQ(report->postings_dropped, 3000u);
  EXPECT_EQ(report->batches_running, 1u);
  EXPECT_LT(report->blocks_written, report->blocks_read);
  EXPECT_LE(PostingRows(uri_, at_1500), 3);  // one per server at most
  EXPECT_EQ(LookupEach(archive_.get(), keys, 100), before);
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 9u * 3000);
  EXPECT_EQ(MisplacedBlocks(uri_), 0);
  // The merged blocks (~18 a server) spread over the servers' partitions,
  // not one partition each: adding a server moves whole partitions.
  EXPECT_GT(CountRows(uri_, StrCat("SELECT count(DISTINCT tableoid)::text FROM postings WHERE batch <> ",
                                   (*running)->id())),
            3);
  EXPECT_EQ(ShardRows(uri_, "postings", (*running)->id()), 1);
  auto log = archive_->AuditLog();
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->back().action, "compact");

  auto again = archive_->Compact();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->steps, 0u);
  // A sweep after it finds nothing more of the removed item; removing
  // another item and sweeping lowers the counts by its postings exactly.
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->RemoveItem(ids[6]).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->postings, 3000u);
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 8u * 3000);
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 100).at(1500).size(), 8u);
}

// Batches of four items over the same 3,000 keys (12,000 postings, about
// 4,000 on each server), each followed by the compaction an add runs, with
// levels from 2,000 postings up by 4: four runs of a level are merged into
// one of the next, so after 16 batches each posting was rewritten about
// twice (once per level it climbed; compacting every run after each batch
// rewrites everything each time, 8.4 times in all) and a key lies in one
// block per server again. Lookups answer as the batches' postings say
// throughout.
TEST_F(PostgresStorage, CompactingByLevelsAfterEachAddRewritesAPostingOncePerLevel) {
  archive_->set_compact_levels(2000, 4);
  uint64_t rewritten = 0, added = 0;
  int64_t most_blocks = 0;
  const std::string at_1500 = TextBlocksAt(1500);
  const std::vector<uint64_t> keys = {0, 1, 1499, 1500, 2998, 2999, 3000};
  for (uint32_t b = 0; b < 16; ++b) {
    ASSERT_NO_FATAL_FAILURE(AddBatchOfFour(archive_.get(), b));
    added += 4 * 3000;
    auto report = archive_->Compact("", PgCompactScope::kSmallRuns);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->merges_left, 0u);
    rewritten += report->postings;
    most_blocks = std::max(most_blocks, PostingRows(uri_, at_1500));
    const auto found = LookupEach(archive_.get(), keys, 1000);
    EXPECT_EQ(found.at(1500).size(), 4u * (b + 1)) << "after batch " << b;
    EXPECT_EQ(found.at(3000).size(), 0u);
  }
  EXPECT_GE(rewritten, added);
  EXPECT_LE(rewritten, added * 5 / 2);
  EXPECT_LE(PostingRows(uri_, at_1500), 3);
  // At most 3 runs of each of 2 levels and a new one on a server.
  EXPECT_LE(most_blocks, 3 * 7);
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), added);
  EXPECT_EQ(MisplacedBlocks(uri_), 0);
  auto again = archive_->Compact();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->steps, 0u);
}

// A compaction plans from each run's totals on the servers, not from its
// blocks: with nothing due it reads one row per partition, modality and
// batch, however many blocks the runs hold; with a merge due it reads the
// first keys of the chosen runs' blocks only (not of the merged run of a
// higher level that stays).
TEST_F(PostgresStorage, ACompactionPlansFromRunTotalsAndReadsTheBlocksOfTheChosenRunsOnly) {
  archive_->set_compact_levels(2000, 4);
  const std::string groups =
      "SELECT count(*)::text FROM (SELECT DISTINCT tableoid, modality, batch FROM postings) g";
  for (uint32_t b = 0; b < 8; ++b) {
    ASSERT_NO_FATAL_FAILURE(AddBatchOfFour(archive_.get(), b));
    const int64_t groups_before = CountRows(uri_, groups);
    const int64_t unmerged = PostingRows(uri_, "batch NOT IN (SELECT batch FROM posting_runs)");
    ASSERT_GT(unmerged, groups_before) << "the runs hold more blocks than totals";
    auto report = archive_->Compact("", PgCompactScope::kSmallRuns);
    ASSERT_TRUE(report.ok()) << report.status();
    if (b % 4 != 3) {
      EXPECT_EQ(report->merges, 0u) << "after batch " << b;
      EXPECT_EQ(report->plan_rows, static_cast<uint64_t>(groups_before)) << "after batch " << b;
      continue;
    }
    // Four runs of level 0 merged; a second planning finds nothing due.
    EXPECT_EQ(report->runs_merged, static_cast<uint64_t>(4 * report->merges)) << "after batch " << b;
    EXPECT_EQ(report->plan_rows,
              static_cast<uint64_t>(groups_before + unmerged + CountRows(uri_, groups)))
        << "after batch " << b;
  }
  EXPECT_EQ(*archive_->PostingCount(Modality::kText), 8u * 4 * 3000);
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 1000).at(1500).size(), 32u);
}

// The compaction an add runs merges small runs only: a merge due of runs
// holding more postings together than it merges is left (and said to be
// due) for a compaction of every level, which then runs it.
TEST_F(PostgresStorage, AnAddsCompactionLeavesMergesOfLargeRunsForTheNextCompaction) {
  archive_->set_compact_levels(2000, 4);
  archive_->set_compact_small_postings(10000);
  const std::string at_1500 = TextBlocksAt(1500);
  for (uint32_t b = 0; b < 4; ++b) ASSERT_NO_FATAL_FAILURE(AddBatchOfFour(archive_.get(), b));
  auto small = archive_->Compact("", PgCompactScope::kSmallRuns);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->steps, 0u);
  EXPECT_GT(small->merges_left, 0u);
  EXPECT_EQ(PostingRows(uri_, at_1500), 4);
  auto levels = archive_->Compact();
  ASSERT_TRUE(levels.ok()) << levels.status();
  EXPECT_EQ(levels->postings, 4u * 4 * 3000);
  EXPECT_EQ(levels->merges_left, 0u);
  EXPECT_LE(PostingRows(uri_, at_1500), 3);
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 1000).at(1500).size(), 16u);
}

// While a sweep (or another compaction) has the turn, a compaction changes
// nothing and says it is unavailable; once the turn is free it merges.
// Readers meanwhile see every posting.
TEST_F(PostgresStorage, ACompactionWaitsForNoTurnAndChangesNothingWithoutIt) {
  archive_->set_compact_levels(2000, 4);
  for (uint32_t b = 0; b < 4; ++b) ASSERT_NO_FATAL_FAILURE(AddBatchOfFour(archive_.get(), b));
  auto sweeper = PgConn::Connect(uri_);
  ASSERT_TRUE(sweeper.ok()) << sweeper.status();
  ASSERT_TRUE((*sweeper)->ExecScript("BEGIN; SELECT pg_advisory_xact_lock(hashtext('uncut sweep'))").ok());
  const int64_t rows = PostingRows(uri_, "true");
  auto refused = archive_->Compact("", PgCompactScope::kSmallRuns);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_EQ(PostingRows(uri_, "true"), rows);
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 1000).at(1500).size(), 16u);
  ASSERT_TRUE((*sweeper)->ExecScript("ROLLBACK").ok());
  auto merged = archive_->Compact("", PgCompactScope::kSmallRuns);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->postings, 4u * 4 * 3000);
  EXPECT_LT(PostingRows(uri_, "true"), rows);
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 1000).at(1500).size(), 16u);
}

// An archive of schema 6 compacted by an older uncut: its compaction's
// batches (one per step) are taken for one run per server when it is
// opened, so compacting by levels finds nothing to merge rather than
// taking each step's blocks for a run and rewriting them all.
TEST_F(PostgresStorage, AnOlderCompactionsBlocksAreOneRunOnceUpgraded) {
  for (uint32_t b = 0; b < 4; ++b) ASSERT_NO_FATAL_FAILURE(AddBatchOfFour(archive_.get(), b));
  archive_->set_compact_step_postings(1000);
  auto full = archive_->Compact("", PgCompactScope::kFull);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_GT(full->steps, 12u);
  // As schema 6 left it: no run table; its steps' batches counted 0 postings.
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE((*conn)
                  ->ExecScript("DROP TABLE posting_runs; "
                               "UPDATE uncut_meta SET value = '6' WHERE key = 'schema_version'")
                  .ok());
  for (bool upgraded : {false, true}) {
    auto older = PgArchive::Open(uri_);
    ASSERT_TRUE(older.ok()) << older.status();
    (*older)->set_compact_levels(100, 4);
    if (!upgraded) {
      // Without the upgrade's rows, each step's blocks look like a run.
      ASSERT_TRUE((*conn)->ExecScript("DELETE FROM posting_runs").ok());
      auto plan = (*older)->Compact("", PgCompactScope::kSmallRuns);
      ASSERT_TRUE(plan.ok());
      EXPECT_GT(plan->steps, 0u);
      // Back to schema 6, as a full compaction by an older uncut left it.
      ASSERT_TRUE((*conn)
                      ->ExecScript("DROP TABLE posting_runs; UPDATE uncut_meta SET value = '6' "
                                   "WHERE key = 'schema_version'")
                      .ok());
      continue;
    }
    auto version = (*conn)->Exec("SELECT value FROM uncut_meta WHERE key = 'schema_version'");
    ASSERT_TRUE(version.ok());
    EXPECT_EQ(version->Get(0, 0), "7");
    auto report = (*older)->Compact();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->steps, 0u);
  }
  EXPECT_EQ(LookupEach(archive_.get(), {1500}, 1000).at(1500).size(), 16u);
}

// A key with more postings than a lookup keeps is dropped when a block of
// its own says so (unread), before and after a compaction gathers its
// blocks; its neighbours' postings stay.
TEST_F(PostgresStorage, ACommonKeyInABlockOfItsOwnIsDroppedAndItsNeighboursKept) {
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (uint32_t b = 0; b < 3; ++b) {
      const std::string bytes = StrCat("common ", b);
      ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
      PgNewItem n = ItemOf(bytes);
      for (uint32_t p = 0; p < 1500; ++p) n.postings[Modality::kText].push_back({5000, 0, p});
      for (uint64_t k = 4990; k < 5010; ++k) n.postings[Modality::kText].push_back({k == 5000 ? 4989 : k, 0, 7});
      ASSERT_TRUE((*batch)->AddItem(std::move(n)).ok());
      ASSERT_TRUE((*batch)->Commit().ok());
    }
  }
  const std::vector<uint64_t> keys = {4989, 4995, 5000, 5005};
  // 1,500 postings in each batch's block of the key: over 1,400.
  const auto before = LookupEach(archive_.get(), keys, 1400);
  EXPECT_TRUE(before.at(5000).empty());
  EXPECT_EQ(before.at(4995).size(), 3u);
  EXPECT_EQ(LookupEach(archive_.get(), {5000}, 5000).at(5000).size(), 4500u);
  auto report = archive_->Compact();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(LookupEach(archive_.get(), keys, 1400), before);
  EXPECT_EQ(LookupEach(archive_.get(), {5000}, 5000).at(5000).size(), 4500u);
  // The key's postings in blocks of its own, one per server at most.
  const int64_t stored = static_cast<int64_t>(uint64_t{5000} ^ (uint64_t{1} << 63));
  EXPECT_EQ(CountRows(uri_, StrCat("SELECT sum(n)::text FROM postings WHERE lower(span) = ", stored)),
            4500);
  EXPECT_EQ(PostingRows(uri_, StrCat("lower(span) = ", stored, " AND n < 1500")), 0);
  EXPECT_LE(PostingRows(uri_, StrCat("lower(span) = ", stored)), 3);
}

// An archive of schema 5 may hold a block packed by an older writer: a rare
// key and a common one together, more postings than a lookup keeps. Opened,
// it becomes schema 6, but no block is taken for a single key's until a
// compaction has packed them all again (and records so): the rare key's
// postings are found before and after, the common key dropped.
TEST_F(PostgresStorage, ABlockOfAnOlderWriterIsNotTakenForOneKeysUntilCompacted) {
  int64_t id = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    id = AddTextItem(batch->get(), "a neighbour", {9000}, 0);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  std::vector<Posting> old;
  for (uint32_t p = 0; p < 10; ++p) old.push_back({7000, static_cast<uint32_t>(id), p});
  for (uint32_t p = 0; p < 1500; ++p) old.push_back({7001, static_cast<uint32_t>(id), p});
  std::vector<PostingBlock> b = PackPostings(old, SIZE_MAX);  // as one block
  ASSERT_EQ(b.size(), 1u);
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE((*conn)
                  ->Exec(StrCat("INSERT INTO postings(modality, span, n, data, batch) VALUES (1, "
                                "int8range(", StoredKey(7000), ",", StoredKey(7001),
                                ",'[]'), 1510, $1, (SELECT max(batch) FROM index_batches))"),
                         {PgParam::Bytes(b[0].data)})
                  .ok());
  ASSERT_TRUE((*conn)
                  ->ExecScript("UPDATE uncut_meta SET value = '5' WHERE key = 'schema_version';"
                               "DELETE FROM uncut_meta WHERE key = 'one_key_blocks'")
                  .ok());
  auto older = PgArchive::Open(uri_);
  ASSERT_TRUE(older.ok()) << older.status();
  auto version = (*conn)->Exec("SELECT value FROM uncut_meta WHERE key = 'schema_version'");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->Get(0, 0), "7");
  EXPECT_EQ(LookupEach(older->get(), {7000}, 1400).at(7000).size(), 10u);
  EXPECT_TRUE(LookupEach(older->get(), {7001}, 1400).at(7001).empty());
  auto report = (*older)->Compact();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->steps, 0u);
  auto flag = (*conn)->Exec("SELECT value FROM uncut_meta WHERE key = 'one_key_blocks'");
  ASSERT_TRUE(flag.ok());
  ASSERT_EQ(flag->rows(), 1);
  EXPECT_EQ(flag->Get(0, 0), "true");
  auto reopened = PgArchive::Open(uri_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  for (PgArchive* a : {older->get(), reopened->get()}) {
    EXPECT_EQ(LookupEach(a, {7000}, 1400).at(7000).size(), 10u);
    EXPECT_TRUE(LookupEach(a, {7001}, 1400).at(7001).empty());
    EXPECT_EQ(LookupEach(a, {9000}, 1400).at(9000).size(), 1u);
  }
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

// Schema 4 added the servers' jobs table: an archive made before it gets
// the table when it is next opened (as `uncut upgrade` and `uncut serve`
// open it); one of schema 2 gets it too but keeps its version (its rows
// are still unmarked, so it still cannot be swept).
TEST_F(PostgresStorage, AnArchiveMadeBeforeJobsGetsTheirTableAndIndexWhenOpened) {
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto version = [&] {
    auto r = (*conn)->Exec("SELECT value FROM uncut_meta WHERE key = 'schema_version'");
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : std::string("?");
  };
  auto has_jobs = [&] {
    auto r = (*conn)->Exec("SELECT to_regclass('jobs') IS NOT NULL");
    return r.ok() && r->Get(0, 0) == "t";
  };
  EXPECT_EQ(version(), "7");
  for (const char* old : {"3", "2"}) {
    ASSERT_TRUE((*conn)
                    ->ExecScript(StrCat("DROP TABLE jobs; UPDATE uncut_meta SET value = '", old,
                                        "' WHERE key = 'schema_version'"))
                    .ok());
    ASSERT_FALSE(has_jobs());
    auto reopened = PgArchive::Open(uri_);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    EXPECT_TRUE(has_jobs()) << old;
    EXPECT_EQ(version(), std::string(old) == "3" ? "7" : "2");
  }
  auto swept = PgArchive::Open(uri_);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ((*swept)->Sweep(false).status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*conn)->ExecScript("UPDATE uncut_meta SET value = '8' WHERE key = 'schema_version'").ok());
  EXPECT_EQ(PgArchive::Open(uri_).status().code(), absl::StatusCode::kFailedPrecondition);
}

// Counts on the coordinator: registered originals named `sha`, and their
// pieces on the shards.
int64_t CountOf(const std::string& uri, const std::string& sql, const std::string& sha) {
  auto c = PgConn::Connect(uri);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return -1;
  auto r = (*c)->Exec(sql, {PgParam::Text(sha)});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->GetInt(0, 0) : -1;
}
int64_t Registered(const std::string& uri, const std::string& sha) {
  return CountOf(uri, "SELECT count(*)::text FROM objects WHERE sha256 = $1", sha);
}
int64_t Pieces(const std::string& uri, const std::string& sha) {
  return CountOf(uri, "SELECT count(*)::text FROM chunks WHERE object = $1", sha);
}

// The bytes of an item's original, read back.
std::string OriginalOf(PgArchive* archive, int64_t id) {
  auto item = archive->GetItem(id);
  EXPECT_TRUE(item.ok()) << item.status();
  if (!item.ok()) return "";
  std::string out;
  absl::Status s = archive->ReadOriginal(*item, [&](std::string_view piece) {
    out.append(piece);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// Adds `bytes` as a top-level item of its own original; its id.
int64_t AddOriginal(PgArchive* archive, const std::string& bytes) {
  auto batch = archive->BeginWrite();
  EXPECT_TRUE(batch.ok()) << batch.status();
  if (!batch.ok()) return 0;
  EXPECT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
  PgNewItem n = ItemOf(bytes);
  auto id = (*batch)->AddItem(std::move(n));
  EXPECT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE((*batch)->Commit().ok());
  return id.ok() ? *id : 0;
}

// A child item (as an attachment is) whose original is `object`, under a new
// parent, in `batch`: AddItem finds the object stored and locks it.
int64_t AddChildUsing(PgWriteBatch* batch, const std::string& object, uint64_t size) {
  const std::string parent_bytes = "a message that carries the same bytes";
  EXPECT_TRUE(batch->PutObjectBytes(Sha256Hex(parent_bytes), parent_bytes).ok());
  PgNewItem parent;
  parent.item.sha256 = parent.item.object = Sha256Hex(parent_bytes);
  parent.item.size = parent_bytes.size();
  parent.item.kind = "email";
  parent.item.name = "message";
  auto parent_id = batch->AddItem(std::move(parent));
  EXPECT_TRUE(parent_id.ok()) << parent_id.status();
  PgNewItem child;
  child.item.sha256 = child.item.object = object;
  child.item.size = size;
  child.item.parent_id = parent_id.ok() ? *parent_id : 0;
  child.item.kind = "text";
  child.item.name = "attachment";
  auto id = batch->AddItem(std::move(child));
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : 0;
}

// Removing an item unregisters its original and deletes its pieces, as a
// directory deletes the file; an original another item still uses stays.
TEST_F(PostgresStorage, RemovingAnItemTakesItsOriginalAndKeepsOneStillUsed) {
  const std::string alone = "an original only its item uses";
  const std::string shared = "an original two items use";
  const int64_t alone_id = AddOriginal(archive_.get(), alone);
  const int64_t shared_id = AddOriginal(archive_.get(), shared);
  int64_t child = 0;
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    child = AddChildUsing(batch->get(), Sha256Hex(shared), shared.size());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  ASSERT_EQ(Pieces(uri_, Sha256Hex(alone)), 1);

  ASSERT_TRUE(archive_->RemoveItems({alone_id, shared_id}).ok());
  EXPECT_EQ(Registered(uri_, Sha256Hex(alone)), 0);
  EXPECT_EQ(Pieces(uri_, Sha256Hex(alone)), 0);
  EXPECT_EQ(Registered(uri_, Sha256Hex(shared)), 1);
  EXPECT_EQ(Pieces(uri_, Sha256Hex(shared)), 1);
  EXPECT_EQ(OriginalOf(archive_.get(), child), shared);
  auto log = archive_->AuditLog();
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->back().action, "remove");
  EXPECT_EQ(log->back().details["count"], 2);
  auto after = archive_->Sweep(/*remove=*/false);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->pieces, 0u);
  EXPECT_EQ(after->originals, 0u);

  // Added again, it is stored again.
  const int64_t again = AddOriginal(archive_.get(), alone);
  EXPECT_EQ(OriginalOf(archive_.get(), again), alone);
}

// A writer that found an original stored holds it (FOR KEY SHARE): a
// removal of its last item meanwhile waits for that writer, then sees its
// item use the original and keeps it.
TEST_F(PostgresStorage, ARemovalWaitsForAWriterThatFoundTheOriginalStoredAndKeepsIt) {
  const std::string bytes = "an original found stored by a writer";
  const int64_t first = AddOriginal(archive_.get(), bytes);
  auto writer = archive_->BeginWrite();
  ASSERT_TRUE(writer.ok());
  const int64_t child = AddChildUsing(writer->get(), Sha256Hex(bytes), bytes.size());

  auto remover_archive = PgArchive::Open(uri_);
  ASSERT_TRUE(remover_archive.ok());
  std::atomic<bool> done{false};
  absl::Status removed;
  std::thread remover([&] {
    removed = (*remover_archive)->RemoveItems({first});
    done = true;
  });
  ::usleep(500 * 1000);
  EXPECT_FALSE(done.load()) << "the removal did not wait for the writer";
  ASSERT_TRUE((*writer)->Commit().ok());
  remover.join();
  ASSERT_TRUE(removed.ok()) << removed;
  EXPECT_EQ(Registered(uri_, Sha256Hex(bytes)), 1);
  EXPECT_EQ(OriginalOf(archive_.get(), child), bytes);
  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->pieces, 0u);
  EXPECT_EQ(OriginalOf(archive_.get(), child), bytes);
}

// The other order: a removal holds the original first; a writer that asks
// whether it is stored waits, then finds it gone and stores it again.
TEST_F(PostgresStorage, AWriterWaitingForARemovalStoresTheOriginalAgain) {
  const std::string bytes = "an original removed while a writer asks for it";
  const int64_t first = AddOriginal(archive_.get(), bytes);
  auto remover = archive_->BeginWrite();
  ASSERT_TRUE(remover.ok());
  ASSERT_TRUE((*remover)->RemoveItem(first).ok());

  auto writer_archive = PgArchive::Open(uri_);
  ASSERT_TRUE(writer_archive.ok());
  std::atomic<bool> done{false};
  int64_t child = 0;
  std::thread writer([&] {
    auto batch = (*writer_archive)->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
    child = AddChildUsing(batch->get(), Sha256Hex(bytes), bytes.size());
    ASSERT_TRUE((*batch)->Commit().ok());
    done = true;
  });
  ::usleep(500 * 1000);
  EXPECT_FALSE(done.load()) << "the writer did not wait for the removal";
  ASSERT_TRUE((*remover)->Commit().ok());
  const std::vector<std::string> unregistered = (*remover)->unregistered();
  writer.join();
  EXPECT_EQ(unregistered, std::vector<std::string>{Sha256Hex(bytes)});
  EXPECT_EQ(Registered(uri_, Sha256Hex(bytes)), 1);  // registered again by the writer
  EXPECT_EQ(Pieces(uri_, Sha256Hex(bytes)), 2);      // the removed copy's, and the new one
  auto pieces = archive_->SweepPieces(unregistered);
  ASSERT_TRUE(pieces.ok()) << pieces.status();
  EXPECT_EQ(pieces->pieces, 0u);  // registered: neither copy is no one's
  EXPECT_EQ(OriginalOf(archive_.get(), child), bytes);
}

// An original left registered by a removal before schema 5 (its item row
// deleted alone) is unregistered by the sweep, and its pieces go with it.
TEST_F(PostgresStorage, ASweepUnregistersAnOriginalNoItemUses) {
  const std::string bytes = "an original whose item an older uncut removed";
  const int64_t id = AddOriginal(archive_.get(), bytes);
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("DELETE FROM items WHERE id = $1", {PgParam::Int(id)}).ok());
  auto counted = archive_->Sweep(/*remove=*/false);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->originals, 1u);
  EXPECT_EQ(counted->pieces, 1u);
  EXPECT_EQ(Registered(uri_, Sha256Hex(bytes)), 1);
  auto swept = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->originals, 1u);
  EXPECT_EQ(swept->pieces, 1u);
  EXPECT_EQ(Registered(uri_, Sha256Hex(bytes)), 0);
  EXPECT_EQ(Pieces(uri_, Sha256Hex(bytes)), 0);
  auto again = archive_->Sweep(/*remove=*/true);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

}  // namespace
}  // namespace uncut

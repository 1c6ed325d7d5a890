// The storage interfaces' contracts, held against every backend: the
// embedded archive (SQLite, segment files, object files), PostgreSQL on a
// local cluster of three shard servers (testing/pg_cluster.h), and the
// in-memory one the matchers' tests use. Each backend writes through its
// own writer and is read back through the interfaces only.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "storage/memory_storage.h"
#include "storage/postgres_storage.h"
#include "storage/storage.h"
#include "store/archive.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// What a test archives, backend-neutral.
struct Spec {
  std::string name = "item.txt";
  std::string kind = "text";
  std::string original;
  std::optional<std::string> text;
  std::map<std::string, std::string> blobs;
  std::map<Modality, std::vector<Posting>> postings;
  // The original is a file of its own (not packed with others).
  bool own_file = false;
  std::optional<int64_t> parent;  // the item it is inside
  nlohmann::json info = nlohmann::json::object();
};

class EmbeddedBackend {
 public:
  bool Ready(std::string* why) { return true; }
  EmbeddedBackend() {
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    EXPECT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
  }
  Storage storage() { return archive_->storage(); }

  int64_t Add(const Spec& spec) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    absl::StatusOr<StagedObject> staged;
    if (spec.own_file) {
      const std::string path = dir_.File(spec.name);
      EXPECT_TRUE(WriteFileAtomic(path, spec.original).ok());
      staged = (*batch)->StageFile(path, Placement::kOwnFile);
    } else {
      staged = (*batch)->StageBytes(spec.original);
    }
    EXPECT_TRUE(staged.ok()) << staged.status();
    NewItem n;
    n.item.sha256 = staged->sha256;
    n.item.size = staged->size;
    n.item.object = staged->object;
    n.item.object_offset = staged->offset;
    n.item.kind = spec.kind;
    n.item.name = spec.name;
    n.item.parent_id = spec.parent;
    n.item.info = spec.info;
    n.item.format = "txt";
    n.item.added_from = "/nowhere";
    n.item.added_at = NowRfc3339();
    if (spec.text) n.text = ExtractedText{*spec.text, OffsetMap::Identity(spec.text->size()), {}};
    n.blobs = spec.blobs;
    for (const auto& [modality, postings] : spec.postings) {
      n.postings[std::string(ModalityName(modality))] = postings;
    }
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *id;
  }

  void Remove(int64_t id) {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->RemoveItem(id).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

class MemoryBackend {
 public:
  bool Ready(std::string* why) { return true; }
  Storage storage() { return memory_.storage(); }

  int64_t Add(const Spec& spec) {
    MemoryItem m;
    m.item.kind = spec.kind;
    m.item.name = spec.name;
    m.item.parent_id = spec.parent;
    m.item.info = spec.info;
    m.item.format = "txt";
    m.original = spec.original;
    if (spec.text) m.text = ExtractedText{*spec.text, OffsetMap::Identity(spec.text->size()), {}};
    m.blobs = spec.blobs;
    m.postings = spec.postings;
    return memory_.Add(std::move(m));
  }
  void Remove(int64_t id) { memory_.Remove(id); }

 private:
  MemoryStorage memory_;
};

// A fresh archive (databases of its own on every server) on the shared
// cluster; skips when PostgreSQL is not installed.
class PostgresBackend {
 public:
  bool Ready(std::string* why) {
    if (!archive_) *why = why_;
    return archive_ != nullptr;
  }
  Storage storage() { return archive_->storage(); }

  int64_t Add(const Spec& spec) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    const std::string sha = Sha256Hex(spec.original);
    absl::Status put = (*batch)->PutObjectBytes(sha, spec.original);
    EXPECT_TRUE(put.ok()) << put;
    PgNewItem n;
    n.item.sha256 = sha;
    n.item.size = spec.original.size();
    n.item.object = sha;
    n.item.kind = spec.kind;
    n.item.name = spec.name;
    n.item.parent_id = spec.parent;
    n.item.info = spec.info;
    n.item.format = "txt";
    n.item.added_from = "/nowhere";
    n.item.added_at = NowRfc3339();
    if (spec.text) n.text = ExtractedText{*spec.text, OffsetMap::Identity(spec.text->size()), {}};
    n.blobs = spec.blobs;
    n.postings = spec.postings;
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    absl::Status committed = (*batch)->Commit();
    EXPECT_TRUE(committed.ok()) << committed;
    return id.ok() ? *id : 0;
  }

  void Remove(int64_t id) {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->RemoveItem(id).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }

  PostgresBackend() {
    testing::TestCluster* cluster = testing::TestCluster::Get(&why_);
    if (cluster == nullptr) return;
    testing::TestCluster::Databases dbs = cluster->NewDatabases();
    absl::Status init = PgArchive::Init(dbs.coordinator, dbs.shards);
    if (!init.ok()) {
      why_ = std::string(init.message());
      return;
    }
    auto a = PgArchive::Open(dbs.coordinator);
    if (!a.ok()) {
      why_ = std::string(a.status().message());
      return;
    }
    archive_ = std::move(*a);
  }

 private:
  std::string why_;
  std::unique_ptr<PgArchive> archive_;
};

template <typename Backend>
class StorageBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (backend_.Ready(&why)) return;
    // Only a missing PostgreSQL skips; a cluster that fails is a failure.
    if (why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  Backend backend_;
};

using Backends = ::testing::Types<EmbeddedBackend, MemoryBackend, PostgresBackend>;
TYPED_TEST_SUITE(StorageBackend, Backends);

std::vector<Posting> Postings(std::initializer_list<std::pair<uint64_t, uint32_t>> key_pos) {
  std::vector<Posting> out;
  for (const auto& [key, pos] : key_pos) out.push_back({key, 0, pos});
  return out;
}

TYPED_TEST(StorageBackend, ItemsTextsAndBlobsReadBackAsWritten) {
  Spec spec;
  spec.name = "notes.txt";
  spec.original = "Plain words, kept byte for byte.";
  spec.text = "Plain words, kept byte for byte.";
  spec.blobs["video.sig"] = std::string("\0\1\2binary", 9);
  const int64_t id = this->backend_.Add(spec);
  Storage s = this->backend_.storage();

  auto item = s.catalog->GetItem(id);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->id, id);
  EXPECT_EQ(item->name, "notes.txt");
  EXPECT_EQ(item->kind, "text");
  EXPECT_EQ(item->size, spec.original.size());

  auto text = s.catalog->LoadText(id);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->text.text, *spec.text);

  auto blob = s.catalog->LoadBlob(id, "video.sig");
  ASSERT_TRUE(blob.ok()) << blob.status();
  ASSERT_TRUE(blob->has_value());
  EXPECT_EQ(**blob, spec.blobs["video.sig"]);
  auto missing = s.catalog->LoadBlob(id, "audio.peaks");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST(StorageBackend, AbsentItemsAndTextsAreNotFound) {
  Spec no_text;
  no_text.kind = "video";
  no_text.original = "not text";
  const int64_t id = this->backend_.Add(no_text);
  Storage s = this->backend_.storage();
  EXPECT_EQ(s.catalog->GetItem(id + 100).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.catalog->LoadText(id).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(StorageBackend, OriginalsReadBackByteForByte) {
  Spec packed;
  packed.name = "a.txt";
  packed.original = "the first original";
  Spec other;
  other.name = "b.txt";
  other.original = "the second, packed beside it";
  Spec own;
  own.name = "c.bin";
  own.original = std::string(3000, 'x') + "end";
  own.own_file = true;
  const int64_t a = this->backend_.Add(packed);
  const int64_t b = this->backend_.Add(other);
  const int64_t c = this->backend_.Add(own);
  Storage s = this->backend_.storage();
  for (const auto& [id, want] : std::vector<std::pair<int64_t, std::string>>{
           {a, packed.original}, {b, other.original}, {c, own.original}}) {
    auto item = s.catalog->GetItem(id);
    ASSERT_TRUE(item.ok()) << item.status();
    auto original = s.originals->OpenOriginal(*item);
    ASSERT_TRUE(original.ok()) << original.status();
    Original moved = std::move(*original);  // views survive moves
    auto bytes = moved.Bytes();
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, want);
    // A file given for the original holds exactly its bytes.
    if (moved.file()) {
      auto all = ReadFileToString(*moved.file());
      ASSERT_TRUE(all.ok()) << all.status();
      EXPECT_EQ(*all, want);
    }
  }
}

TYPED_TEST(StorageBackend, LookupReturnsEachKeysPostingsInKeyOrderAndItemOrder) {
  Spec first, second;
  first.original = "one";
  first.postings[Modality::kVideo] = Postings({{10, 5}, {20, 1}, {10, 2}});
  second.original = "two";
  second.postings[Modality::kVideo] = Postings({{10, 7}, {30, 4}});
  second.postings[Modality::kText] = Postings({{10, 9}});
  const int64_t a = this->backend_.Add(first);
  const int64_t b = this->backend_.Add(second);
  PostingSource* index = this->backend_.storage().postings;

  std::vector<Posting> got;
  ASSERT_TRUE(index->Lookup(Modality::kVideo, {10, 20, 40}, 100, &got).ok());
  const uint32_t ia = static_cast<uint32_t>(a), ib = static_cast<uint32_t>(b);
  EXPECT_EQ(got, (std::vector<Posting>{{10, ia, 2}, {10, ia, 5}, {10, ib, 7}, {20, ia, 1}}));
  // Modalities are separate indexes.
  got.clear();
  ASSERT_TRUE(index->Lookup(Modality::kText, {10}, 100, &got).ok());
  EXPECT_EQ(got, (std::vector<Posting>{{10, ib, 9}}));
  got.clear();
  ASSERT_TRUE(index->Lookup(Modality::kAudio, {10}, 100, &got).ok());
  EXPECT_TRUE(got.empty());

  auto video = index->PostingCount(Modality::kVideo);
  ASSERT_TRUE(video.ok());
  EXPECT_EQ(*video, 5u);
  EXPECT_EQ(*index->PostingCount(Modality::kText), 1u);
  EXPECT_EQ(*index->PostingCount(Modality::kAudio), 0u);
}

TYPED_TEST(StorageBackend, KeysWithMorePostingsThanTheCapAreSkipped) {
  Spec spec;
  spec.original = "common";
  spec.postings[Modality::kText] = Postings({{1, 0}, {1, 1}, {1, 2}, {2, 0}});
  const int64_t id = this->backend_.Add(spec);
  std::vector<Posting> got;
  ASSERT_TRUE(this->backend_.storage().postings->Lookup(Modality::kText, {1, 2}, 2, &got).ok());
  EXPECT_EQ(got, (std::vector<Posting>{{2, static_cast<uint32_t>(id), 0}}));
}

TYPED_TEST(StorageBackend, RemovedItemsPostingsAreCountedButNotReturned) {
  Spec gone, kept;
  gone.original = "gone";
  gone.postings[Modality::kAudio] = Postings({{5, 1}, {6, 1}});
  kept.original = "kept";
  kept.postings[Modality::kAudio] = Postings({{5, 3}});
  const int64_t g = this->backend_.Add(gone);
  const int64_t k = this->backend_.Add(kept);
  this->backend_.Remove(g);
  PostingSource* index = this->backend_.storage().postings;
  std::vector<Posting> got;
  ASSERT_TRUE(index->Lookup(Modality::kAudio, {5, 6}, 100, &got).ok());
  EXPECT_EQ(got, (std::vector<Posting>{{5, static_cast<uint32_t>(k), 3}}));
  // Still counted (until a compaction), and still counted against the cap.
  EXPECT_EQ(*index->PostingCount(Modality::kAudio), 3u);
  got.clear();
  ASSERT_TRUE(index->Lookup(Modality::kAudio, {5}, 1, &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(this->backend_.storage().catalog->GetItem(g).status().code(),
            absl::StatusCode::kNotFound);
}

SavedTrace TraceOf(std::vector<int64_t> item_ids, const std::string& verdict) {
  SavedTrace t;
  t.traced_at = "2026-03-01T10:00:00Z";
  t.query_kind = "text";
  t.query_sha256 = std::string(64, 'a');
  t.verdict = verdict;
  t.item_ids = std::move(item_ids);
  t.report_json = "{\"schema\": \"uncut.trace/1\", \"verdict\": \"" + verdict + "\"}";
  t.report_html = std::string("<html>\0binary-safe</html>", 25);
  return t;
}

TYPED_TEST(StorageBackend, ASavedTraceReadsBackWithTheSourcesItFound) {
  Spec a, b, c;
  a.original = "first";
  b.original = "second";
  c.original = "third";
  const int64_t ia = this->backend_.Add(a);
  const int64_t ib = this->backend_.Add(b);
  const int64_t ic = this->backend_.Add(c);
  CatalogRecords* records = this->backend_.storage().records;
  ASSERT_NE(records, nullptr);
  // Item ia + 1000 is not archived: it is not linked.
  auto first = records->SaveTrace(TraceOf({ib, ia, ia + 1000}, "cut"));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = records->SaveTrace(TraceOf({ia}, "verbatim"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_LT(*first, *second);

  auto got = records->GetSavedTrace(*first);
  ASSERT_TRUE(got.ok()) << got.status();
  const SavedTrace want = TraceOf({}, "cut");
  EXPECT_EQ(got->id, *first);
  EXPECT_EQ(got->item_ids, (std::vector<int64_t>{ia, ib}));
  EXPECT_EQ(got->verdict, "cut");
  EXPECT_EQ(got->traced_at, want.traced_at);
  EXPECT_EQ(got->query_kind, want.query_kind);
  EXPECT_EQ(got->query_sha256, want.query_sha256);
  EXPECT_EQ(got->report_json, want.report_json);
  EXPECT_EQ(got->report_html, want.report_html);
  EXPECT_FALSE(got->saved_at.empty());

  auto of_a = records->SavedTracesOfItem(ia);
  ASSERT_TRUE(of_a.ok()) << of_a.status();
  ASSERT_EQ(of_a->size(), 2u);
  EXPECT_EQ((*of_a)[0].id, *first);
  EXPECT_EQ((*of_a)[1].id, *second);
  auto of_c = records->SavedTracesOfItem(ic);
  ASSERT_TRUE(of_c.ok()) << of_c.status();
  EXPECT_TRUE(of_c->empty());
  EXPECT_EQ(records->GetSavedTrace(*second + 7).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(StorageBackend, RemovingASourceDropsItsLinksButKeepsTheTrace) {
  Spec a, b;
  a.original = "kept";
  b.original = "removed";
  const int64_t ia = this->backend_.Add(a);
  const int64_t ib = this->backend_.Add(b);
  CatalogRecords* records = this->backend_.storage().records;
  auto id = records->SaveTrace(TraceOf({ia, ib}, "cut"));
  ASSERT_TRUE(id.ok()) << id.status();
  this->backend_.Remove(ib);
  auto got = records->GetSavedTrace(*id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->item_ids, std::vector<int64_t>{ia});
  auto of_b = records->SavedTracesOfItem(ib);
  ASSERT_TRUE(of_b.ok()) << of_b.status();
  EXPECT_TRUE(of_b->empty());
}

TYPED_TEST(StorageBackend, AddsRemovalsAndRecordedActionsJoinTheAuditLogInOrder) {
  Spec a;
  a.name = "minutes.txt";
  a.original = "the minutes";
  const int64_t ia = this->backend_.Add(a);
  CatalogRecords* records = this->backend_.storage().records;
  ASSERT_TRUE(records->RecordAction("export", {{"items", {{{"id", ia}}}}, {"out", "b.zip"}}).ok());
  this->backend_.Remove(ia);
  auto log = records->AuditLog();
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->size(), 3u);
  const std::vector<std::string> actions = {(*log)[0].action, (*log)[1].action, (*log)[2].action};
  EXPECT_EQ(actions, (std::vector<std::string>{"add", "export", "remove"}));
  EXPECT_LT((*log)[0].seq, (*log)[1].seq);
  EXPECT_LT((*log)[1].seq, (*log)[2].seq);
  EXPECT_EQ((*log)[0].details["items"][0]["name"], "minutes.txt");
  EXPECT_EQ((*log)[0].details["items"][0]["sha256"], Sha256Hex(a.original));
  EXPECT_EQ((*log)[1].details["out"], "b.zip");
  EXPECT_EQ((*log)[2].details["items"][0]["id"], ia);
  EXPECT_EQ((*log)[2].details["items"][0]["name"], "minutes.txt");
  for (const AuditEntry& e : *log) {
    EXPECT_EQ(e.actor, CurrentUserName());
    EXPECT_EQ(e.at.size(), 20u) << e.at;
  }
}

TYPED_TEST(StorageBackend, ChildrenAreTheItemsInsideAnItemInIdOrder) {
  Spec box, other, first, second;
  box.original = "container";
  other.original = "another container";
  const int64_t parent = this->backend_.Add(box);
  const int64_t stranger = this->backend_.Add(other);
  first.original = "message one";
  first.parent = parent;
  second.original = "message two";
  second.parent = parent;
  const int64_t one = this->backend_.Add(first);
  const int64_t two = this->backend_.Add(second);
  auto children = this->backend_.storage().catalog->Children(parent);
  ASSERT_TRUE(children.ok()) << children.status();
  std::vector<int64_t> ids;
  for (const Item& c : *children) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{one, two}));
  EXPECT_TRUE(this->backend_.storage().catalog->Children(stranger)->empty());
}

TYPED_TEST(StorageBackend, ListTranscriptsNamesTheItemsHoldingATranscriptInIdOrder) {
  Spec plain, speech, words, captions, named;
  plain.original = "a recording";
  plain.kind = "audio";
  speech.original = "WEBVTT speech";
  speech.info["transcript"] = {{"method", "speech recognition"}, {"recording", {{"id", 1}}}};
  // A detail whose value is the word, not a transcript object.
  words.original = "WEBVTT not one";
  words.info["label"] = "transcript";
  words.info["transcript"] = "see the \"transcript\" field";
  captions.original = "WEBVTT captions";
  captions.info["transcript"] = {{"method", "caption reading"}};
  named.original = "named like one";
  named.name = "transcript.txt";
  this->backend_.Add(plain);
  const int64_t a = this->backend_.Add(speech);
  this->backend_.Add(words);
  const int64_t b = this->backend_.Add(captions);
  this->backend_.Add(named);
  auto listed = this->backend_.storage().catalog->ListTranscripts();
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<int64_t> ids;
  for (const Item& it : *listed) ids.push_back(it.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{a, b}));
  EXPECT_EQ((*listed)[0].info["transcript"]["method"], "speech recognition");
}

std::vector<int64_t> Ids(const std::vector<TextHit>& hits) {
  std::vector<int64_t> out;
  for (const TextHit& h : hits) out.push_back(h.item_id);
  return out;
}

TYPED_TEST(StorageBackend, SearchTextFindsItemsHoldingEveryWordBestFirst) {
  Spec once, twice, other, video;
  once.text = "The soldiers crossed the river at dawn.";
  once.original = *once.text;
  twice.text = "Soldiers, more soldiers: the SOLDIERS of the second army and their river.";
  twice.original = *twice.text;
  other.text = "Nothing about armies here, only a river.";
  other.original = *other.text;
  video.kind = "video";
  video.original = "soldiers in the bytes but no text";
  const int64_t a = this->backend_.Add(once);
  const int64_t b = this->backend_.Add(twice);
  this->backend_.Add(other);
  this->backend_.Add(video);
  CatalogReader* catalog = this->backend_.storage().catalog;

  auto hits = catalog->SearchText("soldiers river", 10);
  ASSERT_TRUE(hits.ok()) << hits.status();
  EXPECT_EQ(Ids(*hits), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(SnippetLine((*hits)[1].snippet, "[", "]"),
            "The [soldiers] crossed the [river] at dawn.");
  EXPECT_GT((*hits)[0].score, (*hits)[1].score);

  auto limited = catalog->SearchText("Soldiers", 1);
  ASSERT_TRUE(limited.ok()) << limited.status();
  EXPECT_EQ(Ids(*limited), (std::vector<int64_t>{b}));
  auto none = catalog->SearchText("soldiers armies", 10);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  auto no_words = catalog->SearchText(" ... ", 10);
  ASSERT_TRUE(no_words.ok()) << no_words.status();
  EXPECT_TRUE(no_words->empty());
}

TYPED_TEST(StorageBackend, SearchTextFoldsPersianLetterVariantsAndForgetsRemovedItems) {
  Spec persian, gone;
  // Written with Arabic yeh and kaf; searched with the Persian letters.
  persian.text = "\xD8\xA7\xDB\x8C\xD9\x86 \xD9\x83\xD8\xAA\xD8\xA7\xD8\xA8";
  persian.original = *persian.text;
  gone.text = "a book that is removed";
  gone.original = *gone.text;
  const int64_t p = this->backend_.Add(persian);
  const int64_t g = this->backend_.Add(gone);
  CatalogReader* catalog = this->backend_.storage().catalog;
  auto hits = catalog->SearchText("\xDA\xA9\xD8\xAA\xD8\xA7\xD8\xA8", 10);  // کتاب
  ASSERT_TRUE(hits.ok()) << hits.status();
  EXPECT_EQ(Ids(*hits), (std::vector<int64_t>{p}));
  ASSERT_EQ((*hits)[0].snippet.size(), 2u);
  EXPECT_TRUE((*hits)[0].snippet[1].hit);
  EXPECT_EQ((*hits)[0].snippet[1].text, "\xD9\x83\xD8\xAA\xD8\xA7\xD8\xA8");  // as written

  this->backend_.Remove(g);
  auto after = catalog->SearchText("book", 10);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->empty());
}

// The listings a copy of the whole archive reads: blob names, every posting
// (a removed item's too: its postings stay until a compaction), saved
// trace ids, and an original streamed in pieces.
TYPED_TEST(StorageBackend, BlobNamesListAnItemsBlobsInByteOrder) {
  Spec spec;
  spec.original = "with blobs";
  spec.blobs["video.sig"] = "v";
  spec.blobs["audio.peaks"] = std::string("\0a", 2);
  spec.blobs["Zeta"] = "z";
  Spec bare;
  bare.original = "without";
  const int64_t id = this->backend_.Add(spec);
  const int64_t none = this->backend_.Add(bare);
  CatalogReader* catalog = this->backend_.storage().catalog;
  auto names = catalog->BlobNames(id);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"Zeta", "audio.peaks", "video.sig"}));
  auto empty = catalog->BlobNames(none);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  auto absent = catalog->BlobNames(none + 100);
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_TRUE(absent->empty());
}

TYPED_TEST(StorageBackend, ForEachPostingVisitsEveryStoredPostingOfTheModality) {
  Spec a, b, c;
  a.original = "a";
  a.postings[Modality::kText] = Postings({{5, 0}, {9, 1}, {~uint64_t{0}, 2}});
  a.postings[Modality::kAudio] = Postings({{7, 3}});
  b.original = "b";
  b.postings[Modality::kText] = Postings({{5, 4}});
  c.original = "c";
  c.postings[Modality::kText] = Postings({{11, 0}});
  const int64_t ia = this->backend_.Add(a);
  const int64_t ib = this->backend_.Add(b);
  const int64_t ic = this->backend_.Add(c);
  this->backend_.Remove(ic);
  PostingSource* index = this->backend_.storage().postings;
  std::vector<Posting> text;
  ASSERT_TRUE(index->ForEachPosting(Modality::kText, [&](const Posting& p) {
                     text.push_back(p);
                     return true;
                   }).ok());
  std::sort(text.begin(), text.end());
  const auto item = [](int64_t id) { return static_cast<uint32_t>(id); };
  EXPECT_EQ(text, (std::vector<Posting>{{5, item(ia), 0},
                                        {5, item(ib), 4},
                                        {9, item(ia), 1},
                                        {11, item(ic), 0},
                                        {~uint64_t{0}, item(ia), 2}}));
  std::vector<Posting> audio;
  ASSERT_TRUE(index->ForEachPosting(Modality::kAudio, [&](const Posting& p) {
                     audio.push_back(p);
                     return true;
                   }).ok());
  EXPECT_EQ(audio, (std::vector<Posting>{{7, item(ia), 3}}));
  size_t video = 0;
  ASSERT_TRUE(index->ForEachPosting(Modality::kVideo, [&](const Posting&) {
                     ++video;
                     return true;
                   }).ok());
  EXPECT_EQ(video, 0u);
  // Stops when told to.
  size_t seen = 0;
  ASSERT_TRUE(index->ForEachPosting(Modality::kText, [&](const Posting&) {
                     ++seen;
                     return false;
                   }).ok());
  EXPECT_EQ(seen, 1u);
}

TYPED_TEST(StorageBackend, SavedTraceIdsListEveryTraceOldestFirst) {
  Spec a;
  a.original = "source";
  const int64_t ia = this->backend_.Add(a);
  CatalogRecords* records = this->backend_.storage().records;
  auto none = records->SavedTraceIds();
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  auto first = records->SaveTrace(TraceOf({ia}, "cut"));
  auto second = records->SaveTrace(TraceOf({}, "not found"));
  ASSERT_TRUE(first.ok() && second.ok());
  auto ids = records->SavedTraceIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, (std::vector<int64_t>{*first, *second}));
}

TYPED_TEST(StorageBackend, ReadOriginalStreamsTheBytesAndChecksThem) {
  Spec big;
  big.name = "big.bin";
  big.own_file = true;
  // More than one 4 MiB piece, and not a multiple of it.
  big.original.resize((9u << 20) + 123);
  for (size_t i = 0; i < big.original.size(); ++i) big.original[i] = static_cast<char>(i * 131 % 251);
  const int64_t id = this->backend_.Add(big);
  Storage s = this->backend_.storage();
  auto item = s.catalog->GetItem(id);
  ASSERT_TRUE(item.ok()) << item.status();
  std::string got;
  size_t largest = 0;
  absl::Status read = s.originals->ReadOriginal(*item, [&](std::string_view piece) {
    largest = std::max(largest, piece.size());
    got.append(piece);
    return absl::OkStatus();
  });
  ASSERT_TRUE(read.ok()) << read;
  EXPECT_TRUE(got == big.original);
  EXPECT_LE(largest, size_t{4} << 20);
  // A sink's error stops the read and comes back.
  absl::Status stopped = s.originals->ReadOriginal(
      *item, [](std::string_view) { return absl::ResourceExhaustedError("disk full"); });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kResourceExhausted);
  // An item whose catalog SHA-256 is not its bytes' is data loss.
  Item wrong = *item;
  wrong.sha256 = Sha256Hex("something else");
  absl::Status bad = s.originals->ReadOriginal(
      wrong, [](std::string_view) { return absl::OkStatus(); });
  EXPECT_EQ(bad.code(), absl::StatusCode::kDataLoss) << bad;
}

// Ids past 9, so that an order of their decimal strings would differ.
TYPED_TEST(StorageBackend, ItemsSavedTracesAndTheAuditLogComeInNumericOrder) {
  std::vector<int64_t> added;
  for (int i = 0; i < 12; ++i) {
    Spec spec;
    spec.name = StrCat("item", i, ".txt");
    spec.original = StrCat("original number ", i);
    added.push_back(this->backend_.Add(spec));
  }
  Storage s = this->backend_.storage();
  auto items = s.catalog->ListItems();
  ASSERT_TRUE(items.ok()) << items.status();
  std::vector<int64_t> listed;
  for (const Item& it : *items) listed.push_back(it.id);
  EXPECT_EQ(listed, added);
  std::vector<int64_t> saved;
  for (int i = 0; i < 11; ++i) {
    auto id = s.records->SaveTrace(TraceOf({added[0]}, "cut"));
    ASSERT_TRUE(id.ok()) << id.status();
    saved.push_back(*id);
  }
  auto ids = s.records->SavedTraceIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, saved);
  auto of_item = s.records->SavedTracesOfItem(added[0]);
  ASSERT_TRUE(of_item.ok()) << of_item.status();
  std::vector<int64_t> found;
  for (const SavedTrace& t : *of_item) found.push_back(t.id);
  EXPECT_EQ(found, saved);
  auto log = s.records->AuditLog();
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->size(), 12u);
  for (size_t i = 1; i < log->size(); ++i) EXPECT_LT((*log)[i - 1].seq, (*log)[i].seq);
  EXPECT_EQ((*log)[11].details["items"][0]["name"], "item11.txt");
}

}  // namespace
}  // namespace uncut

// A copy of an archive read through the storage interfaces (here the
// in-memory one) into an embedded archive directory: everything comes
// across as stored, the target verifies, and a copy that fails midway is
// finished by running it again.
#include "store/copy_to_directory.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "storage/memory_storage.h"
#include "store/counting_reads_testing.h"
#include "store/saved_traces.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// Originals as the source gives them, failing once (after handing on a
// first piece) for one item: a shard lost mid-copy.
class FailingOnce : public OriginalSource {
 public:
  FailingOnce(OriginalSource* base, int64_t fail_id) : base_(base), fail_id_(fail_id) {}
  absl::StatusOr<Original> OpenOriginal(const Item& item) override {
    return base_->OpenOriginal(item);
  }
  absl::Status ReadOriginal(const Item& item, const ByteSink& sink) override {
    if (item.id != fail_id_ || failed_) return base_->ReadOriginal(item, sink);
    failed_ = true;
    auto original = base_->OpenOriginal(item);
    if (!original.ok()) return original.status();
    auto bytes = original->Bytes();
    if (!bytes.ok()) return bytes.status();
    absl::Status s = sink(bytes->substr(0, 1000));
    if (!s.ok()) return s;
    return absl::UnavailableError("shard2: server closed the connection unexpectedly");
  }

 private:
  OriginalSource* base_;
  int64_t fail_id_;
  bool failed_ = false;
};

std::vector<Posting> Keys(std::initializer_list<std::pair<uint64_t, uint32_t>> key_pos) {
  std::vector<Posting> out;
  for (const auto& [key, pos] : key_pos) out.push_back({key, 0, pos});
  return out;
}

class CopyToDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MemoryItem speech;
    speech.item.name = "speech.txt";
    speech.item.kind = "text";
    speech.item.format = "txt";
    speech.original = "We shall fight on the beaches.";
    speech.item.object = Sha256Hex(speech.original);
    speech.item.meta.title = "Speech";
    speech.text = ExtractedText{speech.original, OffsetMap::Identity(speech.original.size()), {}};
    speech.postings[Modality::kText] = Keys({{101, 0}, {202, 3}, {303, 9}});
    speech.blobs["text.note"] = std::string("\0\1kept", 6);
    speech_ = source_.Add(speech);

    // A container and a part inside its bytes.
    MemoryItem box;
    box.item.name = "box.mbox";
    box.item.kind = "container";
    box.item.format = "mbox";
    box.original = "From x\nthe message body\nFrom y\n";
    box.item.object = Sha256Hex(box.original);
    box_ = source_.Add(box);
    MemoryItem part;
    part.item.name = "message.eml";
    part.item.kind = "text";
    part.item.format = "eml";
    part.item.parent_id = box_;
    part.original = "the message body";
    part.item.object = box.item.object;
    part.item.object_offset = 7;
    part.text = ExtractedText{part.original, OffsetMap::Identity(part.original.size()), {}};
    part.postings[Modality::kText] = Keys({{202, 1}, {404, 2}});
    part_ = source_.Add(part);

    // A recording larger than a piece.
    MemoryItem clip;
    clip.item.name = "clip.wav";
    clip.item.kind = "audio";
    clip.item.format = "wav";
    clip.original.resize((6u << 20) + 77);
    for (size_t i = 0; i < clip.original.size(); ++i) clip.original[i] = static_cast<char>(i * 7 % 253);
    clip.item.object = Sha256Hex(clip.original);
    clip.postings[Modality::kAudio] = Keys({{9001, 0}, {9002, 40}});
    clip.blobs["audio.peaks"] = "peaks";
    clip_ = source_.Add(clip);

    MemoryItem gone;
    gone.item.name = "gone.txt";
    gone.item.kind = "text";
    gone.original = "removed before the copy";
    gone.item.object = Sha256Hex(gone.original);
    gone.postings[Modality::kText] = Keys({{101, 5}});
    const int64_t gone_id = source_.Add(gone);
    source_.Remove(gone_id);

    SavedTrace t;
    t.traced_at = "2026-01-02T03:04:05Z";
    t.query_kind = "text";
    t.query_sha256 = Sha256Hex("quote");
    t.verdict = "cut";
    t.item_ids = {speech_, clip_};
    t.report_json = "{\"schema\":\"uncut.trace/1\"}";
    t.report_html = "<p>report</p>";
    ASSERT_TRUE(source_.SaveTrace(t).ok());
    ASSERT_TRUE(source_.RecordAction("export", {{"out", "bundle.zip"}}).ok());
  }

  std::unique_ptr<Archive> Target() {
    auto a = Archive::Open(dir_.File("copy"), Archive::Mode::kCreate);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(*a) : nullptr;
  }

  // The target holds what the source holds, read back through the
  // interfaces, and verifies.
  void ExpectSameAsSource(Archive* target) {
    auto want = source_.ListItems();
    auto got = target->ListItems();
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_EQ(got->size(), want->size());
    for (size_t i = 0; i < want->size(); ++i) {
      const Item& w = (*want)[i];
      const Item& g = (*got)[i];
      EXPECT_EQ(g.id, w.id);
      EXPECT_EQ(g.name, w.name);
      EXPECT_EQ(g.kind, w.kind);
      EXPECT_EQ(g.sha256, w.sha256);
      EXPECT_EQ(g.size, w.size);
      EXPECT_EQ(g.parent_id, w.parent_id);
      EXPECT_EQ(g.meta.title, w.meta.title);
      auto original = target->OpenOriginal(g);
      ASSERT_TRUE(original.ok()) << original.status();
      auto bytes = original->Bytes();
      ASSERT_TRUE(bytes.ok());
      EXPECT_EQ(Sha256Hex(*bytes), w.sha256) << w.name;
      auto wt = source_.LoadText(w.id);
      auto gt = target->LoadText(g.id);
      EXPECT_EQ(gt.ok(), wt.ok()) << w.name;
      if (wt.ok() && gt.ok()) {
        EXPECT_EQ(gt->text.text, wt->text.text);
      }
      auto names = source_.BlobNames(w.id);
      ASSERT_TRUE(names.ok());
      EXPECT_EQ(*target->BlobNames(g.id), *names);
      for (const std::string& name : *names) {
        EXPECT_EQ(*target->LoadBlob(g.id, name), *source_.LoadBlob(w.id, name));
      }
    }
    // The clip's original is a file of its own (its decoders read a path).
    auto clip = target->GetItem(clip_);
    ASSERT_TRUE(clip.ok());
    EXPECT_EQ(clip->object, clip->sha256);
    for (const auto& [modality, keys] : std::map<Modality, std::vector<uint64_t>>{
             {Modality::kText, {101, 202, 303, 404}}, {Modality::kAudio, {9001, 9002}}}) {
      std::vector<Posting> w, g;
      ASSERT_TRUE(source_.Lookup(modality, keys, 100, &w).ok());
      ASSERT_TRUE(target->Lookup(modality, keys, 100, &g).ok());
      EXPECT_EQ(g, w);
    }
    // The removed item's postings did not come across.
    EXPECT_EQ(*target->PostingCount(Modality::kText), 5u);
    auto traces = target->SavedTraceIds();
    ASSERT_TRUE(traces.ok());
    ASSERT_EQ(*traces, *source_.SavedTraceIds());
    auto trace = target->GetSavedTrace((*traces)[0]);
    auto source_trace = source_.GetSavedTrace((*traces)[0]);
    ASSERT_TRUE(trace.ok() && source_trace.ok());
    EXPECT_EQ(trace->item_ids, source_trace->item_ids);
    EXPECT_EQ(trace->saved_at, source_trace->saved_at);
    EXPECT_EQ(trace->report_html, source_trace->report_html);
    auto problems = target->Verify();
    ASSERT_TRUE(problems.ok()) << problems.status();
    EXPECT_TRUE(problems->empty()) << (*problems)[0].what << ": " << (*problems)[0].problem;
  }

  // The source's audit entries, in order, at the start of the target's
  // log (the copy's own entries follow), each once.
  void ExpectAuditLogCopiedOnce(Archive* target) {
    auto want = source_.AuditLog();
    auto got = target->AuditLog();
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_GE(got->size(), want->size());
    for (size_t i = 0; i < want->size(); ++i) {
      const AuditEntry& w = (*want)[i];
      const AuditEntry& g = (*got)[i];
      EXPECT_EQ(g.at, w.at);
      EXPECT_EQ(g.actor, w.actor);
      EXPECT_EQ(g.action, w.action);
      EXPECT_EQ(g.details, w.details);
    }
    size_t exports = 0, removals = 0;
    for (const AuditEntry& g : *got) {
      exports += g.action == "export";
      removals += g.action == "remove";
    }
    EXPECT_EQ(exports, 1u);
    EXPECT_EQ(removals, 1u);
  }

  testing::TempDir dir_;
  MemoryStorage source_;
  int64_t speech_ = 0, box_ = 0, part_ = 0, clip_ = 0;
};

TEST_F(CopyToDirectoryTest, CopiesItemsOriginalsIndexTracesAndLogAsStored) {
  std::unique_ptr<Archive> target = Target();
  ASSERT_NE(target, nullptr);
  auto done = CopyToDirectory(source_.storage(), target.get());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->copied, 4u);
  EXPECT_TRUE(done->present.empty());
  EXPECT_EQ(done->saved_traces, 1u);
  EXPECT_EQ(done->audit_entries, source_.AuditLog()->size());
  ExpectSameAsSource(target.get());
  ExpectAuditLogCopiedOnce(target.get());
  // The part keeps pointing into its container's bytes.
  auto box = target->GetItem(box_);
  auto part = target->GetItem(part_);
  ASSERT_TRUE(box.ok() && part.ok());
  EXPECT_EQ(part->object, box->object);
  EXPECT_EQ(part->object_offset, box->object_offset + 7);

  // Again: nothing new.
  auto again = CopyToDirectory(source_.storage(), target.get());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->copied, 0u);
  EXPECT_EQ(again->present.size(), 3u);
  EXPECT_EQ(again->saved_traces, 0u);
  EXPECT_EQ(again->audit_entries, 0u);
  ExpectSameAsSource(target.get());
  ExpectAuditLogCopiedOnce(target.get());
}

TEST_F(CopyToDirectoryTest, ACopyThatFailsMidwayIsFinishedByRunningItAgain) {
  std::unique_ptr<Archive> target = Target();
  ASSERT_NE(target, nullptr);
  FailingOnce failing(source_.storage().originals, clip_);
  Storage flaky = source_.storage();
  flaky.originals = &failing;
  CopyOptions one_at_a_time;
  one_at_a_time.batch_items = 1;
  one_at_a_time.spill_dir = dir_.File("spill");
  ASSERT_TRUE(MakeDirs(one_at_a_time.spill_dir).ok());
  auto failed = CopyToDirectory(flaky, target.get(), one_at_a_time);
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  // No spill file is left behind.
  EXPECT_TRUE(ListDir(one_at_a_time.spill_dir).empty());
  // The batches before the failure are there whole; the clip's is not.
  auto listed = target->ListItems();
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> names;
  for (const Item& it : *listed) names.push_back(it.name);
  EXPECT_EQ(names, (std::vector<std::string>{"speech.txt", "box.mbox", "message.eml"}));
  auto midway = target->Verify();
  ASSERT_TRUE(midway.ok());
  EXPECT_TRUE(midway->empty()) << (*midway)[0].what << ": " << (*midway)[0].problem;

  auto finished = CopyToDirectory(flaky, target.get(), one_at_a_time);
  ASSERT_TRUE(finished.ok()) << finished.status();
  EXPECT_EQ(finished->copied, 1u);
  EXPECT_EQ(finished->present.size(), 2u);
  EXPECT_EQ(finished->audit_entries, 0u);
  ExpectSameAsSource(target.get());
  ExpectAuditLogCopiedOnce(target.get());
}

TEST_F(CopyToDirectoryTest, ABatchEndsAtItsPostingLimitAndTheIndexIsReadTwice) {
  std::unique_ptr<Archive> target = Target();
  ASSERT_NE(target, nullptr);
  CountingReads counting(source_.storage().postings);
  Storage from = source_.storage();
  from.postings = &counting;
  CopyOptions two_postings;
  two_postings.batch_postings = 2;
  two_postings.spill_postings = 1;
  std::vector<size_t> progress;
  two_postings.progress = [&](size_t done, size_t total) {
    EXPECT_EQ(total, 3u);
    progress.push_back(done);
  };
  auto done = CopyToDirectory(from, target.get(), two_postings);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->copied, 4u);
  // The speech (3 postings), the box with its message (2), the clip (2):
  // a batch each, from one read to count and one to sort out.
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(counting.total(), 2 * static_cast<int>(std::size(kAllModalities)));
  ExpectSameAsSource(target.get());
}

}  // namespace
}  // namespace uncut

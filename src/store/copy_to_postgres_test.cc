// Copying a directory archive into a PostgreSQL archive (on the shared test
// cluster): ids that blobs name are handed to adjust_blobs as the target
// has them.
#include "store/copy_to_postgres.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/strings.h"
#include "index/modality.h"
#include "storage/catalog_records.h"
#include "storage/pg_archive_testing.h"
#include "store/archive.h"
#include "store/staged_archive.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// Queues `bytes` as a text item named `name` in `batch`, with `blobs` and
// text postings `postings`; its id.
int64_t AddText(WriteBatch* batch, const std::string& bytes, const std::string& name,
                std::map<std::string, std::string> blobs = {}, std::vector<Posting> postings = {}) {
  auto staged = batch->StageBytes(bytes);
  EXPECT_TRUE(staged.ok()) << staged.status();
  if (!staged.ok()) return 0;
  NewItem n;
  n.item.sha256 = staged->sha256;
  n.item.size = staged->size;
  n.item.object = staged->object;
  n.item.object_offset = staged->offset;
  n.item.kind = "text";
  n.item.format = "txt";
  n.item.name = name;
  n.item.added_from = "/nowhere";
  n.item.added_at = NowRfc3339();
  n.blobs = std::move(blobs);
  if (!postings.empty()) n.postings[std::string(ModalityName(Modality::kText))] = std::move(postings);
  auto id = batch->AddItem(std::move(n));
  EXPECT_TRUE(id.ok()) << id.status();
  return id.value_or(0);
}

class CopyToPostgresTest : public testing::ClusterArchiveTest {
 protected:
  // A directory archive under dir_ (made anew) holding `bytes` as one text
  // item, and a second item whose blob "link" names the first by its id.
  std::unique_ptr<Archive> SourceWithLink(const std::string& name, const std::string& bytes,
                                          int64_t* linked_id) {
    auto a = Archive::Open(dir_.File(name), Archive::Mode::kCreate);
    EXPECT_TRUE(a.ok()) << a.status();
    if (!a.ok()) return nullptr;
    auto batch = (*a)->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) return nullptr;
    const int64_t first = AddText(batch->get(), bytes, "a.txt");
    AddText(batch->get(), name + " links", "b.txt", {{"link", std::to_string(first)}});
    EXPECT_TRUE((*batch)->Commit().ok());
    *linked_id = first;
    return std::move(*a);
  }

  // Copies `from` into the cluster, rewriting each "link" blob with the ids
  // adjust_blobs is given.
  CopyOutcome CopyRelinking(Archive* from) {
    auto to = PgArchive::Open(uri_);
    EXPECT_TRUE(to.ok()) << to.status();
    CopyOptions o;
    o.adjust_blobs = [](std::map<std::string, std::string>* blobs,
                        const std::map<int64_t, int64_t>& ids) -> absl::Status {
      auto link = blobs->find("link");
      if (link == blobs->end()) return absl::OkStatus();
      auto now = ids.find(std::stoll(link->second));
      link->second = now == ids.end() ? "unknown" : std::to_string(now->second);
      return absl::OkStatus();
    };
    auto done = CopyToPostgres(from, to->get(), o);
    EXPECT_TRUE(done.ok()) << done.status();
    return done.ok() ? *done : CopyOutcome();
  }

  // The "link" blob of the cluster's item whose bytes hash to `sha256`.
  std::string LinkOf(const std::string& sha256) {
    auto to = PgArchive::Open(uri_);
    EXPECT_TRUE(to.ok()) << to.status();
    auto item = (*to)->FindBySha(sha256);
    EXPECT_TRUE(item.ok() && item->has_value());
    if (!item.ok() || !item->has_value()) return "";
    auto blob = (*to)->LoadBlob((*item)->id, "link");
    EXPECT_TRUE(blob.ok() && blob->has_value());
    return blob.ok() && blob->has_value() ? **blob : "";
  }

  ::uncut::testing::TempDir dir_;
};

// The second source holds the first's text under another id: the target
// keeps the first copy, and the link names it there.
TEST_F(CopyToPostgresTest, ABlobNamingAnItemTheTargetHeldAlreadyNamesItsIdThere) {
  int64_t first_in_a = 0, first_in_b = 0;
  std::unique_ptr<Archive> a = SourceWithLink("a", "words kept once", &first_in_a);
  ASSERT_NE(a, nullptr);
  const CopyOutcome into_a = CopyRelinking(a.get());
  ASSERT_EQ(into_a.copied, 2u);
  const int64_t kept = into_a.ids.at(first_in_a);

  // In b, an item comes first, so the shared text gets another id there.
  auto b = Archive::Open(dir_.File("b"), Archive::Mode::kCreate);
  ASSERT_TRUE(b.ok()) << b.status();
  {
    auto batch = (*b)->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_NE(AddText(batch->get(), "first in b", "c.txt"), 0);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  b->reset();
  std::unique_ptr<Archive> b_full = SourceWithLink("b", "words kept once", &first_in_b);
  ASSERT_NE(b_full, nullptr);
  ASSERT_NE(first_in_b, first_in_a);

  const CopyOutcome into_b = CopyRelinking(b_full.get());
  ASSERT_EQ(into_b.present.size(), 1u);
  EXPECT_EQ(into_b.present[0].id, kept);
  EXPECT_EQ(into_b.copied, 2u);  // c.txt and b's linking item
  EXPECT_EQ(LinkOf(Sha256Hex("b links")), std::to_string(kept));
  EXPECT_EQ(LinkOf(Sha256Hex("a links")), std::to_string(kept));
}

// Each publication through a staged archive (add, an upload, a capture, a
// transcript) is a run of its own on every server; the copy ends with the
// merge of small runs, so the fourth one merges the four runs of the first
// level on each server that holds text postings.
TEST_F(CopyToPostgresTest, AStagedCopyMergesSmallRunsOnceALevelHoldsFour) {
  auto to = PgArchive::Open(uri_);
  ASSERT_TRUE(to.ok()) << to.status();
  for (uint32_t i = 0; i < 4; ++i) {
    auto staged = StagedArchive::Create(to->get());
    ASSERT_TRUE(staged.ok()) << staged.status();
    {
      auto local = Archive::Open((*staged)->dir(), Archive::Mode::kReadOnly);
      ASSERT_TRUE(local.ok()) << local.status();
      auto batch = (*local)->BeginWrite();
      ASSERT_TRUE(batch.ok()) << batch.status();
      std::vector<Posting> postings;
      for (uint64_t k = 0; k < 3000; ++k) postings.push_back({k, 0, i});
      ASSERT_GT(AddText(batch->get(), StrCat("publication ", i), StrCat("p", i, ".txt"), {}, postings), 0);
      ASSERT_TRUE((*batch)->Commit().ok());
    }
    auto copied = (*staged)->CopyInto(to->get());
    ASSERT_TRUE(copied.ok()) << copied.status();
    ASSERT_EQ(copied->copied, 1u);
    ASSERT_TRUE(copied->compaction.ok()) << copied->compaction;
    ASSERT_TRUE(copied->compacted.has_value()) << "publication " << i;
    if (i < 3) {
      EXPECT_EQ(copied->compacted->merges, 0u) << "publication " << i;
    } else {
      EXPECT_GT(copied->compacted->merges, 0u);
      EXPECT_EQ(copied->compacted->runs_merged, 4 * copied->compacted->merges);
      EXPECT_EQ(copied->compacted->postings, 4u * 3000);
    }
  }
}

}  // namespace
}  // namespace uncut

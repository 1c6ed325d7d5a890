// Copying a directory archive into a PostgreSQL archive (on the shared test
// cluster): ids that blobs name are handed to adjust_blobs as the target
// has them.
#include "store/copy_to_postgres.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "base/sha256.h"
#include "storage/catalog_records.h"
#include "storage/pg_archive_testing.h"
#include "store/archive.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// Queues `bytes` as a text item named `name` in `batch`; its id.
int64_t AddText(WriteBatch* batch, const std::string& bytes, const std::string& name,
                std::map<std::string, std::string> blobs = {}) {
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

}  // namespace
}  // namespace uncut

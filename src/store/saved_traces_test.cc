#include "store/saved_traces.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace uncut {
namespace {

int64_t AddBareItem(Archive* archive, const std::string& sha) {
  auto batch = archive->BeginWrite();
  EXPECT_TRUE(batch.ok());
  NewItem n;
  n.item.sha256 = sha;
  n.item.kind = "text";
  n.item.format = "txt";
  n.item.name = sha.substr(0, 4) + ".txt";
  n.item.added_from = "/nowhere";
  n.item.added_at = NowRfc3339();
  n.item.object = sha;
  auto id = (*batch)->AddItem(std::move(n));
  EXPECT_TRUE(id.ok());
  EXPECT_TRUE((*batch)->Commit().ok());
  return *id;
}

SavedTrace Trace(std::vector<int64_t> items) {
  SavedTrace t;
  t.traced_at = "2026-01-01T00:00:00Z";
  t.query_kind = "text";
  t.query_sha256 = std::string(64, 'f');
  t.verdict = "found";
  t.item_ids = std::move(items);
  t.report_json = "{\"schema\":\"uncut.trace/1\"}";
  t.report_html = "<!DOCTYPE html><p>report</p>";
  return t;
}

TEST(SavedTraces, AnArchiveWithoutSavedTracesHasNone) {
  testing::TempDir dir;
  auto archive = Archive::Open(dir.File("a"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok());
  auto traces = SavedTracesOfItem(archive->get(), 1);
  ASSERT_TRUE(traces.ok()) << traces.status();
  EXPECT_TRUE(traces->empty());
  EXPECT_TRUE(absl::IsNotFound(GetSavedTrace(archive->get(), 1).status()));
}

TEST(SavedTraces, ATraceIsFoundFromEachOfItsSources) {
  testing::TempDir dir;
  auto archive = Archive::Open(dir.File("a"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok());
  int64_t a = AddBareItem(archive->get(), std::string(64, 'a'));
  int64_t b = AddBareItem(archive->get(), std::string(64, 'b'));
  int64_t c = AddBareItem(archive->get(), std::string(64, 'c'));
  auto id = SaveTrace(archive->get(), Trace({a, b, 999}));
  ASSERT_TRUE(id.ok()) << id.status();
  auto of_b = SavedTracesOfItem(archive->get(), b);
  ASSERT_TRUE(of_b.ok());
  ASSERT_EQ(of_b->size(), 1u);
  EXPECT_EQ((*of_b)[0].id, *id);
  EXPECT_EQ((*of_b)[0].report_html, "<!DOCTYPE html><p>report</p>");
  EXPECT_EQ((*of_b)[0].item_ids, (std::vector<int64_t>{a, b}));  // 999 is not an item
  EXPECT_TRUE(SavedTracesOfItem(archive->get(), c)->empty());
}

TEST(SavedTraces, RemovingAnItemKeepsTheTraceButDropsTheLink) {
  testing::TempDir dir;
  auto archive = Archive::Open(dir.File("a"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok());
  int64_t a = AddBareItem(archive->get(), std::string(64, 'a'));
  auto id = SaveTrace(archive->get(), Trace({a}));
  ASSERT_TRUE(id.ok());
  {
    auto batch = (*archive)->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->RemoveItem(a).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto t = GetSavedTrace(archive->get(), *id);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->item_ids.empty());
  EXPECT_EQ(t->verdict, "found");
}

}  // namespace
}  // namespace uncut

#include "store/text_search_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/archive_testing.h"

namespace uncut {
namespace {

class TextSearchIndex : public ArchiveTest {
 protected:
  int64_t AddText(const std::string& name, const std::string& text) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    NewItem n = StagedItem(batch->get(), text, "text", name);
    n.text = ExtractedText{text, OffsetMap::Identity(text.size()), {}};
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *id;
  }
  std::vector<int64_t> Search(const std::string& q) {
    auto hits = archive_->SearchText(q, 10);
    EXPECT_TRUE(hits.ok()) << hits.status();
    std::vector<int64_t> ids;
    if (hits.ok()) {
      for (const TextHit& h : *hits) ids.push_back(h.item_id);
    }
    return ids;
  }
};

TEST_F(TextSearchIndex, ANewArchiveIndexesEveryTextAsItIsAdded) {
  auto complete = TextSearchIndexComplete(archive_->db());
  ASSERT_TRUE(complete.ok());
  EXPECT_TRUE(*complete);
  const int64_t a = AddText("a.txt", "The soldiers crossed the river.");
  auto ranked = QueryTextSearchIndex(archive_->db(), {"soldiers"}, 10);
  ASSERT_TRUE(ranked.ok()) << ranked.status();
  ASSERT_EQ(ranked->size(), 1u);
  EXPECT_EQ((*ranked)[0].first, a);
}

TEST_F(TextSearchIndex, AnOlderArchiveIsSearchedByReadingItsTextsUntilUpgradeIndexesThem) {
  const int64_t a = AddText("a.txt", "The soldiers crossed the river.");
  const int64_t b = AddText("b.txt", "Soldiers again: soldiers.");
  // As an archive made before the index: no table, no mark.
  ASSERT_TRUE(archive_->db()->Exec("DROP TABLE text_search").ok());
  ASSERT_TRUE(archive_->db()->Exec("DELETE FROM meta WHERE key = 'text_search'").ok());
  auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  archive_ = std::move(*reopened);
  auto complete = TextSearchIndexComplete(archive_->db());
  ASSERT_TRUE(complete.ok());
  EXPECT_FALSE(*complete);
  EXPECT_EQ(Search("soldiers"), (std::vector<int64_t>{b, a}));  // by reading every text

  auto indexed = archive_->IndexTextsForSearch();
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(*indexed, 2u);
  complete = TextSearchIndexComplete(archive_->db());
  EXPECT_TRUE(*complete);
  EXPECT_EQ(Search("soldiers"), (std::vector<int64_t>{b, a}));  // by the index
  EXPECT_EQ(Search("river soldiers"), (std::vector<int64_t>{a}));
  auto again = archive_->IndexTextsForSearch();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  ExpectVerifies();
}

TEST_F(TextSearchIndex, QuotesInAQueryAreWordsNotSyntax) {
  AddText("a.txt", "He said \"NEAR\" and OR AND NOT.");
  EXPECT_EQ(Search("\"near").size(), 1u);
  EXPECT_EQ(Search("OR AND").size(), 1u);
  EXPECT_TRUE(Search("*").empty());
}

}  // namespace
}  // namespace uncut

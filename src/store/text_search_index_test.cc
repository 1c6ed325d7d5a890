#include "store/text_search_index.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "storage/text_search.h"
#include "store/archive_testing.h"

namespace uncut {
namespace {

using Ranked = std::vector<std::pair<int64_t, double>>;

class TextSearchIndex : public ArchiveTest {
 protected:
  // A plain-text item whose text is its original (as `uncut add` keeps a
  // UTF-8 file's text).
  int64_t AddText(const std::string& name, const std::string& text) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    NewItem n = StagedItem(batch->get(), text, "text", name);
    n.text = ExtractedText{text, OffsetMap::Identity(text.size()), {}};
    n.text_is_original = true;
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *id;
  }
  // A container (no text of its own) with one part per text, the parts'
  // texts stored in the catalog (as a mailbox's messages are).
  int64_t AddParts(const std::string& name, const std::vector<std::string>& texts) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    std::string all;
    for (const std::string& t : texts) all += t + "\n";
    auto parent = (*batch)->AddItem(StagedItem(batch->get(), all, "mailbox", name));
    EXPECT_TRUE(parent.ok()) << parent.status();
    for (size_t i = 0; i < texts.size(); ++i) {
      NewItem n = StagedItem(batch->get(), texts[i], "email", StrCat(name, "#", i, ".eml"));
      n.item.parent_id = *parent;
      n.text = ExtractedText{texts[i], OffsetMap::Identity(texts[i].size()), {}};
      EXPECT_TRUE((*batch)->AddItem(std::move(n)).ok());
    }
    EXPECT_TRUE((*batch)->Commit().ok());
    return *parent;
  }
  void Remove(int64_t id) {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*batch)->RemoveItem(id).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  Ranked Query(const std::vector<std::string>& terms) {
    auto ranked = QueryTextSearchIndex(archive_->db(), terms, 10);
    EXPECT_TRUE(ranked.ok()) << ranked.status();
    return ranked.ok() ? *ranked : Ranked();
  }
  bool Complete() {
    auto complete = TextSearchIndexComplete(archive_->db());
    EXPECT_TRUE(complete.ok()) << complete.status();
    return complete.ok() && *complete;
  }
  bool Contentless() {
    auto contentless = TextSearchIsContentless(archive_->db());
    EXPECT_TRUE(contentless.ok()) << contentless.status();
    return contentless.ok() && *contentless;
  }
  // Replaces the table by the one archives made before it was contentless
  // held, filled the way they filled it.
  void MakeOlderTable() {
    std::vector<std::pair<int64_t, std::string>> forms;
    {
      auto items = archive_->ListItems();
      ASSERT_TRUE(items.ok()) << items.status();
      for (const Item& it : *items) {
        auto text = archive_->LoadText(it.id);
        if (text.ok()) forms.push_back({it.id, SearchForm(text->text.text)});
      }
    }
    SqliteDb* db = archive_->db();
    ASSERT_TRUE(db->Exec("DROP TABLE text_search").ok());
    ASSERT_TRUE(db->Exec("CREATE VIRTUAL TABLE text_search USING fts5(words, tokenize = "
                         "'unicode61 remove_diacritics 0')")
                    .ok());
    for (const auto& [id, form] : forms) {
      auto ins = db->Prepare("INSERT INTO text_search(rowid, words) VALUES(?, ?)");
      ASSERT_TRUE(ins.ok());
      ins->Bind(1, id).Bind(2, form);
      ASSERT_TRUE(ins->Run().ok());
    }
    ASSERT_TRUE(db->Exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'").ok());
    auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    archive_ = std::move(*reopened);
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

TEST_F(TextSearchIndex, ANewArchiveKeepsNoCopyOfTheSearchForms) {
  AddText("a.txt", "The soldiers crossed the river.");
  EXPECT_TRUE(Contentless());
  auto q = archive_->db()->Prepare(
      "SELECT count(*) FROM sqlite_master WHERE name = 'text_search_content'");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->ColumnInt(0), 0);
}

TEST_F(TextSearchIndex, ShortPhrasesAreFoundAcrossBatchesAndRemovedItemsLeaveNoTrace) {
  const int64_t a = AddText("a.txt", "The soldiers crossed the river at dawn.");
  const int64_t b = AddText("b.txt", "Soldiers again: soldiers by the river.");
  const int64_t box = AddParts("box.mbox", {"no soldiers here, only a river", "a quiet river"});
  EXPECT_EQ(Query({"soldiers", "river"}).size(), 3u);
  EXPECT_EQ(Query({"river"}).size(), 4u);
  Remove(a);
  Remove(box);  // its two parts' rows go with it
  Ranked after = Query({"soldiers", "river"});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].first, b);
  EXPECT_EQ(Query({"river"}).size(), 1u);
  EXPECT_TRUE(Query({"dawn"}).empty());
  EXPECT_TRUE(Query({"quiet"}).empty());
  EXPECT_TRUE(Complete());

  // The scores are those of an archive that only ever held b: the rows,
  // their lengths and the words' counts of a and the parts are all gone.
  testing::TempDir other;
  auto fresh = Archive::Open(other.File("archive"), Archive::Mode::kCreate);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  std::swap(archive_, *fresh);
  AddText("b.txt", "Soldiers again: soldiers by the river.");
  Ranked alone = Query({"soldiers", "river"});
  std::swap(archive_, *fresh);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(after[0].second, alone[0].second);
  auto rows = TextSearchRowsUnder(archive_->db(), b);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (std::vector<int64_t>{b}));
  ExpectVerifies();
}

TEST_F(TextSearchIndex, AnOlderArchivesTableAnswersTheSameAndUpgradeMakesItContentless) {
  const int64_t a = AddText("a.txt", "The soldiers crossed the river.");
  const int64_t b = AddText("b.txt", "Soldiers again: soldiers by the river.");
  const int64_t c = AddText("c.txt", "Soldiers.");
  const int64_t box = AddParts("box.mbox", {"soldiers of the river", "the river"});
  const Ranked before = Query({"soldiers", "river"});
  ASSERT_EQ(before.size(), 3u);
  MakeOlderTable();
  EXPECT_FALSE(Contentless());
  EXPECT_EQ(Query({"soldiers", "river"}), before);
  // The older table still takes adds and removals.
  const int64_t d = AddText("d.txt", "A river, soldiers, a river.");
  Remove(c);
  const Ranked older = Query({"soldiers", "river"});
  ASSERT_EQ(older.size(), 4u);

  auto made = archive_->MakeTextSearchContentless();
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(*made);
  EXPECT_TRUE(Contentless());
  EXPECT_TRUE(Complete());
  EXPECT_EQ(Query({"soldiers", "river"}), older);
  auto again = archive_->MakeTextSearchContentless();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  // Rows copied from the older table are deleted like any other.
  Remove(a);
  Remove(box);
  Ranked left = Query({"soldiers", "river"});
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(std::vector<int64_t>({left[0].first, left[1].first}),
            (std::vector<int64_t>{d, b}));
  ExpectVerifies();
}

TEST_F(TextSearchIndex, ARemovalThatCannotGiveTheIndexedFormBackStartsTheIndexAnew) {
  const int64_t a = AddText("a.txt", "The soldiers crossed the river.");
  const int64_t b = AddText("b.txt", "Soldiers again: soldiers by the river.");
  // As if the folding had changed since a was indexed: its row holds one
  // word more than its text now gives.
  SqliteDb* db = archive_->db();
  auto del = db->Prepare(
      "INSERT INTO text_search(text_search, rowid, words) VALUES('delete', ?, ?)");
  ASSERT_TRUE(del.ok());
  del->Bind(1, a).Bind(2, SearchForm("The soldiers crossed the river."));
  ASSERT_TRUE(del->Run().ok());
  auto ins = db->Prepare("INSERT INTO text_search(rowid, words) VALUES(?, ?)");
  ASSERT_TRUE(ins.ok());
  ins->Bind(1, a).Bind(2, SearchForm("The soldiers crossed the old river."));
  ASSERT_TRUE(ins->Run().ok());

  Remove(a);
  EXPECT_FALSE(Complete());
  EXPECT_EQ(Search("soldiers river"), (std::vector<int64_t>{b}));  // by reading every text
  auto indexed = archive_->IndexTextsForSearch();
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(*indexed, 1u);
  EXPECT_TRUE(Complete());
  EXPECT_EQ(Search("soldiers river"), (std::vector<int64_t>{b}));  // by the index
  EXPECT_TRUE(Search("old").empty());
}

}  // namespace
}  // namespace uncut

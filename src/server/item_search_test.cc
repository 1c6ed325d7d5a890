#include "server/item_search.h"

#include <gtest/gtest.h>

#include "server/http_util.h"

namespace uncut::server {
namespace {

Item MakeItem(int64_t id, std::string name, std::string title = "") {
  Item it;
  it.id = id;
  it.name = std::move(name);
  it.kind = "text";
  it.format = "txt";
  it.sha256 = std::string(63, 'a') + static_cast<char>('0' + id);
  if (!title.empty()) it.meta.title = title;
  return it;
}

TEST(ItemSearch, EveryWordMustMatchSomeField) {
  Item it = MakeItem(1, "speech.txt", "Address to the Nation");
  EXPECT_TRUE(ItemMatches(it, "speech nation"));
  EXPECT_TRUE(ItemMatches(it, "NATION"));
  EXPECT_FALSE(ItemMatches(it, "speech budget"));
  EXPECT_TRUE(ItemMatches(it, "aaaa"));  // SHA-256 prefix
  EXPECT_TRUE(ItemMatches(it, "1"));     // id
}

TEST(ItemSearch, PagesNewestFirst) {
  std::vector<Item> items;
  for (int i = 1; i <= 5; ++i) items.push_back(MakeItem(i, "doc.txt"));
  ItemPage page = SearchItems(items, "doc", "", 1, 2);
  EXPECT_EQ(page.total, 5u);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, 4);
  EXPECT_EQ(page.items[1].id, 3);
  EXPECT_EQ(SearchItems(items, "", "video", 0, 10).total, 0u);
}

TEST(SafeFileName, KeepsOnlyAHarmlessLastComponent) {
  EXPECT_EQ(SafeFileName("../../etc/passwd"), "passwd");
  EXPECT_EQ(SafeFileName("a\"b;c\r\n.txt"), "abc.txt");
  EXPECT_EQ(SafeFileName("..."), "file");
  EXPECT_EQ(SafeFileName(".hidden"), "hidden");
  EXPECT_EQ(SafeFileName("C:\\Users\\x\\clip.mp4"), "clip.mp4");
}

}  // namespace
}  // namespace uncut::server

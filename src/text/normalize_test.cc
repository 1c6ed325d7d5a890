#include "text/normalize.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

std::u32string Skeleton(const std::string& s) { return Normalize(s).skeleton; }

TEST(Normalize, IgnoresCasePunctuationQuotesAndDashes) {
  EXPECT_EQ(Skeleton("“Days’ suffering”—laid him"), Skeleton("\"days' suffering\" -- Laid him"));
  EXPECT_EQ(Skeleton("ice-house"), Skeleton("icehouse"));
}

TEST(Normalize, FoldsPersianSpellingVariants) {
  // ZWNJ, a space, or nothing between the parts of a word.
  EXPECT_EQ(Skeleton("می‌روم"), Skeleton("می روم"));
  EXPECT_EQ(Skeleton("میروم"), Skeleton("می روم"));
  // Arabic yeh and kaf for Persian yeh and keheh.
  EXPECT_EQ(Skeleton("يكديگر"), Skeleton("یکدیگر"));
  // Harakat and tatweel are dropped; teh marbuta is heh.
  EXPECT_EQ(Skeleton("حُقُوق"), Skeleton("حقوق"));
  EXPECT_EQ(Skeleton("كتـــاب"), Skeleton("کتاب"));
  EXPECT_EQ(Skeleton("مدرسة"), Skeleton("مدرسه"));
  // Heh with hamza above, written two ways.
  EXPECT_EQ(Skeleton("خانهٔ"), Skeleton("خانه"));
  EXPECT_EQ(Skeleton("خانۀ"), Skeleton("خانه"));
}

TEST(Normalize, MapsPersianAndArabicIndicDigitsToAscii) {
  EXPECT_EQ(Skeleton("۱۳۹۹"), Skeleton("1399"));
  EXPECT_EQ(Skeleton("٢٠٢٤"), Skeleton("2024"));
}

TEST(Normalize, TokenOffsetsPointAtTheOriginalWords) {
  std::string text = "  Hello, “World”!";
  NormalizedText n = Normalize(text, 100);
  ASSERT_EQ(n.tokens.size(), 2u);
  EXPECT_EQ(n.tokens[0].start, 102u);
  EXPECT_EQ(n.tokens[0].end, 107u);
  EXPECT_EQ(text.substr(n.tokens[1].start - 100, n.tokens[1].end - n.tokens[1].start), "World");
}

TEST(Normalize, NotesOmissionMarkers) {
  NormalizedText n = Normalize("we will … rebuild ... every [...] bridge");
  ASSERT_EQ(n.tokens.size(), 5u);
  EXPECT_FALSE(n.tokens[1].after_marker);
  EXPECT_TRUE(n.tokens[2].after_marker);
  EXPECT_TRUE(n.tokens[3].after_marker);
  EXPECT_TRUE(n.tokens[4].after_marker);
}

TEST(Normalize, KeepsApostrophesInsideWordsOnly) {
  NormalizedText n = Normalize("don't 'quoted'");
  ASSERT_EQ(n.tokens.size(), 2u);
  EXPECT_EQ(n.TokenSkeleton(0), U"dont");
  EXPECT_EQ(n.TokenSkeleton(1), U"quoted");
}

TEST(Normalize, TokenAtFindsTheTokenOfASkeletonCharacter) {
  NormalizedText n = Normalize("ab cde f");
  EXPECT_EQ(n.TokenAt(0), 0u);
  EXPECT_EQ(n.TokenAt(2), 1u);
  EXPECT_EQ(n.TokenAt(4), 1u);
  EXPECT_EQ(n.TokenAt(5), 2u);
}

}  // namespace
}  // namespace uncut

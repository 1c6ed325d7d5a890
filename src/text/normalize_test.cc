#include "text/normalize.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

// Normalize's ASCII fast path against the reference that decodes every
// character: skeletons, offsets and markers must be the same.
void ExpectSameAsReference(const std::string& text) {
  const NormalizedText fast = Normalize(text, 11);
  const NormalizedText ref = normalize_internal::NormalizeDecodingEveryCharacter(text, 11);
  ASSERT_EQ(fast.skeleton, ref.skeleton) << text;
  ASSERT_EQ(fast.tokens.size(), ref.tokens.size()) << text;
  for (size_t i = 0; i < ref.tokens.size(); ++i) {
    EXPECT_EQ(fast.tokens[i].start, ref.tokens[i].start) << text << " token " << i;
    EXPECT_EQ(fast.tokens[i].end, ref.tokens[i].end) << text << " token " << i;
    EXPECT_EQ(fast.tokens[i].skel, ref.tokens[i].skel) << text << " token " << i;
    EXPECT_EQ(fast.tokens[i].after_marker, ref.tokens[i].after_marker) << text << " token " << i;
  }
  // The streaming forms see the same skeleton, token by token.
  std::u32string folded, pieces;
  size_t count = 0;
  ForEachFoldedToken(text, [&](std::u32string_view t) {
    EXPECT_EQ(t, ref.TokenSkeleton(count)) << text << " token " << count;
    ++count;
    folded.append(t);
  });
  EXPECT_EQ(count, ref.tokens.size()) << text;
  ForEachSkeletonPiece(text, [&](std::u32string_view p) { pieces.append(p); });
  EXPECT_EQ(folded, ref.skeleton) << text;
  EXPECT_EQ(pieces, ref.skeleton) << text;
}

TEST(Normalize, AsciiFastPathMatchesFullDecodingOnMixedScripts) {
  const std::vector<std::string> cases = {
      "Hello, World! It's 2024 -- isn't it?",
      "The caf\xC3\xA9 and the cafe\xCC\x81 (combining acute) STRASSE stra\xC3\x9F" "e",
      "\xC3\x89" "COLE \xC3\xA9" "cole \xC3\x85ngstr\xC3\xB6m \xC4\xB0stanbul",
      "d'Artagnan's rock 'n' roll, O\xE2\x80\x99" "Brien\xE2\x80\x99s dog\xCA\xBC" "s",
      "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85 and \xD9\x85\xDB\x8C \xD8\xB1\xD9\x88\xD9\x85",
      "\xD9\x8A\xD9\x83\xD8\xAF\xD9\x8A\xDA\xAF\xD8\xB1 \xD8\xAD\xD9\x8F\xD9\x82\xD9\x8F\xD9\x88\xD9\x82 "
      "\xD9\x83\xD8\xAA\xD9\x80\xD9\x80\xD8\xA7\xD8\xA8 \xD9\x85\xD8\xAF\xD8\xB1\xD8\xB3\xD8\xA9",
      "\xDB\xB1\xDB\xB3\xDB\xB9\xDB\xB9 and \xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA4 and 1399x\xDB\xB1",
      "abc\xE2\x80\x8C" "def ghi\xE2\x80\x8C jkl \xC2\xAD" "mn op\xC2\xAD" "qr",
      "It was... the best\xE2\x80\xA6 of [\xE2\x80\xA6] times. . . end...",
      "\xCC\x81\xCC\x81 marks alone \xD9\x8E\xD9\x8F then AB\xCC\x81" "CD",
      "bad \xFF\xFE bytes\xC3 and trun\xE2\x80",
      "\xEF\xBC\xA8\xEF\xBD\x85\xEF\xBD\x8C\xEF\xBD\x8C\xEF\xBD\x8F fullwidth \xEF\xAC\x81" "ne ligature",
      "ALL'CAPS' 'quoted' a'b'c' ''x''",
  };
  for (const std::string& text : cases) ExpectSameAsReference(text);
}

TEST(Normalize, AsciiFastPathMatchesFullDecodingOnRandomMixedText) {
  // Pieces that border on every rule: ASCII words, digits and separators,
  // apostrophes, markers, Latin with precomposed and combining accents,
  // Persian and Arabic letters and variants, ZWNJ, tatweel, harakat,
  // Persian and Arabic-Indic digits, fullwidth letters, invalid bytes.
  const std::vector<std::string> pieces = {
      "a", "Z", "q", "7", "0", " ", "  ", "\n", "\t", ",", ".", "...", "-", "--", "'", "\"",
      "(", "\xE2\x80\x99", "\xCA\xBC", "\xE2\x80\xA6", "\xE2\x80\x94", "\xC3\xA9", "\xC3\x89",
      "e\xCC\x81", "\xCC\x81", "\xC3\x9F", "\xC4\xB0", "\xD9\x85", "\xDB\x8C", "\xD9\x8A",
      "\xD9\x83", "\xDA\xA9", "\xD8\xA9", "\xD8\xA2", "\xD9\x87\xD9\x94", "\xDB\x80",
      "\xE2\x80\x8C", "\xE2\x80\x8D", "\xC2\xAD", "\xD9\x80", "\xD9\x8E", "\xD9\x90",
      "\xDB\xB4", "\xD9\xA7", "\xEF\xBC\xA1", "\xEF\xAC\x81", "\xFF", "\xC3", "\xE2\x80",
      "Word", "Persian\xE2\x80\x8C", "\xD8\xA7\xD9\x84"};
  std::mt19937 rng(20260107);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t n = 1 + rng() % 40;
    for (size_t i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    ExpectSameAsReference(text);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace uncut

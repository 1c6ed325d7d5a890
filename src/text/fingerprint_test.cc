#include "text/fingerprint.h"

#include <gtest/gtest.h>

#include <string>

#include "text/normalize.h"
#include "text/winnow.h"

namespace uncut {
namespace {

// Texts of every kind Normalize treats specially, long enough to span many
// pieces of the streamed skeleton.
std::string MixedText(int paragraphs) {
  const char* kParts[] = {
      "The Minister's REPORT\xE2\x80\x94 published on 12 March \xE2\x80\x94 said: \"no cuts\". ",
      "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85 \xD9\x83\xD8\xAA\xD8\xA7\xD8\xA8 "
      "\xDB\xB1\xDB\xB2\xDB\xB3 ",  // Persian with ZWNJ, Arabic kaf, Persian digits
      "na\xC3\xAFve caf\xC3\xA9 \xEF\xAC\x81nance \xE2\x85\xA0\xE2\x85\xA1 ",  // NFKC ligature
      "[\xE2\x80\xA6] and then... it's rock'n'roll ",
      "\xFF\xFE broken bytes \xC3 between words ",
      "\xCC\x81\xCC\x81 ",  // marks alone fold to nothing
  };
  std::string out;
  for (int i = 0; i < paragraphs; ++i) {
    out += kParts[i % 6];
    out += "paragraph " + std::to_string(i) + " of the archive's evidence\n";
  }
  return out;
}

TEST(TextPostings, AreTheWinnowedSkeletonOfTheWholeText) {
  for (int paragraphs : {0, 1, 2, 7, 60, 2000}) {
    std::string text = MixedText(paragraphs);
    std::vector<Posting> expected = Winnow(Normalize(text).skeleton, DefaultTextWinnowParams());
    std::vector<Posting> got = TextPostings(text, DefaultTextWinnowParams());
    ASSERT_EQ(got.size(), expected.size()) << paragraphs;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].key, expected[i].key) << i;
      EXPECT_EQ(got[i].pos, expected[i].pos) << i;
    }
  }
}

TEST(TextPostings, MadeWithTheSearchFormAreTheSame) {
  for (int paragraphs : {0, 1, 7, 2000}) {
    std::string text = MixedText(paragraphs);
    std::vector<Posting> expected = TextPostings(text, DefaultTextWinnowParams());
    std::string form = "left over from before";
    std::vector<Posting> got = TextPostings(text, DefaultTextWinnowParams(), &form);
    ASSERT_EQ(got, expected) << paragraphs;
    // The search form is the folded tokens in UTF-8, one space apart.
    NormalizedText n = Normalize(text);
    std::string words;
    for (size_t i = 0; i < n.tokens.size(); ++i) {
      if (i > 0) words += ' ';
      for (char32_t c : n.TokenSkeleton(i)) {
        char buf[4];
        int len = 0;
        if (c < 0x80) {
          buf[len++] = static_cast<char>(c);
        } else if (c < 0x800) {
          buf[len++] = static_cast<char>(0xC0 | (c >> 6));
          buf[len++] = static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
          buf[len++] = static_cast<char>(0xE0 | (c >> 12));
          buf[len++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          buf[len++] = static_cast<char>(0x80 | (c & 0x3F));
        } else {
          buf[len++] = static_cast<char>(0xF0 | (c >> 18));
          buf[len++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
          buf[len++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          buf[len++] = static_cast<char>(0x80 | (c & 0x3F));
        }
        words.append(buf, len);
      }
    }
    EXPECT_EQ(form, words) << paragraphs;
  }
  std::string form;
  TextPostings("The Minister's REPORT \xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85 "
               "\xD9\x83\xD8\xAA\xD8\xA7\xD8\xA8 \xDB\xB1\xDB\xB2",
               DefaultTextWinnowParams(), &form);
  EXPECT_EQ(form,
            "the ministers report \xD9\x85\xDB\x8C\xD8\xB1\xD9\x88\xD9\x85 "
            "\xDA\xA9\xD8\xAA\xD8\xA7\xD8\xA8 12");
}

TEST(TextPostings, SkeletonPiecesJoinToTheSkeleton) {
  std::string text = MixedText(3000);
  std::u32string joined;
  size_t pieces = 0;
  ForEachSkeletonPiece(text, [&](std::u32string_view piece) {
    joined += piece;
    ++pieces;
  });
  EXPECT_EQ(joined, Normalize(text).skeleton);
  EXPECT_GT(pieces, 1u);
}

TEST(TextPostings, FoldedTokensAreTheTokensOfTheSkeleton) {
  std::string text = MixedText(300);
  NormalizedText n = Normalize(text);
  size_t i = 0;
  ForEachFoldedToken(text, [&](std::u32string_view token) {
    ASSERT_LT(i, n.tokens.size());
    EXPECT_EQ(token, n.TokenSkeleton(i)) << i;
    ++i;
  });
  EXPECT_EQ(i, n.tokens.size());
}

}  // namespace
}  // namespace uncut

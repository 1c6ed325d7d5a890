#include "speech/phone_align.h"

#include <gtest/gtest.h>

#include "speech/pronunciation.h"

namespace uncut {
namespace {

constexpr char kDict[] =
    "ask AE1 S K\nnot N AA1 T\nwhat W AH1 T\nyour Y AO1 R\ncountry K AH1 N T R IY0\n"
    "can K AE1 N\ndo D UW1\nfor F AO1 R\nyou Y UW1\nthe DH AH0\nweather W EH1 DH ER0\n"
    "is IH1 Z\nfine F AY1 N\ntoday T AH0 D EY1\nand AH0 N D\nso S OW1\nmy M AY1\n"
    "fellow F EH1 L OW0\namericans AH0 M EH1 R AH0 K AH0 N Z\nall AO1 L\nlovely L AH1 V L IY0\n";

std::vector<Phone> PhonesOf(const PronouncingDictionary& d, std::string_view text) {
  std::vector<Phone> out;
  for (const SpokenWord& w : SpokenWords(text)) {
    for (Phone p : d.Phones(w.word)) out.push_back(p);
  }
  return out;
}

TEST(SpokenWords, KeepsInnerApostrophesAndDropsPunctuation) {
  std::vector<SpokenWord> w = SpokenWords("Feed\xE2\x80\x99st thy light\xE2\x80\x99s flame, \"quoth\" he.");
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[0].word, "feed'st");
  EXPECT_EQ(w[2].word, "light's");
  EXPECT_EQ(w[4].word, "quoth");
  EXPECT_EQ(std::string_view("Feed\xE2\x80\x99st").size(), w[0].end);
}

TEST(PronouncingDictionary, GuessesWordsItLacksFromTheirLetters) {
  PronouncingDictionary d = PronouncingDictionary::FromLines(kDict);
  EXPECT_EQ(d.Phones("can").size(), 3u);
  std::vector<Phone> guess = d.Phones("shipton");
  ASSERT_FALSE(guess.empty());
  EXPECT_EQ(PhoneName(guess[0]), "SH");
  // A possessive the dictionary lacks: the word, then Z.
  std::vector<Phone> pos = d.Phones("country's");
  ASSERT_EQ(pos.size(), 7u);
  EXPECT_EQ(PhoneName(pos.back()), "Z");
}

TEST(AlignPhones, FindsAQuoteInAMisheardTranscript) {
  PronouncingDictionary d = PronouncingDictionary::FromLines(kDict);
  // What the recogniser heard for "and so my fellow americans ask not what
  // your country can do for you": several words wrong.
  std::vector<Phone> heard = PhonesOf(d, "the weather is fine today and all my fellow america and not "
                                         "what your country can do for you and lovely");
  std::vector<Phone> quote = PhonesOf(d, "ask not what your country can do for you");
  PhoneAlignment a = AlignPhones(quote, heard);
  EXPECT_GT(a.Similarity(quote.size(), PhoneScores()), 0.7);
  // The match starts after "the weather is fine today" (13 phones) and
  // ends before "and lovely".
  std::vector<Phone> before = PhonesOf(d, "the weather is fine today and all my fellow america");
  EXPECT_GE(a.transcript_begin, before.size());
  EXPECT_LE(a.transcript_end, heard.size() - PhonesOf(d, "and lovely").size() + 1);
}

TEST(AlignPhones, ScoresAnUnrelatedQuoteLow) {
  PronouncingDictionary d = PronouncingDictionary::FromLines(kDict);
  std::vector<Phone> heard = PhonesOf(d, "ask not what your country can do for you");
  std::vector<Phone> quote = PhonesOf(d, "the weather is fine today and so lovely");
  PhoneAlignment a = AlignPhones(quote, heard);
  EXPECT_LT(a.Similarity(quote.size(), PhoneScores()), 0.35);
}

TEST(AlignPhones, EmptyInputsAlignNothing) {
  std::vector<Phone> none;
  std::vector<Phone> some = {1, 2, 3};
  EXPECT_EQ(AlignPhones(none, some).score, 0);
  EXPECT_EQ(AlignPhones(some, none).score, 0);
}

}  // namespace
}  // namespace uncut

#include "align/token_align.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace uncut {
namespace {

TokenAlignment Align(const std::string& query, const std::string& source) {
  NormalizedText q = Normalize(query), s = Normalize(source);
  return AlignTokens(q, 0, q.tokens.size(), s, 0, s.tokens.size());
}

std::vector<EditKind> Kinds(const TokenAlignment& a) {
  std::vector<EditKind> k;
  for (const EditRun& r : a.runs) k.push_back(r.kind);
  return k;
}

TEST(TokenAlign, FindsAVerbatimQuoteInsideLongerText) {
  TokenAlignment a = Align("the rivers rose in the south",
                           "the harvest failed in the north and the rivers rose in the south yet");
  EXPECT_EQ(Kinds(a), std::vector<EditKind>{EditKind::kSame});
  EXPECT_EQ(a.s_begin, 7u);
  EXPECT_EQ(a.s_end, 13u);
  EXPECT_EQ(a.matched_query_tokens, 6u);
}

TEST(TokenAlign, ReportsOmittedRunBetweenTwoPieces) {
  TokenAlignment a = Align("we will rebuild every bridge before the winter comes",
                           "we will rebuild every bridge that the floods destroyed and we will do it "
                           "before the winter comes");
  ASSERT_EQ(Kinds(a), (std::vector<EditKind>{EditKind::kSame, EditKind::kOmitted, EditKind::kSame}));
  EXPECT_EQ(a.runs[1].s_end - a.runs[1].s_begin, 9u);
}

TEST(TokenAlign, ReportsAChangedWord) {
  TokenAlignment a = Align("our soldiers guarded it with cruelty and they deserve thanks",
                           "our soldiers guarded it with courage and they deserve thanks");
  ASSERT_EQ(Kinds(a), (std::vector<EditKind>{EditKind::kSame, EditKind::kChanged, EditKind::kSame}));
  EXPECT_EQ(a.runs[1].q_begin, 5u);
}

TEST(TokenAlign, ReportsAnAddedWord) {
  TokenAlignment a = Align("we seek lasting peace with every neighbour and war with none",
                           "we seek peace with every neighbour and war with none");
  ASSERT_EQ(Kinds(a), (std::vector<EditKind>{EditKind::kSame, EditKind::kAdded, EditKind::kSame}));
}

TEST(TokenAlign, MatchesOneWordAgainstTwoThatJoinToIt) {
  TokenAlignment a = Align("آزادی هائی را که در این اعلامیه", "آزادی‌هائی را که در این اعلامیه");
  EXPECT_EQ(Kinds(a), std::vector<EditKind>{EditKind::kSame});
  EXPECT_EQ(a.q_end - a.q_begin, 7u);
  EXPECT_EQ(a.s_end - a.s_begin, 6u);
}

TEST(TokenAlign, MarkedOmissionsAreCheaperThanSilentOnes) {
  std::string source = "one two three four five six seven eight nine ten eleven twelve";
  TokenAlignment silent = Align("one two three four nine ten eleven twelve", source);
  TokenAlignment marked = Align("one two three four ... nine ten eleven twelve", source);
  EXPECT_GT(marked.score, silent.score);
}

TEST(TokenAlign, FindsNothingInUnrelatedText) {
  TokenAlignment a = Align("completely different words here", "nothing in common at all");
  EXPECT_EQ(a.matched_query_tokens, 0u);
  EXPECT_TRUE(a.runs.empty());
}

// `count` words drawn from a vocabulary of a billion (so nearly all differ), as text.
std::string RandomWords(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < count; ++i) out += "w" + std::to_string(rng() % 1000000000) + " ";
  return out;
}

TEST(TokenAlign, LongPairIsAlignedInMemoryLinearInTheQuery) {
  // 20,000 words quoted from a 30,000-word source, 300 words left out in the
  // middle and one word changed: a full table would hold 20,000 x 30,000 cells.
  std::string before = RandomWords(5000, 1), head = RandomWords(10000, 2),
              cut = RandomWords(300, 3), tail = RandomWords(10000, 4),
              after = RandomWords(4700, 5);
  std::string changed_tail = "changed " + tail.substr(tail.find(' ') + 1);
  NormalizedText s = Normalize(before + head + cut + tail + after);
  NormalizedText q = Normalize(head + changed_tail);
  ASSERT_EQ(q.tokens.size(), 20000u);
  ASSERT_EQ(s.tokens.size(), 30000u);
  TokenAlignment a = AlignTokens(q, 0, q.tokens.size(), s, 0, s.tokens.size());
  ASSERT_EQ(Kinds(a), (std::vector<EditKind>{EditKind::kSame, EditKind::kOmitted,
                                             EditKind::kChanged, EditKind::kSame}));
  EXPECT_EQ(a.s_begin, 5000u);
  EXPECT_EQ(a.runs[1].s_begin, 15000u);
  EXPECT_EQ(a.runs[1].s_end, 15300u);
  EXPECT_EQ(a.runs[2].q_begin, 10000u);
  EXPECT_EQ(a.s_end, 25300u);
  // Bounded by the query's length: at most 1 KiB per query token, against
  // 600 million cells for the whole table.
  RecordProperty("dp_bytes", std::to_string(a.dp_bytes));
  EXPECT_GT(a.dp_bytes, 0u);
  EXPECT_LE(a.dp_bytes, 1024u * q.tokens.size());
}

TEST(TokenAlign, BandBridgesAnOmissionBetweenGivenAnchors) {
  // Anchors only where the two pieces start: the band between them spans
  // both diagonals, so the 200 skipped words are found.
  std::string head = RandomWords(400, 6), cut = RandomWords(200, 7), tail = RandomWords(400, 8);
  NormalizedText s = Normalize(head + cut + tail);
  NormalizedText q = Normalize(head + tail);
  std::vector<TokenAnchor> anchors = {{0, 0}, {400, 600}};
  TokenAlignment a = AlignTokens(q, 0, q.tokens.size(), s, 0, s.tokens.size(), anchors);
  ASSERT_EQ(Kinds(a), (std::vector<EditKind>{EditKind::kSame, EditKind::kOmitted, EditKind::kSame}));
  EXPECT_EQ(a.runs[1].s_begin, 400u);
  EXPECT_EQ(a.runs[1].s_end, 600u);
  EXPECT_EQ(a.matched_query_tokens, 800u);
}

TEST(TokenAlign, UniqueAnchorsAreTheLongestRunInOrderOnBothSides) {
  NormalizedText q = Normalize("alpha the beta the gamma delta");
  NormalizedText s = Normalize("gamma alpha the beta the delta");
  std::vector<TokenAnchor> a = UniqueTokenAnchors(q, 0, q.tokens.size(), s, 0, s.tokens.size());
  // "the" occurs twice; gamma is out of order against alpha, beta and delta.
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].q, 0u);
  EXPECT_EQ(a[0].s, 1u);
  EXPECT_EQ(a[1].q, 2u);
  EXPECT_EQ(a[1].s, 3u);
  EXPECT_EQ(a[2].q, 5u);
  EXPECT_EQ(a[2].s, 5u);
}

}  // namespace
}  // namespace uncut

#include "align/token_align.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace uncut

#include "trace/text_location.h"

#include <gtest/gtest.h>

#include <string>

namespace uncut {
namespace {

// The context before and after `quote` in `text`, as text.
struct Context {
  std::string before, after;
  bool before_clipped = false, after_clipped = false;
};

Context Around(const std::string& text, const std::string& quote, int sentences = 1) {
  size_t at = text.find(quote);
  EXPECT_NE(at, std::string::npos) << quote;
  uint64_t end = at + quote.size();
  Context c;
  uint64_t b = ContextBefore(text, at, sentences, kMaxContextBytes, &c.before_clipped);
  uint64_t a = ContextAfter(text, end, sentences, kMaxContextBytes, &c.after_clipped);
  c.before = CollapseSpace(text.substr(b, at - b));
  c.after = CollapseSpace(text.substr(end, a - end));
  return c;
}

TEST(TextContext, RunsOnAcrossAHardWrappedLineToTheEndOfTheSentence) {
  std::string text =
      "The minister spoke on Monday. He said that the reports that soldiers forced families\n"
      "out of their homes are false. The army has opened an inquiry.\n";
  Context c = Around(text, "reports that soldiers forced families");
  EXPECT_EQ(c.before, "He said that the");
  EXPECT_EQ(c.after, "out of their homes are false.");
}

TEST(TextContext, AQuoteEndingAtALineEndStillGetsTheRestOfItsSentence) {
  std::string text =
      "The minister spoke on Monday.\nHe said that reports that soldiers forced families out of "
      "their homes\nare false. The army has opened an inquiry.\n";
  Context c = Around(text, "reports that soldiers forced families out of their homes");
  EXPECT_EQ(c.before, "He said that");
  EXPECT_EQ(c.after, "are false.");
}

TEST(TextContext, AWholeSentenceOnEachSideWhenTheQuoteIsOneSentence) {
  std::string text =
      "The minister spoke on Monday\nafternoon. Reports of forced removals are false.\nThe "
      "army has\nopened an inquiry. It will report in May.";
  Context c = Around(text, "Reports of forced removals are false.");
  EXPECT_EQ(c.before, "The minister spoke on Monday afternoon.");
  EXPECT_EQ(c.after, "The army has opened an inquiry.");
  Context two = Around(text, "Reports of forced removals are false.", 2);
  EXPECT_EQ(two.after, "The army has opened an inquiry. It will report in May.");
}

TEST(TextContext, ASentenceSplitByAPageOrColumnBreakIsOneSentence) {
  std::string text =
      "The minister spoke on Monday. He said that reports that soldiers forced families\n\n"
      "out of their homes are false.\n\nA new paragraph begins here.";
  Context c = Around(text, "He said that reports");
  EXPECT_EQ(c.after, "that soldiers forced families out of their homes are false.");
  std::string paged = "It was said that the reports\f were false. Then more.";
  EXPECT_EQ(Around(paged, "It was said").after, "that the reports were false.");
}

TEST(TextContext, AParagraphEndIsASentenceEnd) {
  std::string text = "Summary of the year\n\nThe board met twice. It agreed on a budget.";
  Context c = Around(text, "The board met twice.");
  EXPECT_EQ(c.before, "Summary of the year");
  EXPECT_EQ(c.after, "It agreed on a budget.");
}

TEST(TextContext, ALongSentenceIsCutAtAWordAndSaysSo) {
  std::string longer;
  for (int i = 0; i < 200; ++i) longer += "and more words ";
  std::string text = "Start here. The quote is this " + longer + "until the end.";
  Context c = Around(text, "The quote is this");
  EXPECT_TRUE(c.after_clipped);
  EXPECT_FALSE(c.before_clipped);
  EXPECT_LE(c.after.size(), kMaxContextBytes);
  EXPECT_GT(c.after.size(), kMaxContextBytes / 2);
  EXPECT_EQ(c.after.substr(c.after.size() - 5), "words") << c.after;
  EXPECT_EQ(c.before, "Start here.");
}

TEST(TextContext, JoiningLinesKeepsEveryOffset) {
  std::string text = "one\ntwo\r\nthree.\n\nFour\n\n Five\n\nsix";
  std::string joined = JoinWrappedLines(text);
  ASSERT_EQ(joined.size(), text.size());
  EXPECT_EQ(joined, "one two  three.\n\nFour\n\n Five  six");
}

// OCR text of two pages: "alpha beta" on page 1, "gamma delta" on page 2,
// each word with its box in points.
ExtractedText TwoScannedPages() {
  ExtractedText t;
  t.text = "alpha beta\n\ngamma delta";
  nlohmann::json ocr = {{"engine", "tesseract"}, {"box_unit", "pt"}};
  t.anchors = {{0, "page", 1},          {0, "ocr", ocr},
               {0, "box", {10, 20, 30, 10}}, {6, "box", {45, 22, 25, 10}},
               {12, "page", 2},         {12, "ocr", ocr},
               {12, "box", {12, 40, 40, 11}}, {18, "box", {60, 41, 30, 11}}};
  t.map = OffsetMap::Identity(t.text.size());
  return t;
}

TEST(LocateText, TheBoxesOfTheQuotedWordsBecomeTheRegionOnEachPage) {
  ExtractedText t = TwoScannedPages();
  TextLocation one = LocateText(t, t.text, 0, 10);  // "alpha beta"
  EXPECT_EQ(one.anchors["region"],
            nlohmann::json({{"x", 10}, {"y", 20}, {"w", 60}, {"h", 12}, {"unit", "pt"}}));
  EXPECT_FALSE(one.anchors.contains("box"));
  EXPECT_FALSE(one.anchors_end.contains("region"));
  // From inside "beta" to "gamma": beta's box on page 1, gamma's on page 2.
  TextLocation both = LocateText(t, t.text, 7, 17);
  EXPECT_EQ(both.anchors["page"], 1);
  EXPECT_EQ(both.anchors["region"]["x"], 45);
  EXPECT_EQ(both.anchors_end["page"], 2);
  EXPECT_EQ(both.anchors_end["region"],
            nlohmann::json({{"x", 12}, {"y", 40}, {"w", 40}, {"h", 11}, {"unit", "pt"}}));
}

}  // namespace
}  // namespace uncut

namespace uncut {
namespace {

ExtractedText Utf8Text(const std::string& s) {
  return ExtractedText{s, OffsetMap::Identity(s.size()), {}};
}

TEST(LocateText, ANullAnchorEndsWhatTheAnchorOfItsKindSaid) {
  // Page 1 read by OCR, page 2 with a text layer of its own.
  ExtractedText t;
  t.text = "scanned words\ntyped words";
  t.anchors = {{0, "page", 1}, {0, "ocr", {{"engine", "tesseract"}}}, {14, "page", 2},
               {14, "ocr", nullptr}};
  t.map = OffsetMap::Identity(t.text.size());
  TextLocation scanned = LocateText(t, t.text, 0, 7);
  EXPECT_TRUE(scanned.anchors.contains("ocr"));
  TextLocation typed = LocateText(t, t.text, 14, 19);
  EXPECT_EQ(typed.anchors["page"], 2);
  EXPECT_FALSE(typed.anchors.contains("ocr")) << typed.anchors;
  TextLocation across = LocateText(t, t.text, 8, 19);
  EXPECT_TRUE(across.anchors.contains("ocr"));
  EXPECT_EQ(across.anchors_end["page"], 2);
}

TEST(LocateText, ASpanRightAfterABlankLineIsInTheParagraphThatFollows) {
  const std::string text =
      "First paragraph here.\n\nSecond paragraph with the soldiers.\n\nThird one.\n";
  ExtractedText t = Utf8Text(text);
  uint64_t at = text.find("Second");
  TextLocation second = LocateText(t, text, at, at + 6);
  EXPECT_EQ(second.paragraph, 2);
  EXPECT_EQ(second.line, 3);
  EXPECT_EQ(second.column, 1);
  uint64_t mid = text.find("soldiers");
  EXPECT_EQ(LocateText(t, text, mid, mid + 8).paragraph, 2);
  uint64_t third = text.find("Third");
  EXPECT_EQ(LocateText(t, text, third, third + 5).paragraph, 3);
  EXPECT_EQ(LocateText(t, text, 0, 5).paragraph, 1);
}

TEST(LocateText, ColumnsAndCharactersCountLettersNotBytes) {
  // «گزارش متن» in UTF-8: each Persian letter is two bytes.
  const std::string text = "\xDA\xAF\xD8\xB2\xD8\xA7\xD8\xB1\xD8\xB4 \xD9\x85\xD8\xAA\xD9\x86";
  ExtractedText t = Utf8Text(text);
  uint64_t at = text.find(' ') + 1;
  TextLocation l = LocateText(t, text, at, text.size());
  EXPECT_EQ(l.column, 7);
  EXPECT_EQ(l.start_char, 6u);
  EXPECT_EQ(l.end_char, 9u);
  EXPECT_EQ(l.text_chars, 9u);
}

TEST(LocateText, ColumnsOfAWindows1256OriginalCountItsLetters) {
  // The same words in windows-1256 (گ is 0xAF, a byte UTF-8 would take for a
  // continuation), decoded to UTF-8 with a map back to the single bytes.
  const std::string original = "\xAF\xD2\xC7\xD1\xD4 \xE3\xCA\xE4";
  const std::string text = "\xDA\xAF\xD8\xB2\xD8\xA7\xD8\xB1\xD8\xB4 \xD9\x85\xD8\xAA\xD9\x86";
  OffsetMapBuilder map;
  for (uint64_t i = 0; i < original.size(); ++i) {
    if (original[i] == ' ') {
      map.Copy(1, i);
    } else {
      map.Replace(2, i, 1);
    }
  }
  ExtractedText t{text, std::move(map).Build(), {}};
  uint64_t at = text.find(' ') + 1;
  TextLocation l = LocateText(t, original, at, text.size());
  EXPECT_EQ(l.start_byte, 6u);
  EXPECT_EQ(l.line, 1);
  EXPECT_EQ(l.column, 7);
  EXPECT_EQ(l.start_char, 6u);
}

}  // namespace
}  // namespace uncut

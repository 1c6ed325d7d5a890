#include "extract/pdf_layout.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace uncut {
namespace {

// A page of lines, each line's words laid left to right, 12 points apart.
PdfPage Page(const std::vector<std::string>& lines, double first_top = 100) {
  PdfPage p;
  p.height = 800;
  double top = first_top;
  for (const std::string& line : lines) {
    double x = 72;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string::npos) sp = line.size();
      std::string w = line.substr(pos, sp - pos);
      p.words.push_back({w, x, top, x + 6.0 * w.size(), top + 10, true});
      x += 6.0 * w.size() + 4;
      pos = sp + 1;
    }
    top += 12;
  }
  return p;
}

TEST(LayOutPdf, JoinsAWordHyphenatedAtTheEndOfALine) {
  PdfText t = LayOutPdf({Page({"the board will recon-", "sider the plan"})});
  EXPECT_EQ(t.text.text, "the board will reconsider the plan");
  EXPECT_EQ(t.hyphens_joined, 1);
}

TEST(LayOutPdf, KeepsAHyphenBeforeACapitalisedWord) {
  PdfText t = LayOutPdf({Page({"the north-", "South road"})});
  EXPECT_EQ(t.text.text, "the north-\nSouth road");
}

TEST(LayOutPdf, DropsRunningHeadersAndPageNumbersSoAPassageCrossesPages) {
  std::vector<PdfPage> pages;
  const char* words[] = {"", "alpha", "beta", "gamma"};
  for (int i = 1; i <= 3; ++i) {
    std::vector<std::string> lines = {"Annual Report 2024"};
    lines.push_back(StrCat("body line ", words[i], " of the report continues"));
    lines.push_back(StrCat("and goes on about ", words[i], " water"));
    lines.push_back(StrCat("and ends on page ", words[i]));
    PdfPage p = Page(lines);
    PdfPage footer = Page({StrCat(i)}, 760);
    p.words.insert(p.words.end(), footer.words.begin(), footer.words.end());
    pages.push_back(p);
  }
  PdfText t = LayOutPdf(pages);
  EXPECT_EQ(t.text.text.find("Annual Report"), std::string::npos) << t.text.text;
  EXPECT_NE(t.text.text.find("ends on page alpha\nbody line beta"), std::string::npos) << t.text.text;
  ASSERT_EQ(t.dropped_lines.size(), 2u);
  std::vector<int> page_at;
  for (const Anchor& a : t.text.anchors) {
    if (a.kind == "page") page_at.push_back(static_cast<int>(a.text_offset));
  }
  ASSERT_EQ(page_at.size(), 3u);
  EXPECT_EQ(page_at[1], static_cast<int>(t.text.text.find("body line beta")));
}

TEST(LayOutPdf, KeepsALineRepeatedOnEveryPageWhenThePagesHoldNothingElse) {
  std::vector<PdfPage> pages;
  for (int i = 1; i <= 3; ++i) {
    pages.push_back(Page({StrCat("Reading ", i, " taken at the north station")}));
  }
  PdfText t = LayOutPdf(pages);
  EXPECT_EQ(t.text.text,
            "Reading 1 taken at the north station\nReading 2 taken at the north station\n"
            "Reading 3 taken at the north station");
  EXPECT_TRUE(t.dropped_lines.empty());
}

TEST(LayOutPdf, DropsAHeaderOnPagesThatHoldOnlyItWhenMostPagesHoldMore) {
  std::vector<PdfPage> pages;
  const char* words[] = {"", "alpha", "beta", "gamma", "delta"};
  for (int i = 1; i <= 4; ++i) {
    std::vector<std::string> lines = {"Annual Report 2024"};
    if (i != 3) lines.push_back(StrCat("body text about ", words[i]));
    pages.push_back(Page(lines));
  }
  PdfText t = LayOutPdf(pages);
  EXPECT_EQ(t.text.text.find("Annual Report"), std::string::npos) << t.text.text;
  ASSERT_EQ(t.dropped_lines.size(), 1u);
}

TEST(LayOutPdf, NeverDropsEveryLineOfADocument) {
  std::vector<PdfPage> pages;
  for (int i = 1; i <= 3; ++i) pages.push_back(Page({StrCat(i)}));
  PdfText t = LayOutPdf(pages);
  EXPECT_EQ(t.text.text, "1\n2\n3");
}

TEST(LayOutPdf, StartsAParagraphAfterAVerticalGap) {
  PdfPage p = Page({"first paragraph ends here."});
  PdfPage q = Page({"second paragraph."}, 140);
  p.words.insert(p.words.end(), q.words.begin(), q.words.end());
  EXPECT_EQ(LayOutPdf({p}).text.text, "first paragraph ends here.\n\nsecond paragraph.");
}

}  // namespace
}  // namespace uncut

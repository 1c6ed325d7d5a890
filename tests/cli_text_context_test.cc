// End-to-end tests of what a text trace shows around a quote (the rest of
// its sentences, across line, page and column breaks) and of short quotes
// looked up as exact phrases.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/pdf.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using nlohmann::json;
using testing::RunResult;
using testing::ShellQuote;
using testing::TempDir;

// One line of text placed on a PDF page (points from the bottom left).
struct PdfLine {
  double x, y;
  std::string text;  // ASCII, without parentheses or backslashes
};

// A PDF of US-letter pages whose lines are set in 11-point Helvetica (a
// standard font, not embedded) exactly where given, so the test decides
// where lines, columns and pages break.
std::string MakePdf(const std::vector<std::vector<PdfLine>>& pages) {
  std::vector<std::string> objects;
  std::string kids;
  const size_t first_page = 4;  // 1 catalog, 2 pages, 3 font
  for (size_t i = 0; i < pages.size(); ++i) {
    StrAppend(&kids, first_page + 2 * i, " 0 R ");
  }
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back(StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", pages.size(), " >>"));
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (size_t i = 0; i < pages.size(); ++i) {
    std::string content = "BT /F1 11 Tf\n";
    for (const PdfLine& l : pages[i]) {
      StrAppend(&content, "1 0 0 1 ", l.x, " ", l.y, " Tm (", l.text, ") Tj\n");
    }
    content += "ET\n";
    objects.push_back(StrCat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << "
                             "/Font << /F1 3 0 R >> >> /Contents ",
                             first_page + 2 * i + 1, " 0 R >>"));
    objects.push_back(
        StrCat("<< /Length ", content.size(), " >>\nstream\n", content, "endstream"));
  }
  return testing::PdfOfObjects(objects);
}

class CliTextContext : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }

  void Add(const std::string& path) {
    RunResult r = Uncut("add " + ShellQuote(path));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The JSON trace of `quote`, which must be found.
  json Trace(const std::string& quote) {
    RunResult r = Uncut("trace --json --text " + ShellQuote(quote));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }

  static std::string Context(const json& source, const std::string& role) {
    for (const json& iv : source["intervals"]) {
      if (iv["role"] == role) return iv.value("text", "");
    }
    return "";
  }

  // Checks the context of `quote` in the JSON, the terminal and the HTML.
  void ExpectContext(const std::string& quote, const std::string& before,
                     const std::string& after) {
    json j = Trace(quote);
    ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
    EXPECT_EQ(Context(j["sources"][0], "before"), before) << j["sources"][0].dump(2);
    EXPECT_EQ(Context(j["sources"][0], "after"), after) << j["sources"][0].dump(2);
    RunResult text = Uncut("trace --text " + ShellQuote(quote));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("  before: " + before + "\n"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("  after: " + after + "\n"), std::string::npos) << text.out;
    std::string html_path = dir_.File("report.html");
    RunResult html = Uncut(StrCat("trace --text ", ShellQuote(quote), " --html ",
                                  ShellQuote(html_path)));
    ASSERT_EQ(html.exit_code, 0) << html.err;
    std::ifstream in(html_path);
    std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(page.find("<span class=\"ctx\">" + before + "</span>"), std::string::npos);
    EXPECT_NE(page.find("<span class=\"ctx\">" + after + "</span>"), std::string::npos);
  }

  TempDir dir_;
};

TEST_F(CliTextContext, HardWrappedTextShowsTheRestOfTheSentenceOnTheNextLines) {
  Add(dir_.Write("statement.txt",
                 "The minister spoke to the press on Monday morning. He said that\n"
                 "reports that soldiers forced families out of their homes\n"
                 "are false, and that the army has opened an inquiry into\n"
                 "the events of last week. Journalists were not allowed to ask\n"
                 "questions.\n"));
  ExpectContext("reports that soldiers forced families out of their homes", "He said that",
                "are false, and that the army has opened an inquiry into the events of last "
                "week.");
}

TEST_F(CliTextContext, PdfLineBreakPageBreakAndColumnBreakInsideASentence) {
  // Page 1: a line that ends mid-sentence, then a sentence that runs on to
  // page 2. Page 2: two columns, a sentence running from the foot of the
  // left one to the top of the right one.
  std::vector<std::vector<PdfLine>> pages = {
      {{72, 720, "The minister spoke to the press on Monday morning. He said that"},
       {72, 706, "reports that soldiers forced families out of their homes"},
       {72, 692, "are false. The army has opened an inquiry."},
       {72, 664, "The inquiry will hear witnesses from the villages and"},
       {72, 650, "will publish what they say"}},
      {{72, 720, "before the end of the year. Its chair"},
       {72, 706, "was appointed by parliament. The chair"},
       {72, 692, "said that the witnesses would be"},
       {330, 720, "heard in public hearings in the capital."},
       {330, 706, "Nobody will be asked to travel."}}};
  std::ofstream(dir_.File("statement.pdf"), std::ios::binary) << MakePdf(pages);
  Add(dir_.File("statement.pdf"));
  ExpectContext("reports that soldiers forced families out of their homes", "He said that",
                "are false.");
  ExpectContext("The inquiry will hear witnesses from the villages", "The army has opened an inquiry.",
                "and will publish what they say before the end of the year.");
  ExpectContext("Its chair was appointed by parliament.",
                "The inquiry will hear witnesses from the villages and will publish what they "
                "say before the end of the year.",
                "The chair said that the witnesses would be heard in public hearings in the "
                "capital.");
}

TEST_F(CliTextContext, HtmlLineBreakInsideASentenceIsRunOn) {
  Add(dir_.Write("statement.html",
                 "<html><body><h1>Statement</h1><p>The minister spoke to the press on Monday. "
                 "He said that reports that soldiers forced families out of their homes<br>are "
                 "false.<br>The army has opened an inquiry.</p><p>Next paragraph.</p>"
                 "</body></html>"));
  ExpectContext("reports that soldiers forced families out of their homes", "He said that",
                "are false.");
}

// Three short documents; "freedom of speech" is in the first two.
class CliShortQuote : public CliTextContext {
 protected:
  void SetUp() override {
    RunResult r = Uncut(StrCat(
        "add ",
        ShellQuote(dir_.Write("charter.txt",
                              "The charter protects freedom of speech and the right to assemble "
                              "peacefully in public places.\n")),
        " ",
        ShellQuote(dir_.Write("critics.txt",
                              "Critics said the new law restricts Freedom of Speech online. "
                              "They want the court to review it, since FREEDOM OF SPEECH is "
                              "a right.\n")),
        " ",
        ShellQuote(dir_.Write("budget.txt",
                              "The council approved the budget for the new library and the "
                              "repairs to the old bridge over the river.\n"))));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::vector<std::string> Names(const json& j) {
    std::vector<std::string> out;
    for (const json& s : j["sources"]) out.push_back(s["item"]["name"]);
    return out;
  }
};

TEST_F(CliShortQuote, AThreeWordQuoteNamesEverySourceThatHoldsItWithItsSpan) {
  json j = Trace("freedom of speech");
  EXPECT_EQ(j["verdict"], "found");
  // The exact characters first; then the source with the words in other case.
  ASSERT_EQ(Names(j), (std::vector<std::string>{"charter.txt", "critics.txt"})) << j.dump(2);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_EQ(seg["source"]["start"], 21);
  EXPECT_EQ(seg["source"]["end"], 38);
  EXPECT_EQ(seg["verdict"], "verbatim");
  const json& other = j["sources"][1];
  EXPECT_EQ(other["segments"][0]["source"]["text"], "Freedom of Speech");
  std::string notes = other["notes"].dump();
  EXPECT_NE(notes.find("occurs 2 times"), std::string::npos) << notes;
  // Too few letters for the index to promise completeness: it says what it did.
  EXPECT_NE(j["warnings"].dump().find("every archived text was searched"), std::string::npos)
      << j["warnings"].dump();
  RunResult text = Uncut("trace --text 'freedom of speech'");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("Source 1: charter.txt"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Source 2: critics.txt"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("budget.txt"), std::string::npos) << text.out;
}

TEST_F(CliShortQuote, AFiveWordQuoteIsFoundThroughTheIndexAlone) {
  json j = Trace("restricts freedom of speech online");
  ASSERT_EQ(Names(j), (std::vector<std::string>{"critics.txt"})) << j.dump(2);
  EXPECT_EQ(j["sources"][0]["segments"][0]["source"]["text"], "restricts Freedom of Speech online");
  EXPECT_EQ(j["warnings"].dump().find("searched"), std::string::npos) << j["warnings"].dump();
}

TEST_F(CliShortQuote, AShortQuoteNoSourceHoldsIsNotFound) {
  RunResult r = Uncut("trace --text 'freedom of the press'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Not found"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace uncut

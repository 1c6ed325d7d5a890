// End-to-end tests of how the command line reads to a person: `list` with
// its header, columns and filters, `search` by the words of the texts,
// `show` in a reader's order, and where a trace says a quote is.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::ShellQuote;

constexpr char kMbox[] =
    "From ann@example.org Tue Aug 20 12:00:00 2002\n"
    "From: Ann <ann@example.org>\nTo: desk@example.org\n"
    "Subject: Budget for the bridge\nDate: Tue, 20 Aug 2002 12:00:00 +0000\n"
    "Message-ID: <1@example.org>\n\n"
    "The council will vote on the budget for the new bridge on Friday morning.\n\n"
    "From bo@example.org Wed Aug 21 09:30:00 2002\n"
    "From: Bo <bo@example.org>\nTo: desk@example.org\n"
    "Subject: Ferry times\nDate: Wed, 21 Aug 2002 09:30:00 +0000\n"
    "Message-ID: <2@example.org>\n\n"
    "The ferry will run every hour until the water goes down in the valley.\n";

class CliReading : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  void Add(const std::string& name, const std::string& content, const std::string& flags = "") {
    RunResult r = Uncut(StrCat("add ", flags, " ", ShellQuote(dir_.Write(name, content))));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static std::vector<std::string> Lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(CliReading, ListHasAHeaderColumnsThatHoldAndMessagesUnderTheirMailbox) {
  Add("speech.txt", "Our soldiers have guarded the border with courage.\n",
      "--source-url https://example.org/speech");
  Add("board.mbox", kMbox);
  RunResult r = Uncut("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0].rfind("ID", 0), 0u) << r.out;
  // Every column starts at the same place on every line, "container" too;
  // names of parts are indented under their item's.
  for (const char* column : {"KIND", "FORMAT", "SIZE", "ADDED", "SHA-256"}) {
    size_t at = lines[0].find(column);
    ASSERT_NE(at, std::string::npos) << column;
    for (size_t i = 1; i < lines.size(); ++i) {
      EXPECT_NE(lines[i][at], ' ') << column << " in line " << i << "\n" << r.out;
      EXPECT_EQ(lines[i][at - 1], ' ') << column << " in line " << i << "\n" << r.out;
    }
  }
  size_t name = lines[0].find("NAME");
  EXPECT_EQ(lines[2].substr(name), "board.mbox") << r.out;
  EXPECT_EQ(lines[3].substr(name), "  Budget for the bridge") << r.out;
  EXPECT_EQ(lines[4].substr(name), "  Ferry times") << r.out;
  EXPECT_NE(lines[2].find("container"), std::string::npos) << r.out;

  RunResult texts = Uncut("list --kind container");
  EXPECT_EQ(Lines(texts.out).size(), 2u) << texts.out;
  RunResult url = Uncut("list --source-url https://example.org/");
  ASSERT_EQ(Lines(url.out).size(), 2u) << url.out;
  EXPECT_NE(url.out.find("speech.txt"), std::string::npos) << url.out;
  EXPECT_NE(Uncut("list --since 2000-01-01").out.find("Ferry times"), std::string::npos);
  EXPECT_EQ(Uncut("list --since 2999-01-01").out, "no item matches\n");
  RunResult bad = Uncut("list --kind vidoe");
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.err.find("vidoe"), std::string::npos) << bad.err;
  EXPECT_EQ(Lines(bad.err).size(), 1u) << bad.err;
  EXPECT_EQ(Uncut("list --since yesterday").exit_code, 3);
}

TEST_F(CliReading, SearchFindsItemsByTheirTextRankedWithTheWordsMarked) {
  Add("speech.txt", "Finally, the border. Our soldiers have guarded it with courage.\n");
  Add("notes.txt", "Soldiers, soldiers: the soldiers came home.\n");
  Add("weather.txt", "Rain tonight, clearing from the west.\n");
  RunResult r = Uncut("search soldiers");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_NE(lines[0].find("notes.txt"), std::string::npos) << r.out;
  EXPECT_NE(lines[2].find("speech.txt"), std::string::npos) << r.out;
  EXPECT_EQ(lines[3], "    Finally, the border. Our [soldiers] have guarded it with courage.")
      << r.out;
  RunResult two = Uncut("search BORDER soldiers --json");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  nlohmann::json j = nlohmann::json::parse(two.out);
  ASSERT_EQ(j["total"], 1) << two.out;
  EXPECT_EQ(j["results"][0]["item"]["name"], "speech.txt");
  RunResult none = Uncut("search armistice");
  EXPECT_EQ(none.exit_code, 1) << none.out;
  RunResult bad = Uncut("search soldiers --kind txt");
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.err.find("txt"), std::string::npos) << bad.err;
}

TEST_F(CliReading, ShowPrintsWhatAReaderAsksFirstWithSizesLabelled) {
  Add("speech.txt", std::string(3000, 'a') + " soldiers\n", "--title 'An address'");
  RunResult r = Uncut("show 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0], "name:        speech.txt") << r.out;
  EXPECT_EQ(lines[1], "title:       An address") << r.out;
  EXPECT_EQ(lines[2], "kind:        text (txt)") << r.out;
  EXPECT_EQ(lines[3], "size:        2.9 KiB (3,010 bytes)") << r.out;
  EXPECT_LT(r.out.find("sha256:"), r.out.find("stored at:")) << r.out;
}

TEST_F(CliReading, ATraceSaysWhereAsAReaderCountsParagraphsMessagesAndLongLines) {
  Add("para.txt",
      "First paragraph here.\n\nSecond paragraph with the soldiers marching north to the "
      "river.\n\nThird one ends.\n");
  RunResult para = Uncut("trace --text 'with the soldiers marching north to the river'");
  ASSERT_EQ(para.exit_code, 0) << para.err;
  EXPECT_NE(para.out.find("paragraph 2, line 3, col 18"), std::string::npos) << para.out;

  Add("board.mbox", kMbox);
  RunResult mail = Uncut("trace --text 'The ferry will run every hour until the water goes down'");
  ASSERT_EQ(mail.exit_code, 0) << mail.err;
  EXPECT_NE(mail.out.find("message 2 of the mailbox from Bo <bo@example.org> on "
                          "2002-08-21T09:30:00+00:00, \u201CFerry times\u201D"),
            std::string::npos)
      << mail.out;
  EXPECT_EQ(mail.out.find("message_id"), std::string::npos) << mail.out;

  // One long line: its characters, not "col 5001".
  std::string line(5000, 'x');
  Add("one-line.txt", line + " \xD8\xB3\xD8\xB1\xD8\xA8\xD8\xA7\xD8\xB2\xD8\xA7\xD9\x86 the "
                             "soldiers crossed the river at dawn and came home\n");
  RunResult lng = Uncut("trace --text 'the soldiers crossed the river at dawn and came home'");
  ASSERT_EQ(lng.exit_code, 0) << lng.err;
  EXPECT_NE(lng.out.find("line 1, characters 5,010–5,061 of 5,062"), std::string::npos) << lng.out;
  EXPECT_EQ(lng.out.find("col 5"), std::string::npos) << lng.out;
}

}  // namespace
}  // namespace uncut

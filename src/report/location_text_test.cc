#include "report/location_text.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

TextLocation At(int paragraph, int line, int column) {
  TextLocation l;
  l.paragraph = paragraph;
  l.line = line;
  l.column = column;
  return l;
}

TEST(LocationText, ASubtitleCueReadsAsItsTimesAndItsRecording) {
  TextLocation l = At(12, 47, 1);
  l.anchors["cue"] = {{"index", 12}, {"start", "00:01:12,000"}, {"end", "00:01:15,500"},
                      {"start_s", 72.0}, {"end_s", 75.5}};
  Item srt;
  srt.name = "interview.srt";
  srt.info["media"] = nlohmann::json::array({{{"id", 3}, {"name", "interview.mp4"}}});
  EXPECT_EQ(LocationText(l, srt),
            "cue 12, 00:01:12,000–00:01:15,500 of interview.mp4, paragraph 12, line 47, col 1");
  l.anchors_end["cue"] = {{"index", 13}, {"start", "00:01:16,000"}, {"end", "00:01:19,000"}};
  EXPECT_EQ(LocationText(l, Item()),
            "cues 12–13, 00:01:12,000–00:01:19,000, paragraph 12, line 47, col 1");
}

TEST(LocationText, AMessageReadsAsWhoWroteWhenAndAboutWhat) {
  TextLocation l = At(2, 9, 1);
  l.anchors["message"] = {{"from", "Ann <ann@example.org>"}, {"to", "desk@example.org"},
                          {"date", "2002-08-20T12:00:00Z"}, {"subject", "Budget"},
                          {"message_id", "<1@x>"}, {"number", 2}};
  l.anchors["quoted"] = {{"level", 1}};
  std::string s = LocationText(l, Item());
  EXPECT_EQ(s,
            "message 2 of the mailbox from Ann <ann@example.org> on 2002-08-20T12:00:00Z, "
            "\u201CBudget\u201D, in a quoted reply, paragraph 2, line 9, col 1");
  EXPECT_EQ(s.find('{'), std::string::npos);
}

TEST(LocationText, AVeryLongLineGivesCharactersNotAColumn) {
  TextLocation l = At(1, 1, 17313);
  l.start_char = 17312;
  l.end_char = 17421;
  l.text_chars = 20000;
  EXPECT_EQ(LocationText(l, Item()),
            "paragraph 1, line 1, characters 17,313–17,421 of 20,000 (86% in)");
  l.anchors["page"] = 4;
  l.anchors_end["page"] = 5;
  l.column = 3;
  EXPECT_EQ(LocationText(l, Item()), "pages 4–5, paragraph 1, line 1, col 3");
}

}  // namespace
}  // namespace uncut

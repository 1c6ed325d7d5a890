#include "extract/subtitles.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

std::vector<Anchor> Cues(const ExtractedText& t) {
  std::vector<Anchor> out;
  for (const Anchor& a : t.anchors) {
    if (a.kind == "cue") out.push_back(a);
  }
  return out;
}

TEST(ParseCueTime, ReadsSrtAndVttTimestamps) {
  EXPECT_DOUBLE_EQ(*ParseCueTime("01:02:03,500"), 3723.5);
  EXPECT_DOUBLE_EQ(*ParseCueTime("01:02:03.250"), 3723.25);
  EXPECT_DOUBLE_EQ(*ParseCueTime("02:03.000"), 123.0);
  EXPECT_FALSE(ParseCueTime("1:99:00.000"));
  EXPECT_FALSE(ParseCueTime("abc"));
}

TEST(SubtitleExtractor, KeepsEachCueTimeAsAnAnchorAtItsText) {
  std::string srt =
      "1\r\n00:00:01,000 --> 00:00:04,000\r\nWe will not raise\r\nthe water tax.\r\n\r\n"
      "2\r\n00:00:04,500 --> 00:00:07,250\r\n<i>Not this year</i> &amp; not next.\r\n";
  auto ex = SubtitleExtractor().Extract(srt, {});
  ASSERT_TRUE(ex.ok()) << ex.status();
  EXPECT_EQ(ex->format, "srt");
  EXPECT_EQ(ex->text.text, "We will not raise\nthe water tax.\nNot this year & not next.");
  auto cues = Cues(ex->text);
  ASSERT_EQ(cues.size(), 2u);
  EXPECT_EQ(cues[0].text_offset, 0u);
  EXPECT_EQ(cues[1].text_offset, ex->text.text.find("Not this"));
  EXPECT_EQ(cues[1].value["start"], "00:00:04.500");
  EXPECT_DOUBLE_EQ(cues[1].value["end_s"].get<double>(), 7.25);
  size_t amp = ex->text.text.find('&');
  EXPECT_EQ(srt.substr(ex->text.map.SourceStart(amp), 5), "&amp;");
}

TEST(SubtitleExtractor, ReadsWebVttWithSpeakersAndSkipsNotes) {
  std::string vtt =
      "WEBVTT\n\nNOTE this is a comment\nthat spans lines\n\n"
      "intro\n00:01.000 --> 00:03.000 align:start\n<v Anna>Good evening.</v>\n\n"
      "00:03.500 --> 00:05.000\n<c.yellow>Welcome</c> back.\n";
  auto ex = SubtitleExtractor().Extract(vtt, {});
  ASSERT_TRUE(ex.ok()) << ex.status();
  EXPECT_EQ(ex->format, "vtt");
  EXPECT_EQ(ex->text.text, "Good evening.\nWelcome back.");
  auto cues = Cues(ex->text);
  ASSERT_EQ(cues.size(), 2u);
  EXPECT_EQ(cues[0].value["speaker"], "Anna");
  EXPECT_DOUBLE_EQ(cues[0].value["start_s"].get<double>(), 1.0);
}

TEST(SubtitleExtractor, RefusesAFileWithoutCues) {
  EXPECT_FALSE(SubtitleExtractor().Extract("just some words\n", {}).ok());
}

}  // namespace
}  // namespace uncut

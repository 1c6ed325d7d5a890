#include "report/summary.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

Segment TextSegment(double q0, double q1, double s0, double s1, int paragraph) {
  Segment s;
  s.query_start = q0;
  s.query_end = q1;
  s.source_start = s0;
  s.source_end = s1;
  s.verdict = MatchVerdict::kVerbatim;
  TextLocation l;
  l.start_byte = static_cast<uint64_t>(s0);
  l.end_byte = static_cast<uint64_t>(s1);
  l.paragraph = paragraph;
  s.location = l;
  return s;
}

TraceReport SplicedSpeech() {
  TraceReport r;
  r.query_kind = "text";
  r.unit = "byte";
  r.verdict = TraceVerdict::kFound;
  SourceMatch m;
  m.item.name = "speech.txt";
  m.verdict = MatchVerdict::kVerbatimWithOmissions;
  m.segments = {TextSegment(0, 40, 1000, 1040, 3), TextSegment(45, 90, 4000, 4045, 9)};
  SourceInterval cut;
  cut.role = IntervalRole::kCut;
  cut.start = 1040;
  cut.end = 4000;
  cut.note = "412 words left out";
  m.intervals.push_back(cut);
  r.sources.push_back(m);
  return r;
}

std::string Joined(const TraceReport& r) {
  std::string out;
  for (const std::string& s : SummarizeTrace(r, PlainSummaryMarkup())) out += s + "\n";
  return out;
}

TEST(SummarizeTrace, SaysWhichPassagesASplicedExtractJoinsAndHowMuchWasLeftOut) {
  EXPECT_EQ(Joined(SplicedSpeech()),
            "The extract joins two passages of speech.txt (paragraph 3 and paragraph 9); 412 "
            "words between them were left out.\n");
}

TEST(SummarizeTrace, GivesClipTimesAndTheDurationCut) {
  TraceReport r;
  r.query_kind = "video";
  r.unit = "s";
  r.verdict = TraceVerdict::kFound;
  SourceMatch m;
  m.item.name = "interview.mp4";
  Segment a, b;
  a.source_start = 12;
  a.source_end = 31;
  b.source_start = 65;
  b.source_end = 80;
  b.query_start = 19;
  m.segments = {a, b};
  SourceInterval cut;
  cut.role = IntervalRole::kCut;
  cut.start = 31;
  cut.end = 65;
  m.intervals.push_back(cut);
  r.sources.push_back(m);
  EXPECT_EQ(Joined(r),
            "The clip joins 0:12–0:31 and 1:05–1:20 of interview.mp4; the 34 s between them "
            "were cut.\n");
}

TEST(SummarizeTrace, NamesTheFirstChangedWord) {
  TraceReport r = SplicedSpeech();
  r.sources[0].intervals.clear();
  r.sources[0].segments.resize(1);
  r.sources[0].verdict = MatchVerdict::kAltered;
  r.sources[0].segments[0].edits = {
      {TextEditKind::kSame, "Our soldiers have guarded it with", "", {}},
      {TextEditKind::kChanged, "courage", "cruelty", {}}};
  std::string s = Joined(r);
  EXPECT_NE(s.find("The extract comes from speech.txt (paragraph 3)."), std::string::npos) << s;
  EXPECT_NE(s.find("1 word was changed (“courage” became “cruelty”)"), std::string::npos) << s;
}

TEST(SummarizeTrace, SaysNotFoundWhenNoSourceMatches) {
  TraceReport r;
  r.query_kind = "text";
  r.unit = "byte";
  r.verdict = TraceVerdict::kNotFound;
  EXPECT_EQ(Joined(r), "No archived source contains this extract.\n");
}

TEST(SummarizeTrace, CountsTheWordsFoundNowhere) {
  TraceReport r = SplicedSpeech();
  r.not_in_archive.push_back({90, 120, "and then we won the war"});
  EXPECT_NE(Joined(r).find("6 words of the extract are in no archived source"), std::string::npos);
}

TEST(SummarizeTrace, APictureFoundOnlyByItsTextSaysSoAndNamesTheTextsSource) {
  TraceReport r;
  r.query_kind = "image";
  r.unit = "s";
  r.verdict = TraceVerdict::kFound;
  r.text_trace.push_back(SplicedSpeech());
  std::vector<std::string> s = SummarizeTrace(r, PlainSummaryMarkup());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "No archived video frame or picture looks like this picture.");
  EXPECT_EQ(s[1], "The text it shows, read by OCR, is in speech.txt (see “Text in the picture”).");
}

TEST(SummarizeTrace, APictureFoundInAVideoNamesTheFramesTime) {
  TraceReport r;
  r.query_kind = "image";
  r.unit = "s";
  r.verdict = TraceVerdict::kFound;
  SourceMatch m;
  m.item.name = "interview.mp4";
  m.item.kind = "video";
  Segment seg;
  seg.source_start = seg.source_end = 75.5;
  m.segments.push_back(seg);
  r.sources.push_back(m);
  std::vector<std::string> s = SummarizeTrace(r, PlainSummaryMarkup());
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "The picture matches the frame at 1:15.5 of interview.mp4.");
}

TEST(ClockTime, ShowsTenthsOnlyWhenNeeded) {
  EXPECT_EQ(ClockTime(12), "0:12");
  EXPECT_EQ(ClockTime(65.42), "1:05.4");
  EXPECT_EQ(ClockTime(3723), "1:02:03");
}

TEST(DurationWords, UsesMinutesPastOneMinute) {
  EXPECT_EQ(DurationWords(34), "34 s");
  EXPECT_EQ(DurationWords(2.5), "2.5 s");
  EXPECT_EQ(DurationWords(72), "1 min 12 s");
  EXPECT_EQ(DurationWords(3720), "1 h 2 min");
}

}  // namespace
}  // namespace uncut

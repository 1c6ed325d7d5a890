#include "report/html_report.h"
#include "report/trace_report.h"

#include <gtest/gtest.h>

#include <regex>

namespace uncut {
namespace {

constexpr char kHostile[] = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

TraceReport TextReport() {
  TraceReport r;
  r.query_kind = "text";
  r.unit = "byte";
  r.verdict = TraceVerdict::kFound;
  r.query_text = "We will rebuild every bridge. No family will be left without shelter.";
  r.query_sha256 = std::string(64, 'a');
  r.query_length = static_cast<double>(r.query_text.size());
  r.traced_at = "2026-01-02T03:04:05Z";
  r.parameters = {{"k", 12}, {"w", 8}};
  SourceMatch m;
  m.item.id = 7;
  m.item.name = "speech.txt";
  m.item.sha256 = std::string(64, 'b');
  m.item.size = 5000;
  m.item.added_at = "2026-01-01T00:00:00Z";
  m.item.meta.source_url = "https://example.org/speech";
  m.item.meta.captured_at = "2025-12-31T00:00:00Z";
  m.verdict = MatchVerdict::kVerbatimWithOmissions;
  Segment s;
  s.query_start = 0;
  s.query_end = r.query_length;
  s.source_start = 1000;
  s.source_end = 1150;
  s.verdict = MatchVerdict::kVerbatimWithOmissions;
  s.confidence = 0.97;
  TextLocation l;
  l.paragraph = 2;
  l.line = 3;
  s.location = l;
  s.edits = {
      {TextEditKind::kSame, "We will rebuild every bridge", "We will rebuild every bridge", {}},
      {TextEditKind::kOmitted, "that the floods destroyed", "", {}},
      {TextEditKind::kChanged, "No", "Not one", {}},
      {TextEditKind::kAdded, "", "single", {}},
      {TextEditKind::kSame,
       "family will be left without shelter",
       "family will be left without shelter",
       {}}};
  m.segments.push_back(s);
  m.intervals.push_back(
      {IntervalRole::kBefore, 900, 1000, "Fellow citizens, we meet today.", {}, ""});
  m.intervals.push_back({IntervalRole::kAfter, 1150, 1200, "That is our promise.", {}, ""});
  r.sources.push_back(m);
  return r;
}

TraceReport VideoReport() {
  TraceReport r;
  r.query_kind = "video";
  r.unit = "s";
  r.verdict = TraceVerdict::kFound;
  r.query_length = 34;
  r.query_sha256 = std::string(64, 'c');
  SourceMatch m;
  m.item.name = "interview.mp4";
  m.item.kind = "video";
  m.item.info = {{"duration_s", 300.0}};
  m.verdict = MatchVerdict::kSpliced;
  Segment a, b;
  a.query_start = 0, a.query_end = 19, a.source_start = 12, a.source_end = 31;
  b.query_start = 19, b.query_end = 34, b.source_start = 65, b.source_end = 80;
  a.evidence = b.evidence = {EvidenceKind::kVideo, EvidenceKind::kAudio};
  m.segments = {a, b};
  m.intervals.push_back({IntervalRole::kCut, 31, 65, "and that is what we decided", {}, ""});
  BoundaryFrame f;
  f.query_time_s = 19;
  f.source_time_s = 65;
  f.query_jpeg = std::string("\xff\xd8\xff\xe0 fake jpeg", 14);
  f.source_jpeg = std::string("\xff\xd8\xff\xe0 other jpeg", 15);
  m.boundary_frames.push_back(f);
  r.sources.push_back(m);
  return r;
}

TEST(ReportToHtml, PutsThePlainLanguageSummaryBeforeTheDetails) {
  std::string html = ReportToHtml(VideoReport(), {"0.1.0", ""});
  size_t summary = html.find(
      "The clip joins 0:12–0:31 and 1:05–1:20 of <code>interview.mp4</code>; "
      "the 34 s between them were cut.");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(summary, html.find("<svg"));
  EXPECT_LT(summary, html.find("id=\"evidence\""));
}

TEST(ReportToHtml, EscapesEverythingThatComesFromTheExtractOrTheSources) {
  TraceReport r = TextReport();
  r.query_text = kHostile;
  r.sources[0].item.name = kHostile;
  r.sources[0].item.meta.title = kHostile;
  r.sources[0].item.meta.source_url = std::string("javascript:alert(3)//") + kHostile;
  r.sources[0].segments[0].edits[1].source_text = kHostile;
  r.sources[0].intervals[0].text = kHostile;
  r.warnings.push_back(kHostile);
  std::string html = ReportToHtml(r, {"0.1.0", std::string("uncut trace --text ") + kHostile});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;"), std::string::npos);
}

TEST(ReportToHtml, LoadsNothingFromOutside) {
  std::string html = ReportToHtml(VideoReport(), {"0.1.0", ""});
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  std::regex src("src=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), src); it != std::sregex_iterator();
       ++it) {
    EXPECT_EQ((*it)[1].str().rfind("data:", 0), 0u) << (*it)[1];
  }
}

TEST(ReportToHtml, EmbedsBoundaryFramesAsDataUris) {
  std::string html = ReportToHtml(VideoReport(), {"0.1.0", ""});
  EXPECT_NE(html.find("src=\"data:image/jpeg;base64,/9j/4CBmYWtlIGpwZWc=\""), std::string::npos);
  EXPECT_NE(html.find("The clip at 0:19"), std::string::npos);
  EXPECT_NE(html.find("The source at 1:05"), std::string::npos);
}

TEST(ReportToHtml, MarksHighlightedOmittedChangedAndAddedWords) {
  std::string html = ReportToHtml(TextReport(), {"0.1.0", ""});
  EXPECT_NE(html.find("<mark>We will rebuild every bridge</mark>"), std::string::npos);
  EXPECT_NE(html.find(">that the floods destroyed</del>"), std::string::npos);
  EXPECT_NE(html.find(">No</del> <ins class=\"chg\""), std::string::npos);
  EXPECT_NE(html.find(">single</ins>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"ctx\">Fellow citizens, we meet today.</span>"),
            std::string::npos);
  // Context before the segment, the segment, context after, in source order.
  EXPECT_LT(html.find("Fellow citizens"), html.find("<mark>We will"));
  EXPECT_LT(html.find("<mark>family will"), html.find("That is our promise"));
}

TEST(ReportToHtml, ShowsTheCutMaterialAndItsTimes) {
  std::string html = ReportToHtml(VideoReport(), {"0.1.0", ""});
  EXPECT_NE(html.find("What was cut"), std::string::npos);
  EXPECT_NE(html.find("0:31–1:05 (34 s)"), std::string::npos);
  EXPECT_NE(html.find("and that is what we decided"), std::string::npos);
  EXPECT_NE(html.find("video + audio"), std::string::npos);
}

TEST(ReportToHtml, GivesTheEvidenceNeededToReRunTheTrace) {
  std::string html =
      ReportToHtml(TextReport(), {"9.8.7", "uncut --archive /a trace --text-file q.txt"});
  EXPECT_NE(html.find(std::string(64, 'a')), std::string::npos);  // the extract
  EXPECT_NE(html.find(std::string(64, 'b')), std::string::npos);  // the source
  EXPECT_NE(html.find("href=\"https://example.org/speech\""), std::string::npos);
  EXPECT_NE(html.find("2025-12-31T00:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("2026-01-02T03:04:05Z"), std::string::npos);
  EXPECT_NE(html.find("9.8.7"), std::string::npos);
  EXPECT_NE(html.find("{&quot;k&quot;:12,&quot;w&quot;:8}"), std::string::npos);
  EXPECT_NE(html.find("<pre>uncut --archive /a trace --text-file q.txt</pre>"), std::string::npos);
}

TEST(ReportToHtml, HasAPrintStylesheetAndAPhoneViewport) {
  std::string html = ReportToHtml(TextReport(), {"0.1.0", ""});
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("name=\"viewport\""), std::string::npos);
}

TEST(ReportToHtml, DrawsATimelineWithEverySegmentAndCut) {
  std::string html = ReportToHtml(VideoReport(), {"0.1.0", ""});
  size_t segments = 0, cuts = 0;
  for (size_t p = 0; (p = html.find("class=\"tl-seg\"", p)) != std::string::npos; ++p) ++segments;
  for (size_t p = 0; (p = html.find("class=\"tl-cut\"", p)) != std::string::npos; ++p) ++cuts;
  // Two segments on the query timeline, two on the source overview, two zoomed.
  EXPECT_EQ(segments, 6u);
  EXPECT_EQ(cuts, 2u);
}

TEST(ReportToHtml, SaysNotFoundPlainly) {
  TraceReport r;
  r.query_kind = "text";
  r.unit = "byte";
  r.verdict = TraceVerdict::kNotFound;
  r.query_text = "nothing like this";
  std::string html = ReportToHtml(r, {"0.1.0", ""});
  EXPECT_NE(html.find("No archived source contains this extract."), std::string::npos);
}

TEST(HtmlReport, AQuoteHeardInSpeechLinksItsTimeInTheRecording) {
  TraceReport r = TextReport();
  Segment& s = r.sources[0].segments[0];
  s.verdict = MatchVerdict::kHeard;
  s.extra["speech"] = {{"recording", {{"id", 3}, {"name", "briefing.mp3"}}},
                       {"start_s", 8.33},
                       {"end_s", 14.69},
                       {"recognised", "we will rebuild the <pier>"}};
  std::string html = ReportToHtml(r, HtmlReportOptions());
  EXPECT_NE(html.find("href=\"/api/items/3/original#t=8.33,14.69\""), std::string::npos);
  EXPECT_NE(html.find("machine speech recognition"), std::string::npos);
  EXPECT_NE(html.find("we will rebuild the &lt;pier&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<pier>"), std::string::npos);
}


TEST(HtmlReport, APicturesTextShowsWhatOcrReadAndWhereTheTextWasTraced) {
  TraceReport r;
  r.query_kind = "image";
  r.unit = "s";
  r.verdict = TraceVerdict::kFound;
  r.query_name = "screenshot.png";
  TraceReport text = TextReport();
  text.query_text = "We will rebuild every <bridge>";
  r.text_trace.push_back(text);
  std::string html = ReportToHtml(r, HtmlReportOptions());
  EXPECT_NE(html.find("id=\"picture-text\""), std::string::npos);
  EXPECT_NE(html.find("Read by OCR"), std::string::npos);
  EXPECT_NE(html.find("We will rebuild every &lt;bridge&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<bridge>"), std::string::npos);
  // The text's source, with its passage and its context.
  EXPECT_NE(html.find("id=\"text-source-1\""), std::string::npos);
  EXPECT_NE(html.find("<code>speech.txt</code>"), std::string::npos);
  EXPECT_NE(html.find("That is our promise."), std::string::npos);
  EXPECT_EQ(html.find("id=\"source-1\""), std::string::npos);
}

// A stretch the picture matches as well at several places lists them all,
// in the JSON, on the terminal and in the HTML report.
TEST(HtmlReport, AStretchMatchedAsWellAtSeveralPlacesListsThemAll) {
  TraceReport r = VideoReport();
  Indistinguishable d;
  d.start = 19;
  d.end = 23;
  d.reason = "the picture holds still";
  Item studio;
  studio.id = 5;
  studio.name = "studio.mp4";
  d.places = {{studio, 61, 70}, {studio, 95, 99}};
  r.indistinguishable.push_back(d);
  const nlohmann::json j = ReportToJson(r);
  ASSERT_EQ(j["indistinguishable"].size(), 1u);
  const nlohmann::json& e = j["indistinguishable"][0];
  EXPECT_EQ(e["start"], 19.0);
  EXPECT_EQ(e["end"], 23.0);
  EXPECT_EQ(e["reason"], "the picture holds still");
  ASSERT_EQ(e["places"].size(), 2u);
  EXPECT_EQ(e["places"][1]["item"]["id"], 5);
  EXPECT_EQ(e["places"][1]["item"]["name"], "studio.mp4");
  EXPECT_EQ(e["places"][1]["source"]["start"], 95.0);
  EXPECT_EQ(e["places"][1]["source"]["end"], 99.0);
  const std::string text = ReportToText(r, false);
  EXPECT_NE(text.find("could not be told apart: query 0:19.000-0:23.000 matches as well at 2 "
                      "places: studio.mp4 1:01.000-1:10.000; studio.mp4 1:35.000-1:39.000"),
            std::string::npos)
      << text;
  const std::string html = ReportToHtml(r, {"0.1.0", ""});
  EXPECT_NE(html.find("Could not be told apart"), std::string::npos);
  EXPECT_NE(html.find("matches as well at 2 places"), std::string::npos);
}

}  // namespace
}  // namespace uncut

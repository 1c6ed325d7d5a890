#include "speech/speech_trace.h"

#include <string>
#include <vector>

#include "extract/subtitles.h"
#include "gtest/gtest.h"
#include "speech/transcript.h"
#include "storage/memory_storage.h"

namespace uncut {
namespace {

// A machine transcript in a memory archive: `words` recognised at 0.5 s
// each, as `uncut transcribe` stores them.
int64_t AddTranscript(MemoryStorage* archive, const std::vector<std::string>& words) {
  Item recording;
  recording.id = 1;
  recording.name = "speech.wav";
  recording.kind = "audio";
  recording.sha256 = std::string(64, 'a');
  std::vector<RecognizedWord> heard;
  for (size_t i = 0; i < words.size(); ++i) heard.push_back({words[i], i * 0.5, i * 0.5 + 0.4});
  MemoryItem t;
  t.original = TranscriptVtt(heard, recording);
  auto extraction = SubtitleExtractor().Extract(t.original, ExtractOptions());
  EXPECT_TRUE(extraction.ok()) << extraction.status();
  t.text = extraction->text;
  t.item.kind = "text";
  t.item.format = "vtt";
  t.item.name = "speech.wav.transcript.vtt";
  t.item.info["transcript"] = TranscriptInfo(recording, RecognizerOptions(), words.size());
  return archive->Add(std::move(t));
}

TEST(SpeechTrace, AQuoteWhoseStartTheTextTraceFoundIsHeardToItsMisrecognisedEnd) {
  // Words 2-7 recognised right, 8-15 misheard as words that sound alike.
  const std::vector<std::string> words = {
      "and", "so", "ask", "not", "what", "your", "country", "can",
      "dew", "four", "ewe", "ass", "watt", "ewe", "can", "dew", "four", "yore", "country",
      "my", "fellow", "citizens", "of", "the", "world"};
  MemoryStorage archive;
  int64_t id = AddTranscript(&archive, words);
  auto item = archive.GetItem(id);
  ASSERT_TRUE(item.ok());
  const std::string quote =
      "ask not what your country can do for you ask what you can do for your country";
  // What the text trace finds: the stretch recognised word for word.
  TraceReport report;
  report.query_kind = "text";
  report.verdict = TraceVerdict::kPartlyFound;
  SourceMatch text_match;
  text_match.item = *item;
  text_match.verdict = MatchVerdict::kAltered;
  Segment seg;
  seg.query_start = 0;
  seg.query_end = 30;
  text_match.segments.push_back(seg);
  report.sources.push_back(text_match);

  ASSERT_TRUE(AddSpeechMatches(archive.storage(), quote, &report).ok());
  ASSERT_EQ(report.sources.size(), 1u);
  const SourceMatch& m = report.sources[0];
  EXPECT_EQ(m.verdict, MatchVerdict::kHeard);
  ASSERT_EQ(m.segments.size(), 1u);
  const nlohmann::json& speech = m.segments[0].extra.value("speech", nlohmann::json());
  ASSERT_TRUE(speech.is_object());
  // "ask" starts at 1.0 s; the last "country" (word 18) ends at 9.4 s.
  EXPECT_NEAR(speech.value("start_s", -1.0), 1.0, 0.01);
  EXPECT_NEAR(speech.value("end_s", -1.0), 9.4, 0.01);
}

TEST(SpeechTrace, AQuoteNeverSaidAddsNothing) {
  MemoryStorage archive;
  AddTranscript(&archive, {"and", "so", "ask", "not", "what", "your", "country", "can", "do",
                           "for", "you", "ask", "what", "you", "can", "do", "for", "your",
                           "country"});
  TraceReport report;
  report.query_kind = "text";
  report.verdict = TraceVerdict::kNotFound;
  ASSERT_TRUE(AddSpeechMatches(archive.storage(),
                               "shall i compare thee to a summer's day thou art more lovely "
                               "and more temperate rough winds do shake the darling buds",
                               &report)
                  .ok());
  EXPECT_TRUE(report.sources.empty());
  EXPECT_EQ(report.verdict, TraceVerdict::kNotFound);
}

}  // namespace
}  // namespace uncut

#include "report/trace_terms.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "report/trace_report.h"

namespace uncut {
namespace {

// Every value of a kind reads back from its spelling, and no two share one.
template <typename Enum, size_t N, typename NameFn, typename FromNameFn>
void ExpectRoundTrip(const Enum (&all)[N], NameFn name_of, FromNameFn from_name) {
  std::set<std::string> seen;
  for (Enum e : all) {
    const std::string name(name_of(e));
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(seen.insert(name).second) << name << " names two values";
    EXPECT_TRUE(from_name(name) == e) << name;
  }
}

TEST(TraceTerms, EveryIntervalRoleReadsBackFromItsSpelling) {
  ExpectRoundTrip(kIntervalRoles, IntervalRoleName, IntervalRoleFromName);
  EXPECT_EQ(IntervalRoleName(IntervalRole::kCut), "cut");
  EXPECT_EQ(IntervalRoleName(IntervalRole::kBefore), "before");
  EXPECT_EQ(IntervalRoleName(IntervalRole::kAfter), "after");
}

TEST(TraceTerms, EveryEvidenceKindReadsBackFromItsSpelling) {
  ExpectRoundTrip(kEvidenceKinds, EvidenceKindName, EvidenceKindFromName);
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kText), "text");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kVideo), "video");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kAudio), "audio");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kPicture), "picture");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kSpeech), "speech");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kCaptions), "captions");
}

TEST(TraceTerms, EveryMatchVerdictReadsBackFromItsSpelling) {
  ExpectRoundTrip(kMatchVerdicts, MatchVerdictName, MatchVerdictFromName);
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kVerbatim), "verbatim");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kVerbatimWithOmissions), "verbatim_with_omissions");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kAltered), "altered");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kHeard), "heard");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kContinuous), "continuous");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kSpliced), "spliced");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kReordered), "reordered");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kFrame), "frame");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kSamePicture), "same_picture");
}

TEST(TraceTerms, EveryTraceVerdictReadsBackFromItsSpelling) {
  ExpectRoundTrip(kTraceVerdicts, TraceVerdictName, TraceVerdictFromName);
  EXPECT_EQ(TraceVerdictName(TraceVerdict::kFound), "found");
  EXPECT_EQ(TraceVerdictName(TraceVerdict::kPartlyFound), "partly_found");
  EXPECT_EQ(TraceVerdictName(TraceVerdict::kNotFound), "not_found");
  EXPECT_EQ(TraceVerdictName(TraceVerdict::kNotCompared), "not_compared");
}

TEST(TraceTerms, EveryTextEditKindReadsBackFromItsSpelling) {
  ExpectRoundTrip(kTextEditKinds, TextEditKindName, TextEditKindFromName);
  EXPECT_EQ(TextEditKindName(TextEditKind::kSame), "same");
  EXPECT_EQ(TextEditKindName(TextEditKind::kOmitted), "omitted");
  EXPECT_EQ(TextEditKindName(TextEditKind::kChanged), "changed");
  EXPECT_EQ(TextEditKindName(TextEditKind::kAdded), "added");
  EXPECT_EQ(TextEditKindName(TextEditKind::kUnknown), "unknown");
  EXPECT_TRUE(TextEditKindFromName("deleted") == TextEditKind::kUnknown);
  EXPECT_TRUE(nlohmann::json("omitted").get<TextEditKind>() == TextEditKind::kOmitted);
}

TEST(TraceTerms, ASpellingThisVersionDoesNotKnowReadsAsUnknown) {
  // A report saved by a newer version, or damaged: readable, never a guess.
  EXPECT_TRUE(IntervalRoleFromName("gap") == IntervalRole::kUnknown);
  EXPECT_TRUE(IntervalRoleFromName("Cut") == IntervalRole::kUnknown);
  EXPECT_TRUE(EvidenceKindFromName("audio-triplets") == EvidenceKind::kUnknown);
  EXPECT_TRUE(EvidenceKindFromName("") == EvidenceKind::kUnknown);
  EXPECT_TRUE(MatchVerdictFromName("verbatim ") == MatchVerdict::kUnknown);
  EXPECT_TRUE(TraceVerdictFromName("partly found") == TraceVerdict::kUnknown);
  EXPECT_TRUE(TraceVerdictFromName("") == TraceVerdict::kUnknown);
  // Unknown values keep one spelling of their own, which reads back as unknown.
  EXPECT_EQ(IntervalRoleName(IntervalRole::kUnknown), "unknown");
  EXPECT_EQ(EvidenceKindName(EvidenceKind::kUnknown), "unknown");
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kUnknown), "unknown");
  EXPECT_EQ(TraceVerdictName(TraceVerdict::kUnknown), "unknown");
  EXPECT_TRUE(TraceVerdictFromName("unknown") == TraceVerdict::kUnknown);
}

TEST(TraceTerms, AMatchWithoutAVerdictIsSpelledEmpty) {
  EXPECT_EQ(MatchVerdictName(MatchVerdict::kNone), "");
  EXPECT_TRUE(MatchVerdictFromName("") == MatchVerdict::kNone);
}

TEST(TraceTerms, JsonCarriesEachTermAsItsSpellingAndReadsItBack) {
  nlohmann::json j = {{"role", IntervalRole::kBefore},
                      {"evidence", {EvidenceKind::kSpeech, EvidenceKind::kCaptions}},
                      {"verdict", MatchVerdict::kVerbatimWithOmissions},
                      {"overall", TraceVerdict::kNotCompared}};
  EXPECT_EQ(j.dump(),
            R"({"evidence":["speech","captions"],"overall":"not_compared","role":"before",)"
            R"("verdict":"verbatim_with_omissions"})");
  EXPECT_TRUE(j["role"].get<IntervalRole>() == IntervalRole::kBefore);
  EXPECT_TRUE(j["evidence"].get<std::vector<EvidenceKind>>() ==
              (std::vector<EvidenceKind>{EvidenceKind::kSpeech, EvidenceKind::kCaptions}));
  EXPECT_TRUE(j["verdict"].get<MatchVerdict>() == MatchVerdict::kVerbatimWithOmissions);
  EXPECT_TRUE(j["overall"].get<TraceVerdict>() == TraceVerdict::kNotCompared);
}

TEST(TraceTerms, JsonOfAnOlderOrNewerReportStillReads) {
  const nlohmann::json saved = nlohmann::json::parse(
      R"({"role": "gap", "evidence": ["video", "smell"], "verdict": "mirrored", "overall": "maybe"})");
  EXPECT_TRUE(saved["role"].get<IntervalRole>() == IntervalRole::kUnknown);
  EXPECT_TRUE(saved["evidence"].get<std::vector<EvidenceKind>>() ==
              (std::vector<EvidenceKind>{EvidenceKind::kVideo, EvidenceKind::kUnknown}));
  EXPECT_TRUE(saved["verdict"].get<MatchVerdict>() == MatchVerdict::kUnknown);
  EXPECT_TRUE(saved["overall"].get<TraceVerdict>() == TraceVerdict::kUnknown);
  // Not a spelling at all is the JSON library's type error, not a value.
  EXPECT_THROW(nlohmann::json(3).get<TraceVerdict>(), nlohmann::json::type_error);
}

TEST(TraceTerms, TheJsonReportSpellsEveryTermAsTheSchemaDoes) {
  TraceReport r;
  r.query_kind = "video";
  r.unit = "s";
  r.verdict = TraceVerdict::kPartlyFound;
  SourceMatch m;
  m.verdict = MatchVerdict::kSpliced;
  Segment s;
  s.evidence = {EvidenceKind::kVideo, EvidenceKind::kAudio};
  m.segments = {s, s};
  m.intervals.push_back({IntervalRole::kCut, 3, 5});
  m.intervals.push_back({IntervalRole::kAfter, 8, 9});
  r.sources.push_back(m);
  const nlohmann::json j = ReportToJson(r);
  EXPECT_EQ(j["verdict"], "partly_found");
  const nlohmann::json& source = j["sources"][0];
  EXPECT_EQ(source["verdict"], "spliced");
  EXPECT_EQ(source["segments"][0]["evidence"], nlohmann::json::array({"video", "audio"}));
  // Media segments carry no verdict of their own.
  EXPECT_FALSE(source["segments"][0].contains("verdict"));
  EXPECT_EQ(source["intervals"][0]["role"], "cut");
  EXPECT_EQ(source["intervals"][1]["role"], "after");
}

TEST(TraceTerms, TheJsonReportSpellsEveryTextEditAsTheSchemaDoes) {
  TraceReport r;
  r.query_kind = "text";
  r.unit = "byte";
  r.verdict = TraceVerdict::kFound;
  SourceMatch m;
  m.verdict = MatchVerdict::kAltered;
  Segment s;
  s.evidence = {EvidenceKind::kText};
  s.verdict = MatchVerdict::kAltered;
  s.edits = {{TextEditKind::kSame, "we will", "we will", {}},
             {TextEditKind::kOmitted, "never", "", {}},
             {TextEditKind::kChanged, "courage", "cruelty", {}},
             {TextEditKind::kAdded, "", "again", {}}};
  m.segments = {s};
  r.sources.push_back(m);
  const nlohmann::json edits = ReportToJson(r)["sources"][0]["segments"][0]["edits"];
  EXPECT_EQ(edits.dump(),
            R"([{"kind":"same","query_text":"we will","source_text":"we will"},)"
            R"({"kind":"omitted","source_text":"never"},)"
            R"({"kind":"changed","query_text":"cruelty","source_text":"courage"},)"
            R"({"kind":"added","query_text":"again"}])");
}

}  // namespace
}  // namespace uncut

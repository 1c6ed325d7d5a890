// The quote tracer on an in-memory archive: texts, postings and originals
// held in maps.
#include <gtest/gtest.h>

#include <string>

#include "storage/memory_storage.h"
#include "trace/text_testing.h"
#include "trace/text_trace.h"

namespace uncut {
namespace {

using testing::AddText;

constexpr char kSpeech[] =
    "The council met on Tuesday evening to discuss the new harbour plan. After two hours of "
    "debate, the members agreed that the old warehouses along the quay would be kept and "
    "restored rather than pulled down. The mayor said the decision would cost more in the "
    "short term but would give the town a waterfront worth visiting for decades to come.";

constexpr char kOther[] =
    "Rainfall in the northern valleys was well above the seasonal average this spring, and "
    "several farmers reported that their fields stayed flooded until the middle of May.";

TEST(TraceTextInMemory, FindsTheSourceAndWhereTheQuoteStands) {
  MemoryStorage storage;
  AddText(&storage, "weather.txt", kOther);
  const int64_t id = AddText(&storage, "council.txt", kSpeech);
  const std::string quote =
      "the members agreed that the old warehouses along the quay would be kept and restored";
  auto report = TraceText(storage.storage(), quote);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verdict, TraceVerdict::kFound);
  ASSERT_EQ(report->sources.size(), 1u);
  const SourceMatch& s = report->sources[0];
  EXPECT_EQ(s.item.id, id);
  EXPECT_EQ(s.item.name, "council.txt");
  ASSERT_EQ(s.segments.size(), 1u);
  const size_t at = std::string(kSpeech).find(quote);
  EXPECT_EQ(s.segments[0].source_start, at);
  EXPECT_EQ(s.segments[0].source_end, at + quote.size());
  EXPECT_EQ(s.segments[0].verdict, MatchVerdict::kVerbatim);
}

TEST(TraceTextInMemory, ReportsWhatAQuoteLeftOut) {
  MemoryStorage storage;
  const int64_t id = AddText(&storage, "council.txt", kSpeech);
  auto report = TraceText(storage.storage(),
                          "The mayor said the decision would give the town a waterfront worth "
                          "visiting for decades to come.");
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->sources.size(), 1u);
  EXPECT_EQ(report->sources[0].item.id, id);
  EXPECT_EQ(report->sources[0].verdict, MatchVerdict::kVerbatimWithOmissions);
}

TEST(TraceTextInMemory, AQuoteOfARemovedSourceIsNotFound) {
  MemoryStorage storage;
  const int64_t id = AddText(&storage, "council.txt", kSpeech);
  storage.Remove(id);
  auto report = TraceText(storage.storage(), "the old warehouses along the quay would be kept");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verdict, TraceVerdict::kNotFound);
  EXPECT_TRUE(report->sources.empty());
}

}  // namespace
}  // namespace uncut

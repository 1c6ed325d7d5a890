#include "report/saved_trace.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace uncut {
namespace {

TEST(SavedTraceOf, KeepsTheQueryTheVerdictTheSourcesAndBothRenderings) {
  TraceReport report;
  report.traced_at = "2026-03-01T10:00:00Z";
  report.query_kind = "text";
  report.query_sha256 = std::string(64, 'a');
  report.verdict = TraceVerdict::kPartlyFound;
  for (int64_t id : {7, 3}) {
    SourceMatch m;
    m.item.id = id;
    report.sources.push_back(m);
  }
  SavedTrace saved = SavedTraceOf(report, "{\"a\":1}", "<p>a</p>");
  EXPECT_EQ(saved.traced_at, "2026-03-01T10:00:00Z");
  EXPECT_EQ(saved.query_kind, "text");
  EXPECT_EQ(saved.query_sha256, std::string(64, 'a'));
  EXPECT_EQ(saved.verdict, "partly_found");
  EXPECT_EQ(saved.item_ids, (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(saved.report_json, "{\"a\":1}");
  EXPECT_EQ(saved.report_html, "<p>a</p>");
  EXPECT_EQ(saved.id, 0);
}

TEST(SavedTraceOf, AReportThatFoundNothingNamesNoItem) {
  TraceReport report;
  report.verdict = TraceVerdict::kNotFound;
  SavedTrace saved = SavedTraceOf(report, "{}", "");
  EXPECT_EQ(saved.verdict, "not_found");
  EXPECT_TRUE(saved.item_ids.empty());
}

}  // namespace
}  // namespace uncut

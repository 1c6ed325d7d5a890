#include "report/saved_trace.h"

#include <utility>

namespace uncut {

SavedTrace SavedTraceOf(const TraceReport& report, std::string report_json,
                        std::string report_html) {
  SavedTrace saved;
  saved.traced_at = report.traced_at;
  saved.query_kind = report.query_kind;
  saved.query_sha256 = report.query_sha256;
  saved.verdict = TraceVerdictName(report.verdict);
  for (const SourceMatch& m : report.sources) saved.item_ids.push_back(m.item.id);
  saved.report_json = std::move(report_json);
  saved.report_html = std::move(report_html);
  return saved;
}

}  // namespace uncut

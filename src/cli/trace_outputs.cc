#include "cli/trace_outputs.h"

#include <cstdio>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "report/html_report.h"
#include "report/rerun_command.h"
#include "report/saved_trace.h"
#include "storage/pg_conn.h"

namespace uncut {

absl::Status WriteTraceOutputs(const GlobalOptions& g, const TraceCommand& c,
                               const TraceReport& report, CatalogRecords* records) {
  if (c.html.empty() && !c.save) return absl::OkStatus();
  std::string query_file = !c.media.empty() ? c.media : c.text_file == "-" ? "" : c.text_file;
  if (!query_file.empty()) query_file = AbsolutePath(query_file);
  HtmlReportOptions options;
  options.uncut_version = UNCUT_VERSION;
  // A PostgreSQL archive is named by its URI, without a password.
  const std::string archive =
      IsPostgresUri(g.archive) ? RedactedUri(g.archive) : AbsolutePath(g.archive);
  options.rerun_command = RerunCommand(archive, report, query_file);
  std::string html = ReportToHtml(report, options);
  if (!c.html.empty()) RETURN_IF_ERROR(WriteFileAtomic(c.html, html));
  if (c.save) {
    SavedTrace saved = SavedTraceOf(report, ReportToJson(report).dump(2), std::move(html));
    ASSIGN_OR_RETURN(int64_t id, records->SaveTrace(saved));
    if (!g.quiet) std::fprintf(stderr, "uncut: saved as trace %lld\n", static_cast<long long>(id));
  }
  return absl::OkStatus();
}

}  // namespace uncut

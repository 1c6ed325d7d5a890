// The trace report as one self-contained HTML page: a plain-language
// summary first, a timeline of each source (matched segments, cuts,
// context), the source passage with the extract's words marked (text), the
// frames at each boundary side by side (video, when the report has them),
// the cut material, and the evidence a third party needs to re-run the trace.
//
// The page loads nothing: styles are inline, images are data: URIs, and a
// Content-Security-Policy forbids scripts and every external fetch. All text
// from the report (the extract, source names, source text, URLs, metadata)
// is escaped; none of it can add markup. Printable and readable on a phone.
#ifndef UNCUT_REPORT_HTML_REPORT_H_
#define UNCUT_REPORT_HTML_REPORT_H_

#include <string>
#include <string_view>

#include "report/trace_report.h"

namespace uncut {

struct HtmlReportOptions {
  std::string uncut_version;  // e.g. "0.1.0"
  // The shell command that re-runs this trace, shown verbatim; may be empty.
  std::string rerun_command;
};

std::string ReportToHtml(const TraceReport& report, const HtmlReportOptions& options);

// Escapes &, <, >, " and ' for use in HTML text and quoted attribute values.
std::string HtmlEscape(std::string_view s);

}  // namespace uncut

#endif  // UNCUT_REPORT_HTML_REPORT_H_

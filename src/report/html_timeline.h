// Timelines for the HTML report, as inline SVG: where the matched segments,
// the cuts and the context lie in a source, and how the query is made of
// them. Internal to report/; html_report.cc places them in the page.
#ifndef UNCUT_REPORT_HTML_TIMELINE_H_
#define UNCUT_REPORT_HTML_TIMELINE_H_

#include <string>

#include "report/trace_report.h"

namespace uncut {

// The extent of a source in the report's unit: the original's size in bytes
// for text, its duration for media (item info "duration_s" or "duration",
// else the last reported time).
double SourceExtent(const SourceMatch& m, const std::string& unit);

// The whole source with every segment, cut and context interval marked,
// plus a zoomed view of the matched region when it is a small part of the
// source. `index` makes element ids unique within the page.
std::string SourceTimelineSvg(const SourceMatch& m, const std::string& unit, size_t index);

// The query from start to end: which source each part comes from (by the
// source's position in the report) and the parts found nowhere.
std::string QueryTimelineSvg(const TraceReport& report);

// The colour used for the source at `index` in both timelines.
const char* SourceColour(size_t index);

}  // namespace uncut

#endif  // UNCUT_REPORT_HTML_TIMELINE_H_

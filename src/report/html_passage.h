// The source passage of a text trace as HTML, in source order: context
// before, each matched segment with the extract's words highlighted and the
// omitted, changed and added words marked, the cut material between
// segments, and context after. Internal to report/.
#ifndef UNCUT_REPORT_HTML_PASSAGE_H_
#define UNCUT_REPORT_HTML_PASSAGE_H_

#include <string>

#include "report/trace_report.h"

namespace uncut {

// REQUIRES: m comes from a text trace (unit "byte").
std::string TextPassageHtml(const SourceMatch& m);

}  // namespace uncut

#endif  // UNCUT_REPORT_HTML_PASSAGE_H_

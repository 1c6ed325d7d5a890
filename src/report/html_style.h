// The stylesheet of the HTML report: screen, phone and print. Internal to
// report/.
#ifndef UNCUT_REPORT_HTML_STYLE_H_
#define UNCUT_REPORT_HTML_STYLE_H_

namespace uncut {

extern const char kReportCss[];

}  // namespace uncut

#endif  // UNCUT_REPORT_HTML_STYLE_H_

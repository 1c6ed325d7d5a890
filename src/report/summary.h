// The plain-language summary of a trace: the few sentences an editor reads
// first ("The extract joins two passages of `speech.txt` (paragraph 3 and
// paragraph 9); 412 words between them were left out."). Every number in it
// comes from the report; the details stay in the report body.
#ifndef UNCUT_REPORT_SUMMARY_H_
#define UNCUT_REPORT_SUMMARY_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "report/trace_report.h"

namespace uncut {

// How the pieces of a sentence are written out: plain words, the name of a
// source, and words quoted from the extract or a source. Each function
// receives raw (possibly hostile) text and returns it ready for the output
// format, e.g. HTML-escaped.
struct SummaryMarkup {
  std::function<std::string(std::string_view)> text;
  std::function<std::string(std::string_view)> name;
  std::function<std::string(std::string_view)> quote;
};

// Plain text for a page or a terminal to show as it is: names as they are
// (no markdown), quotes in “curly quotes”, nothing escaped.
SummaryMarkup PlainSummaryMarkup();

// What the report calls its query: "extract" (text), "recording" (sound),
// "picture" (an image) or "clip" (video).
std::string QueryNoun(const TraceReport& report);

// One string per sentence, most important first. Never empty.
std::vector<std::string> SummarizeTrace(const TraceReport& report, const SummaryMarkup& markup);

// "0:12", "1:05:03", "0:12.4" (tenths only when the time is not whole).
std::string ClockTime(double seconds);
// "34 s", "2.5 s", "1 min 12 s", "1 h 2 min".
std::string DurationWords(double seconds);
// Words in a text, as a reader counts them (runs of letters or digits).
size_t CountWords(std::string_view text);

}  // namespace uncut

#endif  // UNCUT_REPORT_SUMMARY_H_

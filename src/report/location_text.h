// Where a span of a text source is, as a reader says it: "page 4",
// "cue 12, 00:01:12–00:01:15 of interview.mp4", "message from … on … «…»",
// then its paragraph, line and column (or, on a very long line, its
// characters), never a dump of fields.
#ifndef UNCUT_REPORT_LOCATION_TEXT_H_
#define UNCUT_REPORT_LOCATION_TEXT_H_

#include <string>

#include "report/trace_report.h"
#include "storage/item.h"

namespace uncut {

// Lines longer than this (in characters, to the span) give the span's
// characters rather than a column: "col 17312" on a one-line file says little.
inline constexpr int kLongLineColumns = 200;

// `item` is the source the span belongs to (its linked media name the
// video or audio a subtitle cue belongs to).
std::string LocationText(const TextLocation& l, const Item& item);

}  // namespace uncut

#endif  // UNCUT_REPORT_LOCATION_TEXT_H_

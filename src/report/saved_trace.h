// A trace report as the catalog keeps it (storage/catalog_records.h's
// SavedTrace): the fields a later reader lists and searches by, and the
// report's two renderings as they were shown when it was saved.
#ifndef UNCUT_REPORT_SAVED_TRACE_H_
#define UNCUT_REPORT_SAVED_TRACE_H_

#include <string>

#include "report/trace_report.h"
#include "storage/catalog_records.h"

namespace uncut {

// The record to save for `report`: its time, query and verdict, the ids of
// the sources it found, and the JSON and HTML the caller rendered (the
// server's JSON carries its summary too, so the caller renders both).
SavedTrace SavedTraceOf(const TraceReport& report, std::string report_json,
                        std::string report_html);

}  // namespace uncut

#endif  // UNCUT_REPORT_SAVED_TRACE_H_

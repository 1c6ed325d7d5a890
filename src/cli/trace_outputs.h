// What `uncut trace` writes besides its answer on stdout: the HTML report
// (--html FILE) and a copy of the report kept in the archive (--save).
#ifndef UNCUT_CLI_TRACE_OUTPUTS_H_
#define UNCUT_CLI_TRACE_OUTPUTS_H_

#include "absl/status/status.h"
#include "cli/commands.h"
#include "report/trace_report.h"
#include "storage/catalog_records.h"

namespace uncut {

// Writes the HTML report to c.html (atomically) when set, and saves the
// JSON and HTML reports in the archive's records when c.save is set.
absl::Status WriteTraceOutputs(const GlobalOptions& g, const TraceCommand& c,
                               const TraceReport& report, CatalogRecords* records);

}  // namespace uncut

#endif  // UNCUT_CLI_TRACE_OUTPUTS_H_

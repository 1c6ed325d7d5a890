// The shell command that runs a trace again, for the evidence block of a
// report: a third party with the same archive (or a bundle of it) and this
// command gets the same answer.
#ifndef UNCUT_REPORT_RERUN_COMMAND_H_
#define UNCUT_REPORT_RERUN_COMMAND_H_

#include <string>
#include <string_view>

#include "base/strings.h"
#include "report/trace_report.h"

namespace uncut {

// `uncut --archive DIR trace ...` for `report`. Text extracts of up to
// `max_inline_bytes` are given inline with --text; longer ones, or when
// `query_file` is set, as --text-file QUERY_FILE (the report's SHA-256 of
// the extract identifies the file's content). Media queries name the clip
// file (query_file, else the report's query name).
std::string RerunCommand(const std::string& archive_dir, const TraceReport& report,
                         const std::string& query_file = "", size_t max_inline_bytes = 1000);

}  // namespace uncut

#endif  // UNCUT_REPORT_RERUN_COMMAND_H_

#include "cli/picture_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/progress.h"
#include "cli/trace_outputs.h"
#include "image/picture_trace.h"
#include "report/trace_report.h"

namespace uncut {

int RunPictureTrace(const GlobalOptions& g, const TraceCommand& c) {
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  PictureTraceOptions options;
  options.frames = !c.html.empty() || c.save;
  absl::StatusOr<TraceReport> report;
  {
    Activity activity("tracing", ShowProgress(g.quiet));
    report = TracePicture(archive->storage(), c.media, options);
  }
  if (!report.ok()) return ReportError(report.status());
  if (g.json) {
    std::cout << ReportToJson(*report).dump(2) << "\n";
    for (const std::string& w : report->warnings) {
      std::fprintf(stderr, "uncut: warning: %s: %s\n", c.media.c_str(), w.c_str());
    }
  } else {
    std::cout << ReportToText(*report, ::isatty(1));
  }
  absl::Status written = WriteTraceOutputs(g, c, *report, archive->storage().records);
  if (!written.ok()) return ReportError(written);
  return report->verdict == TraceVerdict::kNotFound ? kExitNotFound : kExitOk;
}

}  // namespace uncut

// Tracing a clip (video or audio): the sources it was cut from, each
// segment with its times in the clip and in the source, what was cut
// between segments and what the source holds around them, and which
// evidence (picture, sound) supports each segment.
#ifndef UNCUT_TRACE_MEDIA_TRACE_H_
#define UNCUT_TRACE_MEDIA_TRACE_H_

#include <string>

#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "storage/storage.h"

namespace uncut {

struct MediaTraceOptions {
  double context_s = 10;  // source context before the first / after the last segment
  bool use_video = true;
  bool use_audio = true;
};

absl::StatusOr<TraceReport> TraceMedia(const Storage& storage, const std::string& path,
                                       const MediaTraceOptions& options = MediaTraceOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_MEDIA_TRACE_H_

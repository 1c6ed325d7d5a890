#include "query/trace_query.h"

#include "base/status_macros.h"
#include "image/image_format.h"
#include "image/picture_trace.h"
#include "ingest/media_sniff.h"
#include "speech/speech_trace.h"
#include "trace/boundary_frames.h"
#include "trace/media_trace.h"
#include "trace/text_trace.h"

namespace uncut {
namespace {

// `s`, its message naming the query's file as file_name rather than by the
// path it was read from.
absl::Status NamedAsSent(const TraceQuery& query, const absl::Status& s) {
  if (s.ok() || query.file_name.empty()) return s;
  std::string msg(s.message());
  if (msg.rfind(query.file, 0) != 0) return s;
  return absl::Status(s.code(), query.file_name + msg.substr(query.file.size()));
}

absl::StatusOr<TraceReport> TraceExtract(const Storage& storage, const TraceQuery& query) {
  TextTraceOptions options;
  options.context_sentences = query.context_sentences;
  ASSIGN_OR_RETURN(TraceReport report, TraceText(storage, query.text, options));
  RETURN_IF_ERROR(AddSpeechMatches(storage, query.text, &report));
  return report;
}

absl::StatusOr<TraceReport> TraceFile(const Storage& storage, const TraceQuery& query,
                                      TraceQueryKind kind) {
  if (kind == TraceQueryKind::kPicture) {
    PictureTraceOptions options;
    options.frames = query.frames;
    return TracePicture(storage, query.file, options);
  }
  ASSIGN_OR_RETURN(TraceReport report, TraceMedia(storage, query.file));
  if (query.frames) AddBoundaryFrames(storage.originals, query.file, &report);
  return report;
}

}  // namespace

absl::StatusOr<TraceQueryKind> TraceQueryKindOf(const TraceQuery& query) {
  if (query.file.empty()) return TraceQueryKind::kText;
  absl::StatusOr<std::string> head = ReadFileHead(query.file);
  if (!head.ok()) return NamedAsSent(query, head.status());
  if (SniffImageFormat(*head)) return TraceQueryKind::kPicture;
  const std::string& name = query.file_name.empty() ? query.file : query.file_name;
  RETURN_IF_ERROR(CheckClipKind(name, *head, query.quote_hint));
  return TraceQueryKind::kClip;
}

absl::StatusOr<TraceReport> RunTraceQuery(const Storage& storage, const TraceQuery& query,
                                          TraceQueryKind kind) {
  if (kind == TraceQueryKind::kText) return TraceExtract(storage, query);
  absl::StatusOr<TraceReport> report = TraceFile(storage, query, kind);
  if (!report.ok()) return NamedAsSent(query, report.status());
  return report;
}

}  // namespace uncut

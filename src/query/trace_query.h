// One trace as the command line and the server both run it: an extract, or
// a file that is a picture or a video or audio clip. Which tracer a query
// goes to, and what it adds (transcripts of recordings, frames side by
// side), is decided here; front ends parse their input into a TraceQuery
// and render the report.
#ifndef UNCUT_QUERY_TRACE_QUERY_H_
#define UNCUT_QUERY_TRACE_QUERY_H_

#include <string>

#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "storage/storage.h"

namespace uncut {

struct TraceQuery {
  // The extract; used when `file` is empty.
  std::string text;
  int context_sentences = 1;  // of the source, before and after a text match
  // A picture or a clip to trace, read from this path.
  std::string file;
  // How messages name the file (the name a client sent); `file` when empty.
  std::string file_name;
  // Ends the refusal of a text file given as a clip: how this front end
  // takes a quote instead ("; to trace a quote, ...").
  std::string quote_hint;
  // Frames side by side in the report (for HTML and saved reports): a
  // picture's matching frames, a clip's frames at each segment boundary.
  bool frames = false;
};

// What a query is traced as.
enum class TraceQueryKind {
  kText,     // TraceText, then the recordings' transcripts (AddSpeechMatches)
  kClip,     // TraceMedia, with AddBoundaryFrames when `frames`
  kPicture,  // TracePicture
};

// Decides what `query` is traced as: text when it has no file; else a
// picture when the file's first bytes are one's, else a clip. A file that
// cannot be a recording (empty, text, a document) is InvalidArgument naming
// it and saying what it looks like, then quote_hint for text; an unreadable
// one is the reading error. Reads no archive, so a front end may refuse bad
// input before it opens one.
absl::StatusOr<TraceQueryKind> TraceQueryKindOf(const TraceQuery& query);

// Traces `query` as `kind` (TraceQueryKindOf) in `storage`. Errors name the
// file as file_name wherever the tracer named it by its path.
absl::StatusOr<TraceReport> RunTraceQuery(const Storage& storage, const TraceQuery& query,
                                          TraceQueryKind kind);

}  // namespace uncut

#endif  // UNCUT_QUERY_TRACE_QUERY_H_

// The trace report: one model for text, video and audio traces, rendered as
// JSON (docs/trace-schema.md, "uncut.trace/1"), for the terminal and as a
// self-contained HTML page (report/html_report.h).
//
// Modelled on YouTube Content ID's match segments: every segment pairs a
// span of the query with a span of one archived source. Text spans are byte
// offsets (and human locations); media spans are seconds.
#ifndef UNCUT_REPORT_TRACE_REPORT_H_
#define UNCUT_REPORT_TRACE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "report/trace_terms.h"
#include "store/archive.h"

namespace uncut {

inline constexpr char kTraceSchema[] = "uncut.trace/1";

// A place in a text source that a person can find again.
struct TextLocation {
  uint64_t start_byte = 0;  // in the original file
  uint64_t end_byte = 0;    // exclusive
  int line = 0;             // 1-based line of start_byte in the original
  int column = 0;           // 1-based, in characters
  int paragraph = 0;        // 1-based paragraph of the extracted text
  // Characters (not bytes) of the extracted text: the span [start_char,
  // end_char) of text_chars in all.
  uint64_t start_char = 0, end_char = 0, text_chars = 0;
  nlohmann::json anchors = nlohmann::json::object();  // page, message, cue, url ...
  // Anchors that differ at the last byte of the span (a quote that runs
  // on to the next page or subtitle cue), e.g. {"page": 4}.
  nlohmann::json anchors_end = nlohmann::json::object();
};

// One step of a text edit list.
struct TextEdit {
  TextEditKind kind = TextEditKind::kUnknown;  // same, omitted, changed, added
  std::string source_text;                     // as the source has it (empty for added)
  std::string query_text;                      // as the extract has it (empty for omitted)
  std::optional<TextLocation> source;          // for omitted and changed
};

struct Segment {
  // Query span: bytes of the query text, or seconds of the clip.
  double query_start = 0, query_end = 0;
  // Source span: bytes of the original, or seconds of the source.
  double source_start = 0, source_end = 0;
  double confidence = 0;              // 0..1
  std::vector<EvidenceKind> evidence;  // text, video, audio ...
  MatchVerdict verdict = MatchVerdict::kNone;  // text: verbatim, with omissions, altered
  // Text only.
  std::optional<TextLocation> location;
  std::string source_text;  // the matched source passage, as shown
  std::string query_text;
  std::vector<TextEdit> edits;
  // Media only: playback speed of the query relative to the source.
  double speed = 1.0;
  nlohmann::json extra = nlohmann::json::object();
};

// Source material the query does not show: between two segments (a cut), or
// just before the first / after the last (context).
struct SourceInterval {
  IntervalRole role = IntervalRole::kUnknown;  // cut, before, after
  double start = 0, end = 0;
  std::string text;  // the source text there (text sources; media with transcripts)
  std::optional<TextLocation> location;
  std::string note;
};

// Frames from the query and the source at one segment boundary of a media
// trace, so a reader can compare them side by side. Optional: a report
// without them is complete; renderers show them when present.
struct BoundaryFrame {
  double query_time_s = 0;
  double source_time_s = 0;
  std::string query_jpeg;   // JPEG bytes, may be empty
  std::string source_jpeg;  // JPEG bytes, may be empty
};

struct SourceMatch {
  Item item;
  MatchVerdict verdict = MatchVerdict::kNone;  // overall: verbatim, altered, spliced, ...
  double score = 0;
  std::vector<Segment> segments;         // in query order
  std::vector<SourceInterval> intervals;  // cuts and context
  std::vector<std::string> notes;
  std::vector<BoundaryFrame> boundary_frames;  // media only; optional
};

// A stretch of the query found in no source, or (media) one that could not
// be compared with any.
struct QueryGap {
  double start = 0, end = 0;
  std::string text;
  std::string reason;  // not_compared: why neither fingerprint could tell
};

// A source stretch where a stretch of a media clip matches about as well
// as anywhere else it could be.
struct EqualPlace {
  Item item;
  double source_start = 0, source_end = 0;
};

// Media: a stretch of the clip whose picture matches about equally well at
// several places (a fixed camera on an unchanging scene, a held picture, a
// title card): which of them the clip shows cannot be told.
struct Indistinguishable {
  double start = 0, end = 0;  // of the clip
  std::vector<EqualPlace> places;
  std::string reason;
};

struct TraceReport {
  std::string query_kind;  // "text", "video", "audio"
  std::string query_name;  // file name, or "" for inline text
  std::string query_sha256;
  std::string query_text;  // text queries
  double query_length = 0;  // bytes or seconds
  std::string unit;         // "byte" or "s"
  // Found, partly found, not found; media also not compared (nothing
  // found, and nothing the fingerprints could compare).
  TraceVerdict verdict = TraceVerdict::kUnknown;
  std::vector<SourceMatch> sources;  // best first
  // Stretches the picture or the sound shows to be from no archived source.
  std::vector<QueryGap> not_in_archive;
  // Media: stretches neither the picture nor the sound could compare (plain
  // frames, silence): whether the archive holds them cannot be told.
  std::vector<QueryGap> not_compared;
  // Media: stretches found at several places equally well, all listed.
  std::vector<Indistinguishable> indistinguishable;
  std::vector<std::string> warnings;
  nlohmann::json parameters = nlohmann::json::object();
  std::string traced_at;
  double elapsed_ms = 0;
  // A picture's trace: the trace of the text it shows, read by OCR (none or
  // one report, of query kind "text").
  std::vector<TraceReport> text_trace;
};

// Every string in the result is valid UTF-8 (bytes that were not are U+FFFD).
nlohmann::json ReportToJson(const TraceReport& report);
// Plain-text rendering for a terminal; `color` adds ANSI emphasis. Valid UTF-8.
std::string ReportToText(const TraceReport& report, bool color);
// An item's catalog entry. Every string is valid UTF-8; a name, path or
// metadata value that was not also comes as FIELD_bytes_hex, its exact bytes.
nlohmann::json ItemToJson(const Item& item);

}  // namespace uncut

#endif  // UNCUT_REPORT_TRACE_REPORT_H_

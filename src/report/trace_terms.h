// The closed vocabularies of a trace report: what a source interval is,
// which evidence found a segment, the verdicts, and the steps of a text
// segment's edit list. Each maps to the one
// spelling that the JSON report (docs/trace-schema.md) and the terminal and
// HTML renderers use, and back, here and nowhere else.
#ifndef UNCUT_REPORT_TRACE_TERMS_H_
#define UNCUT_REPORT_TRACE_TERMS_H_

#include <string_view>

#include "nlohmann/json.hpp"

namespace uncut {

// Source material the query does not show (SourceInterval::role).
enum class IntervalRole {
  kUnknown,  // a spelling this version does not know
  kCut,      // "cut": between two segments
  kBefore,   // "before": context just before the first segment
  kAfter,    // "after": context just after the last segment
};

// What shows that a segment matches (Segment::evidence). Not the index's
// Modality: speech and captions are read from text, and a picture is
// matched against video frames and pictures alike.
enum class EvidenceKind {
  kUnknown,
  kText,      // "text": the words of a text source
  kVideo,     // "video": frame hashes of the picture
  kAudio,     // "audio": landmarks of the sound
  kPicture,   // "picture": a still picture's hashes
  kSpeech,    // "speech": a machine transcript of a recording
  kCaptions,  // "captions": captions burned into a video, read by OCR
};

// How one segment, or one source as a whole, matches the query
// (Segment::verdict, SourceMatch::verdict).
enum class MatchVerdict {
  kNone,                   // "": not given (media segments)
  kUnknown,                // a spelling this version does not know
  kVerbatim,               // text: the same words
  kVerbatimWithOmissions,  // text: the same words, some left out
  kAltered,                // text: words changed or added
  kHeard,                  // text found in a machine transcript
  kContinuous,             // media: one stretch of the source
  kSpliced,                // media: stretches joined in the source's order
  kReordered,              // media: stretches in another order
  kFrame,                  // picture: a frame of a video
  kSamePicture,            // picture: an archived picture
};

// The answer of a whole trace (TraceReport::verdict).
enum class TraceVerdict {
  kUnknown,
  kFound,        // "found"
  kPartlyFound,  // "partly_found": some of the query is in no source
  kNotFound,     // "not_found"
  kNotCompared,  // "not_compared": media nothing could compare
};

// One step of a text segment's edit list (TextEdit::kind).
enum class TextEditKind {
  kUnknown,
  kSame,     // "same": words both have
  kOmitted,  // "omitted": source words the extract leaves out
  kChanged,  // "changed": source words the extract says otherwise
  kAdded,    // "added": extract words the source does not have
};

// Every enumerator but kUnknown (and kNone), in declaration order.
inline constexpr IntervalRole kIntervalRoles[] = {IntervalRole::kCut, IntervalRole::kBefore,
                                                  IntervalRole::kAfter};
inline constexpr EvidenceKind kEvidenceKinds[] = {EvidenceKind::kText,   EvidenceKind::kVideo,
                                                  EvidenceKind::kAudio,  EvidenceKind::kPicture,
                                                  EvidenceKind::kSpeech, EvidenceKind::kCaptions};
inline constexpr MatchVerdict kMatchVerdicts[] = {
    MatchVerdict::kVerbatim,   MatchVerdict::kVerbatimWithOmissions,
    MatchVerdict::kAltered,    MatchVerdict::kHeard,
    MatchVerdict::kContinuous, MatchVerdict::kSpliced,
    MatchVerdict::kReordered,  MatchVerdict::kFrame,
    MatchVerdict::kSamePicture};
inline constexpr TraceVerdict kTraceVerdicts[] = {TraceVerdict::kFound, TraceVerdict::kPartlyFound,
                                                  TraceVerdict::kNotFound,
                                                  TraceVerdict::kNotCompared};
inline constexpr TextEditKind kTextEditKinds[] = {TextEditKind::kSame, TextEditKind::kOmitted,
                                                  TextEditKind::kChanged, TextEditKind::kAdded};

// The spelling in JSON and on the terminal: "cut", "video", "spliced",
// "partly_found"... kUnknown is "unknown"; MatchVerdict::kNone is "".
std::string_view IntervalRoleName(IntervalRole role);
std::string_view EvidenceKindName(EvidenceKind evidence);
std::string_view MatchVerdictName(MatchVerdict verdict);
std::string_view TraceVerdictName(TraceVerdict verdict);
std::string_view TextEditKindName(TextEditKind kind);

// The value a spelling names, as a report saved by any version has it.
// A spelling this version does not know (a newer one's, or damage) is
// kUnknown, never an error: reports stay readable. "" is
// MatchVerdict::kNone, and kUnknown for the others.
IntervalRole IntervalRoleFromName(std::string_view name);
EvidenceKind EvidenceKindFromName(std::string_view name);
MatchVerdict MatchVerdictFromName(std::string_view name);
TraceVerdict TraceVerdictFromName(std::string_view name);
TextEditKind TextEditKindFromName(std::string_view name);

// JSON conversions, found by nlohmann::json through argument-dependent
// lookup: a value is its spelling, and a string reads back as *FromName
// reads it. A value that is not a string throws json::type_error.
void to_json(nlohmann::json& j, IntervalRole role);
void to_json(nlohmann::json& j, EvidenceKind evidence);
void to_json(nlohmann::json& j, MatchVerdict verdict);
void to_json(nlohmann::json& j, TraceVerdict verdict);
void to_json(nlohmann::json& j, TextEditKind kind);
void from_json(const nlohmann::json& j, IntervalRole& role);
void from_json(const nlohmann::json& j, EvidenceKind& evidence);
void from_json(const nlohmann::json& j, MatchVerdict& verdict);
void from_json(const nlohmann::json& j, TraceVerdict& verdict);
void from_json(const nlohmann::json& j, TextEditKind& kind);

}  // namespace uncut

#endif  // UNCUT_REPORT_TRACE_TERMS_H_

#include "report/trace_terms.h"

#include <iterator>

namespace uncut {
namespace {

constexpr std::string_view kUnknownName = "unknown";

// The value among `all` spelled `name`, else `unknown`.
template <typename Enum, size_t N, typename NameFn>
Enum FromName(const Enum (&all)[N], NameFn name_of, std::string_view name, Enum unknown) {
  for (Enum e : all) {
    if (name_of(e) == name) return e;
  }
  return unknown;
}

// The lists name every enumerator but the unknown one(s) (declared first),
// so that parsing knows every spelling: the count of each kind equals its
// last enumerator's value + 1.
template <typename Enum>
constexpr size_t Count(Enum last) {
  return static_cast<size_t>(last) + 1;
}
static_assert(1 + std::size(kIntervalRoles) == Count(IntervalRole::kAfter));
static_assert(1 + std::size(kEvidenceKinds) == Count(EvidenceKind::kCaptions));
static_assert(2 + std::size(kMatchVerdicts) == Count(MatchVerdict::kSamePicture));
static_assert(1 + std::size(kTraceVerdicts) == Count(TraceVerdict::kNotCompared));
static_assert(1 + std::size(kTextEditKinds) == Count(TextEditKind::kAdded));

}  // namespace

std::string_view IntervalRoleName(IntervalRole role) {
  switch (role) {
    case IntervalRole::kUnknown:
      break;
    case IntervalRole::kCut:
      return "cut";
    case IntervalRole::kBefore:
      return "before";
    case IntervalRole::kAfter:
      return "after";
  }
  return kUnknownName;
}

std::string_view EvidenceKindName(EvidenceKind evidence) {
  switch (evidence) {
    case EvidenceKind::kUnknown:
      break;
    case EvidenceKind::kText:
      return "text";
    case EvidenceKind::kVideo:
      return "video";
    case EvidenceKind::kAudio:
      return "audio";
    case EvidenceKind::kPicture:
      return "picture";
    case EvidenceKind::kSpeech:
      return "speech";
    case EvidenceKind::kCaptions:
      return "captions";
  }
  return kUnknownName;
}

std::string_view MatchVerdictName(MatchVerdict verdict) {
  switch (verdict) {
    case MatchVerdict::kNone:
      return "";
    case MatchVerdict::kUnknown:
      break;
    case MatchVerdict::kVerbatim:
      return "verbatim";
    case MatchVerdict::kVerbatimWithOmissions:
      return "verbatim_with_omissions";
    case MatchVerdict::kAltered:
      return "altered";
    case MatchVerdict::kHeard:
      return "heard";
    case MatchVerdict::kContinuous:
      return "continuous";
    case MatchVerdict::kSpliced:
      return "spliced";
    case MatchVerdict::kReordered:
      return "reordered";
    case MatchVerdict::kFrame:
      return "frame";
    case MatchVerdict::kSamePicture:
      return "same_picture";
  }
  return kUnknownName;
}

std::string_view TraceVerdictName(TraceVerdict verdict) {
  switch (verdict) {
    case TraceVerdict::kUnknown:
      break;
    case TraceVerdict::kFound:
      return "found";
    case TraceVerdict::kPartlyFound:
      return "partly_found";
    case TraceVerdict::kNotFound:
      return "not_found";
    case TraceVerdict::kNotCompared:
      return "not_compared";
  }
  return kUnknownName;
}

std::string_view TextEditKindName(TextEditKind kind) {
  switch (kind) {
    case TextEditKind::kUnknown:
      break;
    case TextEditKind::kSame:
      return "same";
    case TextEditKind::kOmitted:
      return "omitted";
    case TextEditKind::kChanged:
      return "changed";
    case TextEditKind::kAdded:
      return "added";
  }
  return kUnknownName;
}

IntervalRole IntervalRoleFromName(std::string_view name) {
  return FromName(kIntervalRoles, IntervalRoleName, name, IntervalRole::kUnknown);
}

EvidenceKind EvidenceKindFromName(std::string_view name) {
  return FromName(kEvidenceKinds, EvidenceKindName, name, EvidenceKind::kUnknown);
}

MatchVerdict MatchVerdictFromName(std::string_view name) {
  if (name.empty()) return MatchVerdict::kNone;
  return FromName(kMatchVerdicts, MatchVerdictName, name, MatchVerdict::kUnknown);
}

TraceVerdict TraceVerdictFromName(std::string_view name) {
  return FromName(kTraceVerdicts, TraceVerdictName, name, TraceVerdict::kUnknown);
}

TextEditKind TextEditKindFromName(std::string_view name) {
  return FromName(kTextEditKinds, TextEditKindName, name, TextEditKind::kUnknown);
}

void to_json(nlohmann::json& j, IntervalRole role) { j = IntervalRoleName(role); }
void to_json(nlohmann::json& j, EvidenceKind evidence) { j = EvidenceKindName(evidence); }
void to_json(nlohmann::json& j, MatchVerdict verdict) { j = MatchVerdictName(verdict); }
void to_json(nlohmann::json& j, TraceVerdict verdict) { j = TraceVerdictName(verdict); }
void to_json(nlohmann::json& j, TextEditKind kind) { j = TextEditKindName(kind); }

void from_json(const nlohmann::json& j, IntervalRole& role) {
  role = IntervalRoleFromName(j.get_ref<const std::string&>());
}
void from_json(const nlohmann::json& j, EvidenceKind& evidence) {
  evidence = EvidenceKindFromName(j.get_ref<const std::string&>());
}
void from_json(const nlohmann::json& j, MatchVerdict& verdict) {
  verdict = MatchVerdictFromName(j.get_ref<const std::string&>());
}
void from_json(const nlohmann::json& j, TraceVerdict& verdict) {
  verdict = TraceVerdictFromName(j.get_ref<const std::string&>());
}
void from_json(const nlohmann::json& j, TextEditKind& kind) {
  kind = TextEditKindFromName(j.get_ref<const std::string&>());
}

}  // namespace uncut

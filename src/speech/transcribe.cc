#include "speech/transcribe.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "ingest/timed_text.h"
#include "speech/transcript.h"
#include "store/archive.h"
#include "trace/item_media.h"

namespace uncut {
namespace {

bool IsRecording(const Item& it) { return it.kind == "video" || it.kind == "audio"; }

// Languages the English model serves: English, or unspecified.
bool EnglishOrUnknown(const std::string& lang) {
  std::string l = absl::AsciiStrToLower(lang);
  return l.empty() || l == "und" || l == "eng" || l == "en" || l.rfind("en-", 0) == 0 ||
         l.rfind("en_", 0) == 0;
}

double DurationOf(const Item& it) {
  if (!it.info.contains("media") || !it.info["media"].is_object()) return 0;
  const nlohmann::json& d = it.info["media"].value("duration_s", nlohmann::json());
  return d.is_number() ? d.get<double>() : 0;
}

nlohmann::json SpeechBlock(const std::string& status) {
  return {{"status", status},
          {"engine", kSpeechEngine},
          {"engine_version", kSpeechEngineVersion},
          {"model", kSpeechModel},
          {"transcribed_at", NowRfc3339()}};
}

}  // namespace

bool NeedsTranscript(const Item& item) {
  return IsRecording(item) && !(item.info.is_object() && item.info.contains("speech"));
}

absl::StatusOr<std::vector<Item>> UntranscribedRecordings(Archive* archive) {
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  std::vector<Item> out;
  for (Item& it : items) {
    if (NeedsTranscript(it)) out.push_back(std::move(it));
  }
  return out;
}

std::string RecordingLanguage(const Item& item) {
  if (!item.info.contains("media") || !item.info["media"].is_object()) return "";
  const nlohmann::json& streams = item.info["media"].value("streams", nlohmann::json());
  if (!streams.is_array()) return "";
  for (const nlohmann::json& s : streams) {
    if (!s.is_object() || s.value("type", std::string()) != "audio") continue;
    const nlohmann::json& lang = s.value("language", nlohmann::json());
    return lang.is_string() ? lang.get<std::string>() : "";
  }
  return "";
}

absl::StatusOr<TranscribeOutcome> TranscribeFrom(
    OriginalSource* originals, WriteBatch* batch, const Item& recording,
    const RecognizerOptions& options, const std::function<void(double, double)>& progress) {
  auto named = [&](const absl::Status& s) {
    return absl::Status(s.code(), StrCat("item ", recording.id, " (", recording.name, "): ",
                                         s.message()));
  };
  if (!IsRecording(recording)) {
    return named(absl::InvalidArgumentError("not a video or audio recording"));
  }
  TranscribeOutcome out;
  out.duration_s = DurationOf(recording);
  nlohmann::json& info = out.recording_info;
  info = recording.info.is_object() ? recording.info : nlohmann::json::object();
  std::string language = RecordingLanguage(recording);
  if (!EnglishOrUnknown(language)) {
    out.status = "no_model";
    nlohmann::json speech = SpeechBlock(out.status);
    speech["language"] = language;
    speech["note"] = StrCat("no speech model for language \"", language,
                            "\" (the models installed: ", kSpeechLanguage, ")");
    info["speech"] = std::move(speech);
    return out;
  }
  auto media = ItemMedia::Open(originals, recording);
  if (!media.ok()) return named(media.status());
  auto words = TranscribeMedia(media->source(), options, progress);
  if (!words.ok()) return named(words.status());
  out.words = words->size();
  if (words->empty()) {
    out.status = "no_speech";
    info["speech"] = SpeechBlock(out.status);
    return out;
  }
  MachineText text;
  text.vtt = TranscriptVtt(*words, recording);
  text.name = StrCat(recording.name, ".transcript.vtt");
  text.title = StrCat("Machine transcript of ", recording.name);
  text.added_from = StrCat("speech recognition of item ", recording.id);
  text.transcript = TranscriptInfo(recording, options, words->size());
  auto it = QueueMachineText(batch, recording, std::move(text), &info);
  if (!it.ok()) return named(it.status());
  out.status = "transcribed";
  out.transcript = *it;
  nlohmann::json speech = SpeechBlock(out.status);
  speech["transcript"] = it->id;
  speech["words"] = words->size();
  info["speech"] = std::move(speech);
  return out;
}

absl::StatusOr<TranscribeOutcome> TranscribeRecording(
    WriteBatch* batch, const Item& recording, const RecognizerOptions& options,
    const std::function<void(double, double)>& progress) {
  ASSIGN_OR_RETURN(TranscribeOutcome out,
                   TranscribeFrom(batch->archive(), batch, recording, options, progress));
  RETURN_IF_ERROR(batch->Reindex(recording.id, out.recording_info, {}, {}));
  return out;
}

namespace {

// A recording transcribed with no speech found, or no model, may be
// transcribed again.
bool Transcribed(const Item& now) {
  return !NeedsTranscript(now) && now.info.at("speech").value("status", "") == "transcribed";
}

}  // namespace

absl::StatusOr<TranscribeOutcome> TranscribeOnCluster(
    PgArchive* archive, const Item& recording, const RecognizerOptions& options,
    const std::function<void(double, double)>& progress, const std::string& actor,
    const std::string& client) {
  static const DerivedTextBlock kSpeech = {"speech", "transcript", Transcribed,
                                           "was transcribed by another process meanwhile"};
  TranscribeOutcome out;
  auto derive = [&](OriginalSource* originals, WriteBatch* batch) -> absl::StatusOr<DerivedText> {
    ASSIGN_OR_RETURN(out, TranscribeFrom(originals, batch, recording, options, progress));
    return DerivedText{out.transcript, out.recording_info};
  };
  ASSIGN_OR_RETURN(DerivedText made,
                   DeriveTextOnCluster(archive, recording, kSpeech, derive, actor, client));
  out.transcript = std::move(made.text);
  out.recording_info = std::move(made.recording_info);
  return out;
}

std::string SpeechInfoLine(const Item& item) {
  if (IsMachineTranscript(item)) {
    const nlohmann::json& t = item.info["transcript"];
    const nlohmann::json& r = t.value("recording", nlohmann::json::object());
    return StrCat("machine transcript, not a human subtitle: speech recognition by ",
                  t.value("engine", std::string()), " ", t.value("engine_version", std::string()),
                  ", model ", t.value("model", std::string()), ", language ",
                  t.value("language", std::string()), ", of item ", r.value("id", int64_t{0}),
                  " (", r.value("name", std::string()), "); words may be wrong");
  }
  if (!item.info.is_object() || !item.info.contains("speech")) return "";
  const nlohmann::json& s = item.info["speech"];
  std::string status = s.value("status", std::string());
  if (status == "transcribed") {
    return StrCat("machine transcript in item ", s.value("transcript", int64_t{0}), " (",
                  s.value("words", int64_t{0}), " words, ", s.value("engine", std::string()), ")");
  }
  if (status == "no_model") {
    return StrCat("not transcribed: no speech model for its language \"",
                  s.value("language", std::string()), "\" (installed: ", kSpeechLanguage, ")");
  }
  if (status == "no_speech") return "transcribed: no speech recognised";
  return status;
}

}  // namespace uncut

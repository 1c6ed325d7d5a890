#include "speech/transcribe.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "ingest/timed_text.h"
#include "speech/transcript.h"
#include "store/archive.h"
#include "store/copy_to_postgres.h"
#include "store/staged_archive.h"
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

// Writes what transcription did into the recording's info, in `batch`, the
// recording locked: kAlreadyExists when another process did it first. The
// recording's info is taken as it is now, with "speech" and the transcript's
// link (whose id is `transcript_id` in the cluster) set. A recording
// transcribed with no speech found, or no model, may be transcribed again.
absl::Status WriteSpeechInfo(PgWriteBatch* batch, const Item& recording,
                             const TranscribeOutcome& outcome, int64_t transcript_id) {
  ASSIGN_OR_RETURN(std::optional<Item> now, batch->LockItem(recording.id));
  if (!now) return absl::NotFoundError(StrCat("no item ", recording.id, " in the archive"));
  if (!NeedsTranscript(*now) && now->info["speech"].value("status", "") == "transcribed") {
    return absl::AlreadyExistsError(StrCat("item ", recording.id, " (", recording.name,
                                           ") was transcribed by another process meanwhile"));
  }
  nlohmann::json info = now->info.is_object() ? now->info : nlohmann::json::object();
  nlohmann::json speech = outcome.recording_info.at("speech");
  if (outcome.transcript) {
    const nlohmann::json& made = outcome.recording_info.at("subtitles");
    nlohmann::json link = made.back();
    link["id"] = transcript_id;
    nlohmann::json subtitles = info.value("subtitles", nlohmann::json::array());
    if (!subtitles.is_array()) subtitles = nlohmann::json::array();
    subtitles.push_back(std::move(link));
    info["subtitles"] = std::move(subtitles);
    speech["transcript"] = transcript_id;
  }
  info["speech"] = std::move(speech);
  return batch->Reindex(recording.id, info, {}, {});
}

}  // namespace

absl::StatusOr<TranscribeOutcome> TranscribeOnCluster(
    PgArchive* archive, const Item& recording, const RecognizerOptions& options,
    const std::function<void(double, double)>& progress, const std::string& actor,
    const std::string& client) {
  ASSIGN_OR_RETURN(std::unique_ptr<StagedArchive> staged, StagedArchive::Create(archive));
  TranscribeOutcome out;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<Archive> scratch,
                     Archive::Open(staged->dir(), Archive::Mode::kReadOnly));
    ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, scratch->BeginWrite());
    ASSIGN_OR_RETURN(out, TranscribeFrom(archive, batch.get(), recording, options, progress));
    if (out.transcript) RETURN_IF_ERROR(batch->Commit());
  }
  if (!out.transcript) {
    // Nothing to add: the recording's info alone.
    ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, archive->BeginWrite());
    if (!actor.empty()) batch->SetActor(actor, client);
    RETURN_IF_ERROR(WriteSpeechInfo(batch.get(), recording, out, 0));
    RETURN_IF_ERROR(batch->Commit());
    return out;
  }
  CopyOptions copy;
  copy.actor = actor;
  copy.client = client;
  const int64_t staged_id = out.transcript->id;
  int64_t cluster_id = 0;
  copy.before_commit = [&](PgWriteBatch* batch, const std::map<int64_t, int64_t>& ids) {
    auto at = ids.find(staged_id);
    if (at == ids.end()) {
      return absl::InternalError(StrCat("the transcript of item ", recording.id,
                                        " was not in the batch copied"));
    }
    cluster_id = at->second;
    return WriteSpeechInfo(batch, recording, out, cluster_id);
  };
  ASSIGN_OR_RETURN(CopyOutcome copied, staged->CopyInto(archive, copy));
  if (!copied.present.empty()) {
    // The cluster holds a transcript with these very bytes (another
    // process's of the same recording): this one is not added.
    return absl::AlreadyExistsError(StrCat("item ", recording.id, " (", recording.name,
                                           ") was transcribed by another process meanwhile"));
  }
  out.transcript->id = cluster_id;
  out.recording_info["speech"]["transcript"] = cluster_id;
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

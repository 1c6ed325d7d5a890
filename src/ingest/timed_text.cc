#include "ingest/timed_text.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/subtitles.h"
#include "store/copy_to_postgres.h"
#include "store/staged_archive.h"
#include "text/fingerprint.h"

namespace uncut {
namespace {

std::string VttClock(double s) {
  int64_t ms = std::llround(std::max(0.0, s) * 1000);
  return absl::StrFormat("%02d:%02d:%02d.%03d", ms / 3600000, (ms / 60000) % 60,
                         (ms / 1000) % 60, ms % 1000);
}

// Cue text may not hold "<", "&" or "-->".
std::string CueText(std::string_view w) {
  std::string out;
  for (char c : w) {
    if (c == '<') out += "&lt;";
    else if (c == '&') out += "&amp;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

absl::Status DoneMeanwhile(const Item& recording, const DerivedTextBlock& how) {
  return absl::AlreadyExistsError(
      StrCat("item ", recording.id, " (", recording.name, ") ", how.done_meanwhile));
}

// The recording's info as it is now in the cluster, locked in `batch`, with
// what deriving did (`made`) and the text's link naming `text_id`; written
// in `batch`. kAlreadyExists when `how.done` holds for it now.
absl::StatusOr<nlohmann::json> WriteDerivedInfo(PgWriteBatch* batch, const Item& recording,
                                                const DerivedTextBlock& how,
                                                const DerivedText& made, int64_t text_id) {
  ASSIGN_OR_RETURN(std::optional<Item> now, batch->LockItem(recording.id));
  if (!now) return absl::NotFoundError(StrCat("no item ", recording.id, " in the archive"));
  if (how.done(*now)) return DoneMeanwhile(recording, how);
  nlohmann::json info = now->info.is_object() ? now->info : nlohmann::json::object();
  nlohmann::json block = made.recording_info.at(how.block);
  if (made.text) {
    nlohmann::json link = made.recording_info.at("subtitles").back();
    link["id"] = text_id;
    nlohmann::json subtitles = info.value("subtitles", nlohmann::json::array());
    if (!subtitles.is_array()) subtitles = nlohmann::json::array();
    subtitles.push_back(std::move(link));
    info["subtitles"] = std::move(subtitles);
    block[how.id_field] = text_id;
  }
  info[how.block] = std::move(block);
  RETURN_IF_ERROR(batch->Reindex(recording.id, info, {}, {}));
  return info;
}

}  // namespace

std::string WebVttOf(const std::string& note, const std::vector<TimedCue>& cues) {
  std::string out = "WEBVTT\n\nNOTE\n";
  StrAppend(&out, CueText(note), "\n\n");
  for (const TimedCue& c : cues) {
    StrAppend(&out, VttClock(c.start_s), " --> ", VttClock(c.end_s), "\n", CueText(c.text),
              "\n\n");
  }
  return out;
}

absl::StatusOr<Item> QueueMachineText(WriteBatch* batch, const Item& recording, MachineText text,
                                      nlohmann::json* recording_info) {
  auto extraction = SubtitleExtractor().Extract(text.vtt, ExtractOptions());
  if (!extraction.ok()) return extraction.status();
  ASSIGN_OR_RETURN(StagedObject obj, batch->StageBytes(text.vtt));
  NewItem n;
  Item& it = n.item;
  it.sha256 = obj.sha256;
  it.size = obj.size;
  it.object = obj.object;
  it.object_offset = obj.offset;
  it.kind = "text";
  it.format = extraction->format;
  it.name = std::move(text.name);
  it.added_from = std::move(text.added_from);
  it.added_at = NowRfc3339();
  it.meta.title = std::move(text.title);
  it.info = extraction->info;
  it.info["transcript"] = std::move(text.transcript);
  it.info["media"] = nlohmann::json::array(
      {{{"id", recording.id}, {"name", recording.name}, {"sha256", recording.sha256}}});
  n.postings[kTextModality] = TextPostings(extraction->text.text, DefaultTextWinnowParams());
  n.text = std::move(extraction->text);
  ASSIGN_OR_RETURN(it.id, batch->AddItem(n));
  nlohmann::json& info = *recording_info;
  if (!info.is_object()) info = nlohmann::json::object();
  nlohmann::json subtitles = info.value("subtitles", nlohmann::json::array());
  if (!subtitles.is_array()) subtitles = nlohmann::json::array();
  subtitles.push_back({{"id", it.id}, {"name", it.name}, {"sha256", it.sha256}, {"machine", true}});
  info["subtitles"] = std::move(subtitles);
  return it;
}

absl::StatusOr<DerivedText> DeriveTextOnCluster(PgArchive* archive, const Item& recording,
                                                const DerivedTextBlock& how,
                                                const DeriveText& derive, const std::string& actor,
                                                const std::string& client) {
  ASSIGN_OR_RETURN(std::unique_ptr<StagedArchive> staged, StagedArchive::Create(archive));
  DerivedText made;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<Archive> scratch,
                     Archive::Open(staged->dir(), Archive::Mode::kReadOnly));
    ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, scratch->BeginWrite());
    ASSIGN_OR_RETURN(made, derive(archive, batch.get()));
    if (made.text) RETURN_IF_ERROR(batch->Commit());
  }
  DerivedText out = made;
  if (!made.text) {
    // Nothing to add: the recording's info alone.
    ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, archive->BeginWrite());
    if (!actor.empty()) batch->SetActor(actor, client);
    ASSIGN_OR_RETURN(out.recording_info, WriteDerivedInfo(batch.get(), recording, how, made, 0));
    RETURN_IF_ERROR(batch->Commit());
    return out;
  }
  CopyOptions copy;
  copy.actor = actor;
  copy.client = client;
  copy.before_commit = [&](PgWriteBatch* batch, const std::map<int64_t, int64_t>& ids) {
    auto at = ids.find(made.text->id);
    if (at == ids.end()) {
      return absl::InternalError(StrCat("item ", recording.id, " (", recording.name, "): ",
                                        made.text->name, " was not in the batch copied"));
    }
    out.text->id = at->second;
    auto info = WriteDerivedInfo(batch, recording, how, made, at->second);
    if (!info.ok()) return info.status();
    out.recording_info = std::move(*info);
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(CopyOutcome copied, staged->CopyInto(archive, copy));
  // The cluster holds a text with these very bytes: another process's, of
  // the same recording. This one is not added.
  if (!copied.present.empty()) return DoneMeanwhile(recording, how);
  return out;
}

}  // namespace uncut

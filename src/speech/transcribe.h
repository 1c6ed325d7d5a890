// Transcribing archived recordings: each recording's words become a
// machine transcript item (speech/transcript.h) linked to it as a subtitle
// file is (info "media" on the transcript, info "subtitles" on the
// recording, the link marked "machine"), and the recording's info "speech"
// says what was done: {"status": "transcribed", "transcript": id, ...},
// "no_speech" (nothing recognised), or "no_model" with the language of its
// sound when there is no model for it.
//
// One recording is one transaction (transcript item and the recording's
// info together), so an interrupted run keeps what it finished and the
// next run takes up the rest.
#ifndef UNCUT_SPEECH_TRANSCRIBE_H_
#define UNCUT_SPEECH_TRANSCRIBE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "speech/recognizer.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {

// Whether the recording still needs transcribing (a video or audio item
// without a "speech" info block).
bool NeedsTranscript(const Item& item);

// The recordings NeedsTranscript holds for, in id order.
absl::StatusOr<std::vector<Item>> UntranscribedRecordings(Archive* archive);

// The language of a recording's sound when its first audio stream names
// one ("spa", "fr"); "" when it does not say.
std::string RecordingLanguage(const Item& item);

struct TranscribeOutcome {
  std::string status;  // "transcribed", "no_speech", "no_model"
  std::optional<Item> transcript;
  size_t words = 0;
  double duration_s = 0;  // of the recording's sound
  // The recording's info with what was done ("speech", and the transcript's
  // link in "subtitles").
  nlohmann::json recording_info;
};

// Transcribes `recording` and queues the result in `batch` (the caller
// commits). `progress` gets seconds done and the duration. Errors name the
// recording; nothing is queued then.
absl::StatusOr<TranscribeOutcome> TranscribeRecording(
    WriteBatch* batch, const Item& recording, const RecognizerOptions& options,
    const std::function<void(double done_s, double total_s)>& progress = nullptr);

// As TranscribeRecording, with the recording's original read from
// `originals`, and its new info returned (recording_info) rather than
// queued: only the transcript item, if any, is queued in `batch`.
absl::StatusOr<TranscribeOutcome> TranscribeFrom(
    OriginalSource* originals, WriteBatch* batch, const Item& recording,
    const RecognizerOptions& options,
    const std::function<void(double done_s, double total_s)>& progress = nullptr);

// Transcribes a recording of an archive kept in PostgreSQL: its original is
// read from the cluster, and the transcript item is added as `add` adds
// (made in a staged archive, store/staged_archive.h, then copied in one
// transaction), with the recording's new info in the same transaction and
// audit entries "add" and "upgrade" by `actor` for `client` (the OS user
// when empty). kAlreadyExists when another process transcribed it first
// (nothing is added then). The outcome's transcript has its id in the
// cluster, and its recording_info is the recording's info as written there
// (ingest/timed_text.h: DeriveTextOnCluster).
absl::StatusOr<TranscribeOutcome> TranscribeOnCluster(
    PgArchive* archive, const Item& recording, const RecognizerOptions& options,
    const std::function<void(double done_s, double total_s)>& progress = nullptr,
    const std::string& actor = "", const std::string& client = "");

// One line for `uncut show`: for a machine transcript, that it is one and
// by what; for a recording, what transcription did ("" when nothing).
std::string SpeechInfoLine(const Item& item);

}  // namespace uncut

#endif  // UNCUT_SPEECH_TRANSCRIBE_H_

// Timed text that a machine made from a recording (speech recognition of
// its sound, OCR of captions burned into its picture), archived as a WebVTT
// item linked to the recording the way a subtitle file is: info "media" on
// the text names the recording, and the recording's info "subtitles" names
// the text, marked "machine". The text's info "transcript" says how it was
// made (method, engine, version, language, the recording), so it is never
// taken for a human subtitle file.
#ifndef UNCUT_INGEST_TIMED_TEXT_H_
#define UNCUT_INGEST_TIMED_TEXT_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {

struct TimedCue {
  double start_s = 0, end_s = 0;
  std::string text;  // one or more lines, without blank lines
};

// WebVTT bytes: a NOTE block of `note` (lines), then one cue per TimedCue,
// its text escaped as cue text must be ("<", "&", ">").
std::string WebVttOf(const std::string& note, const std::vector<TimedCue>& cues);

struct MachineText {
  std::string vtt;          // the WebVTT bytes
  std::string name;         // the item's name ("interview.mp4.transcript.vtt")
  std::string title;        // its title
  std::string added_from;   // "speech recognition of item 12"
  nlohmann::json transcript;  // the "transcript" info block (method, engine, recording...)
};

// Queues the text as an item in `batch`, linked to `recording` (which has
// its id): the text names the recording in its info "media", and
// `recording_info` (the recording's info, which the caller writes) gains
// the link in "subtitles", after the links already there. Returns the
// queued item.
absl::StatusOr<Item> QueueMachineText(WriteBatch* batch, const Item& recording, MachineText text,
                                      nlohmann::json* recording_info);

// A text a machine derived from a recording: the text, when one was made
// (queued with QueueMachineText), and the recording's info saying what was
// done (then with the text's link last in "subtitles").
struct DerivedText {
  std::optional<Item> text;
  nlohmann::json recording_info;
};

// How a recording's info records a text derived from it: the info block
// saying what was done, and its field naming the text's id.
struct DerivedTextBlock {
  std::string block;     // "speech", "captions"
  std::string id_field;  // "transcript", "item"
  // Whether the recording, as it is in the archive now, has it done already.
  std::function<bool(const Item& now)> done;
  // What kAlreadyExists says after "item N (NAME) " when another process did
  // it first: "was transcribed by another process meanwhile".
  std::string done_meanwhile;
};

// Reads a recording's original from `originals` and queues the text derived
// from it, if any, in `batch`; returns it with the recording's new info.
using DeriveText = std::function<absl::StatusOr<DerivedText>(OriginalSource* originals,
                                                             WriteBatch* batch)>;

// Derives a text from `recording` of an archive kept in PostgreSQL and adds
// it as `add` adds: `derive` reads the original from the cluster and queues
// the text in a staged archive (store/staged_archive.h), which is then
// copied in one transaction holding the recording's new info too: its info
// as it is then (the recording locked), with `how.block` from `derive` and
// the text's link, naming the id the text got in the cluster. Audit entries
// "add" and "upgrade" by `actor` for `client` (the OS user when empty).
// kAlreadyExists, nothing written, when `how.done` holds for the recording
// by then or the cluster holds the very bytes of the text (another process
// derived it meanwhile). Returns the text with its id in the cluster and
// the recording's info as written.
absl::StatusOr<DerivedText> DeriveTextOnCluster(PgArchive* archive, const Item& recording,
                                                const DerivedTextBlock& how,
                                                const DeriveText& derive,
                                                const std::string& actor = "",
                                                const std::string& client = "");

}  // namespace uncut

#endif  // UNCUT_INGEST_TIMED_TEXT_H_

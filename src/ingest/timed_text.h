// Timed text that a machine made from a recording (speech recognition of
// its sound, OCR of captions burned into its picture), archived as a WebVTT
// item linked to the recording the way a subtitle file is: info "media" on
// the text names the recording, and the recording's info "subtitles" names
// the text, marked "machine". The text's info "transcript" says how it was
// made (method, engine, version, language, the recording), so it is never
// taken for a human subtitle file.
#ifndef UNCUT_INGEST_TIMED_TEXT_H_
#define UNCUT_INGEST_TIMED_TEXT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
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

}  // namespace uncut

#endif  // UNCUT_INGEST_TIMED_TEXT_H_

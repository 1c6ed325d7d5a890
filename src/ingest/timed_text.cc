#include "ingest/timed_text.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/subtitles.h"
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

}  // namespace uncut

#include "speech/transcript.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "ingest/timed_text.h"
#include "storage/catalog_reader.h"

namespace uncut {
std::string TranscriptVtt(const std::vector<RecognizedWord>& words, const Item& recording) {
  std::string note = StrCat("Machine transcript by speech recognition (", kSpeechEngine, " ",
                            kSpeechEngineVersion, ", model ", kSpeechModel, ") of ",
                            ToValidUtf8(recording.name), ", SHA-256 ", recording.sha256,
                            ".\nRecognised words may be wrong: listen to the recording.");
  std::vector<TimedCue> cues;
  cues.reserve(words.size());
  for (const RecognizedWord& w : words) cues.push_back({w.start_s, w.end_s, w.word});
  return WebVttOf(note, cues);
}

nlohmann::json TranscriptInfo(const Item& recording, const RecognizerOptions& options,
                              size_t words) {
  return {{"machine", true},
          {"method", "speech recognition"},
          {"engine", kSpeechEngine},
          {"engine_version", kSpeechEngineVersion},
          {"model", kSpeechModel},
          {"language", kSpeechLanguage},
          {"settings", options.ToJson()},
          {"words", words},
          {"recording", {{"id", recording.id}, {"name", recording.name}, {"sha256", recording.sha256}}}};
}

bool IsMachineTranscript(const Item& item) {
  return IsTranscriptItem(item) &&
         item.info["transcript"].value("method", std::string("speech recognition")) ==
             "speech recognition";
}

int64_t TranscribedRecording(const Item& item) {
  if (!IsMachineTranscript(item)) return 0;
  const nlohmann::json& r = item.info["transcript"].value("recording", nlohmann::json());
  return r.is_object() ? r.value("id", int64_t{0}) : 0;
}

std::vector<TimedWord> WordsOfTranscript(const ExtractedText& text) {
  std::vector<TimedWord> out;
  const auto& anchors = text.anchors;
  for (size_t i = 0; i < anchors.size(); ++i) {
    const Anchor& a = anchors[i];
    if (a.kind != "cue" || !a.value.is_object() || !a.value.contains("start_s")) continue;
    uint64_t from = std::min<uint64_t>(a.text_offset, text.text.size());
    uint64_t to = i + 1 < anchors.size() ? anchors[i + 1].text_offset : text.text.size();
    to = std::clamp<uint64_t>(to, from, text.text.size());
    std::string_view w = std::string_view(text.text).substr(from, to - from);
    // Trim the line breaks around the word.
    while (!w.empty() && absl::ascii_isspace(static_cast<unsigned char>(w.front()))) {
      w.remove_prefix(1);
      ++from;
    }
    while (!w.empty() && absl::ascii_isspace(static_cast<unsigned char>(w.back()))) {
      w.remove_suffix(1);
    }
    if (w.empty()) continue;
    TimedWord tw;
    tw.word = std::string(w);
    tw.start_s = a.value.value("start_s", 0.0);
    tw.end_s = a.value.value("end_s", tw.start_s);
    tw.text_begin = from;
    tw.text_end = from + w.size();
    out.push_back(std::move(tw));
  }
  return out;
}

}  // namespace uncut

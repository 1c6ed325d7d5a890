// A machine transcript as the archive keeps it: a WebVTT file with one cue
// per recognised word, so the existing subtitle reader, index and reports
// give each word its time, and an info block that says who made it
// ("transcript": machine-made, engine, model, version, settings, the
// recording it transcribes). A human subtitle file has no such block.
#ifndef UNCUT_SPEECH_TRANSCRIPT_H_
#define UNCUT_SPEECH_TRANSCRIPT_H_

#include <optional>
#include <string>
#include <vector>

#include "extract/extractor.h"
#include "nlohmann/json.hpp"
#include "speech/recognizer.h"
#include "storage/item.h"

namespace uncut {

// The WebVTT bytes of a transcript of `recording`: a NOTE naming the engine,
// model and recording, then one cue per word.
std::string TranscriptVtt(const std::vector<RecognizedWord>& words, const Item& recording);

// The "transcript" info block of a transcript item.
nlohmann::json TranscriptInfo(const Item& recording, const RecognizerOptions& options,
                              size_t words);

// Whether an item is a machine transcript of speech (info has a
// "transcript" block whose method is speech recognition; captions read by
// OCR, ingest/caption_ingest.h, have one too, with method "ocr").
bool IsMachineTranscript(const Item& item);
// The id of the recording a machine transcript transcribes (0 if none).
int64_t TranscribedRecording(const Item& item);

// A transcript's words read back from its extracted text: each cue's text
// and times, and where the word is in the extracted text.
struct TimedWord {
  std::string word;
  double start_s = 0, end_s = 0;
  uint64_t text_begin = 0, text_end = 0;
};
std::vector<TimedWord> WordsOfTranscript(const ExtractedText& text);

}  // namespace uncut

#endif  // UNCUT_SPEECH_TRANSCRIPT_H_

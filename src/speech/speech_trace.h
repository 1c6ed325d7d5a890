// Tracing a quote into what was said in archived recordings, through their
// machine transcripts (speech/transcribe.h). Recognition errors are
// certain, so the quote is aligned to each transcript by pronunciation:
// both become phones from the recogniser's dictionary and are aligned
// locally, tolerant of misheard phones and of omissions
// (speech/phone_align.h). The recogniser's word times give the time range.
//
// A match says it was made against speech recognition (evidence "speech",
// verdict "heard", a note naming engine and model), so a reader knows to
// listen to the recording before quoting it.
#ifndef UNCUT_SPEECH_SPEECH_TRACE_H_
#define UNCUT_SPEECH_SPEECH_TRACE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "report/trace_report.h"
#include "speech/recognizer.h"
#include "storage/storage.h"

namespace uncut {

struct SpeechTraceOptions {
  std::string dictionary_path = RecognizerOptions().model_dir + "/cmudict-en-us.dict";
  // Least alignment score, as a share of a perfect hearing of the whole
  // quote, for a match (bench/speech/run: quotes absent from every
  // recording stay below it).
  double min_similarity = 0.22;
  // Fewest phones a quote needs: shorter ones sound like too much.
  size_t min_query_phones = 24;
  size_t max_sources = 5;
  // Recognised words shown before and after the match.
  size_t context_words = 15;
};

// Folds into `report` (a text trace of `query`) what is heard in machine
// transcripts: a transcript the text trace found keeps its segments and
// gains the recording and time range; the others where the quote is heard
// are added after the text sources. Archives without machine transcripts
// cost one listing of the catalog's transcripts (CatalogReader::ListTranscripts).
absl::Status AddSpeechMatches(const Storage& storage, std::string_view query, TraceReport* report,
                              const SpeechTraceOptions& options = SpeechTraceOptions());

}  // namespace uncut

#endif  // UNCUT_SPEECH_SPEECH_TRACE_H_

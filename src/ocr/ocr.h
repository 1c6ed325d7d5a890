// Optical character recognition of a grey picture with Tesseract (LSTM
// engine; Smith, "An Overview of the Tesseract OCR Engine", ICDAR 2007):
// the words it reads, in reading order, each with its bounding box and
// where lines, paragraphs and blocks begin.
//
// Small pictures (screenshots at screen resolution) are enlarged before
// recognition, since Tesseract reads text best at 20-30 pixels a line;
// boxes are always given in the caller's pixels. Recognition has a time
// budget, counted in the calling thread's processor time (a busy machine
// does not cut it short; elapsed time is bounded at ten times the budget);
// a picture that exhausts it gives the words read so far and `timed_out`.
#ifndef UNCUT_OCR_OCR_H_
#define UNCUT_OCR_OCR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace uncut {

struct OcrWord {
  std::string text;         // UTF-8, as Tesseract reads it
  int x = 0, y = 0, w = 0, h = 0;  // bounding box in the input's pixels
  float confidence = 0;     // 0..100
  bool starts_line = false;
  bool starts_paragraph = false;
  bool starts_block = false;
};

struct OcrResult {
  std::vector<OcrWord> words;
  std::string languages;  // the traineddata used, e.g. "eng+fas+ara"
  bool timed_out = false;
};

struct OcrOptions {
  // Tesseract languages joined by '+'; empty: every one of eng, fas, ara
  // that is installed.
  std::string languages;
  int dpi = 96;                  // the picture's resolution, if known
  double max_seconds = 30;       // processor-time budget per picture (page)
  int min_scaled_side = 1600;    // pictures whose longer side is smaller are doubled
  float min_confidence = 30;     // words read with less are dropped (noise, specks)
  // The picture is one block of text (a caption band): no page layout
  // analysis, which is faster and keeps short lines together.
  bool single_block = false;
};

// Reads an 8-bit grey image (`stride` bytes a row). Fails with
// FailedPrecondition when no Tesseract language data is installed.
absl::StatusOr<OcrResult> RecognizeText(const uint8_t* gray, int width, int height, int stride,
                                        const OcrOptions& options = OcrOptions());

// The languages RecognizeText uses by default ("" when none is installed).
std::string DefaultOcrLanguages();

// How many times this process has loaded OCR language data (each costs
// about a third of a CPU second): DefaultOcrLanguages' first call loads
// each language once, and each thread's engine loads its own.
int64_t OcrLanguageLoads();

// The OCR engine's name and version ("tesseract", "5.3.0").
inline constexpr char kOcrEngine[] = "tesseract";
std::string OcrEngineVersion();

}  // namespace uncut

#endif  // UNCUT_OCR_OCR_H_

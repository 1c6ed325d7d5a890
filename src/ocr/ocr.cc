#include "ocr/ocr.h"

#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "base/strings.h"

namespace uncut {
namespace {

std::atomic<int64_t> language_loads{0};

bool HasLanguage(const std::string& lang) {
  language_loads.fetch_add(1, std::memory_order_relaxed);
  tesseract::TessBaseAPI api;
  api.SetVariable("debug_file", "/dev/null");
  bool ok = api.Init(nullptr, lang.c_str(), tesseract::OEM_LSTM_ONLY) == 0;
  api.End();
  return ok;
}

// This thread's engine for `languages`, loaded once (loading the models
// costs more than reading a page).
tesseract::TessBaseAPI* Engine(const std::string& languages) {
  thread_local std::map<std::string, std::unique_ptr<tesseract::TessBaseAPI>> engines;
  auto it = engines.find(languages);
  if (it != engines.end()) return it->second.get();
  language_loads.fetch_add(1, std::memory_order_relaxed);
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  api->SetVariable("debug_file", "/dev/null");
  if (api->Init(nullptr, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) return nullptr;
  api->SetVariable("debug_file", "/dev/null");
  api->SetPageSegMode(tesseract::PSM_AUTO);
  return engines.emplace(languages, std::move(api)).first->second.get();
}

// Bilinear enlargement of a grey image by an integer factor.
std::vector<uint8_t> Enlarge(const uint8_t* gray, int w, int h, int stride, int f) {
  const int ow = w * f, oh = h * f;
  std::vector<uint8_t> out(static_cast<size_t>(ow) * oh);
  for (int y = 0; y < oh; ++y) {
    double sy = std::clamp((y + 0.5) / f - 0.5, 0.0, h - 1.0);
    int y0 = static_cast<int>(sy), y1 = std::min(y0 + 1, h - 1);
    double fy = sy - y0;
    for (int x = 0; x < ow; ++x) {
      double sx = std::clamp((x + 0.5) / f - 0.5, 0.0, w - 1.0);
      int x0 = static_cast<int>(sx), x1 = std::min(x0 + 1, w - 1);
      double fx = sx - x0;
      double top = gray[y0 * stride + x0] * (1 - fx) + gray[y0 * stride + x1] * fx;
      double bottom = gray[y1 * stride + x0] * (1 - fx) + gray[y1 * stride + x1] * fx;
      out[static_cast<size_t>(y) * ow + x] =
          static_cast<uint8_t>(std::lround(top * (1 - fy) + bottom * fy));
    }
  }
  return out;
}

// The calling thread's processor time, in seconds.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

struct CpuBudget {
  double start_s = 0;
  double limit_s = 0;
};

// Tesseract's cancel callback: true once the budget is spent.
bool BudgetSpent(void* budget, int /*words*/) {
  const auto* b = static_cast<const CpuBudget*>(budget);
  return ThreadCpuSeconds() - b->start_s > b->limit_s;
}

}  // namespace

std::string DefaultOcrLanguages() {
  static const std::string langs = [] {
    std::string out;
    for (const char* l : {"eng", "fas", "ara"}) {
      if (HasLanguage(l)) out += out.empty() ? l : StrCat("+", l);
    }
    return out;
  }();
  return langs;
}

int64_t OcrLanguageLoads() { return language_loads.load(std::memory_order_relaxed); }

std::string OcrEngineVersion() { return tesseract::TessBaseAPI::Version(); }

absl::StatusOr<OcrResult> RecognizeText(const uint8_t* gray, int width, int height, int stride,
                                        const OcrOptions& options) {
  OcrResult result;
  result.languages = options.languages.empty() ? DefaultOcrLanguages() : options.languages;
  if (result.languages.empty()) {
    return absl::FailedPreconditionError(
        "no OCR language data is installed (Debian: tesseract-ocr-eng)");
  }
  if (width <= 0 || height <= 0) return result;
  tesseract::TessBaseAPI* api = Engine(result.languages);
  if (api == nullptr) {
    return absl::FailedPreconditionError(
        StrCat("OCR language data \"", result.languages, "\" cannot be loaded"));
  }
  const int factor = std::max(width, height) < options.min_scaled_side ? 2 : 1;
  std::vector<uint8_t> enlarged;
  const uint8_t* data = gray;
  int w = width, h = height, line = stride;
  if (factor > 1) {
    enlarged = Enlarge(gray, width, height, stride, factor);
    data = enlarged.data();
    w = width * factor;
    h = height * factor;
    line = w;
  }
  api->SetPageSegMode(options.single_block ? tesseract::PSM_SINGLE_BLOCK : tesseract::PSM_AUTO);
  api->SetImage(data, w, h, 1, line);
  api->SetSourceResolution(options.dpi * factor);
  // The budget counts this thread's processor time, so that a busy machine
  // does not cut recognition short; elapsed time is bounded too, at
  // kWallClockFactor times the budget.
  constexpr double kWallClockFactor = 10;
  CpuBudget budget{ThreadCpuSeconds(), options.max_seconds};
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = &BudgetSpent;
  monitor.cancel_this = &budget;
  monitor.set_deadline_msecs(
      static_cast<int32_t>(std::min(options.max_seconds * kWallClockFactor * 1000, 2e9)));
  if (api->Recognize(&monitor) != 0) {
    // Past the deadline Tesseract stops and keeps what it read.
    result.timed_out = true;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (it) {
    constexpr auto kWord = tesseract::RIL_WORD;
    bool pending_line = false, pending_paragraph = false, pending_block = false;
    do {
      if (it->Empty(kWord)) continue;
      std::unique_ptr<char[]> text(it->GetUTF8Text(kWord));
      if (!text) continue;
      OcrWord word;
      word.text = text.get();
      word.confidence = it->Confidence(kWord);
      word.starts_block = it->IsAtBeginningOf(tesseract::RIL_BLOCK);
      word.starts_paragraph = it->IsAtBeginningOf(tesseract::RIL_PARA);
      word.starts_line = it->IsAtBeginningOf(tesseract::RIL_TEXTLINE);
      int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
      it->BoundingBox(kWord, &x0, &y0, &x1, &y1);
      word.x = x0 / factor;
      word.y = y0 / factor;
      word.w = std::max(1, (x1 - x0) / factor);
      word.h = std::max(1, (y1 - y0) / factor);
      // A dropped word's line, paragraph or block starts at the next word kept.
      pending_line |= word.starts_line;
      pending_paragraph |= word.starts_paragraph;
      pending_block |= word.starts_block;
      if (word.text.find_first_not_of(" \t\n") == std::string::npos ||
          word.confidence < options.min_confidence) {
        continue;
      }
      word.starts_line = pending_line;
      word.starts_paragraph = pending_paragraph;
      word.starts_block = pending_block;
      pending_line = pending_paragraph = pending_block = false;
      result.words.push_back(std::move(word));
    } while (it->Next(tesseract::RIL_WORD));
  }
  api->Clear();
  return result;
}

}  // namespace uncut

#include "speech/recognizer.h"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/audio_reader.h"

namespace uncut {

struct Recognizer::Handles {
  cmd_ln_t* config = nullptr;
  ps_decoder_t* decoder = nullptr;
  ~Handles() {
    if (decoder != nullptr) ps_free(decoder);
    if (config != nullptr) cmd_ln_free_r(config);
  }
};

namespace {

// Seconds per recogniser frame (-frate 100).
constexpr double kFrameSeconds = 0.01;

std::string Exp(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A dictionary word without its pronunciation variant: "for(2)" -> "for".
std::string BaseWord(std::string_view w) {
  size_t paren = w.find('(');
  return std::string(paren == std::string_view::npos ? w : w.substr(0, paren));
}

// Fillers the model writes for silence and noise, and utterance marks.
bool IsFiller(std::string_view w) {
  return w.empty() || w.front() == '<' || w.front() == '[' || w.front() == '+';
}

}  // namespace

nlohmann::json RecognizerOptions::ToJson() const {
  return {{"beam", beam}, {"wbeam", word_beam}, {"maxhmmpf", max_hmms_per_frame}};
}

Recognizer::~Recognizer() = default;

absl::StatusOr<std::unique_ptr<Recognizer>> Recognizer::Create(const RecognizerOptions& o) {
  const std::string hmm = JoinPath(o.model_dir, "en-us");
  const std::string lm = JoinPath(o.model_dir, "en-us.lm.bin");
  const std::string dict = JoinPath(o.model_dir, "cmudict-en-us.dict");
  for (const std::string& p : {JoinPath(hmm, "mdef"), lm, dict}) {
    if (!PathExists(p)) {
      return absl::FailedPreconditionError(
          StrCat("the English speech model is not installed (", p,
                 " is missing): install the Debian package pocketsphinx-en-us"));
    }
  }
  // The library logs to stderr unless told otherwise; its messages are not
  // for the user of uncut.
  static std::once_flag quiet;
  std::call_once(quiet, [] { err_set_logfp(nullptr); });
  std::unique_ptr<Recognizer> r(new Recognizer());
  r->h_ = std::make_unique<Handles>();
  std::string beam = Exp(o.beam), wbeam = Exp(o.word_beam);
  std::string maxhmmpf = std::to_string(o.max_hmms_per_frame);
  r->h_->config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(),
                              "-dict", dict.c_str(), "-logfn", "/dev/null", "-remove_silence",
                              "no", "-dither", "yes", "-seed", "1", "-beam", beam.c_str(), "-wbeam", wbeam.c_str(), "-maxhmmpf",
                              maxhmmpf.c_str(), nullptr);
  if (r->h_->config == nullptr) {
    return absl::InternalError("speech recogniser: its settings were refused");
  }
  r->h_->decoder = ps_init(r->h_->config);
  if (r->h_->decoder == nullptr) {
    return absl::FailedPreconditionError(
        StrCat("speech recogniser: the model in ", o.model_dir, " could not be loaded"));
  }
  return r;
}

absl::StatusOr<std::vector<RecognizedWord>> Recognizer::Decode(std::span<const int16_t> samples,
                                                               double offset_s) {
  std::vector<RecognizedWord> words;
  // Fewer than 0.1 s: nothing to recognise (and too short for the decoder).
  if (samples.size() < kSpeechSampleRate / 10) return words;
  ps_decoder_t* ps = h_->decoder;
  if (ps_start_utt(ps) < 0) return absl::InternalError("speech recogniser: cannot start");
  int processed = ps_process_raw(ps, samples.data(), samples.size(), FALSE, TRUE);
  if (ps_end_utt(ps) < 0 || processed < 0) {
    return absl::InternalError("speech recogniser: decoding failed");
  }
  for (ps_seg_t* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
    const char* w = ps_seg_word(seg);
    if (w == nullptr || IsFiller(w)) continue;
    int sf = 0, ef = 0;
    ps_seg_frames(seg, &sf, &ef);
    words.push_back({BaseWord(w), offset_s + sf * kFrameSeconds, offset_s + (ef + 1) * kFrameSeconds});
  }
  return words;
}

size_t UtteranceEnd(std::span<const int16_t> samples, double max_s, bool final) {
  const size_t max_samples = static_cast<size_t>(max_s * kSpeechSampleRate);
  if (samples.size() <= max_samples) return final ? samples.size() : 0;
  // Energy of 10 ms frames, smoothed over 0.2 s; the quietest frame in the
  // second half of the window ends the utterance.
  constexpr size_t kFrame = kSpeechSampleRate / 100;
  const size_t frames = max_samples / kFrame;
  std::vector<double> energy(frames);
  for (size_t f = 0; f < frames; ++f) {
    double e = 0;
    for (size_t i = f * kFrame; i < (f + 1) * kFrame; ++i) e += double(samples[i]) * samples[i];
    energy[f] = e;
  }
  constexpr size_t kSmooth = 20;
  size_t best = frames;
  double best_e = 0;
  double window = 0;
  for (size_t f = 0; f < frames; ++f) {
    window += energy[f];
    if (f >= kSmooth) window -= energy[f - kSmooth];
    if (f < frames / 2 || f < kSmooth) continue;
    if (best == frames || window < best_e) {
      best = f - kSmooth / 2;
      best_e = window;
    }
  }
  return best * kFrame;
}

absl::StatusOr<std::vector<RecognizedWord>> TranscribeMedia(
    const MediaSource& source, const RecognizerOptions& options,
    const std::function<void(double, double)>& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<Recognizer> recognizer, Recognizer::Create(options));
  AudioReadOptions ro;
  ro.sample_rate = kSpeechSampleRate;
  double duration_s = 0;
  {
    // The decoder's watchdog allows for recognition between reads.
    ASSIGN_OR_RETURN(std::unique_ptr<AudioReader> probe, AudioReader::Open(source, ro));
    duration_s = probe->duration_s();
  }
  ro.max_decode_seconds = 120 + 20 * std::max(duration_s, 0.0);
  ASSIGN_OR_RETURN(std::unique_ptr<AudioReader> reader, AudioReader::Open(source, ro));
  std::vector<RecognizedWord> words;
  std::vector<float> decoded;
  std::vector<int16_t> pending;  // samples not yet recognised
  double pending_start_s = 0;
  bool more = true;
  bool started = false;
  while (more || !pending.empty()) {
    if (more) {
      decoded.clear();
      ASSIGN_OR_RETURN(more, reader->Read(&decoded, kSpeechSampleRate * 4));
      if (!started && !decoded.empty()) {
        pending_start_s = std::max(0.0, reader->start_s());
        started = true;
      }
      for (float f : decoded) {
        float v = std::clamp(f, -1.0f, 1.0f) * 32767.0f;
        pending.push_back(static_cast<int16_t>(std::lround(v)));
      }
    }
    size_t end = UtteranceEnd(pending, kMaxUtteranceSeconds, !more);
    if (end == 0) continue;
    ASSIGN_OR_RETURN(std::vector<RecognizedWord> utterance,
                     recognizer->Decode(std::span<const int16_t>(pending.data(), end),
                                        pending_start_s));
    words.insert(words.end(), utterance.begin(), utterance.end());
    pending.erase(pending.begin(), pending.begin() + end);
    pending_start_s += double(end) / kSpeechSampleRate;
    if (progress) progress(pending_start_s, duration_s);
  }
  return words;
}

}  // namespace uncut

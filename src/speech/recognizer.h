// Speech recognition with PocketSphinx (Debian's 0.8+5prealpha, English
// model pocketsphinx-en-us): the words of a recording with their times.
//
// The sound is decoded with FFmpeg (decode/audio_reader.h) to 16 kHz mono
// 16-bit samples and cut into utterances of at most kMaxUtteranceSeconds at
// its quietest moments (the quietest 10 ms frame, smoothed over 0.2 s, in
// the last stretch of each window), so memory stays bounded on recordings
// of any length and every word time is in the recording's own time line.
// The decoder adds a little noise (dither, with a fixed seed: the same
// recording gives the same words), since exact digital silence, as
// synthesised or edited sound has, upsets its normalisation.
#ifndef UNCUT_SPEECH_RECOGNIZER_H_
#define UNCUT_SPEECH_RECOGNIZER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "nlohmann/json.hpp"

namespace uncut {

inline constexpr char kSpeechEngine[] = "pocketsphinx";
inline constexpr char kSpeechEngineVersion[] = "0.8+5prealpha";
inline constexpr char kSpeechModel[] = "en-us (cmusphinx-en-us-ptm-5.2, en-us.lm.bin, cmudict-en-us)";
inline constexpr char kSpeechLanguage[] = "en";
inline constexpr int kSpeechSampleRate = 16000;
inline constexpr double kMaxUtteranceSeconds = 20;

// What trades speed for accuracy. Wider beams and more HMMs per frame find
// more of the right words and take longer. The defaults keep the decoder's
// own beams (1e-48, 7e-29) and cap maxhmmpf at 10000 (its default 30000):
// narrower beams ran about 2.5 times faster and lost a short recording's
// words almost entirely (bench/speech/run measures speed, word error rate
// and quotes found).
struct RecognizerOptions {
  std::string model_dir = "/usr/share/pocketsphinx/model/en-us";
  double beam = 1e-48;
  double word_beam = 7e-29;
  int max_hmms_per_frame = 10000;
  // The settings as stored with a transcript.
  nlohmann::json ToJson() const;
};

struct RecognizedWord {
  std::string word;  // lower case, as the model's dictionary spells it
  double start_s = 0, end_s = 0;
};

class Recognizer {
 public:
  // Fails with kFailedPrecondition, naming the package, when the model is
  // not installed.
  static absl::StatusOr<std::unique_ptr<Recognizer>> Create(const RecognizerOptions& options);
  ~Recognizer();
  Recognizer(const Recognizer&) = delete;
  Recognizer& operator=(const Recognizer&) = delete;

  // The words of one utterance (16 kHz mono samples) whose first sample is
  // at `offset_s`; silences, noises and sentence marks are left out.
  absl::StatusOr<std::vector<RecognizedWord>> Decode(std::span<const int16_t> samples,
                                                     double offset_s);

 private:
  Recognizer() = default;
  struct Handles;
  std::unique_ptr<Handles> h_;
};

// Transcribes the sound of an audio or video file (or bytes). `progress`
// (may be null) gets the seconds decoded so far and the duration (0 when
// unknown) after each utterance.
absl::StatusOr<std::vector<RecognizedWord>> TranscribeMedia(
    const MediaSource& source, const RecognizerOptions& options,
    const std::function<void(double done_s, double total_s)>& progress = nullptr);

// Where to cut the first utterance out of `samples` (16 kHz): all of them
// when they are no longer than `max_s` and `final`; otherwise the quietest
// moment between max_s / 2 and max_s, or 0 (wait for more) when there are
// fewer than max_s seconds and more may come.
size_t UtteranceEnd(std::span<const int16_t> samples, double max_s, bool final);

}  // namespace uncut

#endif  // UNCUT_SPEECH_RECOGNIZER_H_

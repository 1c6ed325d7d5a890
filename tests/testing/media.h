// Test helpers that make media with the ffmpeg command (lavfi sources) and
// espeak-ng, so media tests need no files from outside the repository.
#ifndef UNCUT_TESTS_TESTING_MEDIA_H_
#define UNCUT_TESTS_TESTING_MEDIA_H_

#include <string>
#include <vector>

namespace uncut::testing {

// Runs `ffmpeg -nostdin -loglevel error -y ARGS`. Returns "" on success,
// else what ffmpeg said (for the test's failure message).
std::string Ffmpeg(const std::string& args);

// Speaks `text` into a WAV file with espeak-ng. Returns "" on success.
std::string Speak(const std::string& text, const std::string& wav_path,
                  const std::string& voice = "en", int words_per_minute = 160);

// A caption line burned into a video's picture from `from_s` to `to_s`.
struct BurnedCaption {
  const char* text;
  double from_s, to_s;
};

// Three caption lines over 12 s (a harbour closed by a storm), shared by
// the captions suites of both backends.
extern const std::vector<BurnedCaption> kHarbourCaptions;

// Makes a video of a moving test pattern (640x360, 25 fps, H.264, no
// sound) lasting `duration_s`, with `captions` burned into its picture:
// white DejaVu Sans on a dark box at the bottom, each line read from a
// file written beside `path` (no quoting). Returns "" on success.
std::string CaptionedVideo(const std::vector<BurnedCaption>& captions, double duration_s,
                           const std::string& path);

// The first `n` bytes of a file, for truncated copies.
std::string Head(const std::string& path, size_t n);

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_MEDIA_H_

// Test helpers that make media with the ffmpeg command (lavfi sources) and
// espeak-ng, so media tests need no files from outside the repository.
#ifndef UNCUT_TESTS_TESTING_MEDIA_H_
#define UNCUT_TESTS_TESTING_MEDIA_H_

#include <string>

namespace uncut::testing {

// Runs `ffmpeg -nostdin -loglevel error -y ARGS`. Returns "" on success,
// else what ffmpeg said (for the test's failure message).
std::string Ffmpeg(const std::string& args);

// Speaks `text` into a WAV file with espeak-ng. Returns "" on success.
std::string Speak(const std::string& text, const std::string& wav_path,
                  const std::string& voice = "en", int words_per_minute = 160);

// The first `n` bytes of a file, for truncated copies.
std::string Head(const std::string& path, size_t n);

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_MEDIA_H_

#include "testing/media.h"

#include <fstream>
#include <iterator>

#include "testing/temp_dir.h"

namespace uncut::testing {

std::string Ffmpeg(const std::string& args) {
  RunResult r = RunShell("ffmpeg -nostdin -hide_banner -loglevel error -y " + args);
  if (r.exit_code == 0) return "";
  return "ffmpeg " + args + "\n" + r.err;
}

std::string Speak(const std::string& text, const std::string& wav_path, const std::string& voice,
                  int words_per_minute) {
  RunResult r =
      RunShell("espeak-ng -v " + ShellQuote(voice) + " -s " + std::to_string(words_per_minute) +
               " -w " + ShellQuote(wav_path) + " " + ShellQuote(text));
  if (r.exit_code == 0) return "";
  return "espeak-ng: " + r.err;
}

std::string Head(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return bytes.substr(0, n);
}

}  // namespace uncut::testing

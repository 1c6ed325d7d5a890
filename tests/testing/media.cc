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

const std::vector<BurnedCaption> kHarbourCaptions = {
    {"The harbour stays closed until the storm passes", 1.0, 4.0},
    {"Engineers found deep cracks in the northern pier", 4.5, 8.0},
    {"Fishing boats may return before the summer", 8.5, 11.5},
};

std::string CaptionedVideo(const std::vector<BurnedCaption>& captions, double duration_s,
                           const std::string& path) {
  std::string filters = "format=yuv420p";
  for (size_t i = 0; i < captions.size(); ++i) {
    const std::string file = path + ".caption" + std::to_string(i) + ".txt";
    std::ofstream(file) << captions[i].text;
    filters += ",drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:textfile=" +
               file +
               ":fontsize=22:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=8"
               ":x=(w-tw)/2:y=h-th-28:enable='between(t," +
               std::to_string(captions[i].from_s) + "," + std::to_string(captions[i].to_s) + ")'";
  }
  return Ffmpeg("-f lavfi -i testsrc2=size=640x360:rate=25:duration=" +
                std::to_string(duration_s) + " -vf " + ShellQuote(filters) +
                " -c:v libx264 -preset veryfast -crf 26 -g 50 " + ShellQuote(path));
}

std::string Head(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return bytes.substr(0, n);
}

}  // namespace uncut::testing

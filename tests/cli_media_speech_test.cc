// End-to-end tests of speech: a recording without subtitles, made here with
// espeak-ng, is transcribed, and a quote of what is said in it is traced to
// its time range; a quote never said is not found. A real recording (a
// sentence of a 1961 speech, tests/fixtures/media/README.md) is traced too.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/media_suite.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using nlohmann::json;
using testing::Ffmpeg;
using testing::RunResult;
using testing::ShellQuote;

constexpr char kIntro[] =
    "The harbour commission met on Tuesday. Engineers said the storm had damaged the northern "
    "pier beyond repair.";
constexpr char kQuote[] =
    "We will rebuild the pier with stone from the old quarry, and the fishing boats will return "
    "before summer.";
constexpr char kOutro[] = "Questions from the press followed for an hour.";
// Seconds of silence between the parts.
constexpr double kPause = 1.0;

class CliSpeech : public testing::MediaSuite<CliSpeech> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }


  // Seconds of a media file, by ffprobe.
  static double Duration(const std::string& path) {
    RunResult r = testing::RunShell("ffprobe -v error -show_entries format=duration -of csv=p=0 " +
                                    ShellQuote(path));
    return r.exit_code == 0 ? std::atof(r.out.c_str()) : -1;
  }

  // Speaks each part, trims its silences, and joins them with pauses into
  // an MP3 recording, noting where the quote starts and ends.
  static std::string MakeMedia() {
    const char* parts[] = {kIntro, kQuote, kOutro};
    std::string inputs, filter;
    for (int i = 0; i < 3; ++i) {
      std::string raw = File(StrCat("part", i, ".wav")), trimmed = File(StrCat("trim", i, ".wav"));
      // A Klatt voice: the recogniser's model hears it better than espeak-ng's default.
      std::string err = testing::Speak(parts[i], raw, "en-us+klatt2", 140);
      if (!err.empty()) return err;
      err = Ffmpeg(StrCat("-i ", ShellQuote(raw),
                          " -af silenceremove=start_periods=1:start_threshold=-50dB,areverse,"
                          "silenceremove=start_periods=1:start_threshold=-50dB,areverse ",
                          ShellQuote(trimmed)));
      if (!err.empty()) return err;
      durations_[i] = Duration(trimmed);
      if (durations_[i] <= 0) return "ffprobe failed";
      StrAppend(&inputs, "-i ", ShellQuote(trimmed), " ");
      StrAppend(&filter, "[", i, "]apad=pad_dur=", kPause, "[p", i, "];");
    }
    quote_start_s_ = durations_[0] + kPause;
    quote_end_s_ = quote_start_s_ + durations_[1];
    return Ffmpeg(StrCat(inputs, "-filter_complex '", filter,
                         "[p0][p1][p2]concat=n=3:v=0:a=1[a]' -map '[a]' -c:a libmp3lame -b:a 64k ",
                         ShellQuote(File("briefing.mp3"))));
  }

  static RunResult Uncut(const std::string& archive, const std::string& args) {
    return testing::RunUncut(File(archive), args);
  }

  // An archive with the recording added and transcribed (made once).
  static const std::string& Transcribed() {
    static const std::string name = [] {
      RunResult r = Uncut("transcribed", "add --transcribe " + ShellQuote(File("briefing.mp3")));
      add_output_ = r.out + r.err;
      add_exit_ = r.exit_code;
      return std::string("transcribed");
    }();
    return name;
  }

  static double durations_[3];
  static double quote_start_s_, quote_end_s_;
  static std::string add_output_;
  static int add_exit_;
};

double CliSpeech::durations_[3];
double CliSpeech::quote_start_s_ = 0, CliSpeech::quote_end_s_ = 0;
std::string CliSpeech::add_output_;
int CliSpeech::add_exit_ = -1;

TEST_F(CliSpeech, AddWithoutTranscribeMakesNoTranscriptAndAQuoteIsNotFound) {
  RunResult a = Uncut("plain", "add " + ShellQuote(File("briefing.mp3")));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  RunResult list = Uncut("plain", "list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 1u);
  RunResult t = Uncut("plain", StrCat("trace --text ", ShellQuote(kQuote)));
  EXPECT_EQ(t.exit_code, 1) << t.out << t.err;
}

TEST_F(CliSpeech, TranscriptIsAMachineMadeTimedTextLinkedToTheRecording) {
  const std::string& archive = Transcribed();
  ASSERT_EQ(add_exit_, 0) << add_output_;
  EXPECT_NE(add_output_.find("transcribed"), std::string::npos) << add_output_;
  RunResult list = Uncut(archive, "list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json items = json::parse(list.out);
  ASSERT_EQ(items.size(), 2u) << list.out;
  const json& recording = items[0];
  const json& transcript = items[1];
  EXPECT_EQ(transcript["format"], "vtt");
  EXPECT_EQ(transcript["info"]["transcript"]["machine"], true);
  EXPECT_EQ(transcript["info"]["transcript"]["engine"], "pocketsphinx");
  EXPECT_EQ(transcript["info"]["transcript"]["recording"]["id"], recording["id"]);
  EXPECT_EQ(transcript["info"]["media"][0]["id"], recording["id"]);
  EXPECT_EQ(recording["info"]["subtitles"][0]["id"], transcript["id"]);
  EXPECT_EQ(recording["info"]["subtitles"][0]["machine"], true);
  EXPECT_EQ(recording["info"]["speech"]["status"], "transcribed");
  // `uncut show` says it is machine-made.
  RunResult show = Uncut(archive, StrCat("show ", transcript["id"].get<int64_t>()));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("machine transcript"), std::string::npos) << show.out;
  // A second run finds nothing left to do.
  RunResult again = Uncut(archive, "transcribe");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("no recording needs transcribing"), std::string::npos) << again.out;
}

TEST_F(CliSpeech, QuoteSpokenInTheRecordingIsFoundWithItsTimeRange) {
  const std::string& archive = Transcribed();
  ASSERT_EQ(add_exit_, 0) << add_output_;
  RunResult t = Uncut(archive, StrCat("trace --json --text ", ShellQuote(kQuote)));
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  json r = json::parse(t.out);
  ASSERT_FALSE(r["sources"].empty());
  const json& src = r["sources"][0];
  EXPECT_EQ(src["item"]["info"]["transcript"]["machine"], true);
  const json& seg = src["segments"][0];
  const json& speech = seg["details"]["speech"];
  EXPECT_EQ(speech["recording"]["name"], "briefing.mp3");
  EXPECT_NEAR(speech["start_s"].get<double>(), quote_start_s_, 0.5) << t.out;
  EXPECT_NEAR(speech["end_s"].get<double>(), quote_end_s_, 0.5) << t.out;
  EXPECT_FALSE(speech["recognised"].get<std::string>().empty());
  // The terminal report says it was matched against speech recognition.
  RunResult text = Uncut(archive, StrCat("trace --text ", ShellQuote(kQuote)));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("speech recognition"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("listen"), std::string::npos) << text.out;
}

TEST_F(CliSpeech, QuoteNeverSpokenIsNotFound) {
  const std::string& archive = Transcribed();
  ASSERT_EQ(add_exit_, 0) << add_output_;
  RunResult t = Uncut(archive,
                      "trace --text 'The council approved a budget for three new schools and a "
                      "library in the eastern district last spring.'");
  EXPECT_EQ(t.exit_code, 1) << t.out << t.err;
  EXPECT_NE(t.out.find("Not found"), std::string::npos) << t.out;
}

TEST_F(CliSpeech, AQuoteOfARealSpeechRecordingIsFoundAtItsTime) {
  // "And so, my fellow Americans, ask not what your country can do for you,
  // ask what you can do for your country." By forced alignment
  // (bench/speech/align.cc) "ask" is said from 3.25 s, after a pause of a
  // second, and the last "country" ends at 10.46 s. The recogniser misses
  // "ask", whose time is then estimated across the pause: the start gets a
  // wider tolerance than the end.
  const std::string archive = File("jfk-archive");
  const std::string recording = testing::FixturePath("media/jfk-inaugural-1961.flac");
  RunResult add = Uncut(archive, "-q add --transcribe " + ShellQuote(recording));
  ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  RunResult t = Uncut(archive, "trace --json --text 'ask not what your country can do for you, "
                               "ask what you can do for your country'");
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  json r = json::parse(t.out);
  ASSERT_FALSE(r["sources"].empty()) << t.out;
  const json& speech = r["sources"][0]["segments"][0]["details"]["speech"];
  EXPECT_EQ(speech["recording"]["name"], "jfk-inaugural-1961.flac");
  EXPECT_NEAR(speech["start_s"].get<double>(), 3.25, 0.75) << t.out;
  EXPECT_NEAR(speech["end_s"].get<double>(), 10.46, 0.5) << t.out;
  RunResult never = Uncut(archive, "trace --text 'we choose to go to the moon in this decade "
                                   "and do the other things'");
  EXPECT_EQ(never.exit_code, 1) << never.out << never.err;
}

TEST_F(CliSpeech, TranscribeRefusesAnItemThatIsNoRecording) {
  const std::string& archive = Transcribed();
  ASSERT_EQ(add_exit_, 0) << add_output_;
  RunResult t = Uncut(archive, "transcribe 2");
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_NE(t.err.find("not a video or audio recording"), std::string::npos) << t.err;
}

}  // namespace
}  // namespace uncut

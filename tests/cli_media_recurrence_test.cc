// End-to-end tests of a passage a recording holds twice (a report re-run
// later in the same broadcast): a clip of it is traced to both places, the
// better one first and the other marked as another occurrence; a clip of a
// passage heard once is traced to one place only. Footage a recording
// shows twice is found at both places too; another moment of a fixed
// camera's shot, which only looks like the clip, is not another place.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

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

// The broadcast: opening, report, weather, report again, closing.
constexpr const char* kParts[] = {
    "Good evening. Here is the news at six, read by the evening desk.",
    "The river crossing at Millbrook will close for three weeks while engineers replace the "
    "cracked supports under the eastern span.",
    "Tomorrow will be bright and cold, with a light frost in the valleys and wind from the north.",
    nullptr,  // the report again
    "That is all from the evening desk. Good night.",
};
constexpr int kReport = 1, kRerun = 3;
constexpr double kPause = 1.5;  // seconds of silence after each part

class CliRecurrence : public testing::MediaSuite<CliRecurrence> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static double Duration(const std::string& path) {
    RunResult r = testing::RunShell("ffprobe -v error -show_entries format=duration -of csv=p=0 " +
                                    ShellQuote(path));
    return r.exit_code == 0 ? std::atof(r.out.c_str()) : -1;
  }

  // Speaks the parts, joins them with pauses into one MP3 broadcast (the
  // report's one recording used twice), notes where each part starts, adds
  // the broadcast and an unrelated recording, and cuts the clips.
  static std::string MakeMedia() {
    std::string inputs, filter, joined;
    double t = 0;
    for (int i = 0; i < 5; ++i) {
      const int spoken = i == kRerun ? kReport : i;
      const std::string wav = File(StrCat("part", spoken, ".wav"));
      if (i != kRerun) {
        std::string err = testing::Speak(kParts[i], wav, "en", 150);
        if (!err.empty()) return err;
      }
      const double d = Duration(wav);
      if (d <= 0) return "ffprobe failed";
      starts_[i] = t;
      lengths_[i] = d;
      t += d + kPause;
      StrAppend(&inputs, "-i ", ShellQuote(wav), " ");
      StrAppend(&filter, "[", i, "]apad=pad_dur=", kPause, "[p", i, "];");
      StrAppend(&joined, "[p", i, "]");
    }
    std::string err = Ffmpeg(StrCat(inputs, "-filter_complex '", filter, joined,
                                    "concat=n=5:v=0:a=1[a]' -map '[a]' -c:a libmp3lame -b:a 64k ",
                                    ShellQuote(File("broadcast.mp3"))));
    if (!err.empty()) return err;
    err = testing::Speak("An unrelated recording about gardening, pruning roses in early spring.",
                         File("other.wav"), "en", 150);
    if (!err.empty()) return err;
    // Clips of the first airing of the report (inside it by half a second)
    // and of the weather, cut from the broadcast and re-encoded.
    auto cut = [&](int part, const std::string& name) {
      return Ffmpeg(StrCat("-ss ", starts_[part] + 0.5, " -t ", lengths_[part] - 1.0, " -i ",
                           ShellQuote(File("broadcast.mp3")), " -c:a aac -b:a 96k ",
                           ShellQuote(File(name))));
    };
    for (const auto& [part, name] : {std::pair<int, const char*>{kReport, "report.m4a"},
                                     std::pair<int, const char*>{2, "weather.m4a"}}) {
      err = cut(part, name);
      if (!err.empty()) return err;
    }
    RunResult add = Uncut(StrCat("add ", ShellQuote(File("broadcast.mp3")), " ",
                                 ShellQuote(File("other.wav"))));
    return add.exit_code == 0 ? "" : add.err;
  }

  static json Trace(const std::string& clip) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(clip)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }

  static double starts_[5], lengths_[5];
};

double CliRecurrence::starts_[5], CliRecurrence::lengths_[5];

TEST_F(CliRecurrence, AReportAiredTwiceIsFoundAtBothPlacesTheBetterFirst) {
  const json j = Trace("report.m4a");
  ASSERT_EQ(j["verdict"], "found") << j.dump(2);
  ASSERT_EQ(j["sources"].size(), 2u) << j.dump(2);
  std::vector<double> starts;
  for (size_t i = 0; i < 2; ++i) {
    const json& src = j["sources"][i];
    EXPECT_EQ(src["item"]["id"], j["sources"][0]["item"]["id"]);  // one recording, two places
    EXPECT_EQ(src["verdict"], "continuous") << src.dump(2);
    ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
    const json& seg = src["segments"][0];
    // The whole clip, at one place or the other.
    EXPECT_NEAR(seg["query"]["start"].get<double>(), 0.0, 0.3) << seg.dump();
    EXPECT_NEAR(seg["query"]["end"].get<double>(), lengths_[kReport] - 1.0, 0.3) << seg.dump();
    EXPECT_EQ(seg["details"].value("also_elsewhere", false), i == 1) << seg.dump();
    starts.push_back(seg["source"]["start"].get<double>());
    // Context around each place is the broadcast's own.
    EXPECT_EQ(src["intervals"].front()["role"], "before");
  }
  std::sort(starts.begin(), starts.end());
  EXPECT_NEAR(starts[0], starts_[kReport] + 0.5, 0.3);
  EXPECT_NEAR(starts[1], starts_[kRerun] + 0.5, 0.3);
}

TEST_F(CliRecurrence, APassageAiredOnceIsFoundAtOnePlace) {
  const json j = Trace("weather.m4a");
  ASSERT_EQ(j["verdict"], "found") << j.dump(2);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
  const json& seg = src["segments"][0];
  EXPECT_FALSE(seg["details"].value("also_elsewhere", false));
  EXPECT_NEAR(seg["source"]["start"].get<double>(), starts_[2] + 0.5, 0.3);
}

// A fixed camera over a slowly panning scene, a white bar crossing it every
// ten seconds (a conveyor, traffic, a tree in the wind), and a programme
// that shows one piece of footage twice with other footage between.
class CliPictureRecurrence : public testing::MediaSuite<CliPictureRecurrence> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static std::string MakeMedia() {
    std::string err = Ffmpeg(StrCat("-f lavfi -i testsrc2=s=640x360 -frames:v 1 ",
                                    ShellQuote(File("scene.png"))));
    if (!err.empty()) return err;
    err = Ffmpeg(StrCat(
        "-loop 1 -framerate 25 -i ", ShellQuote(File("scene.png")),
        " -f lavfi -i color=c=white:s=80x180:r=25 -filter_complex "
        "'[0]crop=w=320:h=180:x=40+t*3:y=90[b];[b][1]overlay=x=mod(t\\,10)*24:y=0:shortest=0,"
        "format=yuv420p' -t 30 -c:v libx264 -preset veryfast -crf 24 -g 50 ",
        ShellQuote(File("camera.mp4"))));
    if (!err.empty()) return err;
    err = Ffmpeg(StrCat(
        "-f lavfi -i testsrc2=s=320x180:r=25:d=8 -f lavfi -i "
        "life=s=320x180:rate=25:mold=10:ratio=0.3:seed=5,trim=duration=6 -f lavfi -i "
        "testsrc2=s=320x180:r=25:d=8 -filter_complex "
        "'[0][1][2]concat=n=3:v=1:a=0,format=yuv420p[v]' -map '[v]' "
        "-c:v libx264 -preset veryfast -crf 24 -g 50 ",
        ShellQuote(File("programme.mp4"))));
    if (!err.empty()) return err;
    // Five seconds of each, re-encoded: the camera's from 11 s (the bar's
    // second pass), the programme's from 1 s (its first showing).
    for (const auto& [from, to] : {std::pair<const char*, const char*>{"camera.mp4", "moment.mp4"},
                                   std::pair<const char*, const char*>{"programme.mp4",
                                                                       "footage.mp4"}}) {
      const char* at = std::string(from) == "camera.mp4" ? "11" : "1";
      err = Ffmpeg(StrCat("-ss ", at, " -t 5 -i ", ShellQuote(File(from)),
                          " -c:v libx264 -crf 26 ", ShellQuote(File(to))));
      if (!err.empty()) return err;
    }
    RunResult add = Uncut(StrCat("add ", ShellQuote(File("camera.mp4")), " ",
                                 ShellQuote(File("programme.mp4"))));
    return add.exit_code == 0 ? "" : add.err;
  }

  static json Trace(const std::string& clip) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(clip)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
};

// Ten seconds before and after, the bar stands where it stands in the
// clip and only the scene behind it has panned a little: those moments
// match the clip's frames, less closely on nearly every frame. They are
// not other occurrences of the clip, and the report names one place.
TEST_F(CliPictureRecurrence, AFixedCamerasLookAlikeMomentIsNotAnotherPlace) {
  const json j = Trace("moment.mp4");
  ASSERT_EQ(j["verdict"], "found") << j.dump(2);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  EXPECT_EQ(src["item"]["name"], "camera.mp4");
  ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
  const json& seg = src["segments"][0];
  EXPECT_FALSE(seg["details"].value("also_elsewhere", false)) << seg.dump();
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 11.0, 0.3) << seg.dump();
  EXPECT_NEAR(seg["query"]["end"].get<double>(), 5.0, 0.3) << seg.dump();
  EXPECT_TRUE(j["not_in_archive"].empty()) << j.dump(2);
}

// The same footage shown twice matches alike at both places: both are
// reported, the other one as another occurrence.
TEST_F(CliPictureRecurrence, FootageShownTwiceIsFoundAtBothPlaces) {
  const json j = Trace("footage.mp4");
  ASSERT_EQ(j["verdict"], "found") << j.dump(2);
  ASSERT_EQ(j["sources"].size(), 2u) << j.dump(2);
  std::vector<double> starts;
  for (const json& src : j["sources"]) {
    EXPECT_EQ(src["item"]["name"], "programme.mp4");
    ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
    starts.push_back(src["segments"][0]["source"]["start"].get<double>());
  }
  std::sort(starts.begin(), starts.end());
  EXPECT_NEAR(starts[0], 1.0, 0.3);
  EXPECT_NEAR(starts[1], 15.0, 0.3);
}

}  // namespace
}  // namespace uncut

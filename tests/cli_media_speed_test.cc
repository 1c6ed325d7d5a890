// End-to-end tests of tracing clips played faster or slower than their
// source: time-stretched (ffmpeg atempo, the pitch kept), resampled like a
// tape played fast or slow (asetrate + aresample, the pitch moving with the
// speed), and pictures retimed (setpts). A continuous stretch of the source
// must come back as one continuous segment, its speed within 0.01, its ends
// as close as at normal speed, and with no cut and nothing "not in archive".
// Clips that were only rescaled or converted to another frame rate must not
// get a speed at all.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

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

constexpr double kTolerance = 0.25;  // seconds, as at normal speed

constexpr char kTalk[] =
    "The bridge over the river will close for repairs from the first of June. Drivers are asked "
    "to use the northern road, which adds about twenty minutes to the journey. The council said "
    "the work had been delayed twice because of the cold winter, and that the cost had risen by a "
    "third. Shop owners on the old square fear that fewer visitors will come during the summer. "
    "A temporary footbridge for cyclists and walkers should open in the second week of the works.";

constexpr char kOther[] =
    "Tonight on the programme: a visit to the last lighthouse keeper on the west coast, a new "
    "recipe for apple cake, and the results of the village football league, where the home team "
    "lost again after a dramatic evening in the rain.";

class MediaSpeed : public testing::MediaSuite<MediaSpeed> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  // A 30-second video of four moving scenes over speech; another speech,
  // never archived, for clips that must match nothing.
  static std::string MakeMedia() {
    std::string err = testing::Speak(kTalk, File("talk.wav"));
    if (err.empty()) err = testing::Speak(kOther, File("other.wav"), "en-us", 150);
    if (!err.empty()) return err;
    const std::string scene = "size=320x180:rate=25";
    err = Ffmpeg(StrCat(
        "-f lavfi -i testsrc2=", scene, ",trim=duration=8 ", "-f lavfi -i cellauto=", scene,
        ":rule=30:seed=11,negate,trim=duration=7 ", "-f lavfi -i testsrc=", scene,
        ",hue=h=t*40,trim=duration=8 ", "-f lavfi -i smptehdbars=", scene,
        ",rotate=a=t*0.6:fillcolor=navy,trim=duration=7 ", "-i ", ShellQuote(File("talk.wav")),
        " -filter_complex '[0][1][2][3]concat=n=4:v=1:a=0,format=yuv420p[v];"
        "[4]apad,atrim=duration=30[a]' -map '[v]' -map '[a]' -t 30 "
        "-c:v libx264 -preset veryfast -crf 24 -g 50 -c:a aac -b:a 96k -ar 44100 ",
        ShellQuote(File("talk.mp4"))));
    if (!err.empty()) return err;
    RunResult r = Uncut(StrCat("add ", ShellQuote(File("talk.mp4"))));
    return r.exit_code == 0 ? "" : r.err;
  }


  // The sound's audio filter for playing at `speed`, with or without pitch.
  static std::string SoundAt(double speed, bool pitch) {
    return pitch ? StrCat("asetrate=44100*", speed, ",aresample=44100") : StrCat("atempo=", speed);
  }

  static json Trace(const std::string& name) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(name)));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }

  // One source, one segment covering the whole clip [0, length] and the
  // source's [s0, s1], at `speed`; no cut, nothing outside the archive.
  static void ExpectOneSegment(const json& j, double length, double s0, double s1, double speed) {
    ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
    const json& src = j["sources"][0];
    EXPECT_EQ(src["verdict"], "continuous") << j.dump(2);
    ASSERT_EQ(src["segments"].size(), 1u) << j.dump(2);
    const json& seg = src["segments"][0];
    EXPECT_NEAR(seg["query"]["start"].get<double>(), 0.0, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["query"]["end"].get<double>(), length, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["source"]["start"].get<double>(), s0, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["source"]["end"].get<double>(), s1, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["speed"].get<double>(), speed, 0.01) << seg.dump();
    for (const json& iv : src["intervals"]) EXPECT_NE(iv["role"], "cut") << iv.dump();
    EXPECT_TRUE(j["not_in_archive"].empty()) << j["not_in_archive"].dump();
    EXPECT_EQ(j["verdict"], "found");
  }

};


// (speed, pitch moves with it)
class SoundSpeed : public MediaSpeed,
                   public ::testing::WithParamInterface<std::tuple<double, bool>> {};

// The sound alone, from 4 s of the source on, for 11 s of clip.
TEST_P(SoundSpeed, SoundClipIsOneContinuousSegmentWithItsSpeed) {
  const auto [speed, pitch] = GetParam();
  const double length = 11.0, s0 = 4.0, s1 = 4.0 + length * speed;
  const std::string name = StrCat("sound-", speed, pitch ? "-tape" : "-tempo", ".ogg");
  ASSERT_EQ(Ffmpeg(StrCat("-ss ", s0, " -t ", s1 - s0, " -i ", ShellQuote(File("talk.mp4")),
                          " -vn -af ", SoundAt(speed, pitch), " -c:a libvorbis -q:a 4 ",
                          ShellQuote(File(name)))),
            "");
  ExpectOneSegment(Trace(name), length, s0, s1, speed);
}

INSTANTIATE_TEST_SUITE_P(MediaSpeed, SoundSpeed,
                         ::testing::Combine(::testing::Values(0.75, 0.9, 1.1, 1.25, 1.5),
                                            ::testing::Bool()));

// The case that was once cut in two: 11 s of a video played 10% fast.
TEST_F(MediaSpeed, VideoPlayedTenPercentFastIsOneSegmentWithNoCut) {
  const double speed = 1.1, length = 11.0, s0 = 6.0, s1 = s0 + length * speed;
  ASSERT_EQ(Ffmpeg(StrCat("-ss ", s0, " -t ", s1 - s0, " -i ", ShellQuote(File("talk.mp4")),
                          " -filter_complex '[0:v]setpts=PTS/", speed, ",fps=25[v];[0:a]atempo=",
                          speed, "[a]' -map '[v]' -map '[a]' -c:v libx264 -preset veryfast "
                          "-crf 26 -c:a aac -b:a 96k ",
                          ShellQuote(File("fast.mp4")))),
            "");
  json j = Trace("fast.mp4");
  ExpectOneSegment(j, length, s0, s1, speed);
  ASSERT_EQ(j["sources"].size(), 1u);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_EQ(seg["evidence"], json::array({"video", "audio"})) << seg.dump();
}

// Slowed down like a tape: the sound lower and slower, the picture slower.
TEST_F(MediaSpeed, VideoSlowedLikeATapeIsOneSegmentAndSaysThePitchMoved) {
  const double speed = 0.8, length = 12.0, s0 = 3.0, s1 = s0 + length * speed;
  ASSERT_EQ(Ffmpeg(StrCat("-ss ", s0, " -t ", s1 - s0, " -i ", ShellQuote(File("talk.mp4")),
                          " -filter_complex '[0:v]setpts=PTS/", speed, ",fps=25[v];[0:a]",
                          SoundAt(speed, true), "[a]' -map '[v]' -map '[a]' -c:v libx264 "
                          "-preset veryfast -crf 26 -c:a aac -b:a 96k ",
                          ShellQuote(File("tape.mp4")))),
            "");
  json j = Trace("tape.mp4");
  ExpectOneSegment(j, length, s0, s1, speed);
  ASSERT_EQ(j["sources"].size(), 1u);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_EQ(seg["details"]["audio"]["pitch_follows_speed"], true) << seg.dump();
}

// No sound at all: the picture alone gives the speed.
TEST_F(MediaSpeed, SilentVideoPlayedFasterIsFoundByItsPictureAtItsSpeed) {
  const double speed = 1.25, length = 12.0, s0 = 5.0, s1 = s0 + length * speed;
  ASSERT_EQ(Ffmpeg(StrCat("-ss ", s0, " -t ", s1 - s0, " -i ", ShellQuote(File("talk.mp4")),
                          " -an -vf setpts=PTS/", speed, ",fps=25 -c:v libx264 -preset veryfast "
                          "-crf 26 ", ShellQuote(File("silent-fast.mp4")))),
            "");
  ExpectOneSegment(Trace("silent-fast.mp4"), length, s0, s1, speed);
}

// Rescaling and a new frame rate change nothing in time: speed 1 exactly.
TEST_F(MediaSpeed, RescaledVideoAtAnotherFrameRateHasNoSpeedChange) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 4 -t 14 -i ", ShellQuote(File("talk.mp4")),
                          " -an -vf scale=480:-2,fps=30 -c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("rescaled.mp4")))),
            "");
  json j = Trace("rescaled.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  for (const json& seg : j["sources"][0]["segments"]) {
    EXPECT_EQ(seg["speed"].get<double>(), 1.0) << seg.dump();
  }
}

// Speech never archived, played fast and slow, with and without pitch:
// searching the whole range of speeds must not find it anywhere.
TEST_F(MediaSpeed, SpeechNeverArchivedMatchesNothingAtAnySpeed) {
  for (const auto& [speed, pitch] : {std::pair{1.3, true}, std::pair{0.8, false}}) {
    const std::string name = StrCat("other-", speed, ".mp3");
    ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(File("other.wav")), " -af ", SoundAt(speed, pitch),
                            " -c:a libmp3lame -b:a 64k ", ShellQuote(File(name)))),
              "");
    RunResult r = Uncut("trace --json " + ShellQuote(File(name)));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_EQ(json::parse(r.out)["verdict"], "not_found") << r.out;
  }
}

}  // namespace
}  // namespace uncut

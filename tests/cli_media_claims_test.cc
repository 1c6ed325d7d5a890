// End-to-end tests of what a clip's trace may claim. A report's "cut",
// "spliced" and "not in the archive" are quoted as proof that a clip was
// edited, so they are said only where the picture or the sound shows
// foreign or missing material. Stretches neither fingerprint can compare
// (plain or black frames, a title card, silence) are "could not be
// compared"; a segment's evidence names every kind that matches along it;
// a speed is given only when the frames show one.
//
// The suite archives a 30-second trailer (a title card over silence, then
// three moving scenes over speech, another title card among them) and a
// silent 40-second camera recording, and cuts its clips from them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
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

constexpr double kTolerance = 0.25;  // seconds

constexpr char kTalk[] =
    "The bridge over the river will close for repairs from the first of June. Drivers are asked "
    "to use the northern road, which adds about twenty minutes to the journey. The council said "
    "the work had been delayed twice because of the cold winter, and that the cost had risen by a "
    "third. Shop owners on the old square fear that fewer visitors will come during the summer.";

constexpr char kFont[] = "font=DejaVu Sans";

class CliMediaClaims : public testing::MediaSuite<CliMediaClaims> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static std::string MakeMedia() {
    std::string err = testing::Speak(kTalk, File("talk.wav"));
    if (!err.empty()) return err;
    const std::string scene = "size=320x180:rate=25";
    // 0-4 title card (silent), 4-12 testsrc2, 12-20 mandelbrot, 20-23
    // title card, 23-30 cellular automaton; speech from 4 s on.
    err = Ffmpeg(StrCat(
        "-f lavfi -i color=c=black:", scene, ":d=4 -f lavfi -i testsrc2=", scene,
        ",trim=duration=8 -f lavfi -i mandelbrot=", scene, ",trim=duration=8 -f lavfi -i color=c=black:",
        scene, ":d=3 -f lavfi -i cellauto=", scene, ":rule=30:seed=11,trim=duration=7 -i ",
        ShellQuote(File("talk.wav")), " -filter_complex '[0]drawtext=", kFont,
        ":text=THE LAST HARBOUR:x=(w-tw)/2:y=(h-th)/2:fontsize=26:fontcolor=white[t1];[3]drawtext=",
        kFont, ":text=COMING SOON:x=(w-tw)/2:y=(h-th)/2:fontsize=22:fontcolor=white[t2];"
        "[t1][1][2][t2][4]concat=n=5:v=1:a=0,format=yuv420p[v];"
        "[5]adelay=4000,apad,atrim=duration=30[a]' -map '[v]' -map '[a]' -t 30 "
        "-c:v libx264 -preset veryfast -crf 24 -g 50 -c:a aac -b:a 96k ",
        ShellQuote(File("trailer.mp4"))));
    if (!err.empty()) return err;
    // A camera without sound: a slowly changing scene, then a busy one,
    // with a recording mark in the corner.
    err = Ffmpeg(StrCat(
        "-f lavfi -i life=size=320x180:rate=3:mold=10:ratio=0.3:seed=5,fps=25,trim=duration=20 "
        "-f lavfi -i cellauto=", scene, ":rule=110:seed=3,trim=duration=20 -filter_complex "
        "'[0][1]concat=n=2:v=1:a=0,drawtext=", kFont, ":text=REC:x=w-tw-6:y=6:"
        "fontsize=12:fontcolor=white,format=yuv420p[v]' -map '[v]' "
        "-c:v libx264 -preset veryfast -crf 24 -g 50 ", ShellQuote(File("camera.mp4"))));
    if (!err.empty()) return err;
    RunResult r = Uncut(
        StrCat("add ", ShellQuote(File("trailer.mp4")), " ", ShellQuote(File("camera.mp4"))));
    return r.exit_code == 0 ? "" : r.err;
  }

  static json Trace(const std::string& name, int exit_code = 0) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(name)));
    EXPECT_EQ(r.exit_code, exit_code) << r.err << r.out;
    return r.out.empty() ? json::object() : json::parse(r.out);
  }

  static std::vector<std::string> Evidence(const json& seg) {
    return seg["evidence"].get<std::vector<std::string>>();
  }

  // One source, `name`, with no cut and nothing claimed not in the archive.
  static void ExpectNoEditClaimed(const json& j, const std::string& name) {
    ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
    const json& src = j["sources"][0];
    EXPECT_EQ(src["item"]["name"], name);
    EXPECT_EQ(src["verdict"], "continuous") << src.dump(2);
    for (const json& iv : src["intervals"]) EXPECT_NE(iv["role"], "cut") << iv.dump();
    EXPECT_TRUE(j["not_in_archive"].empty()) << j["not_in_archive"].dump();
  }
};

// A clip of black frames and silence: nothing either fingerprint can
// compare, so nothing is claimed about it, "not in archive" least of all.
TEST_F(CliMediaClaims, BlackSilentClipCouldNotBeComparedRatherThanNotFound) {
  ASSERT_EQ(Ffmpeg(StrCat("-f lavfi -i color=c=black:size=320x180:rate=25:d=5 -f lavfi -i "
                          "anullsrc=r=44100:cl=stereo -t 5 -c:v libx264 -c:a aac ",
                          ShellQuote(File("black.mp4")))),
            "");
  json j = Trace("black.mp4", 1);
  EXPECT_EQ(j["verdict"], "not_compared") << j.dump(2);
  EXPECT_TRUE(j["sources"].empty());
  EXPECT_TRUE(j["not_in_archive"].empty()) << j.dump(2);
  ASSERT_EQ(j["not_compared"].size(), 1u) << j.dump(2);
  EXPECT_NEAR(j["not_compared"][0]["start"].get<double>(), 0.0, kTolerance);
  EXPECT_NEAR(j["not_compared"][0]["end"].get<double>(), 5.0, kTolerance);
  EXPECT_NE(j["not_compared"][0]["reason"].get<std::string>().find("too plain"),
            std::string::npos);
  RunResult text = Uncut("trace " + ShellQuote(File("black.mp4")));
  EXPECT_NE(text.out.find("Could not be compared"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("Not found"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("not in archive"), std::string::npos) << text.out;
  RunResult html = Uncut(StrCat("trace ", ShellQuote(File("black.mp4")), " --html ",
                                ShellQuote(File("black.html"))));
  const std::string page = testing::Head(File("black.html"), 4 << 20);
  EXPECT_NE(page.find("could not be compared with the archive"), std::string::npos);
  EXPECT_EQ(page.find("No archived source contains"), std::string::npos);
}

// Four seconds of the clip greyed out and muted, on the source's own line,
// while the rest of the clip's sound is recognised: neither fingerprint can
// say what the source showed there, so there is no cut and nothing foreign,
// one segment whose middle is unconfirmed. Was: "4.02 s left out", and the
// stretch "not in archive".
TEST_F(CliMediaClaims, PlainSilentStretchOnTheSourcesLineIsNeitherACutNorForeign) {
  ASSERT_EQ(Ffmpeg(StrCat(
                "-ss 8 -to 20 -i ", ShellQuote(File("trailer.mp4")),
                " -f lavfi -i color=c=gray:size=320x180:rate=25 -filter_complex "
                "'[0:v]setpts=PTS-STARTPTS[b];[1:v]trim=duration=12[t];"
                "[b][t]overlay=enable=between(t\\,3\\,7):shortest=1,format=yuv420p[v];"
                "[0:a]asetpts=PTS-STARTPTS,volume=enable=between(t\\,3\\,7):volume=0[a]' "
                "-map '[v]' -map '[a]' -c:v libx264 -preset veryfast -crf 26 -c:a aac ",
                ShellQuote(File("grey-muted.mp4")))),
            "");
  json j = Trace("grey-muted.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
  const json& segs = j["sources"][0]["segments"];
  ASSERT_EQ(segs.size(), 1u) << j.dump(2);
  EXPECT_NEAR(segs[0]["query"]["start"].get<double>(), 0.0, kTolerance);
  EXPECT_NEAR(segs[0]["query"]["end"].get<double>(), 12.0, kTolerance);
  EXPECT_NEAR(segs[0]["source"]["start"].get<double>(), 8.0, kTolerance);
  const json unconfirmed = segs[0]["details"].value("unconfirmed", json::array());
  ASSERT_EQ(unconfirmed.size(), 1u) << segs[0].dump(2);
  EXPECT_NEAR(unconfirmed[0]["query_start"].get<double>(), 3.0, 0.5);
  EXPECT_NEAR(unconfirmed[0]["query_end"].get<double>(), 7.0, 0.5);
  // Frames and sound both match before and after the stretch (the first
  // part was once "audio" alone).
  EXPECT_EQ(Evidence(segs[0]), (std::vector<std::string>{"video", "audio"})) << segs[0].dump();
  RunResult text = Uncut("trace " + ShellQuote(File("grey-muted.mp4")));
  EXPECT_EQ(text.out.find("cut: source"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("not in archive"), std::string::npos) << text.out;
}

// Where the sound found a segment and the clip's frames match the source's
// along it, the evidence says both. Was: "audio" alone, beside frames that
// visibly match in the same report.
TEST_F(CliMediaClaims, EvidenceNamesThePictureWhereItsFramesMatchAlongTheSound) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 8 -to 20 -i ", ShellQuote(File("trailer.mp4")),
                          " -vf scale=240:136 -c:v libx264 -preset veryfast -crf 28 -c:a aac ",
                          ShellQuote(File("small.mp4")))),
            "");
  json j = Trace("small.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
  for (const json& seg : j["sources"][0]["segments"]) {
    std::vector<std::string> evidence = Evidence(seg);
    EXPECT_NE(std::find(evidence.begin(), evidence.end(), "video"), evidence.end()) << seg.dump();
    EXPECT_NE(std::find(evidence.begin(), evidence.end(), "audio"), evidence.end()) << seg.dump();
    EXPECT_TRUE(seg["details"].contains("video")) << seg.dump();
    EXPECT_TRUE(seg["details"].contains("audio")) << seg.dump();
  }
}

// The trailer's title card, silent, then its first scene, rescaled: no
// stretch of it is "not in archive".
TEST_F(CliMediaClaims, TitleCardOfTheTrailerIsNeverClaimedForeign) {
  ASSERT_EQ(Ffmpeg(StrCat("-t 10 -i ", ShellQuote(File("trailer.mp4")),
                          " -vf scale=480:270 -c:v libx264 -preset veryfast -crf 26 -c:a aac ",
                          ShellQuote(File("title.mp4")))),
            "");
  json j = Trace("title.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
  // Without the sound, the title card is either matched or not compared.
  ASSERT_EQ(Ffmpeg(StrCat("-t 10 -i ", ShellQuote(File("trailer.mp4")),
                          " -an -vf scale=480:270 -c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("title-silent.mp4")))),
            "");
  j = Trace("title-silent.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
}

// A 70% centre crop of the trailer without its sound, over two moving
// scenes: where the frames match, the segment plays at normal speed (the
// crop of the zooming scene once gave "speed 1.026x").
TEST_F(CliMediaClaims, CroppedZoomingPictureGetsNoSpeedItDoesNotShow) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 4 -t 12 -i ", ShellQuote(File("trailer.mp4")),
                          " -an -vf 'crop=trunc(iw*0.7/2)*2:trunc(ih*0.7/2)*2,scale=320:180' "
                          "-c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("crop70.mp4")))),
            "");
  json j = Trace("crop70.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  for (const json& seg : j["sources"][0]["segments"]) {
    EXPECT_EQ(seg["speed"].get<double>(), 1.0) << seg.dump();
  }
}

// Two stretches of a video joined, the second a growing cellular automaton
// after the speech has ended: the picture alone places it, and its frames
// change too little between the source's sampled ones to show any speed.
// Both parts play at normal speed, with the 2.5 s between them cut. Was:
// the second part "0.90x" at 9.2-11.4 s, and a second and a half of the
// clip not placed at all. The source has an archive of its own.
TEST_F(CliMediaClaims, SplicedClipWhosePictureAloneFindsTheSecondPartGetsNoSpeed) {
  ASSERT_EQ(testing::Speak("The bridge over the river will close for repairs on Monday, and "
                           "traffic will be sent through the old town until the end of the month.",
                           File("bridge.wav")),
            "");
  ASSERT_EQ(Ffmpeg(StrCat(
                "-f lavfi -i testsrc=size=320x180:rate=25,hue=h=t*40,trim=duration=6 -f lavfi -i "
                "cellauto=size=320x180:rate=25:rule=110:seed=3,trim=duration=6 -i ",
                ShellQuote(File("bridge.wav")),
                " -filter_complex '[0][1]concat=n=2:v=1:a=0,format=yuv420p[v];"
                "[2]apad,atrim=duration=12[a]' -map '[v]' -map '[a]' -c:v libx264 "
                "-preset veryfast -c:a aac ", ShellQuote(File("bridge.mp4")))),
            "");
  ASSERT_EQ(Ffmpeg(StrCat(
                "-i ", ShellQuote(File("bridge.mp4")), " -filter_complex '"
                "[0:v]trim=1:5,setpts=PTS-STARTPTS[v1];[0:a]atrim=1:5,asetpts=PTS-STARTPTS[a1];"
                "[0:v]trim=7.5:11.5,setpts=PTS-STARTPTS[v2];"
                "[0:a]atrim=7.5:11.5,asetpts=PTS-STARTPTS[a2];"
                "[v1][a1][v2][a2]concat=n=2:v=1:a=1[v][a];[v]scale=256:144,format=yuv420p[vo]' "
                "-map '[vo]' -map '[a]' -c:v libx264 -preset veryfast -crf 28 -c:a aac ",
                ShellQuote(File("bridge-clip.mp4")))),
            "");
  const std::string archive = File("bridge-archive");
  RunResult added = testing::RunUncut(archive, "add " + ShellQuote(File("bridge.mp4")));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  RunResult r = testing::RunUncut(archive, "trace --json " + ShellQuote(File("bridge-clip.mp4")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "found") << j.dump(2);
  EXPECT_TRUE(j["not_in_archive"].empty()) << j["not_in_archive"].dump();
  EXPECT_TRUE(j["not_compared"].empty()) << j["not_compared"].dump();
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  EXPECT_EQ(src["verdict"], "spliced") << src.dump(2);
  const json& segs = src["segments"];
  ASSERT_EQ(segs.size(), 2u) << src.dump(2);
  constexpr double kEdge = 0.3;  // seconds
  const double parts[2][3] = {{0.0, 4.0, 1.0}, {4.0, 8.0, 7.5}};  // clip from-to, source from
  for (int i = 0; i < 2; ++i) {
    const json& seg = segs[i];
    EXPECT_EQ(seg["speed"].get<double>(), 1.0) << seg.dump();
    EXPECT_NEAR(seg["query"]["start"].get<double>(), parts[i][0], kEdge) << seg.dump();
    EXPECT_NEAR(seg["query"]["end"].get<double>(), parts[i][1], kEdge) << seg.dump();
    EXPECT_NEAR(seg["source"]["start"].get<double>(), parts[i][2], kEdge) << seg.dump();
    EXPECT_NEAR(seg["source"]["end"].get<double>(), parts[i][2] + 4.0, kEdge) << seg.dump();
  }
  int cuts = 0;
  for (const json& iv : src["intervals"]) {
    if (iv["role"] != "cut") continue;
    ++cuts;
    EXPECT_NEAR(iv["start"].get<double>(), 5.0, kEdge) << iv.dump();
    EXPECT_NEAR(iv["end"].get<double>(), 7.5, kEdge) << iv.dump();
  }
  EXPECT_EQ(cuts, 1) << src.dump(2);
  RunResult text = testing::RunUncut(archive, "trace " + ShellQuote(File("bridge-clip.mp4")));
  EXPECT_EQ(text.out.find("speed"), std::string::npos) << text.out;
}

// A plain rescale at another frame rate, with its sound: speed 1 exactly.
TEST_F(CliMediaClaims, RescaledClipAtAnotherFrameRateHasNoSpeed) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 4 -t 14 -i ", ShellQuote(File("trailer.mp4")),
                          " -vf scale=480:-2,fps=30 -c:v libx264 -preset veryfast -crf 26 -c:a aac ",
                          ShellQuote(File("rescaled.mp4")))),
            "");
  json j = Trace("rescaled.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
  for (const json& seg : j["sources"][0]["segments"]) {
    EXPECT_EQ(seg["speed"].get<double>(), 1.0) << seg.dump();
  }
}

// Seven seconds of the silent camera with a small caption box over a
// corner: found, and none of it claimed foreign.
TEST_F(CliMediaClaims, SilentCameraPieceWithASmallCaptionIsFoundWhole) {
  const std::string caption =
      StrCat("drawbox=x=8:y=ih-30:w=iw/3:h=22:color=black@0.7:t=fill,drawtext=", kFont,
             ":text=CAM 3:x=14:y=h-27:fontsize=14:fontcolor=white");
  ASSERT_EQ(Ffmpeg(StrCat("-ss 5 -t 7 -i ", ShellQuote(File("camera.mp4")), " -vf ",
                          ShellQuote(caption), " -c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("camera-caption.mp4")))),
            "");
  json j = Trace("camera-caption.mp4");
  ExpectNoEditClaimed(j, "camera.mp4");
}

// The trailer's moving scene at half size over other moving footage, with
// no sound: the inset's picture is the trailer's, so nothing of the clip is
// claimed foreign. The inset's top edge falls between two pixel rows of
// the picture uncut analyses (170 of 360 rows, read at 270), which once hid
// the inset: the clip was "not found" and all of it "not in archive".
TEST_F(CliMediaClaims, PictureInPictureOverOtherFootageIsNotClaimedForeign) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 13 -t 6 -i ", ShellQuote(File("trailer.mp4")),
                          " -f lavfi -i testsrc=size=640x360:rate=25 -filter_complex "
                          "'[0:v]setpts=PTS-STARTPTS,scale=320:180[in];"
                          "[1:v][in]overlay=x=300:y=170:shortest=1,format=yuv420p[v]' "
                          "-map '[v]' -an -c:v libx264 -preset veryfast -crf 23 ",
                          ShellQuote(File("pip.mp4")))),
            "");
  json j = Trace("pip.mp4");
  ExpectNoEditClaimed(j, "trailer.mp4");
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 13.0, 0.5) << seg.dump();
}

// Foreign footage swapped into a silent clip of the trailer's picture, cut
// in and out: the picture alone shows it, so it is still reported as not in
// the archive, and the source's parts around it are not joined. (The clip
// is of the trailer's slowly zooming scene: its fast test pattern, sampled
// at 3 frames a second in the archive, is found or not depending on how a
// run's encoder placed its frames.)
TEST_F(CliMediaClaims, ForeignShotInASilentClipIsNotInTheArchive) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 12 -t 8 -i ", ShellQuote(File("trailer.mp4")),
                          " -f lavfi -i life=size=320x180:rate=25:mold=5:ratio=0.5:seed=9 "
                          "-filter_complex '[0:v]setpts=PTS-STARTPTS[b];[1:v]trim=duration=8[t];"
                          "[b][t]overlay=enable=between(t\\,3\\,5.5):shortest=1,format=yuv420p[v]' "
                          "-map '[v]' -an -c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("insert.mp4")))),
            "");
  json j = Trace("insert.mp4");
  ASSERT_EQ(j["not_in_archive"].size(), 1u) << j.dump(2);
  EXPECT_NEAR(j["not_in_archive"][0]["start"].get<double>(), 3.0, 0.5) << j.dump(2);
  EXPECT_NEAR(j["not_in_archive"][0]["end"].get<double>(), 5.5, 0.5) << j.dump(2);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["sources"][0]["segments"].size(), 2u) << j.dump(2);
}

// One still picture held for 6 s over a moving waveform band, no sound (an
// audiogram with its sound taken off): found nowhere, but a held still is
// a picture, not footage, and shows nothing of where a recording comes
// from. It could not be compared, and says so. Was: "not in archive".
TEST_F(CliMediaClaims, AHeldStillUnderAWaveformIsNotClaimedForeign) {
  ASSERT_EQ(Ffmpeg(StrCat("-f lavfi -i life=size=320x180:rate=25:mold=5:ratio=0.5:seed=4 "
                          "-f lavfi -i sine=frequency=300:beep_factor=4:duration=6 "
                          "-filter_complex '[0:v]trim=end_frame=1,loop=loop=149:size=1,"
                          "setpts=N/25/TB[s];[1:a]showwaves=size=320x20:rate=25:mode=line[w];"
                          "[s][w]overlay=0:80:shortest=1,format=yuv420p[v]' -map '[v]' -an "
                          "-t 6 -c:v libx264 -preset veryfast -crf 24 ",
                          ShellQuote(File("audiogram.mp4")))),
            "");
  json j = Trace("audiogram.mp4", 1);
  EXPECT_TRUE(j["sources"].empty()) << j.dump(2);
  EXPECT_TRUE(j["not_in_archive"].empty()) << j.dump(2);
  EXPECT_EQ(j["verdict"], "not_compared") << j.dump(2);
  ASSERT_EQ(j["not_compared"].size(), 1u) << j.dump(2);
  EXPECT_NE(j["not_compared"][0]["reason"].get<std::string>().find("one still image held"),
            std::string::npos)
      << j.dump(2);
}

}  // namespace
}  // namespace uncut

// End-to-end tests of tracing video and audio clips with the command line.
//
// The suite makes its media once (ffmpeg's lavfi sources, espeak-ng speech):
// a 30-second "broadcast" of five visually distinct scenes over a spoken
// report, and a radio programme of a newsreader over a tone bed. Both are
// archived; each test cuts a clip from them with ffmpeg, traces it and
// checks the JSON report (schema uncut.trace/1, docs/trace-schema.md).
// Times must come back within a quarter of a second.
#include <gtest/gtest.h>

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
using testing::RunShell;
using testing::ShellQuote;

constexpr double kTolerance = 0.25;  // seconds

constexpr char kReport[] =
    "The harbour commission met on Tuesday to discuss the new breakwater. Engineers said the "
    "storm in March had damaged the northern pier beyond repair. The mayor promised that "
    "fishing boats would return to the inner basin before the summer. Critics asked who would "
    "pay for the work, and the treasurer replied that the regional fund had already approved a "
    "loan. A vote on the final design is expected next month, after a public hearing in the "
    "town hall.";

constexpr char kNews[] =
    "Good evening. Here is the news at six. Floods have closed the coastal road between the two "
    "villages, and the ferry will run every hour until the water goes down. In the capital, the "
    "finance minister said the budget would be presented on Thursday, a week later than planned. "
    "Farmers in the east report the best harvest in ten years. And finally, the weather: rain "
    "tonight, clearing from the west by morning.";

class CliMedia : public testing::MediaSuite<CliMedia> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  // Five scenes of six seconds, each moving in its own way, over speech.
  static std::string MakeBroadcast(const std::string& out) {
    std::string err = testing::Speak(kReport, File("report.wav"));
    if (!err.empty()) return err;
    const std::string scene = "size=320x180:rate=25";
    return Ffmpeg(StrCat(
        "-f lavfi -i testsrc2=", scene, ",trim=duration=6 ", "-f lavfi -i cellauto=", scene,
        ":rule=30:seed=7,negate,trim=duration=6 ", "-f lavfi -i testsrc=", scene,
        ",hue=h=t*40,trim=duration=6 ", "-f lavfi -i cellauto=", scene,
        ":rule=110:seed=3,trim=duration=6 ", "-f lavfi -i smptehdbars=", scene,
        ",rotate=a=t*0.6:fillcolor=navy,trim=duration=6 ", "-i ", ShellQuote(File("report.wav")),
        " -filter_complex '[0][1][2][3][4]concat=n=5:v=1:a=0,format=yuv420p[v];"
        "[5]apad,atrim=duration=30[a]' -map '[v]' -map '[a]' -t 30 "
        "-c:v libx264 -preset veryfast -crf 26 -g 50 -c:a aac -b:a 64k "
        "-metadata creation_time=2024-05-01T12:00:00Z -metadata title='Harbour report' ",
        ShellQuote(out)));
  }

  // A newsreader over a quiet two-tone bed, starting two seconds in.
  static std::string MakeRadio(const std::string& out) {
    std::string err = testing::Speak(kNews, File("news.wav"), "en-us", 150);
    if (!err.empty()) return err;
    return Ffmpeg(
        StrCat("-f lavfi -i sine=frequency=220:duration=32:sample_rate=22050 "
               "-f lavfi -i sine=frequency=330:duration=32:sample_rate=22050 -i ",
               ShellQuote(File("news.wav")),
               " -filter_complex '[0][1]amix=inputs=2,volume=0.15[bed];"
               "[2]adelay=2000,apad,atrim=duration=32[voice];"
               "[bed][voice]amix=inputs=2:normalize=0[a]' -map '[a]' -c:a libmp3lame -b:a 64k ",
               ShellQuote(out)));
  }

  static std::string MakeMedia() {
    std::string err = MakeBroadcast(File("broadcast.mp4"));
    if (err.empty()) err = MakeRadio(File("radio.mp3"));
    if (!err.empty()) return err;
    RunResult r = Uncut(
        StrCat("add ", ShellQuote(File("broadcast.mp4")), " ", ShellQuote(File("radio.mp3"))));
    return r.exit_code == 0 ? "" : r.err;
  }



  // Joins two stretches of the broadcast (with their sound) and applies
  // `filter` to the picture; writes clip `name`.
  static std::string Splice(double a0, double a1, double b0, double b1, const std::string& filter,
                            const std::string& name) {
    return Ffmpeg(
        StrCat("-i ", ShellQuote(File("broadcast.mp4")), " -filter_complex '", "[0:v]trim=", a0,
               ":", a1, ",setpts=PTS-STARTPTS[v1];", "[0:a]atrim=", a0, ":", a1,
               ",asetpts=PTS-STARTPTS[a1];", "[0:v]trim=", b0, ":", b1, ",setpts=PTS-STARTPTS[v2];",
               "[0:a]atrim=", b0, ":", b1, ",asetpts=PTS-STARTPTS[a2];",
               "[v1][a1][v2][a2]concat=n=2:v=1:a=1[v][a];[v]", filter, ",format=yuv420p[vo]' ",
               "-map '[vo]' -map '[a]' -c:v libx264 -preset veryfast -crf 30 -c:a aac -b:a 48k ",
               ShellQuote(File(name))));
  }

  // Traces a clip with --json; fails the test unless uncut exits 0.
  static json Trace(const std::string& name) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(name)));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }

  static void ExpectSegment(const json& seg, double q0, double q1, double s0, double s1) {
    EXPECT_NEAR(seg["query"]["start"].get<double>(), q0, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["query"]["end"].get<double>(), q1, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["source"]["start"].get<double>(), s0, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["source"]["end"].get<double>(), s1, kTolerance) << seg.dump();
    EXPECT_NEAR(seg["speed"].get<double>(), 1.0, 0.03) << seg.dump();
    EXPECT_GT(seg["confidence"].get<double>(), 0.0);
    EXPECT_LE(seg["confidence"].get<double>(), 1.0);
  }

  static const json* Interval(const json& source, const std::string& role) {
    for (const json& iv : source["intervals"]) {
      if (iv["role"] == role) return &iv;
    }
    return nullptr;
  }

  static std::vector<std::string> Evidence(const json& seg) {
    return seg["evidence"].get<std::vector<std::string>>();
  }

  // Checks that `name` traces to broadcast 12-20 s as one segment found by
  // its picture alone.
  static void ExpectFoundByPictureAt12To20(const std::string& name) {
    json j = Trace(name);
    ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
    const json& src = j["sources"][0];
    EXPECT_EQ(src["item"]["name"], "broadcast.mp4");
    ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
    ExpectSegment(src["segments"][0], 0.0, 8.0, 12.0, 20.0);
    EXPECT_EQ(Evidence(src["segments"][0]), std::vector<std::string>{"video"});
  }

};


TEST_F(CliMedia, SplicedLetterboxedClipComesBackAsTwoSegmentsWithTheCutBetween) {
  ASSERT_EQ(Splice(3.5, 9.5, 15.2, 20.7, "scale=256:144,pad=320:240:32:48", "splice.mp4"), "");
  json j = Trace("splice.mp4");
  ASSERT_TRUE(j.contains("sources")) << j.dump();
  EXPECT_EQ(j["schema"], "uncut.trace/1");
  EXPECT_EQ(j["query"]["kind"], "video");
  EXPECT_EQ(j["query"]["unit"], "s");
  EXPECT_EQ(j["query"]["name"], "splice.mp4");
  EXPECT_NEAR(j["query"]["length"].get<double>(), 11.5, kTolerance);
  EXPECT_EQ(j["verdict"], "found");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  EXPECT_EQ(src["item"]["name"], "broadcast.mp4");
  EXPECT_EQ(src["verdict"], "spliced");
  ASSERT_EQ(src["segments"].size(), 2u) << src.dump(2);
  ExpectSegment(src["segments"][0], 0.0, 6.0, 3.5, 9.5);
  ExpectSegment(src["segments"][1], 6.0, 11.5, 15.2, 20.7);
  for (const json& seg : src["segments"]) {
    std::vector<std::string> evidence = Evidence(seg);
    EXPECT_NE(std::find(evidence.begin(), evidence.end(), "video"), evidence.end()) << seg.dump();
    EXPECT_TRUE(seg["details"].contains("video")) << seg.dump();
  }
  const json* cut = Interval(src, "cut");
  ASSERT_NE(cut, nullptr) << src["intervals"].dump();
  EXPECT_NEAR((*cut)["start"].get<double>(), 9.5, kTolerance);
  EXPECT_NEAR((*cut)["end"].get<double>(), 15.2, kTolerance);
  EXPECT_NEAR((*cut)["length"].get<double>(), 5.7, 2 * kTolerance);
  const json* before = Interval(src, "before");
  ASSERT_NE(before, nullptr);
  EXPECT_NEAR((*before)["end"].get<double>(), 3.5, kTolerance);
  const json* after = Interval(src, "after");
  ASSERT_NE(after, nullptr);
  EXPECT_NEAR((*after)["start"].get<double>(), 20.7, kTolerance);
  EXPECT_TRUE(j["not_in_archive"].empty()) << j["not_in_archive"].dump();

  // The terminal says the same in words.
  RunResult text = Uncut("trace " + ShellQuote(File("splice.mp4")));
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("Source 1: broadcast.mp4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("segment 2: query 0:0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cut: source 0:09."), std::string::npos) << text.out;
}

TEST_F(CliMedia, MirroredClipWithItsPartsSwappedIsReportedAsReordered) {
  ASSERT_EQ(Splice(19.5, 23.5, 1.5, 5.5, "hflip,scale=240:136", "swapped.mp4"), "");
  json j = Trace("swapped.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  EXPECT_EQ(src["verdict"], "reordered");
  ASSERT_EQ(src["segments"].size(), 2u) << src.dump(2);
  // Segments in the clip's order; the cut in the source's.
  ExpectSegment(src["segments"][0], 0.0, 4.0, 19.5, 23.5);
  ExpectSegment(src["segments"][1], 4.0, 8.0, 1.5, 5.5);
  const json* cut = Interval(src, "cut");
  ASSERT_NE(cut, nullptr);
  EXPECT_NEAR((*cut)["start"].get<double>(), 5.5, kTolerance);
  EXPECT_NEAR((*cut)["end"].get<double>(), 19.5, kTolerance);
}

TEST_F(CliMedia, AudioClipOfARadioProgrammeIsTracedToItsStretch) {
  // Eight seconds re-encoded as 12 kbit/s Opus, telephone band, quieter.
  ASSERT_EQ(Ffmpeg(StrCat("-ss 9 -to 17 -i ", ShellQuote(File("radio.mp3")),
                          " -af volume=0.6,highpass=f=300,lowpass=f=3400 -c:a libopus -b:a 12k ",
                          ShellQuote(File("radio-clip.ogg")))),
            "");
  json j = Trace("radio-clip.ogg");
  EXPECT_EQ(j["query"]["kind"], "audio");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  EXPECT_EQ(src["item"]["name"], "radio.mp3");
  EXPECT_EQ(src["item"]["kind"], "audio");
  EXPECT_EQ(src["verdict"], "continuous");
  ASSERT_EQ(src["segments"].size(), 1u);
  ExpectSegment(src["segments"][0], 0.0, 8.0, 9.0, 17.0);
  EXPECT_EQ(Evidence(src["segments"][0]), std::vector<std::string>{"audio"});
  EXPECT_TRUE(src["segments"][0]["details"].contains("audio"));
}

// A cut inside a pause: the clip leaves the source a second into two
// seconds of faint hiss (far too quiet for spectral peaks) and goes on with
// other speech. The match must end at the cut, where the clip's loudness
// stops following the source's, not at the last spoken word.
TEST_F(CliMedia, SoundCutInsideAPauseEndsWhereTheClipLeavesTheSource) {
  ASSERT_EQ(Ffmpeg(StrCat(
                "-i ", ShellQuote(File("report.wav")),
                " -f lavfi -i anoisesrc=color=pink:amplitude=0.004:seed=5:duration=2:"
                "sample_rate=22050 -i ",
                ShellQuote(File("report.wav")),
                " -filter_complex '[0]atrim=0:6,asetpts=PTS-STARTPTS[a];"
                "[2]atrim=10:16,asetpts=PTS-STARTPTS[c];[a][1][c]concat=n=3:v=0:a=1' "
                "-c:a aac -b:a 64k ",
                ShellQuote(File("paused.m4a")))),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(File("paused.m4a")), " -i ",
                          ShellQuote(File("news.wav")),
                          " -filter_complex '[0]atrim=0:7,asetpts=PTS-STARTPTS[a];"
                          "[1]atrim=3:8,asetpts=PTS-STARTPTS,aresample=44100[b];"
                          "[a][b]concat=n=2:v=0:a=1' -c:a libmp3lame -b:a 48k ",
                          ShellQuote(File("cut-in-pause.mp3")))),
            "");
  const std::string archive = File("pause-archive");
  RunResult added = testing::RunUncut(archive, "add " + ShellQuote(File("paused.m4a")));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  RunResult r = testing::RunUncut(archive, "trace --json " + ShellQuote(File("cut-in-pause.mp3")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  ASSERT_EQ(j["sources"][0]["segments"].size(), 1u) << j.dump(2);
  const json& seg = j["sources"][0]["segments"][0];
  // Speech ends at 6 s; the clip's cut is at 7 s.
  EXPECT_NEAR(seg["query"]["start"].get<double>(), 0.0, 0.1) << seg.dump();
  EXPECT_NEAR(seg["query"]["end"].get<double>(), 7.0, 0.15) << seg.dump();
  EXPECT_NEAR(seg["source"]["end"].get<double>(), 7.0, 0.15) << seg.dump();
  // The report says which end no peak confirms: the second of hiss.
  ASSERT_TRUE(seg["details"]["audio"].contains("loudness_only")) << seg.dump();
  const json& quiet = seg["details"]["audio"]["loudness_only"];
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_NEAR(quiet[0]["query_start"].get<double>(), 6.0, 0.15) << seg.dump();
  EXPECT_NEAR(quiet[0]["query_end"].get<double>(), 7.0, 0.15) << seg.dump();
  RunResult text = testing::RunUncut(archive, "trace " + ShellQuote(File("cut-in-pause.mp3")));
  EXPECT_NE(text.out.find("clip 0:0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("is too quiet to compare sound by sound"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("peaks"), std::string::npos) << text.out;
}

TEST_F(CliMedia, ClipWithReplacedSoundIsFoundByItsPicture) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 12 -to 20 -i ", ShellQuote(File("broadcast.mp4")),
                          " -f lavfi -i sine=frequency=440:duration=8 -map 0:v -map 1:a "
                          "-c:v libx264 -preset veryfast -crf 28 -c:a aac -shortest ",
                          ShellQuote(File("music.mp4")))),
            "");
  ExpectFoundByPictureAt12To20("music.mp4");
}

// A silent clip zoomed in to the central 60% of the picture: the whole
// picture's hashes cannot see it, the source's crop hash can.
TEST_F(CliMedia, SilentClipCroppedToTheCentreIsFoundByItsPicture) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 12 -to 20 -i ", ShellQuote(File("broadcast.mp4")),
                          " -vf 'crop=192:108,scale=320:180,format=yuv420p' -an "
                          "-c:v libx264 -preset veryfast -crf 26 ",
                          ShellQuote(File("cropped.mp4")))),
            "");
  ExpectFoundByPictureAt12To20("cropped.mp4");
}

// The picture of broadcast 12-24 s with clip time [from, to) covered by
// `cover` (a lavfi source drawn over the whole frame), and a tone for sound.
static std::string CoveredClip(const std::string& cover, const std::string& out, int from = 3,
                               int to = 7) {
  return testing::Ffmpeg(StrCat(
      "-ss 12 -to 24 -i ", ShellQuote(out.substr(0, out.find_last_of('/')) + "/broadcast.mp4"),
      " -f lavfi -i ", cover, ":size=320x180:rate=25 -f lavfi -i sine=frequency=440:duration=12 ",
      "-filter_complex '[0:v]setpts=PTS-STARTPTS[base];[1:v]trim=duration=12[top];"
      "[base][top]overlay=enable=between(t\\,", from, "\\,", to,
      "):shortest=1,format=yuv420p[v]' ",
      "-map '[v]' -map 2:a -c:v libx264 -preset veryfast -crf 26 -c:a aac -shortest ",
      ShellQuote(out)));
}

// A clip whose [from, to) was swapped for foreign footage: two segments of
// the one source, neither bridged, and the swap not in the archive.
static void ExpectSwapCutOut(const json& j, double from, double to) {
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  ASSERT_EQ(src["segments"].size(), 2u) << src.dump(2);
  for (const json& seg : src["segments"]) {
    EXPECT_FALSE(seg.value("details", json::object()).contains("unconfirmed")) << seg.dump(2);
  }
  ASSERT_EQ(j["not_in_archive"].size(), 1u) << j.dump(2);
  EXPECT_NEAR(j["not_in_archive"][0]["start"].get<double>(), from, 0.5);
  EXPECT_NEAR(j["not_in_archive"][0]["end"].get<double>(), to, 0.5);
}

TEST_F(CliMedia, PlainPictureWhereTheSourceRunsOnIsBridgedAndMarkedUnconfirmed) {
  // Four seconds of grey: nothing to fingerprint, no sound that says
  // otherwise, and the source's line runs on across it.
  ASSERT_EQ(CoveredClip("color=c=gray", File("grey.mp4")), "");
  json j = Trace("grey.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  ASSERT_EQ(src["segments"].size(), 1u) << src.dump(2);
  ExpectSegment(src["segments"][0], 0.0, 12.0, 12.0, 24.0);
  const json details = src["segments"][0].value("details", json::object());
  ASSERT_TRUE(details.contains("unconfirmed")) << src.dump(2);
  const json& unconfirmed = details["unconfirmed"];
  ASSERT_EQ(unconfirmed.size(), 1u) << src.dump(2);
  EXPECT_NEAR(unconfirmed[0]["query_start"].get<double>(), 3.0, 0.5);
  EXPECT_NEAR(unconfirmed[0]["query_end"].get<double>(), 7.0, 0.5);
  RunResult text = Uncut("trace " + ShellQuote(File("grey.mp4")));
  EXPECT_NE(text.out.find("unconfirmed: query"), std::string::npos) << text.out;
}

TEST_F(CliMedia, ForeignFootageInPlaceOfTheSourcesIsNotBridged) {
  // The same stretch replaced by other moving footage: the clip cuts into
  // it and out of it, so it stays a gap, not in the archive.
  ASSERT_EQ(CoveredClip("mandelbrot=end_scale=0.3", File("swapped.mp4")), "");
  ExpectSwapCutOut(Trace("swapped.mp4"), 3.0, 7.0);
}

TEST_F(CliMedia, ShortSwappedShotOnTheSourcesOwnLineIsCutOut) {
  // Two seconds swapped for other footage: the source's line runs on either
  // side, close enough for alignment to cross; the swapped shot matches the
  // source nowhere, so it is cut out and reported as not in the archive.
  ASSERT_EQ(CoveredClip("mandelbrot=end_scale=0.3", File("swapped2.mp4"), 3, 5), "");
  ExpectSwapCutOut(Trace("swapped2.mp4"), 3.0, 5.0);
}

TEST_F(CliMedia, ClipWithAStillPictureIsFoundByItsSound) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 12 -to 20 -i ", ShellQuote(File("broadcast.mp4")),
                          " -f lavfi -i smptebars=size=320x240:rate=25 -map 1:v -map 0:a "
                          "-c:v libx264 -preset veryfast -tune stillimage -c:a aac -b:a 48k "
                          "-shortest ",
                          ShellQuote(File("still.mp4")))),
            "");
  json j = Trace("still.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& src = j["sources"][0];
  ASSERT_GE(src["segments"].size(), 1u) << src.dump(2);
  const json& seg = src["segments"][0];
  EXPECT_EQ(Evidence(seg), std::vector<std::string>{"audio"});
  EXPECT_NEAR(seg["query"]["start"].get<double>(), 0.0, kTolerance);
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 12.0, kTolerance);
  // Speech carries the match; the last words of the stretch may be a pause.
  EXPECT_GT(seg["query"]["end"].get<double>(), 6.0);
  EXPECT_NEAR(seg["source"]["end"].get<double>() - seg["source"]["start"].get<double>(),
              seg["query"]["end"].get<double>() - seg["query"]["start"].get<double>(), 0.1);
}

TEST_F(CliMedia, HtmlReportShowsClipAndSourceFramesAtEveryBoundary) {
  ASSERT_EQ(Splice(3.5, 9.5, 15.2, 20.7, "scale=256:144,pad=320:240:32:48", "splice.mp4"), "");
  RunResult r = Uncut(StrCat("trace ", ShellQuote(File("splice.mp4")), " --html ",
                             ShellQuote(File("report.html"))));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string html = testing::Head(File("report.html"), 50 << 20);
  EXPECT_NE(html.find("Frames at each boundary"), std::string::npos);
  // Two segments, two boundaries each, a clip frame and a source frame at each.
  size_t images = 0;
  for (size_t at = html.find("src=\"data:image/jpeg;base64,/9j/"); at != std::string::npos;
       at = html.find("src=\"data:image/jpeg;base64,/9j/", at + 1)) {
    ++images;
  }
  EXPECT_EQ(images, 8u);
  EXPECT_EQ(html.find(": no frame</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("The clip at 0:06"), std::string::npos);
  EXPECT_NE(html.find("The source at 0:15"), std::string::npos);
  // The report says how to re-run the trace.
  EXPECT_NE(html.find("splice.mp4"), std::string::npos);
}

// A clip that starts where the broadcast starts: no time in it is before
// the source's 0 (frame and hop alignment once gave -0.016 s).
TEST_F(CliMedia, AClipFromTheSourcesFirstFrameStartsAtZeroNotBefore) {
  ASSERT_EQ(Splice(0, 5, 12, 17, "scale=288:162", "from-start.mp4"), "");
  json j = Trace("from-start.mp4");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const json& segs = j["sources"][0]["segments"];
  ASSERT_GE(segs.size(), 1u) << j.dump(2);
  for (const json& seg : segs) {
    EXPECT_GE(seg["source"]["start"].get<double>(), 0.0) << seg.dump();
    EXPECT_GE(seg["query"]["start"].get<double>(), 0.0) << seg.dump();
  }
  EXPECT_NEAR(segs[0]["source"]["start"].get<double>(), 0.0, kTolerance) << segs[0].dump();
  RunResult text = Uncut("trace " + ShellQuote(File("from-start.mp4")));
  EXPECT_NE(text.out.find("= source 0:00.000-"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("source -"), std::string::npos) << text.out;
}

TEST_F(CliMedia, ShowPrintsDurationStreamsResolutionAndCreationTime) {
  RunResult r = Uncut("show 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("duration:    0:30.000 (30.0 s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stream 0:    video h264, 320x180 pixels, 25 fps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stream 1:    audio aac, 22050 Hz, mono"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("created:     2024-05-01T12:00:00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("title:       Harbour report"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tags:        "), std::string::npos) << r.out;
  RunResult j = Uncut("show 1 --json");
  ASSERT_EQ(j.exit_code, 0);
  json item = json::parse(j.out);
  EXPECT_EQ(item["kind"], "video");
  EXPECT_EQ(item["info"]["media"]["streams"][0]["width"], 320);
}

TEST_F(CliMedia, ClipShorterThanTwoSecondsGetsAWarningAndIsStillTraced) {
  ASSERT_EQ(
      Ffmpeg(StrCat("-ss 13 -t 1.5 -i ", ShellQuote(File("broadcast.mp4")),
                    " -c:v libx264 -preset veryfast -c:a aac ", ShellQuote(File("short.mp4")))),
      "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("short.mp4")));
  EXPECT_NE(r.err.find("too short to trace reliably"), std::string::npos) << r.err;
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["warnings"].size(), 1u) << j["warnings"].dump();
  EXPECT_NE(j["warnings"][0].get<std::string>().find("too short to trace reliably"),
            std::string::npos);
  RunResult text = Uncut("trace " + ShellQuote(File("short.mp4")));
  EXPECT_NE(text.out.find("warning: the clip is only 1.5"), std::string::npos) << text.out;
}

TEST_F(CliMedia, PureNoiseMatchesNothing) {
  ASSERT_EQ(Ffmpeg(StrCat("-f lavfi -i anoisesrc=duration=6:color=white -c:a libmp3lame ",
                          ShellQuote(File("noise.mp3")))),
            "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("noise.mp3")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "not_found");
  EXPECT_TRUE(j["sources"].empty());
}

}  // namespace
}  // namespace uncut

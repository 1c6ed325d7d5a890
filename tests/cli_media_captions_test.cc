// End-to-end tests of captions burned into a video's picture: read by OCR
// when the video is added with --captions (or later by `uncut captions`),
// kept as timed text linked to it and marked as OCR, so that a quote of a
// caption finds the video and the time, and a clip's cut and context show
// the captions' words; a video without captions gets none.
//
// The suite makes a 12-second video (a moving test pattern) with three
// caption lines drawn in DejaVu Sans at known times, a clip of it that
// leaves out the middle caption, and the same pattern without captions.
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
using testing::ShellQuote;

const std::vector<testing::BurnedCaption>& kCaptions = testing::kHarbourCaptions;

class CliCaptions : public testing::MediaSuite<CliCaptions> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static std::string MakeMedia() {
    const std::string scene = "-f lavfi -i testsrc2=size=640x360:rate=25:duration=12 ";
    const std::string codec = " -c:v libx264 -preset veryfast -crf 26 -g 50 ";
    std::string err = testing::CaptionedVideo(kCaptions, 12, File("captioned.mp4"));
    if (err.empty()) err = Ffmpeg(StrCat(scene, codec, ShellQuote(File("plain.mp4"))));
    // The clip: 0.5-4.2 s and 8.3-12 s of the captioned video.
    if (err.empty()) {
      err = Ffmpeg(StrCat("-i ", ShellQuote(File("captioned.mp4")), " -filter_complex '",
                          "[0:v]trim=0.5:4.2,setpts=PTS-STARTPTS[v1];"
                          "[0:v]trim=8.3:12,setpts=PTS-STARTPTS[v2];"
                          "[v1][v2]concat=n=2:v=1:a=0[v]' -map '[v]'",
                          codec, ShellQuote(File("clip.mp4"))));
    }
    if (!err.empty()) return err;
    RunResult r = Uncut(StrCat("add --captions ", ShellQuote(File("captioned.mp4")), " ",
                               ShellQuote(File("plain.mp4"))));
    return r.exit_code == 0 ? "" : r.err;
  }

  static json ItemNamed(const std::string& archive, const std::string& name) {
    RunResult r = testing::RunUncut(File(archive), "list --json");
    json items = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    if (!items.is_array()) return json();
    for (const json& it : items) {
      if (it.value("name", "") == name) {
        RunResult show = testing::RunUncut(File(archive), StrCat("show --json ", it["id"].get<int64_t>()));
        return json::parse(show.out, nullptr, /*allow_exceptions=*/false);
      }
    }
    return json();
  }
};

TEST_F(CliCaptions, CaptionsAreReadIntoTimedTextLinkedToTheVideoAndMarkedAsOcr) {
  json video = ItemNamed("archive", "captioned.mp4");
  ASSERT_TRUE(video.is_object());
  const json& info = video["info"];
  ASSERT_EQ(info["captions"].value("status", ""), "read") << info.dump(2);
  EXPECT_EQ(info["captions"].value("engine", ""), "tesseract");
  ASSERT_EQ(info["subtitles"].size(), 1u) << info.dump(2);
  EXPECT_EQ(info["subtitles"][0]["name"], "captioned.mp4.captions.vtt");
  EXPECT_EQ(info["subtitles"][0]["machine"], true);

  json text = ItemNamed("archive", "captioned.mp4.captions.vtt");
  ASSERT_TRUE(text.is_object());
  const json& t = text["info"]["transcript"];
  EXPECT_EQ(t.value("method", ""), "ocr");
  EXPECT_EQ(t.value("engine", ""), "tesseract");
  EXPECT_NE(t.value("engine_version", ""), "");
  EXPECT_NE(t.value("language", ""), "");
  EXPECT_EQ(t["recording"]["id"], video["id"]);
  EXPECT_EQ(text["info"]["media"][0]["id"], video["id"]);

  RunResult words = Uncut(StrCat("show --text ", text["id"].get<int64_t>()));
  ASSERT_EQ(words.exit_code, 0) << words.err;
  // OCR may misread a letter here and there: the first four words of each.
  for (const testing::BurnedCaption& c : kCaptions) {
    std::string text = c.text;
    size_t cut = 0;
    for (int w = 0; w < 4 && cut != std::string::npos; ++w) cut = text.find(' ', cut + 1);
    EXPECT_NE(words.out.find(text.substr(0, cut)), std::string::npos) << words.out;
  }
  RunResult show = Uncut(StrCat("show ", text["id"].get<int64_t>()));
  EXPECT_NE(show.out.find("read by OCR"), std::string::npos) << show.out;
}

TEST_F(CliCaptions, AQuoteOfACaptionFindsTheVideoAndTheTime) {
  RunResult r = Uncut("trace --json --text 'Engineers found deep cracks in the northern pier'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_GE(j["sources"].size(), 1u) << j.dump(2);
  const json& s = j["sources"][0];
  EXPECT_EQ(s["item"]["name"], "captioned.mp4.captions.vtt") << s.dump(2);
  ASSERT_GE(s["segments"].size(), 1u);
  const json& captions = s["segments"][0]["details"]["captions"];
  ASSERT_TRUE(captions.is_object()) << s["segments"][0].dump(2);
  EXPECT_EQ(captions["recording"]["name"], "captioned.mp4");
  EXPECT_EQ(captions["method"], "ocr");
  // Sampled three times a second: the cue starts and ends within a third
  // of a second of the caption (and a half, for safety).
  EXPECT_GE(captions["start_s"].get<double>(), kCaptions[1].from_s - 0.5) << captions.dump();
  EXPECT_LE(captions["start_s"].get<double>(), kCaptions[1].from_s + 0.5) << captions.dump();
  EXPECT_GE(captions["end_s"].get<double>(), kCaptions[1].to_s - 0.5) << captions.dump();
  EXPECT_LE(captions["end_s"].get<double>(), kCaptions[1].to_s + 0.5) << captions.dump();

  RunResult text = Uncut("trace --text 'Engineers found deep cracks in the northern pier'");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("of captioned.mp4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("read by OCR"), std::string::npos) << text.out;
}

TEST_F(CliCaptions, AClipTraceShowsTheCaptionsWords) {
  RunResult r = Uncut("trace --json " + ShellQuote(File("clip.mp4")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_GE(j["sources"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["sources"][0]["item"]["name"], "captioned.mp4");
  // The caption left out is shown where the report places it (a cut, or
  // the context of the match).
  std::string shown;
  for (const json& iv : j["sources"][0]["intervals"]) StrAppend(&shown, iv.value("text", ""), " ");
  EXPECT_NE(shown.find("Engineers found deep cracks"), std::string::npos)
      << j["sources"][0]["intervals"].dump(2);
  RunResult text = Uncut("trace " + ShellQuote(File("clip.mp4")));
  EXPECT_NE(text.out.find("Engineers found deep cracks"), std::string::npos) << text.out;
}

TEST_F(CliCaptions, AVideoWithoutCaptionsGetsNoCaptionItem) {
  json video = ItemNamed("archive", "plain.mp4");
  ASSERT_TRUE(video.is_object());
  EXPECT_EQ(video["info"]["captions"].value("status", ""), "none") << video["info"].dump(2);
  EXPECT_FALSE(video["info"].contains("subtitles")) << video["info"].dump(2);
  EXPECT_TRUE(ItemNamed("archive", "plain.mp4.captions.vtt").is_null());
}

TEST_F(CliCaptions, AddWithoutCaptionsSkipsThemAndTheCaptionsCommandReadsThemLater) {
  RunResult add = testing::RunUncut(File("later"), "add " + ShellQuote(File("captioned.mp4")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  json video = ItemNamed("later", "captioned.mp4");
  ASSERT_TRUE(video.is_object());
  EXPECT_FALSE(video["info"].contains("captions")) << video["info"].dump(2);
  EXPECT_FALSE(video["info"].contains("subtitles"));

  RunResult read = testing::RunUncut(File("later"), "captions");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find("captioned.mp4.captions.vtt"), std::string::npos) << read.out;
  video = ItemNamed("later", "captioned.mp4");
  EXPECT_EQ(video["info"]["captions"].value("status", ""), "read");
  ASSERT_EQ(video["info"]["subtitles"].size(), 1u);
  RunResult again = testing::RunUncut(File("later"), "captions");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("no video needs"), std::string::npos) << again.out;

  RunResult r = testing::RunUncut(File("later"),
                                  "trace --json --text 'Fishing boats may return before the summer'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_GE(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["item"]["name"], "captioned.mp4.captions.vtt");
}

}  // namespace
}  // namespace uncut

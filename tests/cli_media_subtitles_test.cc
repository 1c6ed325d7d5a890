// End-to-end tests of subtitles linked to their recording: whichever is
// added first, the words spoken in a cut and around a clip are shown.
//
// The suite makes one 18-second video (three scenes over speech) and a
// SubRip file for it, then a clip that leaves out the middle cue.
#include <gtest/gtest.h>

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

constexpr char kSpeech[] =
    "The harbour commission met on Tuesday. Engineers said the storm had damaged the northern "
    "pier beyond repair. The mayor promised that fishing boats would return before the summer.";

// Three cues; the clip leaves out 5.5 s to 10.5 s, which holds only the second.
constexpr char kSubtitles[] =
    "1\n00:00:00,000 --> 00:00:04,500\nThe harbour commission met on Tuesday.\n\n"
    "2\n00:00:06,000 --> 00:00:10,000\nEngineers said the storm had damaged\nthe northern pier "
    "beyond repair.\n\n"
    "3\n00:00:11,000 --> 00:00:18,000\nThe mayor promised that fishing boats would return.\n";

class CliSubtitles : public testing::MediaSuite<CliSubtitles> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static std::string MakeMedia() {
    std::string err = testing::Speak(kSpeech, File("speech.wav"));
    if (!err.empty()) return err;
    const std::string scene = "size=320x180:rate=25";
    err = Ffmpeg(StrCat(
        "-f lavfi -i testsrc2=", scene, ",trim=duration=6 ", "-f lavfi -i cellauto=", scene,
        ":rule=30:seed=7,negate,trim=duration=6 ", "-f lavfi -i testsrc=", scene,
        ",hue=h=t*40,trim=duration=6 ", "-i ", ShellQuote(File("speech.wav")),
        " -filter_complex '[0][1][2]concat=n=3:v=1:a=0,format=yuv420p[v];"
        "[3]apad,atrim=duration=18[a]' -map '[v]' -map '[a]' -t 18 "
        "-c:v libx264 -preset veryfast -crf 28 -g 50 -c:a aac -b:a 48k ",
        ShellQuote(File("talk.mp4"))));
    if (!err.empty()) return err;
    dir_->Write("talk.en.srt", kSubtitles);
    // The clip: 1.0-5.5 s and 10.5-16.0 s of the video.
    return Ffmpeg(StrCat(
        "-i ", ShellQuote(File("talk.mp4")), " -filter_complex '",
        "[0:v]trim=1:5.5,setpts=PTS-STARTPTS[v1];[0:a]atrim=1:5.5,asetpts=PTS-STARTPTS[a1];"
        "[0:v]trim=10.5:16,setpts=PTS-STARTPTS[v2];[0:a]atrim=10.5:16,asetpts=PTS-STARTPTS[a2];"
        "[v1][a1][v2][a2]concat=n=2:v=1:a=1[v][a]' -map '[v]' -map '[a]' "
        "-c:v libx264 -preset veryfast -crf 30 -c:a aac -b:a 48k ",
        ShellQuote(File("clip.mp4"))));
  }


  static RunResult Uncut(const std::string& archive, const std::string& args) {
    return testing::RunUncut(File(archive), args);
  }

  // Adds `first` and then `second` in separate commands.
  static void AddApart(const std::string& archive, const std::string& first,
                       const std::string& second) {
    RunResult a = Uncut(archive, "add " + ShellQuote(File(first)));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    RunResult b = Uncut(archive, "add " + ShellQuote(File(second)));
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  // The item id of the video, from `list`.
  static std::string VideoId(const std::string& archive) {
    RunResult list = Uncut(archive, "list --json");
    if (list.exit_code != 0) return "";
    for (const json& it : json::parse(list.out)) {
      if (it["name"] == "talk.mp4") return std::to_string(it["id"].get<int64_t>());
    }
    return "";
  }

  // The video's `show` names its subtitles.
  static void ExpectShowNamesSubtitles(const std::string& archive) {
    std::string id = VideoId(archive);
    ASSERT_NE(id, "");
    RunResult show = Uncut(archive, "show --json " + id);
    ASSERT_EQ(show.exit_code, 0) << show.err;
    json item = json::parse(show.out);
    ASSERT_TRUE(item["info"].contains("subtitles")) << item.dump(2);
    ASSERT_EQ(item["info"]["subtitles"].size(), 1u);
    EXPECT_EQ(item["info"]["subtitles"][0]["name"], "talk.en.srt");
    RunResult text = Uncut(archive, "show " + id);
    EXPECT_NE(text.out.find("talk.en.srt"), std::string::npos) << text.out;
  }

  // Traces the clip; the cut and the context carry the subtitle's words, in
  // the JSON, the terminal and the HTML report.
  static void ExpectCutShowsWords(const std::string& archive) {
    RunResult r = Uncut(archive, "trace --json " + ShellQuote(File("clip.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
    std::string cut, before, after;
    for (const json& iv : j["sources"][0]["intervals"]) {
      if (iv["role"] == "cut") cut = iv.value("text", "");
      if (iv["role"] == "before") before = iv.value("text", "");
      if (iv["role"] == "after") after = iv.value("text", "");
    }
    EXPECT_EQ(cut, "Engineers said the storm had damaged the northern pier beyond repair.")
        << j["sources"][0]["intervals"].dump(2);
    EXPECT_EQ(before, "The harbour commission met on Tuesday.");
    EXPECT_EQ(after, "The mayor promised that fishing boats would return.");

    RunResult text = Uncut(archive, "trace " + ShellQuote(File("clip.mp4")));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    size_t cut_line = text.out.find("cut: source 0:0");
    ASSERT_NE(cut_line, std::string::npos) << text.out;
    std::string line = text.out.substr(cut_line, text.out.find('\n', cut_line) - cut_line);
    EXPECT_NE(line.find("\"Engineers said the storm had damaged the northern pier beyond repair.\""),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("before: The harbour commission met on Tuesday."), std::string::npos)
        << text.out;

    RunResult html = Uncut(archive, StrCat("trace ", ShellQuote(File("clip.mp4")), " --html ",
                                           ShellQuote(File(archive + ".html"))));
    ASSERT_EQ(html.exit_code, 0) << html.err;
    std::string page = testing::Head(File(archive + ".html"), 50 << 20);
    EXPECT_NE(page.find("the northern pier beyond repair."), std::string::npos);
    EXPECT_NE(page.find("The mayor promised that fishing boats would return."), std::string::npos);
  }

};


TEST_F(CliSubtitles, SubtitlesAddedAfterTheirVideoAreLinkedAndTheCutShowsTheirWords) {
  AddApart("video-first", "talk.mp4", "talk.en.srt");
  ExpectShowNamesSubtitles("video-first");
  ExpectCutShowsWords("video-first");
}

TEST_F(CliSubtitles, SubtitlesAddedBeforeTheirVideoAreLinkedAndTheCutShowsTheirWords) {
  AddApart("subtitles-first", "talk.en.srt", "talk.mp4");
  ExpectShowNamesSubtitles("subtitles-first");
  ExpectCutShowsWords("subtitles-first");
}

TEST_F(CliSubtitles, AVideoAndItsSubtitlesAddedTogetherAreLinkedInEitherOrder) {
  struct Order {
    const char* archive;
    const char* first;
    const char* second;
  };
  for (const Order& o : {Order{"together-video-first", "talk.mp4", "talk.en.srt"},
                         Order{"together-srt-first", "talk.en.srt", "talk.mp4"}}) {
    std::string archive = o.archive;
    std::string args = StrCat("add ", ShellQuote(File(o.first)), " ", ShellQuote(File(o.second)));
    RunResult r = Uncut(archive, args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ExpectShowNamesSubtitles(archive);
  }
}

}  // namespace
}  // namespace uncut

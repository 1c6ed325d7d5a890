// Bad media given to the command line: each file gets one line on stderr
// naming it and the reason, a non-zero exit code, and leaves the archive as
// it was; misnamed and partly damaged recordings are added with a warning.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using nlohmann::json;
using testing::Ffmpeg;
using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;

class BadMedia : public ::testing::Test {
 protected:
  // A 12-second video with speech in an archive, and copies of it to damage.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    setup_error_ = testing::Speak(
        "Good evening. The committee met for six hours today and could not agree on the "
        "report, which will now go back to the ministry for another reading next month.",
        File("speech.wav"));
    if (!setup_error_.empty()) return;
    setup_error_ = Ffmpeg(
        StrCat("-f lavfi -i testsrc2=size=160x120:rate=25:duration=12 -i ",
               ShellQuote(File("speech.wav")),
               " -af apad -t 12 -c:v libx264 -preset ultrafast -c:a aac -movflags +faststart ",
               ShellQuote(File("good.mp4"))));
    if (!setup_error_.empty()) return;
    // The same content with its index (moov) at the end, as cameras write it.
    setup_error_ =
        Ffmpeg(StrCat("-i ", ShellQuote(File("good.mp4")), " -c copy -movflags -faststart -t 12 ",
                      ShellQuote(File("moov-last.mp4"))));
    if (!setup_error_.empty()) return;
    RunResult r = Uncut("add " + ShellQuote(File("good.mp4")));
    if (r.exit_code != 0) setup_error_ = r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "making the test media failed"; }

  static std::string File(const std::string& name) { return dir_->File(name); }
  static RunResult Uncut(const std::string& args) {
    return testing::RunUncut(File("archive"), args);
  }

  // What a person would compare: the item list and the stored objects.
  static std::string ArchiveState() {
    RunResult list = Uncut("list --json");
    RunResult objects = RunShell("find " + ShellQuote(File("archive/objects")) + " -type f | sort");
    RunResult index = RunShell("find " + ShellQuote(File("archive/index")) + " -type f | sort");
    return list.out + objects.out + index.out;
  }

  // Adding `path` fails with exit code 3, one line on stderr that names the
  // file and contains `reason`, and the archive is unchanged.
  static void ExpectRefused(const std::string& path, const std::string& reason) {
    std::string before = ArchiveState();
    RunResult r = Uncut("add " + ShellQuote(path));
    EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
    EXPECT_EQ(r.err.rfind("uncut: " + path + ": ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(ArchiveState(), before);
    // Tracing it fails the same way.
    RunResult t = Uncut("trace " + ShellQuote(path));
    EXPECT_EQ(t.exit_code, 3) << t.err << t.out;
    EXPECT_EQ(t.err.rfind("uncut: " + path + ": ", 0), 0u) << t.err;
    EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
  }

  static testing::TempDir* dir_;
  static std::string setup_error_;
};

testing::TempDir* BadMedia::dir_ = nullptr;
std::string BadMedia::setup_error_;

TEST_F(BadMedia, RandomBytesAreRefused) {
  std::mt19937 rng(7);
  std::string junk(200000, '\0');
  for (char& c : junk) c = static_cast<char>(rng());
  ExpectRefused(dir_->Write("corrupt.mp4", junk), "not a media file FFmpeg can read");
}

TEST_F(BadMedia, EmptyFileIsRefused) { ExpectRefused(dir_->Write("empty.mp4", ""), "empty"); }

TEST_F(BadMedia, TextNamedMp4IsRefused) {
  ExpectRefused(dir_->Write("notes.mp4", "Notes from the interview, not a video.\n"),
                "not a video or audio file (looks like UTF-8 text)");
}

TEST_F(BadMedia, TruncatedFileWithoutItsIndexIsRefused) {
  std::string head = testing::Head(File("moov-last.mp4"), 60000);
  ExpectRefused(dir_->Write("truncated.mp4", head), "damaged");
}

TEST_F(BadMedia, EnormousDeclaredResolutionIsRefused) {
  ExpectRefused(dir_->Write("huge.y4m", "YUV4MPEG2 W12000 H9000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" +
                                            std::string(65536, '\x80')),
                "video frame size 12000x9000 exceeds the limit");
  ExpectRefused(dir_->Write("absurd.y4m", "YUV4MPEG2 W40000 H30000 F25:1 Ip A1:1 C420jpeg\n"),
                "Picture size 40000x30000 is invalid");
}

TEST_F(BadMedia, SilentRecordingIsRefused) {
  ASSERT_EQ(
      Ffmpeg("-f lavfi -i anullsrc=duration=5 -c:a pcm_s16le " + ShellQuote(File("silent.wav"))),
      "");
  std::string before = ArchiveState();
  RunResult r = Uncut("add " + ShellQuote(File("silent.wav")));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "uncut: " + File("silent.wav") +
                       ": the sound is silent throughout (or too faint): nothing to fingerprint\n");
  EXPECT_EQ(ArchiveState(), before);
  RunResult t = Uncut("trace " + ShellQuote(File("silent.wav")));
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_EQ(t.err, "uncut: " + File("silent.wav") +
                       ": the sound is silent throughout: nothing to trace\n");
}

TEST_F(BadMedia, VideoNamedTxtIsAddedAsVideoWithAWarning) {
  std::string path = dir_->Write("clip.txt", testing::Head(File("moov-last.mp4"), 1 << 30));
  RunResult r = Uncut("add " + ShellQuote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "uncut: warning: " + path + ": is named .txt but holds mp4 video; added as video\n");
  RunResult list = Uncut("list --json");
  json items = json::parse(list.out);
  ASSERT_EQ(items.back()["name"], "clip.txt");
  EXPECT_EQ(items.back()["kind"], "video");
  EXPECT_EQ(items.back()["format"], "mp4");
}

TEST_F(BadMedia, TruncatedFileThatStillPlaysIsAddedWithAWarning) {
  // good.mp4 has its index first: the first half still plays.
  std::string whole = testing::Head(File("good.mp4"), 1 << 30);
  std::string path = dir_->Write("half.mp4", whole.substr(0, whole.size() / 2));
  RunResult r = Uncut("add " + ShellQuote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("uncut: warning: " + path + ": its picture decodes only to 0:0"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("of the 0:12.0 it declares: the file may be truncated or damaged"),
            std::string::npos)
      << r.err;
}

TEST_F(BadMedia, VideoWithUnreadableSoundIsAddedForItsPicture) {
  ASSERT_EQ(Ffmpeg(StrCat("-f lavfi -i testsrc2=size=160x120:rate=25:duration=4 "
                          "-f lavfi -i sine=duration=4:sample_rate=8000 -c:v libx264 -preset "
                          "ultrafast -c:a pcm_s16le ",
                          ShellQuote(File("sound.mkv")))),
            "");
  // Matroska's SamplingFrequency element (0xB5, an 8-byte float): 8000 Hz
  // becomes 134,225,728 Hz.
  std::string bytes = testing::Head(File("sound.mkv"), 1 << 30);
  const std::string rate_8k("\xb5\x88\x40\xbf\x40\x00\x00\x00\x00\x00", 10);
  const std::string rate_absurd("\xb5\x88\x41\xa0\x00\x3e\x80\x00\x00\x00", 10);
  size_t at = bytes.find(rate_8k);
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, rate_8k.size(), rate_absurd);
  std::string path = dir_->Write("bad-sound.mkv", bytes);
  RunResult r = Uncut("add " + ShellQuote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "uncut: warning: " + path +
                       ": its sound cannot be read (audio sample rate 134225728 Hz is "
                       "implausible); added for its picture only\n");
  json items = json::parse(Uncut("list --json").out);
  EXPECT_EQ(items.back()["name"], "bad-sound.mkv");
  EXPECT_EQ(items.back()["kind"], "video");
}

TEST_F(BadMedia, AudioOnlyMp4IsAddedAsAudioAndTracesWithoutFrames) {
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(File("good.mp4")), " -vn -c:a copy ",
                          ShellQuote(File("sound-only.mp4")))),
            "");
  RunResult r = Uncut("trace " + ShellQuote(File("sound-only.mp4")) + " --json --html " +
                      ShellQuote(File("sound-only.html")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["query"]["kind"], "audio");
  // Other tests may have archived copies of good.mp4 too.
  bool found = false;
  for (const json& s : j["sources"]) found = found || s["item"]["name"] == "good.mp4";
  EXPECT_TRUE(found) << j.dump(2);
  std::string html = testing::Head(File("sound-only.html"), 1 << 30);
  EXPECT_EQ(html.find("Frames at each boundary"), std::string::npos);

  RunResult add = Uncut("add " + ShellQuote(File("sound-only.mp4")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  json items = json::parse(Uncut("list --json").out);
  EXPECT_EQ(items.back()["kind"], "audio");
}

}  // namespace
}  // namespace uncut

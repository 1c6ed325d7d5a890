// End-to-end tests of `uncut capture` on media (yt-dlp), against a web
// server this test starts on 127.0.0.1: a video file, an HLS stream, a
// redirect chain to the video, a page that embeds it, a 404 and a file over
// the size limit. Nothing reaches beyond this machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

std::string ReadAll(const std::string& path) {
  RunResult r = RunShell("cat " + ShellQuote(path));
  return r.out;
}

std::string Sha256Of(const std::string& path) {
  RunResult r = RunShell("sha256sum " + ShellQuote(path));
  return r.out.substr(0, 64);
}

class CliCaptureMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunShell("yt-dlp --version").exit_code, 0)
        << "yt-dlp is not installed (scripts/install-deps.sh installs it)";
    // A 4 s clip: a test picture with a counter and a tone; an HLS copy in
    // 1 s segments.
    RunResult made = RunShell(StrCat(
        "cd ", ShellQuote(media_.path()),
        " && ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 "
        "-f lavfi -i sine=frequency=440 -t 4 -c:v libx264 -g 10 -pix_fmt yuv420p -c:a aac "
        "-shortest clip.mp4 && mkdir hls && ffmpeg -nostdin -loglevel error -y -i clip.mp4 -c copy "
        "-f hls -hls_time 1 -hls_playlist_type vod -hls_segment_filename 'hls/part%d.ts' "
        "hls/stream.m3u8"));
    ASSERT_EQ(made.exit_code, 0) << made.err;
    clip_ = media_.File("clip.mp4");
    std::string clip = ReadAll(clip_);
    ASSERT_GT(clip.size(), 1000u);
    served_clip_ = clip;
    server_.Get("/clip.mp4", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.set_content(served_clip_, "video/mp4");
    });
    std::string dir = media_.File("hls");
    server_.Get(R"(/hls/([a-z0-9]+\.(m3u8|ts)))", [dir](const httplib::Request& req,
                                                        httplib::Response& res) {
      std::string name = req.matches[1];
      std::string body = ReadAll(dir + "/" + name);
      if (body.empty()) {
        res.status = 404;
        return;
      }
      res.set_content(body, req.matches[2] == "m3u8" ? "application/vnd.apple.mpegurl" : "video/mp2t");
    });
    server_.Get("/old-clip", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/moved-clip");
    });
    server_.Get("/moved-clip", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/clip.mp4");
    });
    server_.Get("/watch.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          "<!DOCTYPE html><html><head><title>Briefing on the floods</title></head><body>"
          "<p>The minister spoke to reporters about the bridges that the floods destroyed.</p>"
          "<video controls src=\"/clip.mp4\"></video></body></html>",
          "text/html; charset=utf-8");
    });
    server_.Get("/noise.mp4", [](const httplib::Request&, httplib::Response& res) {
      std::string noise(5000, '\0');
      uint32_t x = 12345;
      for (char& c : noise) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
      res.set_content(noise, "video/mp4");
    });
    server_.Get("/big.mp4", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(3 << 20, '\0'), "video/mp4");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Url(const std::string& path) const {
    return StrCat("http://127.0.0.1:", port_, path);
  }
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  nlohmann::json Items() { return nlohmann::json::parse(Uncut("list --json").out, nullptr, false); }
  nlohmann::json Show(int64_t id) {
    return nlohmann::json::parse(Uncut(StrCat("show --json ", id)).out, nullptr, false);
  }

  void Serve(const std::string& clip) {
    std::lock_guard<std::mutex> lock(mu_);
    served_clip_ = clip;
  }

  TempDir dir_, media_;
  std::string clip_;
  std::mutex mu_;
  std::string served_clip_;  // what /clip.mp4 serves
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
};

TEST_F(CliCaptureMedia, AVideoFileUrlIsFetchedWithYtDlpAndKeptWithItsProvenance) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/clip.mp4")));
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  nlohmann::json items = Items();
  ASSERT_TRUE(items.is_array());
  ASSERT_EQ(items.size(), 1u) << items.dump(2);
  EXPECT_EQ(items[0]["kind"], "video");
  EXPECT_EQ(items[0]["sha256"], Sha256Of(clip_));  // the served bytes, unchanged
  EXPECT_EQ(items[0]["source_url"], Url("/clip.mp4"));
  nlohmann::json shown = Show(items[0]["id"].get<int64_t>());
  ASSERT_TRUE(shown.contains("capture")) << shown.dump(2);
  const nlohmann::json& record = shown["capture"];
  EXPECT_EQ(record["url"], Url("/clip.mp4"));
  EXPECT_EQ(record["tool"].get<std::string>().rfind("yt-dlp ", 0), 0u) << record.dump(2);
  EXPECT_EQ(record["extractor"], "Generic");
  EXPECT_EQ(record["platform_id"], "clip");
  EXPECT_EQ(record["webpage_url"], Url("/clip.mp4"));
  EXPECT_EQ(record["response_headers"]["Content-Type"], "video/mp4") << record.dump(2);
  EXPECT_EQ(record["captured_at"], items[0]["captured_at"]);
  RunResult text = Uncut(StrCat("show ", items[0]["id"].get<int64_t>()));
  EXPECT_NE(text.out.find("captured by: yt-dlp "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("platform:    Generic id clip"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("http headers: "), std::string::npos) << text.out;
}

TEST_F(CliCaptureMedia, AnHlsStreamIsFetchedAsOneRecording) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/hls/stream.m3u8")));
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  nlohmann::json items = Items();
  ASSERT_EQ(items.size(), 1u) << items.dump(2);
  EXPECT_EQ(items[0]["kind"], "video");
  nlohmann::json shown = Show(items[0]["id"].get<int64_t>());
  EXPECT_EQ(shown["capture"]["protocol"], "m3u8_native") << shown.dump(2);
  // All four segments came: the recording lasts the clip's 4 s.
  double duration_s = shown["info"]["media"].value("duration_s", 0.0);
  EXPECT_NEAR(duration_s, 4.0, 0.5) << shown.dump(2);
}

TEST_F(CliCaptureMedia, ARedirectChainEndsInTheVideoItLeadsTo) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/old-clip")));
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  nlohmann::json items = Items();
  ASSERT_EQ(items.size(), 1u) << items.dump(2);
  EXPECT_EQ(items[0]["sha256"], Sha256Of(clip_));
  nlohmann::json shown = Show(items[0]["id"].get<int64_t>());
  EXPECT_EQ(shown["capture"]["url"], Url("/old-clip"));
  EXPECT_EQ(shown["capture"]["response_headers"]["Content-Type"], "video/mp4");
}

TEST_F(CliCaptureMedia, APageThatEmbedsAVideoGivesThePageAndTheVideoLinkedToIt) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/watch.html")));
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  nlohmann::json items = Items();
  int64_t warc = -1, video = -1;
  for (const nlohmann::json& it : items) {
    if (it["format"] == "warc.gz") warc = it["id"];
    if (it["kind"] == "video") video = it["id"];
  }
  ASSERT_GT(warc, 0) << items.dump(2);
  ASSERT_GT(video, 0) << items.dump(2);
  nlohmann::json shown = Show(video);
  EXPECT_EQ(shown["sha256"], Sha256Of(clip_));
  EXPECT_EQ(shown["capture"]["embedded_in"]["id"], warc) << shown.dump(2);
  EXPECT_EQ(shown["capture"]["webpage_url"], Url("/watch.html"));
  RunResult text = Uncut(StrCat("show ", video));
  EXPECT_NE(text.out.find(StrCat("embedded in: item ", warc)), std::string::npos) << text.out;
  // The page's own text is traceable as before.
  RunResult t = Uncut("trace --text " + ShellQuote("spoke to reporters about the bridges that"));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
}

TEST_F(CliCaptureMedia, MissingMediaIsOneLineEachAndKeepsNothing) {
  RunResult c = Uncut(StrCat("capture ", ShellQuote(Url("/gone.mp4")), " ",
                             ShellQuote(Url("/hls/gone.m3u8"))));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_NE(c.err.find(StrCat("uncut: ", Url("/gone.mp4"), ": not captured: the server answered HTTP 404")),
            std::string::npos)
      << c.err;
  EXPECT_NE(c.err.find(StrCat("uncut: ", Url("/hls/gone.m3u8"),
                              ": not captured: the server answered HTTP 404")),
            std::string::npos)
      << c.err;
  size_t lines = 0;
  for (char ch : c.err) lines += ch == '\n';
  EXPECT_EQ(lines, 2u) << c.err;
  EXPECT_NE(Uncut("list").exit_code, 0);  // no archive was made
}

TEST_F(CliCaptureMedia, MediaThatIsNoRecordingIsOneLineNamingTheUrlAndMakesNoArchive) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/noise.mp4")));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_EQ(c.err.rfind(StrCat("uncut: ", Url("/noise.mp4"), ": not captured: "), 0), 0u) << c.err;
  EXPECT_EQ(c.err.find("uncut-capture-"), std::string::npos) << c.err;  // no temporary path
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  // Not even an empty folder is left where the archive would have been.
  EXPECT_NE(RunShell("test -e " + ShellQuote(dir_.File("archive"))).exit_code, 0);
}

TEST_F(CliCaptureMedia, MediaOverTheSizeLimitIsRefusedAndTheArchiveIsUnchanged) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/clip.mp4"))).exit_code, 0);
  std::string before = Uncut("list --json").out;
  ASSERT_EQ(RunShell("mkdir " + ShellQuote(dir_.File("tmp"))).exit_code, 0);
  RunResult c = RunShell(StrCat("TMPDIR=", ShellQuote(dir_.File("tmp")), " ",
                                ShellQuote(testing::UncutBinary()), " --archive ",
                                ShellQuote(dir_.File("archive")), " capture --max-size 1 ",
                                ShellQuote(Url("/big.mp4"))));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_EQ(c.err, StrCat("uncut: ", Url("/big.mp4"), ": not captured: larger than the limit of 1 MiB\n"));
  EXPECT_EQ(Uncut("list --json").out, before);
  // Nothing is left in the temporary folder either.
  RunResult left = RunShell("ls -A " + ShellQuote(dir_.File("tmp")));
  EXPECT_EQ(left.exit_code, 0);
  EXPECT_EQ(left.out, "");
}

TEST_F(CliCaptureMedia, AgainSaysWhetherTheMediaIsTheSameOrWasReplacedWithATraceOfIt) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/clip.mp4"))).exit_code, 0);
  RunResult same = Uncut("capture --again 1");
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("unchanged: the media is the same"), std::string::npos) << same.out;
  // Replaced by a cut of itself: seconds 1 to 3, encoded anew.
  RunResult cut = RunShell(StrCat("ffmpeg -nostdin -loglevel error -y -ss 1 -i ", ShellQuote(clip_),
                                  " -t 2 -c:v libx264 -c:a aac ", ShellQuote(media_.File("cut.mp4"))));
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  Serve(ReadAll(media_.File("cut.mp4")));
  RunResult replaced = Uncut("capture --again 1");
  EXPECT_EQ(replaced.exit_code, 1) << replaced.out << replaced.err;
  EXPECT_NE(replaced.out.find("media replaced: item 2 (now) against item 1"), std::string::npos)
      << replaced.out;
  // The clip trace names the old recording and what the new one left out.
  EXPECT_NE(replaced.out.find("[item 1, mp4]"), std::string::npos) << replaced.out;
  EXPECT_NE(replaced.out.find("before: source 0:00.000-0:01"), std::string::npos) << replaced.out;
  nlohmann::json shown = Show(2);
  EXPECT_EQ(shown["sha256"], Sha256Of(media_.File("cut.mp4")));
  EXPECT_EQ(shown["capture"]["recapture_of"]["id"], 1) << shown.dump(2);
}

}  // namespace
}  // namespace uncut

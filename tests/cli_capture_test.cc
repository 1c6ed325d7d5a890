// End-to-end tests of `uncut capture` against a web server this test starts
// on 127.0.0.1: a page, a redirect, a 404, a port where nothing answers, and
// a page that is edited and then taken down between captures (--again).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/capture_pages.h"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::ShellQuote;
using testing::TempDir;

constexpr char kPage[] =
    "<!DOCTYPE html><html><head><title>Statement on the floods</title></head><body>"
    "<p>We will rebuild every bridge that the floods destroyed, and no family will be left "
    "without shelter before the winter comes.</p></body></html>";

class CliCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    httplib::Server& server = pages_.server();
    server.Get("/statement.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    server.Get("/old-link", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/statement.html");
    });
    ASSERT_TRUE(pages_.Start());
  }
  std::string Url(const std::string& path) const { return pages_.Url(path); }
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  TempDir dir_;
  testing::CapturePagesServer pages_;
};

TEST_F(CliCapture, APageIsCapturedWithItsUrlTimeAndTool) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/statement.html")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  nlohmann::json items = nlohmann::json::parse(Uncut("list --json").out, nullptr, false);
  ASSERT_TRUE(items.is_array());
  ASSERT_GE(items.size(), 2u) << items.dump(2);
  const nlohmann::json& warc = items[0];
  EXPECT_EQ(warc["source_url"], Url("/statement.html"));
  EXPECT_EQ(warc["captured_at"].get<std::string>().size(), 20u);
  EXPECT_NE(warc["note"].get<std::string>().find("captured with GNU Wget"), std::string::npos)
      << warc.dump(2);
  bool page = false;
  for (const nlohmann::json& it : items) {
    if (it.value("source_url", "") == Url("/statement.html") && it.contains("parent_id")) {
      page = true;
    }
  }
  EXPECT_TRUE(page) << items.dump(2);
  RunResult t = Uncut("trace --text " +
                      ShellQuote("no family will be left without shelter before the winter"));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(Url("/statement.html")), std::string::npos) << t.out;
}

TEST_F(CliCapture, BrowserKeepsTheTextAPagesScriptsWrite) {
  if (testing::RunShell("command -v chromium").exit_code != 0) {
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  }
  const std::string quote = "the harbour closes at noon while the divers inspect the northern wall";
  // Wget keeps what the server sent: the text is not there.
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/scripted.html"))).exit_code, 0);
  EXPECT_EQ(Uncut("trace --text " + ShellQuote(quote)).exit_code, 1);
  RunResult c = Uncut("capture --browser " + ShellQuote(Url("/scripted.html")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("page as a browser rendered it, Chromium "), std::string::npos) << c.out;
  RunResult t = Uncut("trace --text " + ShellQuote(quote));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(Url("/scripted.html")), std::string::npos) << t.out;
  // The rendered page keeps the capture's record: its URL, time, tool and
  // the WARC it was rendered beside.
  nlohmann::json items = nlohmann::json::parse(Uncut("list --json").out, nullptr, false);
  ASSERT_TRUE(items.is_array());
  int64_t rendered = -1;
  for (const nlohmann::json& it : items) {
    if (it.value("note", "").find("captured with Chromium") != std::string::npos) rendered = it["id"];
  }
  ASSERT_GT(rendered, 0) << items.dump(2);
  nlohmann::json show = nlohmann::json::parse(Uncut(StrCat("show ", rendered, " --json")).out,
                                              nullptr, false);
  EXPECT_EQ(show["source_url"], Url("/scripted.html")) << show.dump(2);
  EXPECT_EQ(show["capture"]["url"], Url("/scripted.html")) << show.dump(2);
  EXPECT_EQ(show["capture"]["tool"].get<std::string>().rfind("Chromium ", 0), 0u) << show.dump(2);
  EXPECT_TRUE(show["capture"]["rendered_from"]["id"].is_number()) << show.dump(2);
  EXPECT_EQ(show["capture"]["captured_at"], show["captured_at"]) << show.dump(2);
}

TEST_F(CliCapture, ARedirectIsFollowed) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/old-link")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  RunResult t = Uncut("trace --text " + ShellQuote("We will rebuild every bridge that the floods"));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
}

TEST_F(CliCapture, A404AndAnUnreachableServerAreOneLineEachAndKeepNothing) {
  RunResult c = Uncut(StrCat("capture ", ShellQuote(Url("/gone.html")), " ",
                             ShellQuote(testing::UnreachableUrl())));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_NE(c.err.find(StrCat("uncut: ", Url("/gone.html"),
                              ": not captured: the server answered HTTP 404 Not Found\n")),
            std::string::npos)
      << c.err;
  EXPECT_NE(c.err.find(StrCat("uncut: ", testing::UnreachableUrl(), ": not captured: unreachable")),
            std::string::npos)
      << c.err;
  size_t lines = 0;
  for (char ch : c.err) lines += ch == '\n';
  EXPECT_EQ(lines, 2u) << c.err;
  EXPECT_NE(Uncut("list").exit_code, 0);  // no archive was made
  // The good URL among bad ones is still captured.
  RunResult mixed = Uncut(StrCat("capture ", ShellQuote(Url("/gone.html")), " ",
                                 ShellQuote(Url("/statement.html"))));
  EXPECT_EQ(mixed.exit_code, 3);
  EXPECT_EQ(Uncut("list").exit_code, 0);
}

TEST_F(CliCapture, RefusesWhatIsNotAWebUrl) {
  RunResult c = Uncut("capture " + ShellQuote("file:///etc/passwd"));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_NE(c.err.find("not an http:// or https:// URL"), std::string::npos) << c.err;
}

// The web capture (WARC) item whose source URL is `url`, the newest first.
int64_t CaptureOf(const nlohmann::json& items, const std::string& url) {
  int64_t id = -1;
  for (const nlohmann::json& it : items) {
    if (it.value("format", "") == "warc.gz" && it.value("source_url", "") == url) id = it["id"];
  }
  return id;
}

TEST_F(CliCapture, AgainReportsAnEditedPageThenAGonePageAndKeepsTheOriginal) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/story.html"))).exit_code, 0);
  nlohmann::json items = nlohmann::json::parse(Uncut("list --json").out, nullptr, false);
  int64_t first = CaptureOf(items, Url("/story.html"));
  ASSERT_GT(first, 0) << items.dump(2);

  // Served again as it was: unchanged, exit 0, and the new capture is kept.
  RunResult same = Uncut(StrCat("capture --again ", first));
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("unchanged: the page is the same"), std::string::npos) << same.out;

  // Edited: exit 1, the edit in the trace report's words.
  pages_.set_story_version(2);
  RunResult edited = Uncut(StrCat("capture --again ", first));
  EXPECT_EQ(edited.exit_code, 1) << edited.out << edited.err;
  EXPECT_NE(edited.out.find("text edited: item "), std::string::npos) << edited.out;
  EXPECT_NE(edited.out.find("[omitted: and that the fishing fleet would pay no]"), std::string::npos)
      << edited.out;
  EXPECT_NE(edited.out.find("[added: will be reviewed by a]"), std::string::npos) << edited.out;
  EXPECT_NE(edited.out.find("[changed: for three years -> committee next year]"), std::string::npos)
      << edited.out;
  items = nlohmann::json::parse(Uncut("list --json").out, nullptr, false);
  int64_t second = CaptureOf(items, Url("/story.html"));
  ASSERT_GT(second, first);
  nlohmann::json shown =
      nlohmann::json::parse(Uncut(StrCat("show --json ", second)).out, nullptr, false);
  EXPECT_EQ(shown["capture"]["recapture_of"]["id"], first) << shown.dump(2);
  EXPECT_NE(Uncut(StrCat("show ", second)).out.find(StrCat("recapture of: item ", first)),
            std::string::npos);

  // Taken down: exit 1, says so, and the archive is as it was.
  pages_.set_story_version(3);
  std::string before = Uncut("list --json").out;
  RunResult gone = Uncut(StrCat("capture --again ", second));
  EXPECT_EQ(gone.exit_code, 1) << gone.out << gone.err;
  EXPECT_NE(gone.out.find(StrCat("page gone: the server answered HTTP 404 Not Found; the archive "
                                 "keeps item ",
                                 second)),
            std::string::npos)
      << gone.out;
  EXPECT_EQ(Uncut("list --json").out, before);
  RunResult original = Uncut("trace --text " + ShellQuote("the fishing fleet would pay no new fees"));
  EXPECT_EQ(original.exit_code, 0) << original.out << original.err;
  EXPECT_NE(original.out.find(StrCat("[item ", first + 1, ", html]")), std::string::npos)
      << original.out;
}

TEST_F(CliCapture, AgainOnAnUnreachableServerIsExit3AndAddsNothing) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/statement.html"))).exit_code, 0);
  std::string before = Uncut("list --json").out;
  pages_.Stop();
  RunResult c = Uncut("capture --again 1");
  EXPECT_EQ(c.exit_code, 3) << c.out << c.err;
  EXPECT_EQ(c.err, StrCat("uncut: ", Url("/statement.html"),
                          ": not captured: unreachable (network failure)\n"));
  EXPECT_EQ(Uncut("list --json").out, before);
}

TEST_F(CliCapture, AgainNeedsAnItemWithAWebSourceAndNotAlsoUrls) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/statement.html"))).exit_code, 0);
  RunResult both = Uncut("capture --again 1 " + ShellQuote(Url("/statement.html")));
  EXPECT_EQ(both.exit_code, 2);
  std::string note = dir_.Write("note.txt", "A note typed by hand about the floods and the bridges.");
  ASSERT_EQ(Uncut("add " + ShellQuote(note)).exit_code, 0);
  nlohmann::json items = nlohmann::json::parse(Uncut("list --json").out, nullptr, false);
  int64_t typed = -1;
  for (const nlohmann::json& it : items) {
    if (it.value("name", "") == "note.txt") typed = it["id"];
  }
  ASSERT_GT(typed, 0);
  RunResult c = Uncut(StrCat("capture --again ", typed));
  EXPECT_EQ(c.exit_code, 3);
  EXPECT_EQ(c.err, StrCat("uncut: item ", typed,
                          ": has no http:// or https:// source URL to capture again\n"));
}

}  // namespace
}  // namespace uncut

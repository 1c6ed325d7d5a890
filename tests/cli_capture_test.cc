// End-to-end tests of `uncut capture` against a web server this test starts
// on 127.0.0.1: a page, a redirect, a 404 and a port where nothing answers.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
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
    server_.Get("/statement.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    server_.Get("/old-link", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/statement.html");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    // Connections wait in the listening socket's queue until the loop runs.
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
  TempDir dir_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
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
                              ": not captured: the server answered HTTP 404")),
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

}  // namespace
}  // namespace uncut

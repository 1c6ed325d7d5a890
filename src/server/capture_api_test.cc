// POST /api/captures and time-stamped uploads, over real HTTP on
// localhost: the uncut server, a web server with the pages to capture and a
// time-stamping authority, all started by the test on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "proof/item_timestamps.h"
#include "server/server.h"
#include "server/test_server.h"
#include "store/archive.h"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut::server {
namespace {

using nlohmann::json;

constexpr char kPage[] =
    "<!DOCTYPE html><html><head><title>Statement on the floods</title></head><body>"
    "<p>We will rebuild every bridge that the floods destroyed, and no family will be left "
    "without shelter before the winter comes.</p></body></html>";

class CaptureApi : public ::testing::Test {
 protected:
  void SetUp() override {
    web_.Get("/statement.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    web_port_ = web_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(web_port_, 0);
    web_thread_ = std::thread([this] { web_.listen_after_bind(); });
  }
  void TearDown() override {
    server_.Stop();
    web_.stop();
    if (web_thread_.joinable()) web_thread_.join();
  }
  // The archive's settings, as `uncut config` sets them.
  void Configure(const std::string& name, const std::string& value) {
    auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(archive.ok()) << archive.status();
    auto batch = (*archive)->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    (*batch)->SetSetting(name, value);
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  void StartTsa() {
    testing::RunShell("mkdir -p " + testing::ShellQuote(dir_.File("tsa")));
    tsa_ = std::make_unique<testing::TestTsa>(dir_.File("tsa"));
    ASSERT_EQ(tsa_->error(), "");
  }
  void Start(ServerOptions o = {}) {
    o.archive_dir = dir_.File("archive");
    o.http_threads = 4;
    o.trace_workers = 1;
    absl::Status started = server_.Start(o);
    ASSERT_TRUE(started.ok()) << started;
  }
  std::string WebUrl(const std::string& path) const {
    return StrCat("http://127.0.0.1:", web_port_, path);
  }
  httplib::Client Client(bool with_token = true) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(60, 0);
    if (with_token) c.set_bearer_token_auth(server_->token().token);
    return c;
  }
  // Polls a job until it finishes (a capture runs wget and yt-dlp: allow
  // minutes on a busy machine); returns its final JSON.
  json WaitJob(const std::string& id) {
    auto c = Client();
    auto end = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (std::chrono::steady_clock::now() < end) {
      auto r = c.Get(StrCat("/api/jobs/", id));
      EXPECT_TRUE(r && r->status == 200);
      if (!r) return {};
      json j = json::parse(r->body);
      if (j["state"] == "succeeded" || j["state"] == "failed") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id << " did not finish";
    return {};
  }
  json Capture(const json& body) {
    auto r = Client().Post("/api/captures", body.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 202) << r->body;
    EXPECT_EQ(r->get_header_value("Location").rfind("/api/jobs/", 0), 0u);
    return WaitJob(json::parse(r->body)["id"]);
  }
  std::optional<std::string> Token(int64_t id) {
    auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
    EXPECT_TRUE(archive.ok()) << archive.status();
    auto item = (*archive)->GetItem(id);
    EXPECT_TRUE(item.ok()) << item.status();
    auto token = ItemTimestampToken(**archive, *item);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : std::nullopt;
  }
  std::string Sha256(int64_t id) {
    auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
    return (*archive)->GetItem(id)->sha256;
  }

  testing::TempDir dir_;
  httplib::Server web_;
  int web_port_ = -1;
  std::thread web_thread_;
  std::unique_ptr<testing::TestTsa> tsa_;
  TestServer server_;
};

TEST_F(CaptureApi, ACapturedPageIsAddedWithItsUrlAndTheArchivesTimestamp) {
  StartTsa();
  Configure(kTsaSetting, tsa_->url());
  Configure(kTsaCaSetting, tsa_->ca_file());
  Start();
  json job = Capture({{"url", WebUrl("/statement.html")}, {"title", "Floods statement"}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  EXPECT_EQ(job["kind"], "capture");
  const json& items = job["result"]["items"];
  ASSERT_EQ(items.size(), 1u) << job.dump(2);
  EXPECT_EQ(items[0]["role"], "page");
  EXPECT_EQ(items[0]["existed"], false);
  EXPECT_EQ(items[0]["source_url"], WebUrl("/statement.html"));
  EXPECT_EQ(items[0]["title"], "Floods statement");
  EXPECT_EQ(items[0]["tool"].get<std::string>().rfind("GNU Wget", 0), 0u) << items[0].dump(2);

  // The page is searchable, and the capture is time-stamped by the
  // archive's authority: a token over the original's SHA-256 that checks.
  json found = json::parse(Client().Get("/api/items?q=shelter")->body);
  EXPECT_GE(found["total"].get<int>(), 1) << found.dump(2);
  int64_t id = items[0]["id"];
  std::optional<std::string> token = Token(id);
  ASSERT_TRUE(token.has_value());
  auto checked = VerifyTimestamp(*token, Sha256(id), tsa_->ca_file());
  EXPECT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(tsa_->requests(), 1);
}

TEST_F(CaptureApi, WithoutATsaCapturesAreNotTimeStamped) {
  Start();
  json job = Capture({{"url", WebUrl("/statement.html")}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  int64_t id = job["result"]["items"][0]["id"];
  EXPECT_FALSE(Token(id).has_value());
}

TEST_F(CaptureApi, AMissingPageFailsTheJobInOneLineAndKeepsNothing) {
  Start();
  json job = Capture({{"url", WebUrl("/gone.html")}});
  ASSERT_EQ(job["state"], "failed") << job.dump(2);
  std::string message = job["error"]["message"];
  EXPECT_EQ(message, StrCat(WebUrl("/gone.html"), ": not captured: the server answered HTTP 404 "
                                                  "Not Found"));
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
}

TEST_F(CaptureApi, ATsaThatFailsFailsTheCaptureAndKeepsNothing) {
  Configure(kTsaSetting, testing::UnreachableUrl());
  Start();
  json job = Capture({{"url", WebUrl("/statement.html")}});
  ASSERT_EQ(job["state"], "failed") << job.dump(2);
  EXPECT_NE(job["error"]["message"].get<std::string>().find(testing::UnreachableUrl()),
            std::string::npos)
      << job.dump(2);
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
}

TEST_F(CaptureApi, CapturesNeedTheTokenAndAWebUrl) {
  ServerOptions o;
  o.public_read = true;
  Start(o);
  auto anonymous = Client(false).Post(
      "/api/captures", json({{"url", WebUrl("/statement.html")}}).dump(), "application/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  for (const std::string& body :
       {std::string("not json"), json({{"title", "no url"}}).dump(),
        json({{"url", "file:///etc/passwd"}}).dump(), json({{"url", "http://a b/"}}).dump(),
        json({{"url", 7}}).dump()}) {
    auto r = Client().Post("/api/captures", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body << " → " << r->body;
    EXPECT_TRUE(json::parse(r->body)["error"]["message"].is_string()) << r->body;
  }
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
}

TEST_F(CaptureApi, UploadsAreTimeStampedByTheArchivesAuthority) {
  StartTsa();
  Configure(kTsaSetting, tsa_->url());
  Start();
  httplib::MultipartFormDataItems form = {
      {"file", "The harbour will be dredged before the spring.", "harbour.txt", "text/plain"}};
  auto r = Client().Post("/api/items", form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  json job = WaitJob(json::parse(r->body)["id"]);
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  int64_t id = job["result"]["added"][0]["id"];
  std::optional<std::string> token = Token(id);
  ASSERT_TRUE(token.has_value());
  EXPECT_TRUE(VerifyTimestamp(*token, Sha256(id), tsa_->ca_file()).ok());
}

TEST_F(CaptureApi, AnUploadWhoseTimestampFailsIsNotAdded) {
  Configure(kTsaSetting, testing::UnreachableUrl());
  Start();
  httplib::MultipartFormDataItems form = {
      {"file", "The harbour will be dredged before the spring.", "harbour.txt", "text/plain"}};
  auto r = Client().Post("/api/items", form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  json job = WaitJob(json::parse(r->body)["id"]);
  ASSERT_EQ(job["state"], "failed") << job.dump(2);
  ASSERT_EQ(job["result"]["failed"].size(), 1u) << job.dump(2);
  EXPECT_EQ(job["result"]["failed"][0]["error"].get<std::string>().rfind("not time-stamped: ", 0),
            0u)
      << job.dump(2);
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
}

}  // namespace
}  // namespace uncut::server

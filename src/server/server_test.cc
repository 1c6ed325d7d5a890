// The JSON API over real HTTP on localhost: a server on a free port, a
// client in the same test.
#include "server/server.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "store/archive.h"
#include "testing/temp_dir.h"

namespace uncut::server {
namespace {

using nlohmann::json;

constexpr char kSpeech[] =
    "Fellow citizens, we meet today in a time of trial. The harvest failed in the north, "
    "and the rivers rose in the south. Yet the people of this country did not despair.\n\n"
    "We will rebuild every bridge that the floods destroyed, and we will do it before the "
    "winter comes. No family will be left without shelter. That is our promise, and we "
    "intend to keep it whatever the cost.\n\n"
    "Let me turn to the economy. Prices rose sharply last spring, and many households found "
    "that their wages no longer covered the rent and the bread. The government has cut the tax "
    "on fuel, raised the minimum pension, and opened new loans for small farms and workshops. "
    "These measures are not enough on their own, and the coming year will ask patience of "
    "everyone, but the worst of the storm has passed and the markets are calmer than they were "
    "at any time since the crisis began.\n\n"
    "Finally, let me speak of the border. Our soldiers have guarded it with courage, and "
    "they deserve our thanks. We seek peace with every neighbour and war with none.\n";

// A document of its own words, so every one is a distinct source.
std::string Document(int n) {
  std::string s = StrCat("Report number ", n, " of the river commission. ");
  for (int i = 0; i < 40; ++i) {
    StrAppend(&s, "On day ", n * 100 + i, " the inspectors counted ", (n * 7 + i * 13) % 997,
              " boats passing the northern lock and wrote it down. ");
  }
  return s;
}

class ApiTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o = {}) {
    o.archive_dir = dir_.File("archive");
    o.port = 0;
    o.version = "test";
    o.http_threads = 8;
    o.trace_workers = 2;
    auto s = Server::Create(o);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run().IgnoreError(); });
    token_ = server_->token().token;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  httplib::Client Client(bool with_token = true) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    if (with_token) c.set_bearer_token_auth(token_);
    return c;
  }
  // Polls a job until it finishes; returns its final JSON.
  json WaitJob(const std::string& id) {
    auto c = Client();
    for (int i = 0; i < 600; ++i) {
      auto r = c.Get(StrCat("/api/jobs/", id));
      EXPECT_TRUE(r && r->status == 200);
      if (!r) return {};
      json j = json::parse(r->body);
      if (j["state"] == "succeeded" || j["state"] == "failed") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " did not finish";
    return {};
  }
  // Uploads one file; returns the finished job.
  json Upload(const std::string& name, const std::string& content,
              const std::string& source_url = "") {
    httplib::MultipartFormDataItems form = {{"file", content, name, "text/plain"}};
    if (!source_url.empty()) form.push_back({"source_url", source_url, "", ""});
    auto r = Client().Post("/api/items", form);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 202) << r->body;
    return WaitJob(json::parse(r->body)["id"]);
  }
  json Trace(const std::string& text) {
    auto r = Client().Post("/api/trace?wait=30", json({{"text", text}}).dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }

  testing::TempDir dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string token_;
};

TEST_F(ApiTest, ReadsNeedTheTokenByDefault) {
  Start();
  auto anonymous = Client(false).Get("/api/items");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer realm=\"uncut\"");
  httplib::Client wrong("127.0.0.1", port_);
  wrong.set_bearer_token_auth(std::string(64, '0'));
  EXPECT_EQ(wrong.Get("/api/items")->status, 401);
  EXPECT_EQ(Client().Get("/api/items")->status, 200);
  // The page and the status are public: they hold no archive data.
  EXPECT_EQ(Client(false).Get("/")->status, 200);
  EXPECT_EQ(json::parse(Client(false).Get("/api/status")->body)["read_requires_token"], true);
}

TEST_F(ApiTest, PublicReadOpensReadsButNotWrites) {
  ServerOptions o;
  o.public_read = true;
  Start(o);
  Upload("speech.txt", kSpeech);
  auto c = Client(false);
  EXPECT_EQ(c.Get("/api/items")->status, 200);
  auto trace = c.Post("/api/trace?wait=30",
                      R"({"text": "we will rebuild every bridge that the floods destroyed"})",
                      "application/json");
  EXPECT_EQ(trace->status, 200) << trace->body;
  httplib::MultipartFormDataItems form = {{"file", "hello there friends", "a.txt", "text/plain"}};
  EXPECT_EQ(c.Post("/api/items", form)->status, 401);
  EXPECT_EQ(c.Delete("/api/items/1")->status, 401);
  auto save = c.Post("/api/trace", R"({"text": "we will rebuild every bridge", "save": true})",
                     "application/json");
  EXPECT_EQ(save->status, 401);
}

TEST_F(ApiTest, AddsAnUploadWithItsMetadataAndTracesAgainstIt) {
  Start();
  json job = Upload("speech.txt", kSpeech, "https://example.org/speech");
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  ASSERT_EQ(job["result"]["added"].size(), 1u);
  EXPECT_EQ(job["result"]["added"][0]["source_url"], "https://example.org/speech");
  // The upload was copied into the archive and is gone from the upload area.
  testing::RunResult leftovers = testing::RunShell(
      StrCat("find ", testing::ShellQuote(dir_.File("archive/uploads")), " -mindepth 1"));
  EXPECT_EQ(leftovers.out, "");

  json list = json::parse(Client().Get("/api/items?q=speech")->body);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["name"], "speech.txt");

  json t = Trace(
      "The harvest failed in the north, and the rivers rose in the south ... Our "
      "soldiers have guarded it with courage, and they deserve our thanks");
  ASSERT_EQ(t["state"], "succeeded") << t.dump(2);
  EXPECT_EQ(t["result"]["schema"], "uncut.trace/1");
  ASSERT_EQ(t["result"]["sources"].size(), 1u);
  EXPECT_EQ(t["result"]["sources"][0]["segments"].size(), 2u);
  EXPECT_NE(t["result"]["summary"][0].get<std::string>().find("joins two passages"),
            std::string::npos);

  auto html = Client().Get(StrCat("/api/jobs/", t["id"].get<std::string>(), "/report.html"));
  ASSERT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("joins two passages of <code>speech.txt</code>"), std::string::npos);
  EXPECT_NE(html->get_header_value("Content-Security-Policy").find("sandbox"), std::string::npos);
}

TEST_F(ApiTest, DownloadsTheOriginalByteForByteAsAnAttachment) {
  Start();
  json job = Upload("speech \"one\".txt", kSpeech);
  int64_t id = job["result"]["added"][0]["id"];
  auto r = Client().Get(StrCat("/api/items/", id, "/original"));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kSpeech);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->get_header_value("Content-Disposition")
                .rfind("attachment; filename=\"speech one.txt\"", 0),
            0u)
      << r->get_header_value("Content-Disposition");
  auto by_sha = Client().Get(
      StrCat("/api/items/", job["result"]["added"][0]["sha256"].get<std::string>().substr(0, 10),
             "/original"));
  EXPECT_EQ(by_sha->body, kSpeech);
}

TEST_F(ApiTest, NeverServesAFileOutsideTheArchive) {
  Start();
  Upload("speech.txt", kSpeech);
  for (const char* path :
       {"/api/items/..%2f..%2fetc%2fpasswd/original", "/api/items/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/items/..%2F..%2F..%2F..%2Fetc%2Fpasswd/text", "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd", "/app.js/../../../../etc/passwd", "//etc/passwd",
        "/api/items/1/original/../../../../../etc/passwd",
        "/api/traces/..%2f..%2fetc%2fpasswd.html", "/api/items/%2fetc%2fpasswd/original",
        "/index.html%00.js", "/catalog.sqlite", "/server-token",
        "/api/items/server-token/original"}) {
    auto r = Client().Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << " -> " << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    EXPECT_EQ(r->body.find(token_), std::string::npos) << path;
  }
}

TEST_F(ApiTest, RefusesUploadsOverTheLimitAndKeepsNothing) {
  ServerOptions o;
  o.max_upload_bytes = 4096;
  Start(o);
  httplib::MultipartFormDataItems form = {
      {"file", std::string(20000, 'a'), "big.txt", "text/plain"}};
  auto r = Client().Post("/api/items", form);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
}

TEST_F(ApiTest, ExplainsBadRequests) {
  Start();
  auto not_json = Client().Post("/api/trace", "text=hello", "application/x-www-form-urlencoded");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(json::parse(not_json->body)["error"]["code"], "invalid_argument");
  auto too_short = Trace("two words");
  EXPECT_EQ(too_short["state"], "failed");
  EXPECT_NE(too_short["error"]["message"].get<std::string>().find("too short"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/jobs/0123456789abcdef0123456789abcdef")->status, 404);
  EXPECT_EQ(Client().Get("/api/items/999")->status, 404);
  EXPECT_EQ(Client().Get("/api/items?limit=0")->status, 400);
  httplib::MultipartFormDataItems no_file = {{"title", "x", "", ""}};
  EXPECT_EQ(Client().Post("/api/items", no_file)->status, 400);
}

TEST_F(ApiTest, RemovesAnItemWithTheToken) {
  Start();
  json job = Upload("speech.txt", kSpeech);
  int64_t id = job["result"]["added"][0]["id"];
  auto r = Client().Delete(StrCat("/api/items/", id));
  ASSERT_EQ(r->status, 202);
  EXPECT_EQ(WaitJob(json::parse(r->body)["id"])["state"], "succeeded");
  EXPECT_EQ(Client().Get(StrCat("/api/items/", id))->status, 404);
}

TEST_F(ApiTest, SavedTracesAreListedWithTheirSources) {
  Start();
  json job = Upload("speech.txt", kSpeech);
  int64_t id = job["result"]["added"][0]["id"];
  auto r = Client().Post(
      "/api/trace?wait=30",
      R"({"text": "we will rebuild every bridge that the floods destroyed", "save": true})",
      "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  int64_t trace = json::parse(r->body)["result"]["saved_trace"];
  json item = json::parse(Client().Get(StrCat("/api/items/", id))->body);
  ASSERT_EQ(item["saved_traces"].size(), 1u);
  EXPECT_EQ(item["saved_traces"][0]["id"], trace);
  auto html = Client().Get(StrCat("/api/traces/", trace, ".html"));
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("<!DOCTYPE html>"), std::string::npos);
}

TEST_F(ApiTest, TheTokenIsOwnerOnlyAndStaysTheSame) {
  Start();
  struct stat st;
  ASSERT_EQ(::stat(server_->token().path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(server_->token().created);
  auto again = LoadOrCreateAccessToken(dir_.File("archive"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->token, token_);
}

// Uploads, traces and listings at once over HTTP, with the command line
// adding to the same archive meanwhile: every job succeeds and the archive
// verifies.
TEST_F(ApiTest, ConcurrentRequestsAndTheCommandLineKeepTheArchiveWhole) {
  Start();
  Upload("speech.txt", kSpeech);
  constexpr int kUploaders = 3, kFilesEach = 4, kTracers = 3, kCliFiles = 6;
  for (int i = 0; i < kCliFiles; ++i) dir_.Write(StrCat("cli/doc", i, ".txt"), Document(1000 + i));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int u = 0; u < kUploaders; ++u) {
    threads.emplace_back([&, u] {
      for (int f = 0; f < kFilesEach; ++f) {
        json j = Upload(StrCat("doc-", u, "-", f, ".txt"), Document(u * 100 + f));
        if (j["state"] != "succeeded" || j["result"]["added"].size() != 1) ++failures;
      }
    });
  }
  for (int t = 0; t < kTracers; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 8; ++k) {
        json j = Trace("we will rebuild every bridge that the floods destroyed");
        if (j["state"] != "succeeded" || j["result"]["sources"].empty()) ++failures;
        auto list = Client().Get("/api/items?limit=5");
        if (!list || list->status != 200) ++failures;
      }
    });
  }
  testing::RunResult cli = testing::RunShell(StrCat(
      testing::ShellQuote(testing::UncutBinary()), " --quiet --archive ",
      testing::ShellQuote(dir_.File("archive")), " add ", testing::ShellQuote(dir_.File("cli"))));
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(failures.load(), 0);
  json list = json::parse(Client().Get("/api/items?limit=1")->body);
  EXPECT_EQ(list["total"], 1 + kUploaders * kFilesEach + kCliFiles);
  auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(archive.ok());
  auto problems = (*archive)->Verify();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
  // Every uploaded document is traceable to itself.
  json t = Trace(Document(201).substr(40, 300));
  ASSERT_EQ(t["result"]["sources"].size(), 1u) << t.dump(2);
  EXPECT_EQ(t["result"]["sources"][0]["item"]["name"], "doc-2-1.txt");
}

}  // namespace
}  // namespace uncut::server

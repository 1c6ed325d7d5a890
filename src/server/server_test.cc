// The JSON API over real HTTP on localhost: a server on a free port, a
// client in the same test.
#include "server/server.h"
#include "server/test_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "store/archive.h"
#include "testing/media.h"
#include "testing/temp_dir.h"
#include "trace/text_trace.h"

namespace uncut::server {
namespace {

using nlohmann::json;

constexpr const char* kSpeech = testing::kSampleSpeech;

// A document of its own words, so every one is a distinct source.
std::string Document(int n) {
  std::string s = StrCat("Report number ", n, " of the river commission. ");
  for (int i = 0; i < 40; ++i) {
    StrAppend(&s, "On day ", n * 100 + i, " the inspectors counted ", (n * 7 + i * 13) % 997,
              " boats passing the northern lock and wrote it down. ");
  }
  return s;
}

// A TCP connection to the server on loopback, for requests httplib's client
// will not send (bad bytes, dribbled headers, bodies it is not asked for).
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  // Sends all of `bytes`; false when the server closed or stopped reading.
  bool Send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 2000) <= 0) return false;
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // What the server sends until it closes the connection, it has sent a
  // whole answer with a Content-Length, or `timeout` passes.
  std::string Receive(std::chrono::milliseconds timeout) {
    std::string got;
    auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      if (Complete(got)) break;
    }
    return got;
  }
  // Whether the server has closed the connection (within `timeout`).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
        if (n <= 0) return true;
      }
    }
    return false;
  }

 private:
  static bool Complete(const std::string& got) {
    size_t head_end = got.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    size_t cl = got.find("Content-Length: ");
    if (cl == std::string::npos || cl > head_end) return false;
    size_t length = std::stoul(got.substr(cl + 16));
    return got.size() >= head_end + 4 + length;
  }

  int fd_ = -1;
  bool connected_ = false;
};

int StatusOf(const std::string& answer) {
  if (answer.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::atoi(answer.c_str() + 9);
}

std::string BodyOf(const std::string& answer) {
  size_t head_end = answer.find("\r\n\r\n");
  return head_end == std::string::npos ? "" : answer.substr(head_end + 4);
}

// A multipart body with one file part of `size` bytes.
std::string MultipartBody(const std::string& field, const std::string& name, size_t size) {
  return StrCat("--XyZ\r\nContent-Disposition: form-data; name=\"", field, "\"; filename=\"", name,
                "\"\r\nContent-Type: application/octet-stream\r\n\r\n", std::string(size, 'a'),
                "\r\n--XyZ--\r\n");
}

// `body` in chunks of 64 KiB.
std::string Chunked(const std::string& body) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += 64 << 10) {
    std::string piece = body.substr(i, 64 << 10);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    StrAppend(&out, size, piece, "\r\n");
  }
  return out + "0\r\n\r\n";
}

class ApiTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o = {}) {
    o.archive_dir = dir_.File("archive");
    o.http_threads = 8;
    o.trace_workers = 2;
    absl::Status started = server_.Start(o);
    ASSERT_TRUE(started.ok()) << started;
    token_ = server_->token().token;
  }
  void TearDown() override { StopServer(); }
  void StopServer() { server_.Stop(); }
  // Sends `request` on a connection of its own (in the background, since
  // the server may answer before it has read it all) and returns the answer.
  std::string Exchange(const std::string& request,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    RawConnection conn(server_.port());
    EXPECT_TRUE(conn.connected());
    std::thread sender([&] { conn.Send(request); });
    std::string answer = conn.Receive(timeout);
    sender.join();
    return answer;
  }
  std::string Auth() const { return StrCat("Authorization: Bearer ", token_, "\r\n"); }
  std::string UploadFiles() {
    return testing::RunShell(
               StrCat("find ", testing::ShellQuote(dir_.File("archive/uploads")), " -type f"))
        .out;
  }
  httplib::Client Client(bool with_token = true) {
    httplib::Client c("127.0.0.1", server_.port());
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
  TestServer server_;
  std::string token_;
};

TEST_F(ApiTest, ReadsNeedTheTokenByDefault) {
  Start();
  auto anonymous = Client(false).Get("/api/items");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer realm=\"uncut\"");
  httplib::Client wrong("127.0.0.1", server_.port());
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

TEST_F(ApiTest, TracesAnUploadedClipAsAJobWithFramesAndShowsThumbnails) {
  Start();
  EXPECT_EQ(json::parse(Client(false).Get("/api/status")->body)["trace_kinds"],
            json({"text", "video", "audio"}));
  // A ten-second source of two scenes with a beeping tone, and a clip of it.
  std::string source = dir_.File("scenes.mp4"), clip = dir_.File("clip.mp4");
  ASSERT_EQ(testing::Ffmpeg(StrCat(
                "-f lavfi -i testsrc2=size=240x160:rate=25:duration=5 "
                "-f lavfi -i cellauto=size=240x160:rate=25:rule=110:seed=3,trim=duration=5 "
                "-f lavfi -i sine=frequency=600:beep_factor=3:duration=10 "
                "-filter_complex '[0][1]concat=n=2:v=1:a=0,format=yuv420p[v]' -map '[v]' -map 2 "
                "-c:v libx264 -preset ultrafast -c:a aac ",
                testing::ShellQuote(source))),
            "");
  ASSERT_EQ(testing::Ffmpeg(StrCat("-ss 2 -to 8 -i ", testing::ShellQuote(source),
                                   " -vf scale=160:106 -c:v libx264 -preset ultrafast -c:a aac ",
                                   testing::ShellQuote(clip))),
            "");
  std::string source_bytes = testing::Head(source, 1 << 30);
  httplib::MultipartFormDataItems add = {{"file", source_bytes, "scenes.mp4", "video/mp4"}};
  auto added = Client().Post("/api/items", add);
  ASSERT_TRUE(added);
  json add_job = WaitJob(json::parse(added->body)["id"]);
  ASSERT_EQ(add_job["state"], "succeeded") << add_job.dump();
  int64_t id = add_job["result"]["added"][0]["id"];

  auto thumb = Client().Get(StrCat("/api/items/", id, "/thumbnail"));
  ASSERT_TRUE(thumb);
  EXPECT_EQ(thumb->status, 200);
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(thumb->body.substr(0, 2), "\xff\xd8");

  httplib::MultipartFormDataItems form = {
      {"clip", testing::Head(clip, 1 << 30), "clip.mp4", "video/mp4"}};
  auto r = Client().Post("/api/trace?wait=60", form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json job = json::parse(r->body);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const json& report = job["result"];
  EXPECT_EQ(report["query"]["kind"], "video");
  EXPECT_EQ(report["query"]["name"], "clip.mp4");
  ASSERT_EQ(report["sources"].size(), 1u) << report.dump();
  const json& seg = report["sources"][0]["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 2.0, 0.25) << seg.dump();
  EXPECT_NEAR(seg["source"]["end"].get<double>(), 8.0, 0.25) << seg.dump();
  EXPECT_FALSE(report["summary"].empty());
  auto html = Client().Get(StrCat("/api/jobs/", job["id"].get<std::string>(), "/report.html"));
  ASSERT_TRUE(html);
  EXPECT_NE(html->body.find("Frames at each boundary"), std::string::npos);
  EXPECT_NE(html->body.find("data:image/jpeg;base64,/9j/"), std::string::npos);
  // The uploaded clip is gone once traced.
  auto left =
      testing::RunShell("find " + testing::ShellQuote(dir_.File("archive/uploads")) + " -type f");
  EXPECT_EQ(left.out, "");

  // A clip that is no media: the job fails naming the clip as sent.
  httplib::MultipartFormDataItems bad = {{"clip", "not a video", "notes.mp4", "video/mp4"}};
  auto failed = Client().Post("/api/trace?wait=30", bad);
  ASSERT_TRUE(failed);
  json failed_job = json::parse(failed->body);
  EXPECT_EQ(failed_job["state"], "failed");
  EXPECT_EQ(failed_job["error"]["message"].get<std::string>().rfind("notes.mp4: ", 0), 0u)
      << failed_job.dump();
  // Files in other fields are refused.
  httplib::MultipartFormDataItems wrong = {{"file", "x", "clip.mp4", "video/mp4"}};
  auto refused = Client().Post("/api/trace", wrong);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
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

TEST_F(ApiTest, RefusesAnExtractOverTheTraceCapSayingBothSizes) {
  Start();
  std::string text;
  while (text.size() <= kMaxExtractBytes + 10000) text += "a long extract of many words ";
  auto r = Client().Post("/api/trace", json({{"text", text}}).dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  std::string message = json::parse(r->body)["error"]["message"];
  EXPECT_EQ(message,
            StrCat("the extract is ", text.size() >> 10, " KiB; one trace takes at most 256 KiB"));
  httplib::MultipartFormDataItems form = {{"text", text, "", ""}};
  auto f = Client().Post("/api/trace", form);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->status, 413);
  EXPECT_EQ(json::parse(f->body)["error"]["message"], message);
}

TEST_F(ApiTest, AFailedUploadNamesTheFileOnce) {
  Start();
  json job = Upload("random.mp4", "Notes from the interview, not a video.\n");
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["error"]["message"],
            "nothing was added: random.mp4: not a video or audio file (looks like UTF-8 text)");
}

TEST_F(ApiTest, AnAddWhereEveryFileFailsNamesEachFailureInItsResult) {
  Start();
  httplib::MultipartFormDataItems form = {
      {"file", "Notes from the interview, not a video.\n", "random.mp4", "video/mp4"},
      {"file", "", "empty.txt", "text/plain"},
      {"file", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "picture.txt", "text/plain"}};
  auto r = Client().Post("/api/items", form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  json job = WaitJob(json::parse(r->body)["id"]);
  EXPECT_EQ(job["state"], "failed") << job.dump(2);
  ASSERT_TRUE(job["result"].is_object()) << job.dump(2);
  ASSERT_EQ(job["result"]["failed"].size(), 3u) << job.dump(2);
  std::set<std::string> names;
  for (const json& f : job["result"]["failed"]) {
    names.insert(f["name"].get<std::string>());
    EXPECT_FALSE(f["error"].get<std::string>().empty()) << f.dump();
  }
  EXPECT_EQ(names, (std::set<std::string>{"random.mp4", "empty.txt", "picture.txt"}));
  EXPECT_EQ(job["result"]["added"].size(), 0u);
  EXPECT_NE(job["error"]["message"].get<std::string>().find("3 files"), std::string::npos)
      << job.dump(2);
}

TEST_F(ApiTest, SearchFindsItemsByTheirTextRankedWithSnippets) {
  Start();
  ASSERT_EQ(Upload("speech.txt", kSpeech)["state"], "succeeded");
  ASSERT_EQ(Upload("notes.txt", "The soldiers came home; soldiers, soldiers everywhere.\n")["state"],
            "succeeded");
  ASSERT_EQ(Upload("weather.txt", "Rain in the north, sun in the south.\n")["state"], "succeeded");
  json list = json::parse(Client().Get("/api/items?q=Soldiers")->body);
  ASSERT_EQ(list["total"], 2) << list.dump(2);
  EXPECT_EQ(list["items"][0]["name"], "notes.txt");  // more often, in a shorter text
  EXPECT_EQ(list["items"][1]["name"], "speech.txt");
  bool marked = false;
  std::string snippet;
  for (const json& part : list["items"][1]["snippet"]) {
    snippet += part["text"].get<std::string>();
    if (part["hit"] == true) marked = marked || part["text"] == "soldiers";
  }
  EXPECT_TRUE(marked) << list.dump(2);
  EXPECT_NE(snippet.find("soldiers have guarded it"), std::string::npos) << snippet;
  // Metadata still matches, after the text matches.
  json by_name = json::parse(Client().Get("/api/items?q=weather")->body);
  ASSERT_EQ(by_name["total"], 1) << by_name.dump(2);
  EXPECT_FALSE(by_name["items"][0].contains("snippet"));
  json kind = json::parse(Client().Get("/api/items?q=soldiers&kind=text")->body);
  EXPECT_EQ(kind["total"], 2);
  auto bad = Client().Get("/api/items?q=soldiers&kind=textt");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("textt"), std::string::npos) << bad->body;
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

TEST_F(ApiTest, TranscribesARecordingAsAJobAndTracesAQuoteSpokenInIt) {
  Start();
  constexpr char kSaid[] =
      "We will rebuild the pier with stone from the old quarry, and the fishing boats will "
      "return before summer.";
  std::string wav = dir_.File("said.wav");
  ASSERT_EQ(testing::Speak(kSaid, wav, "en-us+klatt2", 140), "");
  httplib::MultipartFormDataItems add = {
      {"file", testing::Head(wav, 1 << 30), "said.wav", "audio/wav"}};
  auto added = Client().Post("/api/items", add);
  ASSERT_TRUE(added);
  json add_job = WaitJob(json::parse(added->body)["id"]);
  ASSERT_EQ(add_job["state"], "succeeded") << add_job.dump();
  int64_t id = add_job["result"]["added"][0]["id"];
  // Not yet transcribed: the quote is not found.
  auto before = Client().Post("/api/trace?wait=60", json({{"text", kSaid}}).dump(),
                              "application/json");
  ASSERT_TRUE(before);
  EXPECT_TRUE(json::parse(before->body)["result"]["sources"].empty()) << before->body;

  auto r = Client().Post(StrCat("/api/items/", id, "/transcribe"), "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  json job = WaitJob(json::parse(r->body)["id"]);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["status"], "transcribed");
  EXPECT_EQ(job["result"]["transcript"]["info"]["transcript"]["machine"], true);

  auto t = Client().Post("/api/trace?wait=60", json({{"text", kSaid}}).dump(), "application/json");
  ASSERT_TRUE(t);
  json report = json::parse(t->body)["result"];
  ASSERT_FALSE(report["sources"].empty()) << t->body;
  EXPECT_EQ(report["sources"][0]["segments"][0]["details"]["speech"]["recording"]["id"], id);
  // A file that is no recording is refused at once.
  json text_job = Upload("speech.txt", kSpeech);
  int64_t text_id = text_job["result"]["added"][0]["id"];
  EXPECT_EQ(Client().Post(StrCat("/api/items/", text_id, "/transcribe"), "", "application/json")->status,
            400);
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

TEST_F(ApiTest, PathsAndParametersThatAreNotUtf8GetA400AndTheServerLives) {
  Start();
  for (std::string path : {"/%ff", "/app.js/%ff", "/api/jobs/%ff", "/api/traces/%ff.json",
                           "/api/%ff", "/api/items/%ff", "/api/items/%ff/original",
                           "/api/items?q=%ff", "/api/items?%ff=1", "/api/items/%c0%af"}) {
    for (bool with_token : {false, true}) {
      auto r = Client(with_token).Get(path);
      ASSERT_TRUE(r) << path << ": the server is gone";
      EXPECT_EQ(r->status, 400) << path << " " << r->body;
      json j = json::parse(r->body, nullptr, false);
      ASSERT_TRUE(j.is_object()) << path << " " << r->body;
      EXPECT_EQ(j["error"]["code"], "invalid_argument") << path;
      EXPECT_NE(j["error"]["message"].get<std::string>().find("UTF-8"), std::string::npos);
    }
  }
  EXPECT_EQ(Client(false).Delete("/api/items/%ff")->status, 400);
  EXPECT_EQ(Client().Get("/api/status")->status, 200);
}

TEST_F(ApiTest, UploadsWithNamesOrFieldsThatAreNotUtf8GetA400) {
  Start();
  httplib::MultipartFormDataItems bad_name = {{"file", kSpeech, "caf\xe9.txt", "text/plain"}};
  auto r = Client().Post("/api/items", bad_name);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("not valid UTF-8"), std::string::npos) << r->body;
  httplib::MultipartFormDataItems bad_title = {{"file", kSpeech, "speech.txt", "text/plain"},
                                               {"title", "caf\xe9", "", ""}};
  r = Client().Post("/api/items", bad_title);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  httplib::MultipartFormDataItems bad_text = {{"text", "we will rebuild \xff bridges", "", ""}};
  r = Client().Post("/api/trace", bad_text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
  EXPECT_EQ(UploadFiles(), "");
}

TEST_F(ApiTest, ChunkedUploadOverTheLimitGets413AndNothingIsKept) {
  ServerOptions o;
  o.max_upload_bytes = 64 << 10;
  Start(o);
  std::string body = Chunked(MultipartBody("file", "big.txt", 1 << 20));
  for (const char* path : {"/api/items", "/api/trace"}) {
    std::string field = path == std::string("/api/items") ? "file" : "clip";
    std::string answer = Exchange(StrCat("POST ", path, " HTTP/1.1\r\nHost: x\r\n", Auth(),
                                         "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\n",
                                         Chunked(MultipartBody(field, "big.mp4", 1 << 20))));
    EXPECT_EQ(StatusOf(answer), 413) << path << " " << answer.substr(0, 300);
    EXPECT_NE(BodyOf(answer).find("limit of 65536 bytes"), std::string::npos) << answer;
  }
  // A chunked body to a route that takes none is refused from its headers.
  EXPECT_EQ(StatusOf(Exchange(StrCat("GET /api/items HTTP/1.1\r\nHost: x\r\n", Auth(),
                                     "Transfer-Encoding: chunked\r\n\r\n", body))),
            413);
  EXPECT_EQ(StatusOf(Exchange(StrCat("POST /api/items HTTP/1.1\r\nHost: x\r\n", Auth(),
                                     "Transfer-Encoding: gzip, chunked\r\n\r\n"))),
            501);
  EXPECT_EQ(json::parse(Client().Get("/api/items")->body)["total"], 0);
  EXPECT_EQ(UploadFiles(), "");
  // Under the limit, chunked uploads are fine.
  std::string small = Chunked(MultipartBody("file", "small.txt", 1000));
  std::string answer = Exchange(StrCat("POST /api/items HTTP/1.1\r\nHost: x\r\n", Auth(),
                                       "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\n",
                                       small));
  ASSERT_EQ(StatusOf(answer), 202) << answer;
  EXPECT_EQ(WaitJob(json::parse(BodyOf(answer))["id"])["state"], "succeeded");
}

TEST_F(ApiTest, UploadsNeedTheTokenEvenUnderPublicRead) {
  ServerOptions o;
  o.public_read = true;
  Start(o);
  std::string clip = MultipartBody("clip", "clip.mp4", 2 << 20);
  std::string chunked =
      Exchange(StrCat("POST /api/trace HTTP/1.1\r\nHost: x\r\n"
                      "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n",
                      Chunked(clip)));
  EXPECT_EQ(StatusOf(chunked), 401) << chunked.substr(0, 300);
  // With a length: refused from the headers when large, at the file part when small.
  std::string large = Exchange(StrCat("POST /api/trace HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                                      "Content-Length: 20000000\r\n\r\n"),
                               std::chrono::seconds(5));
  EXPECT_EQ(StatusOf(large), 401) << large;
  httplib::MultipartFormDataItems small = {{"clip", "not much", "clip.mp4", "video/mp4"}};
  EXPECT_EQ(Client(false).Post("/api/trace", small)->status, 401);
  EXPECT_EQ(UploadFiles(), "");
  // Text traces stay open to all (waited for: a quick one may finish before the
  // answer is sent, and 200 or 202 would then depend on timing).
  auto trace = Client(false).Post("/api/trace?wait=30",
                                  R"({"text": "we will rebuild every bridge"})", "application/json");
  EXPECT_EQ(trace->status, 200) << trace->body;
  EXPECT_EQ(json::parse(trace->body)["state"], "succeeded");
}

TEST_F(ApiTest, AnUploadOverTheLimitIsRefusedFromItsHeadersAlone) {
  ServerOptions o;
  o.max_upload_bytes = 4096;
  Start(o);
  for (std::string expect : {"", "Expect: 100-continue\r\n"}) {
    for (const char* path : {"/api/items", "/api/trace"}) {
      // Only the headers are sent: the answer must come without the body (and
      // a client that asks first is not told to go on).
      RawConnection conn(server_.port());
      ASSERT_TRUE(conn.connected());
      auto start = std::chrono::steady_clock::now();
      ASSERT_TRUE(conn.Send(StrCat("POST ", path, " HTTP/1.1\r\nHost: x\r\n", Auth(), expect,
                                   "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                                   "Content-Length: 50000000\r\n\r\n")));
      // A server that waited for the body would wait 30 s (its idle timeout).
      std::string answer = conn.Receive(std::chrono::seconds(15));
      EXPECT_EQ(StatusOf(answer), 413) << path << " " << answer;
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
      EXPECT_NE(answer.find("Connection: close"), std::string::npos);
      EXPECT_TRUE(conn.ClosedWithin(std::chrono::seconds(3)));
    }
  }
  EXPECT_EQ(Client().Get("/api/status")->status, 200);
}

TEST_F(ApiTest, SlowClientsDoNotHoldUpOthersAndAreDropped) {
  ServerOptions o;
  // Long enough that a server which made others wait for the slow ones to be
  // dropped is told apart from a loaded machine's slowness.
  o.head_timeout_s = 8;
  Start(o);  // 8 request threads
  constexpr int kSlow = 20;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_.port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /api/status HTTP/1.1\r\n"));
  }
  std::atomic<bool> stop{false};
  std::thread dribble([&] {
    for (int n = 0; !stop; ++n) {
      for (auto& c : slow) c->Send(StrCat("X-Slow-", n, ": 1\r\n"));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto start = std::chrono::steady_clock::now();
  auto r = Client().Get("/api/status");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(took, std::chrono::seconds(4));
  // Past the deadline for their headers the slow ones are dropped.
  int closed = 0;
  for (auto& c : slow) closed += c->ClosedWithin(std::chrono::seconds(12)) ? 1 : 0;
  stop = true;
  dribble.join();
  EXPECT_EQ(closed, kSlow);
  // So are clients that connect and say nothing.
  RawConnection idle(server_.port());
  EXPECT_TRUE(idle.ClosedWithin(std::chrono::seconds(15)));
}

TEST_F(ApiTest, UploadsLeftByAKilledServerAreRemovedAtStart) {
  Start();
  StopServer();
  std::string uploads = dir_.File("archive/uploads");
  auto plant = [&](const std::string& rel) {
    testing::RunShell(StrCat("mkdir -p ", testing::ShellQuote(uploads + "/" + rel), " && echo x > ",
                             testing::ShellQuote(uploads + "/" + rel + "/clip.mp4")));
  };
  plant("upload-0123456789abcdef/0");  // a killed server's, unlocked
  plant("upload-fedcba9876543210/0");  // a live server's, locked below
  plant("2026-01-01-4242/0");          // an older version's, old
  plant("2026-01-02-4343/0");          // an older version's, recent
  plant("mine");                       // not the server's naming
  struct utimbuf old_times = {0, 0};
  ASSERT_EQ(::utime((uploads + "/2026-01-01-4242").c_str(), &old_times), 0);
  int live = ::open((uploads + "/upload-fedcba9876543210").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(live, 0);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  Start();
  ::close(live);
  std::string left =
      testing::RunShell(StrCat("cd ", testing::ShellQuote(uploads), " && find . -type f | sort"))
          .out;
  EXPECT_EQ(left,
            "./2026-01-02-4343/0/clip.mp4\n./mine/clip.mp4\n"
            "./upload-fedcba9876543210/0/clip.mp4\n");
}

TEST_F(ApiTest, ServesRequestsFromBytesWithoutASocket) {
  Start();
  std::string out = server_->ServeBytes(
      "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(out), 200) << out;
  size_t second = out.find("HTTP/1.1 400");
  EXPECT_NE(second, std::string::npos) << out;
}

TEST_F(ApiTest, ErrorsAreWholeWhateverRangeIsAsked) {
  Start();
  for (const char* path : {"/api/items/999", "/api/items?limit=0", "/api/nothing", "/api/status"}) {
    auto r = Client().Get(path, {{"Range", "bytes=0-3"}});
    ASSERT_TRUE(r) << path;
    EXPECT_FALSE(json::parse(r->body, nullptr, false).is_discarded()) << path << " " << r->body;
    EXPECT_FALSE(r->has_header("Content-Range")) << path;
  }
}

}  // namespace
}  // namespace uncut::server

// `uncut serve` on a PostgreSQL archive: two servers on one cluster share
// everything through it (the token, the items, saved traces), so a load
// balancer may send any request to either; a shard server stopped while
// they serve makes a trace fail with an answer naming that server (the
// servers keep running), and once it is back the next trace works.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using json = nlohmann::json;
using testing::RunResult;
using testing::ShellQuote;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An `uncut serve` process on a free port, stopped (SIGTERM) when destroyed.
class ServeProcess {
 public:
  // Starts it and waits (up to two minutes) until it says where it
  // listens; "" or why it did not.
  std::string Start(const std::string& archive, const std::string& out, const std::string& err) {
    out_ = out;
    err_ = err;
    RunResult started = testing::RunShell(
        StrCat(ShellQuote(testing::UncutBinary()), " --archive ", ShellQuote(archive),
               " serve --listen 127.0.0.1:0 ", args_, " </dev/null >", ShellQuote(out), " 2>",
               ShellQuote(err), " & echo $!"));
    if (started.exit_code != 0) return started.err;
    pid_ = std::stoi(started.out);
    const std::string marker = "listening on http://127.0.0.1:";
    for (int i = 0; i < 1200; ++i) {
      const std::string text = ReadAll(out);
      const size_t at = text.find(marker);
      if (at != std::string::npos && text.find('/', at + marker.size()) != std::string::npos) {
        port_ = std::stoi(text.substr(at + marker.size()));
        return "";
      }
      if (!Running()) return "the server stopped: " + ReadAll(err);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "the server did not say where it listens";
  }
  // `args` go after `serve` (e.g. "--job-lease 3").
  std::string Start(const std::string& archive, const std::string& out, const std::string& err,
                    const std::string& args) {
    args_ = args;
    return Start(archive, out, err);
  }
  ~ServeProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 1200 && Running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (Running()) ::kill(pid_, SIGKILL);
  }
  // Whether the process is alive (not a zombie either).
  bool Running() const {
    std::ifstream stat(StrCat("/proc/", pid_, "/stat"));
    std::string line;
    if (!std::getline(stat, line)) return false;
    const size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
  }
  int port() const { return port_; }
  std::string Out() const { return ReadAll(out_); }
  // Kills it at once (SIGKILL), as a crash or the OOM killer would, and
  // waits until it is gone.
  void Kill() {
    ::kill(pid_, SIGKILL);
    for (int i = 0; i < 1200 && Running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = 0;
  }

 private:
  int pid_ = 0;
  int port_ = 0;
  std::string out_, err_, args_;
};

class ServePostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cluster_ = testing::OwnCluster::Start(2, &why);
    if (!cluster_ && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster_, nullptr) << why;
  }

  // A client of the server on `port`, with the token.
  std::unique_ptr<httplib::Client> Client(int port) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_bearer_token_auth(token_);
    c->set_read_timeout(std::chrono::seconds(300));
    return c;
  }

  // Polls a job on the server that runs it until it ends (five minutes at
  // most); its last state.
  json Finished(httplib::Client* c, const std::string& id) {
    json job;
    for (int i = 0; i < 3000; ++i) {
      auto r = c->Get("/api/jobs/" + id);
      if (!r) return json{{"state", "no answer"}};
      job = json::parse(r->body, nullptr, false);
      const std::string state = job.value("state", "");
      if (state == "succeeded" || state == "failed") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return job;
  }

  // Traces `quote` through the server of `c`: the job, once it ended.
  json Trace(httplib::Client* c, const std::string& quote, bool save) {
    auto r = c->Post("/api/trace?wait=60", json{{"text", quote}, {"save", save}}.dump(),
                     "application/json");
    if (!r) return json{{"state", "no answer"}};
    json job = json::parse(r->body, nullptr, false);
    if (!job.is_object() || !job.contains("id")) return job;
    return Finished(c, job["id"].get<std::string>());
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::OwnCluster> cluster_;
  std::string token_;
};

TEST_F(ServePostgres, TwoServersShareOneClusterAndSurviveAShardStopping) {
  ServeProcess a, b;
  ASSERT_EQ(a.Start(cluster_->uri(), dir_.File("a.out"), dir_.File("a.err")), "");
  // The first server made the token (in the catalog) and showed it once.
  const std::string shown = a.Out();
  const size_t at = shown.find("new access token");
  ASSERT_NE(at, std::string::npos) << shown;
  const size_t line = shown.find("\n  ", at);
  ASSERT_NE(line, std::string::npos) << shown;
  token_ = shown.substr(line + 3, 64);
  ASSERT_EQ(b.Start(cluster_->uri(), dir_.File("b.out"), dir_.File("b.err")), "");
  EXPECT_EQ(b.Out().find("new access token"), std::string::npos) << b.Out();
  // Nothing of the servers' own is written beside the archive's URI.
  EXPECT_FALSE(std::filesystem::exists("postgresql:"));

  // An upload through the first server...
  auto ca = Client(a.port());
  auto cb = Client(b.port());
  httplib::MultipartFormDataItems form = {
      {"file", testing::kSampleSpeech, "speech.txt", "text/plain"},
      {"title", "The speech", "", ""}};
  auto posted = ca->Post("/api/items", form);
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 202) << posted->body;
  json added = Finished(ca.get(), json::parse(posted->body)["id"].get<std::string>());
  ASSERT_EQ(added["state"], "succeeded") << added.dump(2);
  ASSERT_EQ(added["result"]["added"].size(), 1u) << added.dump(2);
  const int64_t id = added["result"]["added"][0]["id"].get<int64_t>();

  // ...is listed and traced through the second, which saves the trace.
  auto listed = cb->Get("/api/items");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  json items = json::parse(listed->body);
  ASSERT_EQ(items["total"], 1) << items.dump(2);
  EXPECT_EQ(items["items"][0]["id"], id);
  EXPECT_EQ(items["items"][0]["title"], "The speech");
  const std::string speech = testing::kSampleSpeech;
  const std::string quote = speech.substr(speech.size() / 3, 160);
  json traced = Trace(cb.get(), quote, true);
  ASSERT_EQ(traced["state"], "succeeded") << traced.dump(2);
  ASSERT_FALSE(traced["result"]["sources"].empty()) << traced.dump(2);
  EXPECT_EQ(traced["result"]["sources"][0]["item"]["id"], id);
  const int64_t saved = traced["result"]["saved_trace"].get<int64_t>();
  // The saved trace is read through the first server.
  auto report = ca->Get(StrCat("/api/traces/", saved, ".json"));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 200) << report->body;
  auto shown_item = ca->Get(StrCat("/api/items/", id));
  ASSERT_TRUE(shown_item);
  EXPECT_EQ(json::parse(shown_item->body)["saved_traces"].size(), 1u) << shown_item->body;
  // The original comes back byte for byte from the cluster.
  auto original = ca->Get(StrCat("/api/items/", id, "/original"));
  ASSERT_TRUE(original);
  EXPECT_EQ(original->status, 200);
  EXPECT_EQ(original->body, speech);

  // A shard server stops: a trace fails, naming it; both servers run on.
  ASSERT_EQ(cluster_->StopServer("shard2"), "");
  json failed = Trace(ca.get(), quote, false);
  EXPECT_EQ(failed["state"], "failed") << failed.dump(2);
  const std::string error = failed.value("error", json::object()).value("message", "");
  EXPECT_NE(error.find("uncut_shard2"), std::string::npos) << failed.dump(2);
  EXPECT_TRUE(a.Running());
  EXPECT_TRUE(b.Running());
  auto status = cb->Get("/api/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);

  // Back again: the next trace through either server works.
  ASSERT_EQ(cluster_->StartServer("shard2"), "");
  for (httplib::Client* c : {ca.get(), cb.get()}) {
    json again = Trace(c, quote, false);
    ASSERT_EQ(again["state"], "succeeded") << again.dump(2);
    EXPECT_EQ(again["result"]["sources"][0]["item"]["id"], id);
  }
}

// POST /api/items/ITEM/transcribe on a cluster: the server reads the
// recording from it and adds the transcript (one transaction, audit entries
// naming the token), and a quote of what is said is then traced to it.
TEST_F(ServePostgres, ARecordingIsTranscribedThroughTheServer) {
  constexpr char kQuote[] =
      "We will rebuild the pier with stone from the old quarry, and the fishing boats will "
      "return before summer.";
  ASSERT_EQ(testing::Speak(kQuote, dir_.File("pier.wav"), "en-us+klatt2", 140), "");
  RunResult add = testing::RunUncut(cluster_->uri(), "add -q " + ShellQuote(dir_.File("pier.wav")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ServeProcess a;
  ASSERT_EQ(a.Start(cluster_->uri(), dir_.File("a.out"), dir_.File("a.err")), "");
  const std::string shown = a.Out();
  const size_t line = shown.find("\n  ", shown.find("new access token"));
  ASSERT_NE(line, std::string::npos) << shown;
  token_ = shown.substr(line + 3, 64);
  auto c = Client(a.port());
  auto listed = c->Get("/api/items");
  ASSERT_TRUE(listed);
  const int64_t id = json::parse(listed->body)["items"][0]["id"].get<int64_t>();

  auto posted = c->Post(StrCat("/api/items/", id, "/transcribe"), "", "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 202) << posted->body;
  json job = Finished(c.get(), json::parse(posted->body)["id"].get<std::string>());
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  EXPECT_EQ(job["result"]["status"], "transcribed") << job.dump(2);
  const int64_t transcript = job["result"]["transcript"]["id"].get<int64_t>();
  EXPECT_NE(transcript, id);

  json traced = Trace(c.get(), kQuote, false);
  ASSERT_EQ(traced["state"], "succeeded") << traced.dump(2);
  ASSERT_FALSE(traced["result"]["sources"].empty()) << traced.dump(2);
  EXPECT_EQ(traced["result"]["sources"][0]["item"]["id"], transcript);
  RunResult log = testing::RunUncut(cluster_->uri(), "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  json entries = json::parse(log.out, nullptr, false);
  ASSERT_TRUE(entries.is_array() && entries.size() == 3) << log.out;
  EXPECT_EQ(entries[2]["action"], "upgrade");
  EXPECT_EQ(entries[2]["actor"], "token") << log.out;

  // Asked again: nothing more is added.
  posted = c->Post(StrCat("/api/items/", id, "/transcribe"), "", "application/json");
  ASSERT_TRUE(posted);
  job = Finished(c.get(), json::parse(posted->body)["id"].get<std::string>());
  EXPECT_EQ(job["result"]["status"], "already transcribed") << job.dump(2);
  listed = c->Get("/api/items");
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body)["total"], 2) << listed->body;
}

// POST /api/captures on a cluster captures as `uncut capture` does there
// (staged, then one transaction), the audit log naming the token and the
// client's address; with a shard server stopped the job fails naming it,
// the server runs on, and nothing of the capture is in the cluster.
TEST_F(ServePostgres, APageIsCapturedThroughTheServerIntoTheCluster) {
  httplib::Server web;
  web.Get("/notice.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!DOCTYPE html><html><head><title>Notice</title></head><body><p>The ferry "
                    "to the northern islands will not sail on Thursday because of the storm "
                    "warning issued this morning.</p></body></html>",
                    "text/html; charset=utf-8");
  });
  const int web_port = web.bind_to_any_port("127.0.0.1");
  ASSERT_GT(web_port, 0);
  std::thread web_thread([&] { web.listen_after_bind(); });
  struct Stop {
    httplib::Server& web;
    std::thread& thread;
    ~Stop() {
      web.stop();
      thread.join();
    }
  } stop{web, web_thread};
  const std::string url = StrCat("http://127.0.0.1:", web_port, "/notice.html");

  ServeProcess a;
  ASSERT_EQ(a.Start(cluster_->uri(), dir_.File("a.out"), dir_.File("a.err")), "");
  const std::string shown = a.Out();
  const size_t line = shown.find("\n  ", shown.find("new access token"));
  ASSERT_NE(line, std::string::npos) << shown;
  token_ = shown.substr(line + 3, 64);
  auto c = Client(a.port());
  auto capture = [&]() -> json {
    auto posted = c->Post("/api/captures", json{{"url", url}}.dump(), "application/json");
    if (!posted) return json{{"state", "no answer"}};
    EXPECT_EQ(posted->status, 202) << posted->body;
    json job = json::parse(posted->body, nullptr, false);
    if (!job.is_object() || !job.contains("id")) return job;
    return Finished(c.get(), job["id"].get<std::string>());
  };

  // A shard server stopped: the job fails naming it, and nothing is added.
  ASSERT_EQ(cluster_->StopServer("shard2"), "");
  json failed = capture();
  EXPECT_EQ(failed["state"], "failed") << failed.dump(2);
  EXPECT_NE(failed.value("error", json::object()).value("message", "").find("uncut_shard2"),
            std::string::npos)
      << failed.dump(2);
  EXPECT_TRUE(a.Running());
  ASSERT_EQ(cluster_->StartServer("shard2"), "");
  RunResult empty = testing::RunUncut(cluster_->uri(), "list --json");
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(json::parse(empty.out), json::array());

  json job = capture();
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  ASSERT_FALSE(job["result"]["items"].empty()) << job.dump(2);
  const int64_t id = job["result"]["items"][0]["id"].get<int64_t>();
  EXPECT_EQ(job["result"]["items"][0]["existed"], false) << job.dump(2);
  RunResult show = testing::RunUncut(cluster_->uri(), StrCat("show --json ", id));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json shown_item = json::parse(show.out);
  EXPECT_EQ(shown_item["source_url"], url) << show.out;
  EXPECT_EQ(shown_item["capture"]["url"], url) << show.out;
  RunResult traced = testing::RunUncut(
      cluster_->uri(), "trace --text " + ShellQuote("will not sail on Thursday because of the storm"));
  EXPECT_EQ(traced.exit_code, 0) << traced.out << traced.err;
  RunResult log = testing::RunUncut(cluster_->uri(), "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  json entries = json::parse(log.out, nullptr, false);
  ASSERT_TRUE(entries.is_array() && entries.size() == 1) << log.out;
  EXPECT_EQ(entries[0]["action"], "add");
  EXPECT_EQ(entries[0]["actor"], "token") << log.out;
  EXPECT_EQ(entries[0]["client"], "127.0.0.1") << log.out;
}

// Jobs on a cluster live in its catalog: two servers behind a load balancer
// answer for each other's jobs, and a job whose server was killed is
// reported failed once its lease runs out. On the shared test cluster.
class ServeJobs : public ::testing::Test {
 protected:
  static constexpr char kPsql[] = "/usr/lib/postgresql/15/bin/psql -X -q -A -t -v ON_ERROR_STOP=1 ";

  void SetUp() override {
    std::string why;
    testing::TestCluster* cluster = testing::TestCluster::Get(&why);
    if (!cluster && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    testing::TestCluster::Databases dbs = cluster->NewDatabases();
    const std::string shards = dbs.ShardList();
    RunResult init = testing::RunUncut(dbs.coordinator, "init --shards " + ShellQuote(shards));
    ASSERT_EQ(init.exit_code, 0) << init.err;
    uri_ = dbs.coordinator;
  }

  // Starts servers a and b on the archive, with `args`; the token a made.
  void StartBoth(const std::string& args = "") {
    ASSERT_EQ(a_.Start(uri_, dir_.File("a.out"), dir_.File("a.err"), args), "");
    const std::string shown = a_.Out();
    const size_t line = shown.find("\n  ", shown.find("new access token"));
    ASSERT_NE(line, std::string::npos) << shown;
    token_ = shown.substr(line + 3, 64);
    ASSERT_EQ(b_.Start(uri_, dir_.File("b.out"), dir_.File("b.err"), args), "");
  }

  std::unique_ptr<httplib::Client> Client(const ServeProcess& p) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", p.port());
    c->set_bearer_token_auth(token_);
    c->set_read_timeout(std::chrono::seconds(300));
    return c;
  }

  // Polls a job on `c` (five minutes at most) until `done` says so; its
  // last state.
  static json Poll(httplib::Client* c, const std::string& id,
                   const std::function<bool(const json&)>& done) {
    json job;
    for (int i = 0; i < 3000; ++i) {
      auto r = c->Get("/api/jobs/" + id);
      if (r && r->status == 200) {
        job = json::parse(r->body, nullptr, false);
        if (done(job)) return job;
      } else {
        job = json{{"status", r ? r->status : 0}, {"body", r ? r->body : ""}};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return job;
  }
  static bool Ended(const json& j) {
    const std::string state = j.value("state", "");
    return state == "succeeded" || state == "failed";
  }

  // Posts a text file to the server of `c`: the job's id.
  static std::string PostFile(httplib::Client* c, const std::string& name,
                              const std::string& text) {
    httplib::MultipartFormDataItems form = {{"file", text, name, "text/plain"}};
    auto posted = c->Post("/api/items", form);
    EXPECT_TRUE(posted);
    if (!posted) return "";
    EXPECT_EQ(posted->status, 202) << posted->body;
    return json::parse(posted->body, nullptr, false).value("id", "");
  }

  testing::TempDir dir_;
  std::string uri_, token_;
  ServeProcess a_, b_;
};

TEST_F(ServeJobs, AnAddAndATraceOnOneServerArePolledToTheirResultsOnTheOther) {
  StartBoth();
  auto ca = Client(a_), cb = Client(b_);
  const std::string speech = testing::kSampleSpeech;
  const std::string add = PostFile(ca.get(), "speech.txt", speech);
  ASSERT_FALSE(add.empty());
  json added = Poll(cb.get(), add, Ended);
  ASSERT_EQ(added["state"], "succeeded") << added.dump(2);
  EXPECT_EQ(added["kind"], "add");
  ASSERT_EQ(added["result"]["added"].size(), 1u) << added.dump(2);
  const int64_t id = added["result"]["added"][0]["id"].get<int64_t>();
  EXPECT_EQ(added["progress"]["done"], added["progress"]["total"]) << added.dump(2);
  EXPECT_EQ(added["progress"]["stage"], "done");

  // A trace sent to b (no wait), polled on a; then one saved, through a.
  const std::string quote = speech.substr(speech.size() / 3, 160);
  for (bool save : {false, true}) {
    auto posted = cb->Post("/api/trace", json{{"text", quote}, {"save", save}}.dump(),
                           "application/json");
    ASSERT_TRUE(posted);
    ASSERT_TRUE(posted->status == 200 || posted->status == 202) << posted->body;
    const std::string job = json::parse(posted->body)["id"].get<std::string>();
    EXPECT_EQ(posted->get_header_value("Location"), "/api/jobs/" + job);
    json traced = Poll(ca.get(), job, Ended);
    ASSERT_EQ(traced["state"], "succeeded") << traced.dump(2);
    ASSERT_FALSE(traced["result"]["sources"].empty()) << traced.dump(2);
    EXPECT_EQ(traced["result"]["sources"][0]["item"]["id"], id);
    EXPECT_FALSE(traced["result"]["summary"].empty());
    EXPECT_EQ(traced["result"].contains("saved_trace"), save) << traced.dump(2);
    // Its reports, from the server that did not run it.
    auto html = ca->Get("/api/jobs/" + job + "/report.html");
    ASSERT_TRUE(html);
    EXPECT_EQ(html->status, 200) << html->body;
    EXPECT_NE(html->body.find("<html"), std::string::npos);
    auto report = ca->Get("/api/jobs/" + job + "/report.json");
    ASSERT_TRUE(report);
    ASSERT_EQ(report->status, 200) << report->body;
    json r = json::parse(report->body);
    EXPECT_EQ(r["sources"], traced["result"]["sources"]);
    EXPECT_FALSE(r.contains("summary"));
    if (save) {
      auto saved = ca->Get(StrCat("/api/traces/", traced["result"]["saved_trace"].get<int64_t>(),
                                  ".html"));
      ASSERT_TRUE(saved);
      EXPECT_EQ(saved->body, html->body);  // the job's report is the saved one, not a copy
    }
  }
  // Both servers list every job, newest first.
  for (httplib::Client* c : {ca.get(), cb.get()}) {
    auto listed = c->Get("/api/jobs");
    ASSERT_TRUE(listed);
    json jobs = json::parse(listed->body)["jobs"];
    ASSERT_EQ(jobs.size(), 3u) << jobs.dump(2);
    EXPECT_EQ(jobs[2]["id"], add);
  }
  // An id nobody has is not found, on either.
  auto missing = cb->Get("/api/jobs/0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServeJobs, AServerKilledMidJobLeavesItsJobFailedOnTheOther) {
  StartBoth("--job-lease 3");
  auto ca = Client(a_), cb = Client(b_);
  // A session holds a lock that keeps any add from registering its
  // original, so the add stays mid-job however fast the machine is.
  const std::string hold = dir_.File("hold.pid");
  RunResult held = testing::RunShell(StrCat(
      kPsql, ShellQuote(uri_),
      " -c 'BEGIN; LOCK TABLE objects IN SHARE MODE; SELECT pg_sleep(900);' >/dev/null 2>&1 & "
      "echo $!"));
  ASSERT_EQ(held.exit_code, 0) << held.err;
  auto release = [&] {
    testing::RunShell(StrCat(kPsql, ShellQuote(uri_),
                             " -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND query LIKE '%pg_sleep(900)%' "
                             "AND pid <> pg_backend_pid()\""));
  };
  bool locked = false;
  for (int i = 0; i < 1200 && !locked; ++i) {
    RunResult r = testing::RunShell(
        StrCat(kPsql, ShellQuote(uri_),
               " -c \"SELECT count(*) FROM pg_locks WHERE relation = 'objects'::regclass "
               "AND mode = 'ShareLock' AND granted\""));
    locked = r.exit_code == 0 && r.out.find('1') == 0;
    if (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(locked);

  const std::string job = PostFile(ca.get(), "held.txt", testing::kSampleSpeech);
  ASSERT_FALSE(job.empty());
  json running = Poll(cb.get(), job, [](const json& j) { return j.value("state", "") == "running"; });
  ASSERT_EQ(running["state"], "running") << running.dump(2);

  a_.Kill();
  json lost = Poll(cb.get(), job, Ended);
  release();
  ASSERT_EQ(lost["state"], "failed") << lost.dump(2);
  const std::string message = lost["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("the server running it stopped"), std::string::npos) << message;
  // Nothing of the add was published.
  auto listed = cb->Get("/api/items");
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body)["total"], 0) << listed->body;
  // The other server runs jobs on.
  const std::string next = PostFile(cb.get(), "next.txt", testing::kSampleSpeech);
  json added = Poll(cb.get(), next, Ended);
  EXPECT_EQ(added["state"], "succeeded") << added.dump(2);
}

}  // namespace
}  // namespace uncut

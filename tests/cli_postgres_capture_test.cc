// `uncut capture` and `verify --tsa-ca` on a PostgreSQL archive (the shared
// 3-server test cluster of testing/pg_cluster.h), against a web server this
// test starts on 127.0.0.1: a capture keeps its record as on a directory,
// --browser keeps the text a page's scripts write, --again reads the earlier
// capture from the cluster and links the new one to it, the timestamps are
// checked against a CA, and a shard out of reach fails a capture in one
// line leaving nothing behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/capture_pages.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut {
namespace {

using json = nlohmann::json;
using testing::RunResult;
using testing::ShellQuote;

class CapturePostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    testing::TestCluster* cluster = testing::TestCluster::Get(&why);
    if (cluster == nullptr && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    dbs_ = cluster->NewDatabases();
    const std::string shards = dbs_.ShardList();
    RunResult init = testing::RunUncut(dbs_.coordinator, "init --shards " + ShellQuote(shards));
    ASSERT_EQ(init.exit_code, 0) << init.err;
    uri_ = dbs_.coordinator;

    ASSERT_TRUE(pages_.Start());
  }
  std::string Url(const std::string& path) const { return pages_.Url(path); }
  // Runs uncut on the cluster with $TMPDIR a folder of the test's, so that
  // what a capture stages there can be checked.
  RunResult Uncut(const std::string& args) {
    std::filesystem::create_directories(dir_.File("tmp"));
    return testing::RunShell(StrCat("TMPDIR=", ShellQuote(dir_.File("tmp")), " ",
                                    ShellQuote(testing::UncutBinary()), " --archive ",
                                    ShellQuote(uri_), " ", args));
  }
  json Items() { return json::parse(Uncut("list --json").out, nullptr, false); }
  // Points the coordinator's second shard server at `port`.
  void SetShardPort(const std::string& port) {
    RunResult r = testing::RunShell(StrCat(
        "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 ", ShellQuote(uri_), " -c ",
        ShellQuote("ALTER SERVER uncut_shard2 OPTIONS (SET port '" + port + "')")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  testing::TempDir dir_;
  testing::TestCluster::Databases dbs_;
  std::string uri_;
  testing::CapturePagesServer pages_;
};

// The web capture (WARC) item whose source URL is `url`, the newest.
int64_t CaptureOf(const json& items, const std::string& url) {
  int64_t id = -1;
  for (const json& it : items) {
    if (it.value("format", "") == "warc.gz" && it.value("source_url", "") == url) id = it["id"];
  }
  return id;
}

TEST_F(CapturePostgres, APageIsCapturedWithItsRecordAndTracedFromTheCluster) {
  RunResult c = Uncut("capture " + ShellQuote(Url("/story.html")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  json items = Items();
  const int64_t warc = CaptureOf(items, Url("/story.html"));
  ASSERT_GT(warc, 0) << items.dump(2);
  EXPECT_NE(c.out.find(StrCat("captured ", warc, " ")), std::string::npos) << c.out;
  json show = json::parse(Uncut(StrCat("show --json ", warc)).out, nullptr, false);
  EXPECT_EQ(show["capture"]["url"], Url("/story.html")) << show.dump(2);
  EXPECT_EQ(show["capture"]["tool"].get<std::string>().rfind("GNU Wget ", 0), 0u) << show.dump(2);
  RunResult t = Uncut("trace --text " + ShellQuote("the fishing fleet would pay no new fees"));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(Url("/story.html")), std::string::npos) << t.out;
  RunResult log = Uncut("log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(json::parse(log.out).back()["action"], "add") << log.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.File("tmp")));  // nothing staged stays
}

TEST_F(CapturePostgres, BrowserKeepsTheTextAPagesScriptsWrite) {
  if (testing::RunShell("command -v chromium").exit_code != 0) {
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  }
  const std::string quote = "the harbour closes at noon while the divers inspect the northern wall";
  RunResult c = Uncut("capture --browser " + ShellQuote(Url("/scripted.html")));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("page as a browser rendered it, Chromium "), std::string::npos) << c.out;
  RunResult t = Uncut("trace --text " + ShellQuote(quote));
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(Url("/scripted.html")), std::string::npos) << t.out;
  json items = Items();
  int64_t rendered = -1;
  const int64_t warc = CaptureOf(items, Url("/scripted.html"));
  for (const json& it : items) {
    if (it.value("note", "").find("captured with Chromium") != std::string::npos) rendered = it["id"];
  }
  ASSERT_GT(rendered, 0) << items.dump(2);
  json show = json::parse(Uncut(StrCat("show ", rendered, " --json")).out, nullptr, false);
  EXPECT_EQ(show["capture"]["url"], Url("/scripted.html")) << show.dump(2);
  EXPECT_EQ(show["capture"]["tool"].get<std::string>().rfind("Chromium ", 0), 0u) << show.dump(2);
  // Linked to the WARC by its id in the cluster.
  EXPECT_EQ(show["capture"]["rendered_from"]["id"], warc) << show.dump(2);
}

TEST_F(CapturePostgres, AgainReadsTheEarlierCaptureFromTheClusterAndLinksTheNewOne) {
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/story.html"))).exit_code, 0);
  const int64_t first = CaptureOf(Items(), Url("/story.html"));
  ASSERT_GT(first, 0);

  RunResult same = Uncut(StrCat("capture --again ", first));
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("unchanged: the page"), std::string::npos) << same.out;

  pages_.set_story_version(2);
  RunResult edited = Uncut(StrCat("capture --again ", first));
  EXPECT_EQ(edited.exit_code, 1) << edited.out << edited.err;
  EXPECT_NE(edited.out.find("text edited: item "), std::string::npos) << edited.out;
  EXPECT_NE(edited.out.find("[omitted: and that the fishing fleet would pay no]"), std::string::npos)
      << edited.out;
  EXPECT_NE(edited.out.find("[added: will be reviewed by a]"), std::string::npos) << edited.out;
  const int64_t second = CaptureOf(Items(), Url("/story.html"));
  ASSERT_GT(second, first);
  json shown = json::parse(Uncut(StrCat("show --json ", second)).out, nullptr, false);
  EXPECT_EQ(shown["capture"]["recapture_of"]["id"], first) << shown.dump(2);
  EXPECT_NE(Uncut(StrCat("show ", second)).out.find(StrCat("recapture of: item ", first)),
            std::string::npos);

  pages_.set_story_version(3);
  const std::string before = Uncut("list --json").out;
  RunResult gone = Uncut(StrCat("capture --again ", second));
  EXPECT_EQ(gone.exit_code, 1) << gone.out << gone.err;
  EXPECT_NE(gone.out.find(StrCat("page gone: the server answered HTTP 404 Not Found; the archive "
                                 "keeps item ",
                                 second)),
            std::string::npos)
      << gone.out;
  EXPECT_EQ(Uncut("list --json").out, before);
}

TEST_F(CapturePostgres, VerifyChecksTheStoredTimestampsAgainstTheGivenCa) {
  std::filesystem::create_directories(dir_.File("tsa"));
  testing::TestTsa tsa(dir_.File("tsa"));
  ASSERT_EQ(tsa.error(), "");
  ASSERT_EQ(Uncut("config tsa " + ShellQuote(tsa.url())).exit_code, 0);
  ASSERT_EQ(Uncut("config tsa-ca " + ShellQuote(tsa.ca_file())).exit_code, 0);
  ASSERT_EQ(Uncut("capture " + ShellQuote(Url("/story.html"))).exit_code, 0);
  EXPECT_EQ(tsa.requests(), 1);
  const int64_t warc = CaptureOf(Items(), Url("/story.html"));
  ASSERT_GT(warc, 0);

  RunResult v = Uncut("verify --tsa-ca " + ShellQuote(tsa.ca_file()));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("1 timestamps checked against " + tsa.ca_file()), std::string::npos) << v.out;
  RunResult other = Uncut("verify --tsa-ca " + ShellQuote(tsa.other_ca_file()));
  EXPECT_EQ(other.exit_code, 4) << other.out;
  EXPECT_NE(other.err.find(StrCat("uncut: verify: item ", warc, " (")), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("timestamp: the token does not check against"), std::string::npos)
      << other.err;
  EXPECT_EQ(std::count(other.err.begin(), other.err.end(), '\n'), 1) << other.err;
  RunResult unusable = Uncut("verify --tsa-ca " + ShellQuote(dir_.File("none.pem")));
  EXPECT_EQ(unusable.exit_code, 3) << unusable.out;
  EXPECT_EQ(std::count(unusable.err.begin(), unusable.err.end(), '\n'), 1) << unusable.err;
}

// A shard server out of reach (its foreign server pointed at a closed
// port): the capture fails with one line naming it, exit 4, and the
// cluster holds nothing of it; once the server is back, it is captured.
TEST_F(CapturePostgres, AShardOutOfReachFailsTheCaptureInOneLineAndLeavesNothing) {
  const std::string real_port = dbs_.shards[1].substr(
      dbs_.shards[1].rfind(':') + 1, dbs_.shards[1].rfind('/') - dbs_.shards[1].rfind(':') - 1);
  SetShardPort("1");
  RunResult c = Uncut("capture " + ShellQuote(Url("/story.html")));
  EXPECT_EQ(c.exit_code, 4) << c.out;
  EXPECT_NE(c.err.find("uncut_shard2"), std::string::npos) << c.err;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  SetShardPort(real_port);
  EXPECT_EQ(Items(), json::array());
  RunResult log = Uncut("log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(json::parse(log.out), json::array()) << log.out;
  RunResult swept = Uncut("sweep --dry-run");
  EXPECT_EQ(swept.exit_code, 0) << swept.err;
  EXPECT_EQ(swept.out.rfind("would remove 0 postings", 0), 0u) << swept.out;
  EXPECT_NE(swept.out.find("and 0 pieces"), std::string::npos) << swept.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.File("tmp")));
  RunResult again = Uncut("capture " + ShellQuote(Url("/story.html")));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_GT(CaptureOf(Items(), Url("/story.html")), 0);
}

}  // namespace
}  // namespace uncut

// `uncut captions` on a PostgreSQL archive (the shared 3-server test
// cluster of testing/pg_cluster.h): videos added without their captions
// have them read from the cluster, the captions item added as `add` adds
// it and linked to the video in one transaction, with the same lines as on
// a directory; a second run has nothing to do; a shard out of reach stops
// it in one line and leaves the archive as it was.
//
// The suite makes a 12-second video with three caption lines burned in at
// known times, and the same pattern without captions.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/media_suite.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using json = nlohmann::json;
using testing::RunResult;
using testing::ShellQuote;

const std::vector<testing::BurnedCaption>& kCaptions = testing::kHarbourCaptions;
constexpr char kQuote[] = "Engineers found deep cracks in the northern pier";

class CaptionsPostgres : public testing::MediaSuite<CaptionsPostgres> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }

  static std::string MakeMedia() {
    std::string err = testing::CaptionedVideo(kCaptions, 12, File("captioned.mp4"));
    if (err.empty()) err = testing::CaptionedVideo({}, 6, File("plain.mp4"));
    return err;
  }

  void SetUp() override {
    MediaSuite::SetUp();
    if (HasFatalFailure()) return;
    std::string why;
    testing::TestCluster* cluster = testing::TestCluster::Get(&why);
    if (cluster == nullptr && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    dbs_ = cluster->NewDatabases();
    RunResult init = testing::RunUncut(dbs_.coordinator, "init --shards " + ShellQuote(dbs_.ShardList()));
    ASSERT_EQ(init.exit_code, 0) << init.err;
    std::filesystem::create_directories(File("tmp"));
  }

  // Runs uncut on `archive` with $TMPDIR a folder of the suite's, so that
  // what a command stages there can be checked.
  static RunResult On(const std::string& archive, const std::string& args) {
    return testing::RunShell(StrCat("TMPDIR=", ShellQuote(File("tmp")), " ",
                                    ShellQuote(testing::UncutBinary()), " --archive ",
                                    ShellQuote(archive), " ", args));
  }
  RunResult Cluster(const std::string& args) { return On(dbs_.coordinator, args); }

  static json Parsed(const RunResult& r) { return json::parse(r.out, nullptr, false); }

  // Points the coordinator's second shard server at `port`.
  void SetShardPort(const std::string& port) {
    RunResult r = testing::RunShell(StrCat(
        "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 ", ShellQuote(dbs_.coordinator),
        " -c ", ShellQuote("ALTER SERVER uncut_shard2 OPTIONS (SET port '" + port + "')")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  testing::TestCluster::Databases dbs_;
};

// The videos added with --no-captions to a directory and to the cluster,
// then `captions` on both: the same lines, and on the cluster the captions
// item linked to the video both ways, marked as OCR, found by a quote.
TEST_F(CaptionsPostgres, CaptionsAreReadFromTheClusterIntoTimedTextLinkedToTheVideo) {
  const std::string files =
      StrCat(ShellQuote(File("captioned.mp4")), " ", ShellQuote(File("plain.mp4")));
  const std::string dir = File("directory");
  for (const std::string& archive : {dir, dbs_.coordinator}) {
    RunResult add = On(archive, "add -q --no-captions " + files);
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  EXPECT_EQ(Cluster(StrCat("trace --text ", ShellQuote(kQuote))).exit_code, 1);

  RunResult on_dir = On(dir, "captions");
  ASSERT_EQ(on_dir.exit_code, 0) << on_dir.err;
  RunResult read = Cluster("captions");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, on_dir.out);
  EXPECT_EQ(read.err, "");
  EXPECT_NE(read.out.find("captions -> item 3 captioned.mp4.captions.vtt"), std::string::npos)
      << read.out;
  EXPECT_NE(read.out.find("plain.mp4: no captions found"), std::string::npos) << read.out;
  EXPECT_TRUE(std::filesystem::is_empty(File("tmp")));

  json items = Parsed(Cluster("list --json"));
  ASSERT_TRUE(items.is_array() && items.size() == 3) << items.dump(2);
  const json& video = items[0];
  const json& plain = items[1];
  const json& text = items[2];
  EXPECT_EQ(text["name"], "captioned.mp4.captions.vtt");
  EXPECT_EQ(text["info"]["transcript"]["method"], "ocr");
  EXPECT_EQ(text["info"]["transcript"]["recording"]["id"], video["id"]);
  EXPECT_EQ(text["info"]["media"][0]["id"], video["id"]);
  EXPECT_EQ(video["info"]["captions"]["status"], "read");
  EXPECT_EQ(video["info"]["captions"]["item"], text["id"]);
  ASSERT_EQ(video["info"]["subtitles"].size(), 1u) << video.dump(2);
  EXPECT_EQ(video["info"]["subtitles"][0]["id"], text["id"]);
  EXPECT_EQ(plain["info"]["captions"]["status"], "none");
  EXPECT_FALSE(plain["info"].contains("subtitles"));

  const int64_t text_id = text["id"];
  RunResult show = Cluster(StrCat("show ", video["id"].get<int64_t>()));
  EXPECT_NE(show.out.find(StrCat("captions read by OCR into item ", text_id)), std::string::npos)
      << show.out;
  EXPECT_NE(Cluster(StrCat("show ", text_id)).out.find("read by OCR"), std::string::npos);
  RunResult words = Cluster(StrCat("show --text ", text_id));
  ASSERT_EQ(words.exit_code, 0) << words.err;
  EXPECT_EQ(words.out, On(dir, "show --text 3").out);

  RunResult found = Cluster(StrCat("trace --json --text ", ShellQuote(kQuote)));
  ASSERT_EQ(found.exit_code, 0) << found.out << found.err;
  json r = Parsed(found);
  ASSERT_TRUE(r.is_object() && !r["sources"].empty()) << found.out;
  EXPECT_EQ(r["sources"][0]["item"]["id"], text_id);
  const json& captions = r["sources"][0]["segments"][0]["details"]["captions"];
  EXPECT_EQ(captions["recording"]["name"], "captioned.mp4") << captions.dump(2);
  EXPECT_NEAR(captions["start_s"].get<double>(), kCaptions[1].from_s, 0.5) << captions.dump();

  // One transaction per video, logged: the captions item's add and the
  // video's new info; the video without captions, its new info alone.
  json log = Parsed(Cluster("log --json"));
  ASSERT_TRUE(log.is_array() && log.size() == 4) << log.dump(2);
  EXPECT_EQ(log[1]["action"], "add");
  EXPECT_EQ(log[2]["action"], "upgrade");
  EXPECT_EQ(log[2]["details"]["reindexed"][0], video["id"]);
  EXPECT_EQ(log[3]["action"], "upgrade");
  EXPECT_EQ(log[3]["details"]["reindexed"][0], plain["id"]);
}

TEST_F(CaptionsPostgres, ASecondRunHasNothingToDo) {
  ASSERT_EQ(Cluster("add -q --no-captions " + ShellQuote(File("captioned.mp4"))).exit_code, 0);
  RunResult first = Cluster("captions");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  RunResult again = Cluster("captions");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "no video needs its captions read\n");
  RunResult named = Cluster("captions 1");
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(named.out, "1 already read\n");
  RunResult not_video = Cluster("captions 2");
  EXPECT_EQ(not_video.exit_code, 3);
  EXPECT_NE(not_video.err.find("item 2 (captioned.mp4.captions.vtt) is not a video"),
            std::string::npos) << not_video.err;
  json items = Parsed(Cluster("list --json"));
  ASSERT_TRUE(items.is_array()) << items;
  EXPECT_EQ(items.size(), 2u);
  EXPECT_EQ(Parsed(Cluster("log --json")).size(), 3u);
}

// A shard server out of reach (its foreign server pointed at a closed
// port): one line naming it, exit 4, and the archive as it was (no item,
// no new info, no audit entry, nothing for sweep, nothing left in
// $TMPDIR); once it is back, the captions are read.
TEST_F(CaptionsPostgres, AShardOutOfReachStopsItInOneLineAndLeavesTheArchiveAsItWas) {
  ASSERT_EQ(Cluster("add -q --no-captions " + ShellQuote(File("captioned.mp4"))).exit_code, 0);
  const std::string list_before = Cluster("list --json").out;
  const std::string real_port = dbs_.shards[1].substr(
      dbs_.shards[1].rfind(':') + 1, dbs_.shards[1].rfind('/') - dbs_.shards[1].rfind(':') - 1);
  SetShardPort("1");
  RunResult cut = Cluster("captions");
  SetShardPort(real_port);
  EXPECT_EQ(cut.exit_code, 4) << cut.out << cut.err;
  EXPECT_NE(cut.err.find("uncut_shard2"), std::string::npos) << cut.err;
  EXPECT_EQ(std::count(cut.err.begin(), cut.err.end(), '\n'), 1) << cut.err;
  EXPECT_EQ(cut.out, "");

  EXPECT_EQ(Cluster("list --json").out, list_before);
  EXPECT_EQ(Parsed(Cluster("log --json")).size(), 1u);
  RunResult swept = Cluster("sweep --dry-run");
  EXPECT_EQ(swept.exit_code, 0) << swept.err;
  EXPECT_EQ(swept.out.rfind("would remove 0 postings", 0), 0u) << swept.out;
  EXPECT_NE(swept.out.find("and 0 pieces"), std::string::npos) << swept.out;
  EXPECT_TRUE(std::filesystem::is_empty(File("tmp")));

  RunResult again = Cluster("captions");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("captioned.mp4.captions.vtt"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace uncut

// The command line on a PostgreSQL archive (three shard servers, the shared
// test cluster of testing/pg_cluster.h) gives the same answers as on the
// embedded archive: the same files are added to both, and list, show and
// traces of a quote and of a clip are compared, timings and times of day
// aside.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut {
namespace {

using json = nlohmann::json;
using testing::RunResult;
using testing::ShellQuote;

// Drops what differs between two runs or two stores of the same answer:
// how long it took, when it ran or was added, and where the embedded
// archive keeps the bytes.
void Strip(json* j) {
  if (j->is_object()) {
    for (const char* key : {"elapsed_ms", "traced_at", "added_at", "stored_in", "stored_at"}) {
      j->erase(key);
    }
  }
  if (j->is_structured()) {
    for (auto& child : *j) Strip(&child);
  }
}

class CliPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::TestCluster* cluster = testing::TestCluster::Get(&skip_);
    if (cluster == nullptr) return;
    testing::TestCluster::Databases dbs = cluster->NewDatabases();
    uri_ = dbs.coordinator;
    const std::string shards = dbs.ShardList();
    RunResult init = testing::RunUncut(uri_, "init --shards " + ShellQuote(shards));
    if (init.exit_code != 0) {
      error_ = "uncut init: " + init.err;
      return;
    }
    error_ = MakeSources();
    if (!error_.empty()) return;
    const std::string files = StrCat(ShellQuote(dir_->File("speech.txt")), " ",
                                     ShellQuote(dir_->File("other.txt")), " ",
                                     ShellQuote(dir_->File("broadcast.mp4")));
    for (const std::string& archive : {Embedded(), uri_}) {
      RunResult add = testing::RunUncut(archive, "add " + files);
      if (add.exit_code != 0) {
        error_ = StrCat("uncut add to ", archive, ": ", add.err);
        return;
      }
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty() && skip_.find("not installed") != std::string::npos) GTEST_SKIP() << skip_;
    ASSERT_EQ(skip_, "");
    ASSERT_EQ(error_, "");
  }

  static std::string MakeSources() {
    dir_->Write("speech.txt", testing::kSampleSpeech);
    std::string other;
    for (int i = 0; i < 200; ++i) other += StrCat("Ledger line ", i * 7919 % 1000, " of the harbour accounts. ");
    dir_->Write("other.txt", other);
    std::string err = testing::Speak(testing::kSampleSpeech, dir_->File("speech.wav"));
    if (!err.empty()) return err;
    err = testing::Ffmpeg(StrCat(
        "-f lavfi -i testsrc2=size=320x180:rate=25,trim=duration=10 -f lavfi -i "
        "cellauto=size=320x180:rate=25:rule=30:seed=7,trim=duration=10 -i ",
        ShellQuote(dir_->File("speech.wav")),
        " -filter_complex '[0][1]concat=n=2:v=1:a=0,format=yuv420p[v];[2]apad,atrim=duration=20[a]'"
        " -map '[v]' -map '[a]' -t 20 -c:v libx264 -preset veryfast -crf 26 -g 50 -c:a aac "
        "-b:a 64k ",
        ShellQuote(dir_->File("broadcast.mp4"))));
    if (!err.empty()) return err;
    return testing::Ffmpeg(StrCat("-ss 6 -to 14 -i ", ShellQuote(dir_->File("broadcast.mp4")),
                                  " -c:v libx264 -preset veryfast -crf 28 -c:a aac ",
                                  ShellQuote(dir_->File("clip.mp4"))));
  }

  static std::string Embedded() { return dir_->File("embedded"); }

  // The JSON an uncut command prints on each archive; fails unless both exit `code`.
  static std::pair<json, json> Both(const std::string& args, int code = 0) {
    RunResult e = testing::RunUncut(Embedded(), args);
    RunResult p = testing::RunUncut(uri_, args);
    EXPECT_EQ(e.exit_code, code) << e.err;
    EXPECT_EQ(p.exit_code, code) << p.err;
    json je = json::parse(e.out, nullptr, false), jp = json::parse(p.out, nullptr, false);
    Strip(&je);
    Strip(&jp);
    return {je, jp};
  }

  // `copy` lists, shows and traces a quote (already quoted for the shell)
  // and a clip as the embedded archive does.
  static void ExpectSameAnswers(const std::string& copy, const std::string& quote) {
    for (const std::string& args : std::vector<std::string>{
             "list --json", "show 3 --json", "trace --json --text " + quote,
             "trace --json " + ShellQuote(dir_->File("clip.mp4"))}) {
      RunResult e = testing::RunUncut(Embedded(), args);
      RunResult c = testing::RunUncut(copy, args);
      ASSERT_EQ(e.exit_code, 0) << args << ": " << e.err;
      ASSERT_EQ(c.exit_code, 0) << args << ": " << c.err;
      json je = json::parse(e.out, nullptr, false), jc = json::parse(c.out, nullptr, false);
      Strip(&je);
      Strip(&jc);
      EXPECT_EQ(jc, je) << args;
    }
  }

  // A new archive of its own on the test cluster, holding `files` (already
  // quoted for the shell); "" (and a test failure) when it could not be made.
  static std::string NewArchive(const std::string& files) {
    testing::TestCluster::Databases dbs = testing::TestCluster::Get(&skip_)->NewDatabases();
    const std::string shards = dbs.ShardList();
    RunResult init = testing::RunUncut(dbs.coordinator, "init --shards " + ShellQuote(shards));
    EXPECT_EQ(init.exit_code, 0) << init.err;
    if (init.exit_code != 0) return "";
    if (!files.empty()) {
      RunResult add = testing::RunUncut(dbs.coordinator, "add -q " + files);
      EXPECT_EQ(add.exit_code, 0) << add.err;
      if (add.exit_code != 0) return "";
    }
    return dbs.coordinator;
  }

  // Runs SQL on a server with psql.
  static RunResult Psql(const std::string& uri, const std::string& sql) {
    return testing::RunShell(StrCat("/usr/lib/postgresql/15/bin/psql -X -q -A -t -v ON_ERROR_STOP=1 ",
                                    ShellQuote(uri), " -c ", ShellQuote(sql)));
  }

  // The names of the items `list --json` gives, by id.
  static std::map<int64_t, std::string> Listed(const std::string& uri) {
    std::map<int64_t, std::string> out;
    RunResult list = testing::RunUncut(uri, "list --json");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    json j = json::parse(list.out, nullptr, false);
    if (!j.is_array()) return out;
    for (const json& it : j) out[it.value("id", int64_t{0})] = it.value("name", std::string());
    return out;
  }

  static testing::TempDir* dir_;
  static std::string uri_, skip_, error_;
};

testing::TempDir* CliPostgres::dir_ = nullptr;
std::string CliPostgres::uri_, CliPostgres::skip_, CliPostgres::error_;

TEST_F(CliPostgres, ListAndShowAgreeWithTheEmbeddedArchive) {
  auto [e, p] = Both("list --json");
  ASSERT_EQ(e.size(), 3u) << e.dump(2);
  EXPECT_EQ(p, e);
  auto [se, sp] = Both("show 3 --json");
  EXPECT_EQ(sp, se);
  RunResult text = testing::RunUncut(uri_, "show 1 --text");
  EXPECT_EQ(text.out, std::string(testing::kSampleSpeech) + "\n");
}

TEST_F(CliPostgres, AQuoteTracesToTheSameAnswer) {
  const std::string speech = testing::kSampleSpeech;
  const std::string quote = speech.substr(speech.size() / 3, 160);
  auto [e, p] = Both("trace --json --text " + ShellQuote(quote));
  ASSERT_FALSE(e["sources"].empty()) << e.dump(2);
  EXPECT_EQ(e["sources"][0]["item"]["name"], "speech.txt");
  EXPECT_EQ(p, e);
}

TEST_F(CliPostgres, AClipTracesToTheSameAnswer) {
  auto [e, p] = Both("trace --json " + ShellQuote(dir_->File("clip.mp4")));
  ASSERT_FALSE(e["sources"].empty()) << e.dump(2);
  EXPECT_EQ(e["sources"][0]["item"]["name"], "broadcast.mp4");
  EXPECT_EQ(p, e);
}

TEST_F(CliPostgres, AddingTheSameFilesAgainAddsNothing) {
  RunResult again = testing::RunUncut(uri_, "add " + ShellQuote(dir_->File("other.txt")));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto [e, p] = Both("list --json");
  EXPECT_EQ(p.size(), 3u) << p.dump(2);
}

TEST_F(CliPostgres, AnArchiveThatIsNotThereIsOneLineNamingTheServer) {
  RunResult r = testing::RunUncut("postgresql://127.0.0.1:1/none", "list");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("postgresql://127.0.0.1:1/none: cannot connect"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// A shard server out of reach (its foreign server pointed at a closed
// port, on an archive of its own): trace and add fail with one line naming
// the server, exit 4, and the add leaves nothing; once the server is back,
// the next trace works.
TEST_F(CliPostgres, AShardOutOfReachIsNamedAndTheAddLeavesNothing) {
  testing::TestCluster::Databases dbs = testing::TestCluster::Get(&skip_)->NewDatabases();
  const std::string shards = dbs.ShardList();
  ASSERT_EQ(testing::RunUncut(dbs.coordinator, "init --shards " + ShellQuote(shards)).exit_code, 0);
  ASSERT_EQ(testing::RunUncut(dbs.coordinator, "add " + ShellQuote(dir_->File("speech.txt"))).exit_code, 0);
  auto set_port = [&](const std::string& port) {
    RunResult r = testing::RunShell(StrCat(
        "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 ", ShellQuote(dbs.coordinator),
        " -c ", ShellQuote("ALTER SERVER uncut_shard2 OPTIONS (SET port '" + port + "')")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  const std::string real_port = dbs.shards[1].substr(dbs.shards[1].rfind(':') + 1,
                                                     dbs.shards[1].rfind('/') - dbs.shards[1].rfind(':') - 1);
  set_port("1");
  const std::string speech = testing::kSampleSpeech;
  const std::string quote = ShellQuote(speech.substr(speech.size() / 3, 160));
  RunResult trace = testing::RunUncut(dbs.coordinator, "trace --text " + quote);
  EXPECT_EQ(trace.exit_code, 4) << trace.out;
  EXPECT_NE(trace.err.find("uncut_shard2"), std::string::npos) << trace.err;
  EXPECT_NE(trace.err.find("port 1 failed"), std::string::npos) << trace.err;
  EXPECT_EQ(std::count(trace.err.begin(), trace.err.end(), '\n'), 1) << trace.err;
  EXPECT_EQ(trace.out, "");

  // Many packed blocks: some go to the unreachable server's partitions.
  RunResult add = testing::RunUncut(dbs.coordinator, "add -q " + ShellQuote(dir_->File("other.txt")));
  EXPECT_EQ(add.exit_code, 4) << add.out;
  EXPECT_NE(add.err.find("uncut_shard2"), std::string::npos) << add.err;
  set_port(real_port);
  RunResult list = testing::RunUncut(dbs.coordinator, "list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 1u) << list.out;
  RunResult again = testing::RunUncut(dbs.coordinator, "trace --json --text " + quote);
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(CliPostgres, RemoveTakesAnItemOutOfTheListAndTheTraces) {
  const std::string uri = NewArchive(StrCat(ShellQuote(dir_->File("speech.txt")), " ",
                                            ShellQuote(dir_->File("other.txt"))));
  ASSERT_NE(uri, "");
  std::map<int64_t, std::string> before = Listed(uri);
  ASSERT_EQ(before.size(), 2u);
  int64_t other = 0;
  for (const auto& [id, name] : before) {
    if (name == "other.txt") other = id;
  }
  ASSERT_NE(other, 0);
  RunResult text = testing::RunUncut(uri, StrCat("show --text ", other));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::string quote = ShellQuote(text.out.substr(400, 200));
  ASSERT_EQ(testing::RunUncut(uri, "trace --text " + quote).exit_code, 0);

  RunResult rm = testing::RunUncut(uri, StrCat("remove --yes ", other));
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_NE(rm.out.find(StrCat("removed ", other)), std::string::npos) << rm.out;
  std::map<int64_t, std::string> after = Listed(uri);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.begin()->second, "speech.txt");
  EXPECT_EQ(testing::RunUncut(uri, "trace --text " + quote).exit_code, 1);
  RunResult again = testing::RunUncut(uri, StrCat("remove --yes ", other));
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
}

TEST_F(CliPostgres, VerifyReadsBackEachOriginalAndNamesADamagedOne) {
  const std::string uri = NewArchive(ShellQuote(dir_->File("speech.txt")));
  ASSERT_NE(uri, "");
  RunResult ok = testing::RunUncut(uri, "verify");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "1 items checked, 0 problems\n");
  // One byte of the stored original changed on its shard (through the
  // coordinator's partitions).
  RunResult damage = Psql(uri, "UPDATE chunks SET data = overlay(data placing '\\x00'::bytea from 10 for 1)");
  ASSERT_EQ(damage.exit_code, 0) << damage.err;
  RunResult bad = testing::RunUncut(uri, "verify");
  EXPECT_EQ(bad.exit_code, 4);
  EXPECT_EQ(bad.out, "1 items checked, 1 problems\n");
  EXPECT_NE(bad.err.find("uncut: verify: item 1 (speech.txt): "), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

// `captions` works on a cluster as on a directory: a video without
// captions is marked as read, with the same line, and nothing is left
// behind (no directory named after the URI); the next run has nothing to do.
// (Videos with captions: cli_postgres_captions_test.cc.)
TEST_F(CliPostgres, CaptionsReadsAVideoOfTheClusterAsOnADirectory) {
  const std::string video = ShellQuote(dir_->File("broadcast.mp4"));
  const std::string uri = NewArchive(video);
  ASSERT_NE(uri, "");
  const std::string dir = dir_->File("captions-directory");
  ASSERT_EQ(testing::RunUncut(dir, "add -q " + video).exit_code, 0);
  RunResult on_dir = testing::RunUncut(dir, "captions");
  ASSERT_EQ(on_dir.exit_code, 0) << on_dir.err;
  RunResult r = testing::RunUncut(uri, "captions");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, on_dir.out);
  EXPECT_EQ(r.out, "read    1      broadcast.mp4: no captions found\n");
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(std::filesystem::exists("postgresql:"));
  RunResult show = testing::RunUncut(uri, "show --json 1");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(json::parse(show.out)["info"]["captions"]["status"], "none") << show.out;
  RunResult again = testing::RunUncut(uri, "captions");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "no video needs its captions read\n");
}

// `uncut config` on a cluster keeps the settings in its catalog, logs each
// change, refuses a bad value leaving the setting as it was, and the
// authority it names stamps what `add` adds there.
TEST_F(CliPostgres, ConfigKeepsTheSettingsInTheClusterAndAddStampsWithThem) {
  const std::string uri = NewArchive("");
  ASSERT_NE(uri, "");
  std::filesystem::create_directories(dir_->File("tsa"));
  testing::TestTsa tsa(dir_->File("tsa"));
  ASSERT_EQ(tsa.error(), "");
  RunResult none = testing::RunUncut(uri, "config");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "no settings (see `uncut config --help`)\n");
  RunResult set = testing::RunUncut(uri, "config tsa " + ShellQuote(tsa.url()));
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "tsa = " + tsa.url() + "\n");
  ASSERT_EQ(testing::RunUncut(uri, "config tsa-ca " + ShellQuote(tsa.ca_file())).exit_code, 0);
  RunResult bad = testing::RunUncut(uri, "config tsa ftp://example.org/");
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  RunResult one = testing::RunUncut(uri, "config tsa");
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, tsa.url() + "\n");
  RunResult all = testing::RunUncut(uri, "config --json");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(json::parse(all.out), json({{"tsa", tsa.url()}, {"tsa-ca", tsa.ca_file()}}));

  RunResult add = testing::RunUncut(uri, "add -q " + ShellQuote(dir_->File("speech.txt")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(tsa.requests(), 1);
  RunResult log = testing::RunUncut(uri, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  json entries = json::parse(log.out);
  ASSERT_EQ(entries.size(), 3u) << entries.dump(2);
  EXPECT_EQ(entries[0]["action"], "config");
  EXPECT_EQ(entries[0]["details"]["setting"], "tsa");
  EXPECT_EQ(entries[0]["details"]["new"], tsa.url());
  EXPECT_EQ(entries[2]["action"], "add");

  RunResult unset = testing::RunUncut(uri, "config --unset tsa");
  EXPECT_EQ(unset.exit_code, 0) << unset.err;
  EXPECT_EQ(unset.out, "tsa unset (was " + tsa.url() + ")\n");
  EXPECT_EQ(testing::RunUncut(uri, "config tsa").exit_code, 1);
}

// A frame of the archived video, enlarged and saved as a JPEG as a
// screenshot is: traced to the same answer on both archives.
TEST_F(CliPostgres, APictureTracesToTheSameAnswer) {
  const std::string picture = dir_->File("still.jpg");
  ASSERT_EQ(testing::Ffmpeg(StrCat("-ss 5.2 -i ", ShellQuote(dir_->File("broadcast.mp4")),
                                   " -frames:v 1 -vf scale=640:360 -q:v 4 ", ShellQuote(picture))),
            "");
  auto [e, p] = Both("trace --json " + ShellQuote(picture));
  ASSERT_FALSE(e["sources"].empty()) << e.dump(2);
  EXPECT_EQ(e["sources"][0]["item"]["name"], "broadcast.mp4");
  EXPECT_EQ(p, e);
}

// trace --save keeps the report in the cluster's catalog; an export of the
// source carries it, and verify-bundle finds the bundle as intact as the
// same export from a directory.
TEST_F(CliPostgres, ASavedTraceGoesIntoTheExportedBundle) {
  const std::string uri = NewArchive(ShellQuote(dir_->File("speech.txt")));
  ASSERT_NE(uri, "");
  const std::string embedded = dir_->File("saved-embedded");
  ASSERT_EQ(testing::RunUncut(embedded, "add -q " + ShellQuote(dir_->File("speech.txt"))).exit_code, 0);
  const std::string speech = testing::kSampleSpeech;
  const std::string quote = ShellQuote(speech.substr(speech.size() / 3, 160));
  std::map<std::string, std::string> checked;
  for (const std::string& archive : {embedded, uri}) {
    RunResult saved = testing::RunUncut(archive, "trace --save --text " + quote);
    ASSERT_EQ(saved.exit_code, 0) << archive << ": " << saved.err;
    EXPECT_NE(saved.err.find("saved as trace 1"), std::string::npos) << saved.err;
    const std::string zip = dir_->File(archive == uri ? "pg-bundle.zip" : "embedded-bundle.zip");
    RunResult exported = testing::RunUncut(archive, "export 1 --out " + ShellQuote(zip));
    ASSERT_EQ(exported.exit_code, 0) << archive << ": " << exported.err;
    EXPECT_NE(exported.out.find("exported 1 item and 1 saved trace"), std::string::npos)
        << exported.out;
    RunResult check = testing::RunShell(StrCat(ShellQuote(testing::UncutBinary()),
                                               " verify-bundle ", ShellQuote(zip)));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    checked[archive == uri ? "postgres" : "embedded"] = check.out.substr(zip.size());
  }
  EXPECT_NE(checked["postgres"].find("1 items, 1 saved traces checked; the bundle is intact"),
            std::string::npos)
      << checked["postgres"];
  EXPECT_EQ(checked["postgres"], checked["embedded"]);
  // A damaged original is not exported: one line naming the item, exit 4.
  ASSERT_EQ(Psql(uri, "UPDATE chunks SET data = overlay(data placing '\\x00'::bytea from 10 for 1)")
                .exit_code,
            0);
  const std::string bad = dir_->File("damaged.zip");
  RunResult damaged = testing::RunUncut(uri, "export 1 --out " + ShellQuote(bad));
  EXPECT_EQ(damaged.exit_code, 4) << damaged.err;
  EXPECT_NE(damaged.err.find("item 1 (speech.txt)"), std::string::npos) << damaged.err;
  EXPECT_EQ(std::count(damaged.err.begin(), damaged.err.end(), '\n'), 1) << damaged.err;
  EXPECT_FALSE(std::filesystem::exists(bad));
}

// `uncut log` on a cluster: the adds, exports and removals, oldest first,
// by the user who ran them.
TEST_F(CliPostgres, TheLogListsAddsExportsAndRemovals) {
  const std::string uri = NewArchive(ShellQuote(dir_->File("speech.txt")));
  ASSERT_NE(uri, "");
  ASSERT_EQ(testing::RunUncut(uri, "add -q " + ShellQuote(dir_->File("other.txt"))).exit_code, 0);
  ASSERT_EQ(testing::RunUncut(uri, "export 1 --out " + ShellQuote(dir_->File("log.zip"))).exit_code, 0);
  ASSERT_EQ(testing::RunUncut(uri, "remove --yes 2").exit_code, 0);
  RunResult log = testing::RunUncut(uri, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  json entries = json::parse(log.out, nullptr, false);
  ASSERT_TRUE(entries.is_array()) << log.out;
  std::vector<std::string> actions, names;
  for (const json& e : entries) {
    actions.push_back(e.value("action", ""));
    names.push_back(e["details"]["items"][0].value("name", ""));
    EXPECT_FALSE(e.value("actor", "").empty()) << e.dump();
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"add", "add", "export", "remove"})) << log.out;
  EXPECT_EQ(names, (std::vector<std::string>{"speech.txt", "other.txt", "speech.txt", "other.txt"}));
  RunResult text = testing::RunUncut(uri, "log");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 4) << text.out;
}

// `uncut transcribe` on a cluster: the recording is read from it, its
// machine transcript added as `add` adds, linked to it, and a quote of what
// is said is then traced into the recording; a second run has nothing to do.
TEST_F(CliPostgres, ATranscribedRecordingIsFoundByAQuoteOfWhatIsSaid) {
  constexpr char kQuote[] =
      "We will rebuild the pier with stone from the old quarry, and the fishing boats will "
      "return before summer.";
  // A Klatt voice: the recogniser's model hears it better than espeak-ng's default.
  ASSERT_EQ(testing::Speak(kQuote, dir_->File("pier.wav"), "en-us+klatt2", 140), "");
  const std::string uri = NewArchive(ShellQuote(dir_->File("pier.wav")));
  ASSERT_NE(uri, "");
  RunResult before = testing::RunUncut(uri, StrCat("trace --text ", ShellQuote(kQuote)));
  EXPECT_EQ(before.exit_code, 1) << before.out << before.err;

  RunResult t = testing::RunUncut(uri, "transcribe");
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find("transcribed 1"), std::string::npos) << t.out;
  RunResult list = testing::RunUncut(uri, "list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json items = json::parse(list.out, nullptr, false);
  ASSERT_TRUE(items.is_array() && items.size() == 2) << list.out;
  const json& recording = items[0];
  const json& transcript = items[1];
  EXPECT_EQ(transcript["info"]["transcript"]["machine"], true);
  EXPECT_EQ(transcript["info"]["media"][0]["id"], recording["id"]);
  EXPECT_EQ(recording["info"]["subtitles"][0]["id"], transcript["id"]);
  EXPECT_EQ(recording["info"]["speech"]["status"], "transcribed");
  EXPECT_EQ(recording["info"]["speech"]["transcript"], transcript["id"]);

  RunResult found = testing::RunUncut(uri, StrCat("trace --json --text ", ShellQuote(kQuote)));
  ASSERT_EQ(found.exit_code, 0) << found.out << found.err;
  json r = json::parse(found.out, nullptr, false);
  ASSERT_TRUE(r.is_object() && !r["sources"].empty()) << found.out;
  EXPECT_EQ(r["sources"][0]["item"]["id"], transcript["id"]);
  EXPECT_EQ(r["sources"][0]["segments"][0]["details"]["speech"]["recording"]["name"], "pier.wav")
      << found.out;

  // One transaction, logged: the transcript's add and the recording's new info.
  RunResult log = testing::RunUncut(uri, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  json entries = json::parse(log.out, nullptr, false);
  ASSERT_TRUE(entries.is_array() && entries.size() == 3) << log.out;
  EXPECT_EQ(entries[1]["action"], "add");
  EXPECT_EQ(entries[2]["action"], "upgrade");
  EXPECT_EQ(entries[2]["details"]["reindexed"][0], recording["id"]);

  RunResult again = testing::RunUncut(uri, "transcribe");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("no recording needs transcribing"), std::string::npos) << again.out;
  RunResult named = testing::RunUncut(uri, StrCat("transcribe ", recording["id"].get<int64_t>()));
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_NE(named.out.find("1 already transcribed"), std::string::npos) << named.out;
  EXPECT_EQ(Listed(uri).size(), 2u);
}

// Each add is a run of its own on each server; the fourth add's own
// compaction merges the four small runs (and says so), leaving nothing due
// for `compact`; `compact --full` then has nothing to merge either, and
// every text is still found.
TEST_F(CliPostgres, TheFourthAddMergesTheSmallRunsAndCompactFindsNothingDue) {
  const std::string uri = NewArchive("");
  ASSERT_NE(uri, "");
  std::vector<std::string> quotes;
  for (int f = 0; f < 4; ++f) {
    std::string text;
    for (int i = 0; i < 1500; ++i) {
      text += StrCat("Bulletin ", f, " item ", (i * 7919 + f * 104729) % 100000, " from the ",
                     (i % 3 ? "eastern" : "harbour"), " desk. ");
    }
    const std::string name = StrCat("bulletin", f, ".txt");
    dir_->Write(name, text);
    quotes.push_back(text.substr(2000, 200));
    RunResult add = testing::RunUncut(uri, "add " + ShellQuote(dir_->File(name)));
    ASSERT_EQ(add.exit_code, 0) << add.err;
    const size_t at = add.out.find("\ncompacted ");
    if (f < 3) {
      EXPECT_EQ(at, std::string::npos) << add.out;
      continue;
    }
    ASSERT_NE(at, std::string::npos) << add.out;
    EXPECT_NE(add.out.find(" (12 runs into 3, small runs only)\n", at), std::string::npos) << add.out;
  }
  RunResult levels = testing::RunUncut(uri, "compact");
  ASSERT_EQ(levels.exit_code, 0) << levels.err;
  EXPECT_EQ(levels.out, "compacted: nothing to merge (no level holds 4 runs on a server)\n");
  RunResult full = testing::RunUncut(uri, "compact --full");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(full.out, "compacted: nothing to merge (each server's postings are in one run)\n");
  for (int f = 0; f < 4; ++f) {
    RunResult trace = testing::RunUncut(uri, "trace --json --text " + ShellQuote(quotes[f]));
    ASSERT_EQ(trace.exit_code, 0) << trace.err;
    EXPECT_EQ(json::parse(trace.out)["sources"][0]["item"]["name"], StrCat("bulletin", f, ".txt"));
  }
  RunResult log = testing::RunUncut(uri, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(json::parse(log.out).back()["action"], "compact");
  RunResult on_directory = testing::RunUncut(Embedded(), "compact");
  EXPECT_NE(on_directory.exit_code, 0);
}

// A writer killed (SIGKILL) while it writes: each item is then fully there
// or absent (whenever the kill lands), and the next add of the same files
// completes the archive.
TEST_F(CliPostgres, AWriterKilledMidAddLeavesEachItemWholeOrAbsent) {
  const std::string uri = NewArchive("");
  ASSERT_NE(uri, "");
  const std::string folder = dir_->File("many");
  std::filesystem::create_directories(folder);
  std::filesystem::create_directories(dir_->File("kill-tmp"));
  std::map<std::string, std::string> contents;
  for (int f = 0; f < 30; ++f) {
    std::string text;
    for (int i = 0; i < 1500; ++i) {
      text += StrCat("Dispatch ", f, " entry ", (i * 7919 + f * 104729) % 100000, " from the ",
                     (i % 3 ? "northern" : "river"), " post. ");
    }
    const std::string name = StrCat("dispatch", f, ".txt");
    dir_->Write(StrCat("many/", name), text);
    contents[name] = text;
  }
  RunResult started = testing::RunShell(
      StrCat("TMPDIR=", ShellQuote(dir_->File("kill-tmp")), " ", ShellQuote(testing::UncutBinary()),
             " --archive ", ShellQuote(uri), " add -q ", ShellQuote(folder),
             " </dev/null >/dev/null 2>&1 & echo $!"));
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const int pid = std::stoi(started.out);
  const auto running = [pid] {
    std::ifstream stat(StrCat("/proc/", pid, "/stat"));
    std::string line;
    if (!std::getline(stat, line)) return false;
    const size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
  };
  // Until the writer's transaction has written something (or it is done).
  bool writing = false;
  for (int i = 0; i < 2400 && !writing && running(); ++i) {
    RunResult r = Psql(uri, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND backend_xid IS NOT NULL AND pid <> "
                            "pg_backend_pid()");
    writing = r.exit_code == 0 && r.out != "0\n";
  }
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 2400 && running(); ++i) ::usleep(50 * 1000);
  ASSERT_FALSE(running());

  std::map<int64_t, std::string> listed = Listed(uri);
  RunResult verify = testing::RunUncut(uri, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out, StrCat(listed.size(), " items checked, 0 problems\n"));
  for (const auto& [id, name] : listed) {
    RunResult text = testing::RunUncut(uri, StrCat("show --text ", id));
    EXPECT_EQ(text.out, contents[name] + "\n") << name;
  }
  RunResult again = testing::RunUncut(uri, "add -q " + ShellQuote(folder));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Listed(uri).size(), contents.size());
  RunResult verified = testing::RunUncut(uri, "verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  const std::string quote = contents["dispatch7.txt"].substr(3000, 200);
  RunResult trace = testing::RunUncut(uri, "trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_EQ(json::parse(trace.out)["sources"][0]["item"]["name"], "dispatch7.txt");

  // The killed writer's transaction was rolled back on the shards too:
  // nothing of it is left to sweep.
  // (The one batch that wrote postings left nothing to merge.)
  RunResult first = testing::RunUncut(uri, "sweep");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "removed 0 postings of removed or unpublished items (0 bytes) and 0 pieces "
                       "of removed or unpublished originals (0 bytes)\n"
                       "compacted: nothing to merge (no level holds 4 runs on a server)\n");
  // What a batch whose shards committed and whose coordinator did not
  // leaves (its coordinator transaction rolled back), and two removed items.
  RunResult aborted = Psql(uri, "BEGIN; SELECT pg_current_xact_id(); ROLLBACK;");
  ASSERT_EQ(aborted.exit_code, 0) << aborted.err;
  // The transaction id psql printed (the only line of digits).
  std::string batch;
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(aborted.out, '\n'))) {
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) batch = line;
  }
  ASSERT_NE(batch, "") << aborted.out;
  ASSERT_EQ(Psql(uri, StrCat("INSERT INTO chunks(object, seq, data, batch) VALUES "
                             "(repeat('ab', 32), 0, '\\x0102030405'::bytea, ", batch, ")"))
                .exit_code,
            0);
  const auto count = [&](const std::string& sql) {
    RunResult r = Psql(uri, sql);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string counted = "SELECT sum(postings) FROM index_batches";
  const std::string stored = "SELECT sum(n) FROM postings";
  EXPECT_EQ(count(counted), count(stored));
  std::map<int64_t, std::string> all = Listed(uri);
  std::vector<int64_t> gone;
  for (const auto& [id, name] : all) {
    if (name == "dispatch3.txt" || name == "dispatch4.txt") gone.push_back(id);
  }
  ASSERT_EQ(gone.size(), 2u);
  const std::string registered = "SELECT count(*) FROM objects";
  const std::string stored_objects = "SELECT count(DISTINCT object) FROM chunks";
  const int64_t registered_before = std::stoll(count(registered));
  const int64_t stored_before = std::stoll(count(stored_objects));
  ASSERT_EQ(testing::RunUncut(uri, StrCat("remove --yes ", gone[0], " ", gone[1])).exit_code, 0);
  // Their originals went with them: unregistered, their pieces deleted.
  EXPECT_EQ(std::stoll(count(registered)), registered_before - 2);
  EXPECT_EQ(std::stoll(count(stored_objects)), stored_before - 2);
  // The removed items' postings stay stored and counted until the sweep.
  const std::string counted_with_removed = count(counted);
  EXPECT_EQ(counted_with_removed, count(stored));

  RunResult reported = testing::RunUncut(uri, "verify");
  EXPECT_EQ(reported.exit_code, 0) << reported.err;
  EXPECT_NE(reported.out.find(StrCat(all.size() - 2, " items checked, 0 problems\nleft behind: ")),
            std::string::npos)
      << reported.out;
  EXPECT_NE(reported.out.find(" and 1 pieces of removed or unpublished originals (5 bytes); "
                              "`uncut sweep` removes them\n"),
            std::string::npos)
      << reported.out;
  RunResult dry = testing::RunUncut(uri, "sweep --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out.rfind("would remove ", 0), 0u) << dry.out;
  RunResult swept = testing::RunUncut(uri, "sweep");
  ASSERT_EQ(swept.exit_code, 0) << swept.err;
  // What it removed as the dry run counted it, then the compaction's line.
  EXPECT_EQ(swept.out.rfind("removed" + dry.out.substr(std::string("would remove").size()) +
                                "compacted",
                            0),
            0u)
      << swept.out;
  EXPECT_EQ(swept.out.find("removed 0 postings"), std::string::npos) << swept.out;
  EXPECT_NE(swept.out.find(" and 1 pieces of removed or unpublished originals (5 bytes)\n"),
            std::string::npos)
      << swept.out;
  // The counts are the live items' again; every item is whole and traced.
  EXPECT_EQ(count(counted), count(stored));
  EXPECT_LT(std::stoll(count(counted)), std::stoll(counted_with_removed));
  RunResult clean = testing::RunUncut(uri, "verify");
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.out, StrCat(all.size() - 2, " items checked, 0 problems\n"));
  RunResult traced = testing::RunUncut(uri, "trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  EXPECT_EQ(json::parse(traced.out)["sources"][0]["item"]["name"], "dispatch7.txt");
  RunResult second = testing::RunUncut(uri, "sweep");
  EXPECT_EQ(second.out, first.out);
  RunResult log = testing::RunUncut(uri, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const json entries = json::parse(log.out);
  EXPECT_EQ(entries.back()["action"], "sweep");
  EXPECT_EQ(entries.back()["details"]["pieces"], 1);
}

// An embedded archive copied into a cluster and back into a directory:
// the directory verifies, lists the same items and traces a quote and a
// clip to the same answers as the archive it came from, and keeps the
// trace saved on the cluster and the cluster's audit log.
TEST_F(CliPostgres, ACopyThroughTheClusterBackToADirectoryTracesTheSameAnswers) {
  const std::string uri = NewArchive("");
  ASSERT_NE(uri, "");
  RunResult in = testing::RunUncut(Embedded(), "copy --to " + ShellQuote(uri));
  ASSERT_EQ(in.exit_code, 0) << in.err;
  const std::string speech = testing::kSampleSpeech;
  const std::string quote = ShellQuote(speech.substr(speech.size() / 3, 160));
  RunResult saved = testing::RunUncut(uri, "trace --save --text " + quote);
  ASSERT_EQ(saved.exit_code, 0) << saved.err;

  const std::string back = dir_->File("round-trip");
  RunResult out = testing::RunUncut(uri, "copy --to " + ShellQuote(back));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("copied 3 items, 1 saved traces and "), std::string::npos) << out.out;
  RunResult verify = testing::RunUncut(back, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  ExpectSameAnswers(back, quote);
  // The trace saved on the cluster goes into an export from the copy.
  RunResult exported =
      testing::RunUncut(back, "export 1 --out " + ShellQuote(dir_->File("round-trip.zip")));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("exported 1 item and 1 saved trace"), std::string::npos)
      << exported.out;
  // The cluster's log comes first, as it was.
  RunResult pg_log = testing::RunUncut(uri, "log --json");
  RunResult dir_log = testing::RunUncut(back, "log --json");
  ASSERT_EQ(pg_log.exit_code, 0) << pg_log.err;
  ASSERT_EQ(dir_log.exit_code, 0) << dir_log.err;
  json pj = json::parse(pg_log.out, nullptr, false), dj = json::parse(dir_log.out, nullptr, false);
  ASSERT_TRUE(pj.is_array() && dj.is_array());
  ASSERT_GT(dj.size(), pj.size());
  for (size_t i = 0; i < pj.size(); ++i) {
    EXPECT_EQ(dj[i]["at"], pj[i]["at"]);
    EXPECT_EQ(dj[i]["action"], pj[i]["action"]);
    EXPECT_EQ(dj[i]["details"], pj[i]["details"]);
  }
}

// An embedded archive copied into another directory: the copy verifies and
// answers as the archive does; a second run copies nothing; a copy into the
// archive itself is refused.
TEST_F(CliPostgres, ADirectoryCopiedIntoAnotherTracesTheSameAnswers) {
  const std::string copy = dir_->File("directory-copy");
  RunResult out = testing::RunUncut(Embedded(), "copy --to " + ShellQuote(copy));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("copied 3 items, "), std::string::npos) << out.out;
  RunResult verify = testing::RunUncut(copy, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  const std::string speech = testing::kSampleSpeech;
  ExpectSameAnswers(copy, ShellQuote(speech.substr(speech.size() / 3, 160)));

  RunResult again = testing::RunUncut(Embedded(), "copy --to " + ShellQuote(copy));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("copied 0 items"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("(3 items were there already)"), std::string::npos) << again.out;

  RunResult itself = testing::RunUncut(Embedded(), "copy --to " + ShellQuote(Embedded()));
  EXPECT_EQ(itself.exit_code, 3) << itself.out;
  EXPECT_NE(itself.err.find("is the archive itself"), std::string::npos) << itself.err;
}

// A shard out of reach while copying a cluster into a directory: one line
// naming the server, exit 4, no item half-copied; once it is back, running
// the copy again finishes it.
TEST_F(CliPostgres, ACopyToADirectoryStoppedByAShardOutOfReachIsFinishedByRunningItAgain) {
  const std::string uri = NewArchive(StrCat(ShellQuote(dir_->File("speech.txt")), " ",
                                            ShellQuote(dir_->File("other.txt"))));
  ASSERT_NE(uri, "");
  const auto set_port = [&](const std::string& port) {
    RunResult r = Psql(uri, "ALTER SERVER uncut_shard2 OPTIONS (SET port '" + port + "')");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  RunResult port = Psql(uri, "SELECT option_value FROM pg_options_to_table((SELECT srvoptions "
                             "FROM pg_foreign_server WHERE srvname = 'uncut_shard2')) "
                             "WHERE option_name = 'port'");
  ASSERT_EQ(port.exit_code, 0) << port.err;
  const std::string real_port = port.out.substr(0, port.out.find('\n'));
  ASSERT_FALSE(real_port.empty());
  const std::string back = dir_->File("interrupted-copy");
  set_port("1");
  RunResult cut = testing::RunUncut(uri, "copy --to " + ShellQuote(back));
  set_port(real_port);
  EXPECT_EQ(cut.exit_code, 4) << cut.out << cut.err;
  EXPECT_NE(cut.err.find("uncut_shard2"), std::string::npos) << cut.err;
  EXPECT_EQ(std::count(cut.err.begin(), cut.err.end(), '\n'), 1) << cut.err;
  RunResult partial = testing::RunUncut(back, "verify");
  EXPECT_EQ(partial.exit_code, 0) << partial.out << partial.err;

  RunResult again = testing::RunUncut(uri, "copy --to " + ShellQuote(back));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Listed(back), Listed(uri));
  RunResult verify = testing::RunUncut(back, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunResult text = testing::RunUncut(back, "show --text 1");
  EXPECT_EQ(text.out, std::string(testing::kSampleSpeech) + "\n");
}

}  // namespace
}  // namespace uncut

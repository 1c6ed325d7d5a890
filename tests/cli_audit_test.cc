// End-to-end tests of the audit log (`uncut log`) and of `remove`'s
// confirmation.
#include <gtest/gtest.h>

#include <algorithm>

#include "base/sha256.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::ShellQuote;
using testing::TempDir;

constexpr const char* kSpeech = testing::kSampleSpeech;
constexpr const char kOther[] = "A second source, about the harbour and the fishing fleet.\n";

class CliAudit : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  nlohmann::json Log() {
    RunResult r = Uncut("log --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  TempDir dir_;
};

TEST_F(CliAudit, LogShowsAnAddAndARemoveWithTheirSha256s) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult removed = Uncut("remove --yes 1");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  const std::string sha = Sha256Hex(kSpeech);
  nlohmann::json log = Log();
  ASSERT_EQ(log.size(), 2u) << log.dump(2);
  EXPECT_EQ(log[0]["action"], "add");
  EXPECT_EQ(log[1]["action"], "remove");
  for (const auto& e : log) {
    ASSERT_EQ(e["details"]["items"].size(), 1u) << e.dump(2);
    EXPECT_EQ(e["details"]["items"][0]["sha256"], sha);
    EXPECT_EQ(e["details"]["items"][0]["id"], 1);
    EXPECT_EQ(e["details"]["items"][0]["name"], "speech.txt");
    EXPECT_EQ(e["details"]["count"], 1);
    EXPECT_FALSE(e["actor"].get<std::string>().empty());
    EXPECT_EQ(e["at"].get<std::string>().size(), 20u) << e["at"];  // 2026-01-02T03:04:05Z
    EXPECT_EQ(e["at"].get<std::string>().back(), 'Z');
  }
  EXPECT_LT(log[0]["seq"].get<int>(), log[1]["seq"].get<int>());
  RunResult text = Uncut("log");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("remove"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(sha), std::string::npos) << text.out;
}

TEST_F(CliAudit, RemoveWithoutYesOnAPipeRefusesAndKeepsTheItem) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut("remove 1 < /dev/null");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(Uncut("show 1").exit_code, 0);
  nlohmann::json log = Log();
  ASSERT_EQ(log.size(), 1u) << log.dump(2);
  EXPECT_EQ(log[0]["action"], "add");
}

TEST_F(CliAudit, RemoveSaysWhatItRemoves) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut("remove --yes 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(Sha256Hex(kSpeech)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("speech.txt"), std::string::npos) << r.out;
}

TEST_F(CliAudit, LogSurvivesALaterAddAndRecordsAnExport) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  ASSERT_EQ(Uncut("remove --yes 1").exit_code, 0);
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("other.txt", kOther))).exit_code, 0);
  std::string zip = dir_.File("out.zip");
  RunResult exported = Uncut("export 2 --out " + ShellQuote(zip));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.err, "");
  nlohmann::json log = Log();
  ASSERT_EQ(log.size(), 4u) << log.dump(2);
  EXPECT_EQ(log[0]["action"], "add");
  EXPECT_EQ(log[0]["details"]["items"][0]["sha256"], Sha256Hex(kSpeech));
  EXPECT_EQ(log[1]["action"], "remove");
  EXPECT_EQ(log[1]["details"]["items"][0]["sha256"], Sha256Hex(kSpeech));
  EXPECT_EQ(log[2]["action"], "add");
  EXPECT_EQ(log[2]["details"]["items"][0]["sha256"], Sha256Hex(kOther));
  EXPECT_EQ(log[3]["action"], "export");
  EXPECT_EQ(log[3]["details"]["items"][0]["id"], 2);
  EXPECT_EQ(log[3]["details"]["out"], zip);
}

// The bundle carries the entries that name its items (not the removed
// speech's), listed in its manifest like every other file.
TEST_F(CliAudit, BundleHoldsTheAuditEntriesOfItsItems) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("other.txt", kOther))).exit_code, 0);
  std::string zip = dir_.File("out.zip");
  ASSERT_EQ(Uncut("export 2 --out " + ShellQuote(zip)).exit_code, 0);
  auto read = [&](const std::string& name) {
    RunResult r = testing::RunShell(StrCat(
        "python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1])"
        ".read(sys.argv[2]).decode())' ",
        ShellQuote(zip), " ", name));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  nlohmann::json audit = read("audit_log.json");
  ASSERT_EQ(audit.size(), 1u) << audit.dump(2);
  EXPECT_EQ(audit[0]["action"], "add");
  EXPECT_EQ(audit[0]["details"]["items"][0]["sha256"], Sha256Hex(kOther));
  std::string package = read("datapackage.json").dump();
  EXPECT_NE(package.find("audit_log.json"), std::string::npos) << package;
  EXPECT_EQ(Uncut("verify-bundle " + ShellQuote(zip)).exit_code, 0);
}

TEST_F(CliAudit, AnAddOfBytesAlreadyArchivedChangesNothingAndLogsNothing) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  EXPECT_EQ(Log().size(), 1u);
}

}  // namespace
}  // namespace uncut

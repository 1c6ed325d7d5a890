// The archive's integrity through the command line: a lost catalog is
// damage that touches nothing, two first writers both succeed, a read-only
// archive reads, and verify's exit status says whether anything is wrong.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::RunUncut;
using testing::ShellQuote;

// Every file under `root` with its size, sorted ("path size" lines).
std::vector<std::string> Listing(const std::string& root) {
  RunResult r = RunShell("cd " + ShellQuote(root) + " && find . -type f -printf '%p %s\\n' | sort");
  std::vector<std::string> out;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t nl = r.out.find('\n', start);
    out.push_back(r.out.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

int Lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class CliIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_.File("archive");
    doc_ = dir_.Write("speech.txt", testing::kSampleSpeech);
    other_ = dir_.Write("note.txt", "A short note about the council meeting in winter.\n");
  }
  RunResult Uncut(const std::string& args) { return RunUncut(archive_, args); }

  testing::TempDir dir_;
  std::string archive_, doc_, other_;
};

TEST_F(CliIntegrity, UpgradingACurrentArchiveSaysItIsUpToDateAndLeavesItVerified) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_)).exit_code, 0);
  for (int round = 0; round < 2; ++round) {
    RunResult r = Uncut("upgrade");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "the archive is up to date\n") << r.err;
  }
  RunResult v = Uncut("verify");
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
}

TEST_F(CliIntegrity, AnEmptyCatalogBesideOriginalsIsDamageAndNoCommandTouchesAFile) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_)).exit_code, 0);
  ASSERT_EQ(std::system(("truncate -s 0 " + ShellQuote(archive_ + "/catalog.sqlite")).c_str()), 0);
  const std::vector<std::string> before = Listing(archive_);
  ASSERT_GE(before.size(), 3u);  // catalog, the pack, the text segment
  for (const std::string& args : {std::string("verify"), std::string("list"),
                                  "add " + ShellQuote(other_), "add " + ShellQuote(other_)}) {
    RunResult r = Uncut(args);
    EXPECT_EQ(r.exit_code, 4) << args << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("catalog.sqlite: the catalog is empty"), std::string::npos) << r.err;
    EXPECT_EQ(Listing(archive_), before) << args;
  }
}

TEST_F(CliIntegrity, ACatalogWithADamagedHeaderExitsAsDamageNamingTheFile) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_)).exit_code, 0);
  {
    std::fstream f(archive_ + "/catalog.sqlite", std::ios::in | std::ios::out | std::ios::binary);
    f.write("not sqlite at all", 16);
  }
  for (const char* args : {"list", "verify", "trace --text 'the harvest failed'"}) {
    RunResult r = Uncut(args);
    EXPECT_EQ(r.exit_code, 4) << args << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("catalog.sqlite: the catalog is damaged"), std::string::npos) << r.err;
  }
}

TEST_F(CliIntegrity, VerifyReportsAFileNothingReferencesAndExits4) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_)).exit_code, 0);
  ASSERT_EQ(Uncut("verify").exit_code, 0);
  RunShell("mkdir -p " + ShellQuote(archive_ + "/objects/aa") + " && echo stray > " +
           ShellQuote(archive_ + "/objects/aa/" + std::string(64, 'a')));
  RunResult r = Uncut("verify");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("objects/aa/" + std::string(64, 'a') + ": not referenced by the catalog"),
            std::string::npos)
      << r.err;
}

// What an interrupted writer staged (a file its journal names that the
// catalog does not use) is removed by `uncut sweep`, as the next writer
// would; every item stays, verify is clean, and a second sweep is harmless.
TEST_F(CliIntegrity, SweepRemovesWhatAnInterruptedWriterStagedAndKeepsEveryItem) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_) + " " + ShellQuote(other_)).exit_code, 0);
  const std::string stray = "objects/bb/" + std::string(64, 'b');
  RunShell("mkdir -p " + ShellQuote(archive_ + "/objects/bb") + " " +
           ShellQuote(archive_ + "/objects/staging") + " && echo stray > " +
           ShellQuote(archive_ + "/" + stray) + " && echo " + stray + " > " +
           ShellQuote(archive_ + "/objects/staging/journal"));
  RunResult before = Uncut("verify");
  EXPECT_NE(before.out.find("staged by an interrupted writer"), std::string::npos) << before.out;
  RunResult swept = Uncut("sweep");
  EXPECT_EQ(swept.exit_code, 0) << swept.err;
  EXPECT_EQ(swept.out.rfind("swept " + archive_ + ": ", 0), 0u) << swept.out;
  EXPECT_NE(access((archive_ + "/" + stray).c_str(), F_OK), 0);
  RunResult after = Uncut("verify");
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "2 items checked, 0 problems\n");
  RunResult again = Uncut("sweep");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  RunResult list = Uncut("list");
  EXPECT_NE(list.out.find("speech.txt"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("note.txt"), std::string::npos) << list.out;
}

TEST_F(CliIntegrity, TwoFirstAddsAtOnceBothSucceed) {
  const std::string bin = ShellQuote(testing::UncutBinary());
  for (int round = 0; round < 5; ++round) {
    std::string archive = dir_.File("race" + std::to_string(round));
    std::string a = bin + " --archive " + ShellQuote(archive) + " -q add ";
    RunResult r = RunShell("(" + a + ShellQuote(doc_) + " 2>&1; echo \"first $?\") & (" + a +
                           ShellQuote(other_) + " 2>&1; echo \"second $?\") & wait");
    EXPECT_NE(r.out.find("first 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("second 0"), std::string::npos) << r.out;
    RunResult list = RunUncut(archive, "list");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(Lines(list.out), 1 + 2) << list.out;  // the header and two items
  }
}

TEST_F(CliIntegrity, TwoFirstAddsOfTheSameFileKeepTheArchive) {
  const std::string bin = ShellQuote(testing::UncutBinary());
  for (int round = 0; round < 5; ++round) {
    std::string archive = dir_.File("same" + std::to_string(round));
    std::string a = bin + " --archive " + ShellQuote(archive) + " -q add " + ShellQuote(doc_);
    RunResult r = RunShell("(" + a + " 2>&1; echo \"first $?\") & (" + a +
                           " 2>&1; echo \"second $?\") & wait");
    EXPECT_NE(r.out.find("first 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("second 0"), std::string::npos) << r.out;
    RunResult list = RunUncut(archive, "list");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(Lines(list.out), 1 + 1) << list.out;  // the header and one item
  }
}

// Runs `uncut ARGS` with the archive bind-mounted read-only in a private
// mount namespace (as a snapshot or read-only medium would be); nullopt
// when this system cannot make one.
std::optional<RunResult> UncutOnReadOnlyMount(const std::string& archive, const std::string& args) {
  RunResult probe = RunShell("unshare -rm sh -c " +
                             ShellQuote("mount --bind -o ro " + ShellQuote(archive) + " " +
                                        ShellQuote(archive) + " && ! touch " +
                                        ShellQuote(archive + "/probe") + " 2>/dev/null"));
  if (probe.exit_code != 0) return std::nullopt;
  return RunShell("unshare -rm sh -c " +
                  ShellQuote("mount --bind -o ro " + ShellQuote(archive) + " " +
                             ShellQuote(archive) + " && exec " +
                             ShellQuote(testing::UncutBinary()) + " --archive " +
                             ShellQuote(archive) + " " + args));
}

TEST_F(CliIntegrity, AReadOnlyArchiveReadsAndRefusesWritesInOneLine) {
  ASSERT_EQ(Uncut("add " + ShellQuote(doc_)).exit_code, 0);
  const std::vector<std::string> before = Listing(archive_);
  auto list = UncutOnReadOnlyMount(archive_, "list");
  if (!list) GTEST_SKIP() << "cannot bind-mount read-only here (unshare -rm unavailable)";
  EXPECT_EQ(list->exit_code, 0) << list->err;
  EXPECT_NE(list->out.find("speech.txt"), std::string::npos) << list->out;
  auto trace = UncutOnReadOnlyMount(archive_, "trace --text 'The harvest failed in the north'");
  EXPECT_EQ(trace->exit_code, 0) << trace->err;
  auto verify = UncutOnReadOnlyMount(archive_, "verify");
  EXPECT_EQ(verify->exit_code, 0) << verify->err;
  for (const std::string& args : {"add " + ShellQuote(other_), std::string("remove --yes 1")}) {
    auto write = UncutOnReadOnlyMount(archive_, args);
    EXPECT_EQ(write->exit_code, 3) << args << ": " << write->err;
    EXPECT_EQ(Lines(write->err), 1) << write->err;
    EXPECT_NE(write->err.find("the archive is read-only"), std::string::npos) << write->err;
  }
  EXPECT_EQ(Listing(archive_), before);
}

}  // namespace
}  // namespace uncut

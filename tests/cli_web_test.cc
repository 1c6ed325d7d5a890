// End-to-end tests of the report, bundle and terminal manners of the command
// line: trace --html and --save, export, verify-bundle, help and progress.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

constexpr const char* kSpeech = testing::kSampleSpeech;

constexpr char kSplice[] =
    "The harvest failed in the north, and the rivers rose in the south ... Our soldiers have "
    "guarded it with courage, and they deserve our thanks";

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class CliWeb : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  void AddSpeech() {
    std::string src = dir_.Write("speech.txt", kSpeech);
    ASSERT_EQ(Uncut("add --source-url https://example.org/speech " + ShellQuote(src)).exit_code, 0);
  }
  TempDir dir_;
};

TEST_F(CliWeb, TraceWritesASelfContainedHtmlReport) {
  AddSpeech();
  std::string html = dir_.File("report.html");
  RunResult r = Uncut(StrCat("trace --text ", ShellQuote(kSplice), " --html ", ShellQuote(html)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = Slurp(html);
  EXPECT_NE(page.find("The extract joins two passages of <code>speech.txt</code> (paragraph 1 "
                      "and paragraph 4)"),
            std::string::npos);
  EXPECT_NE(page.find("words between them were left out"), std::string::npos);
  EXPECT_NE(page.find("rebuild every bridge"), std::string::npos);  // the cut text
  EXPECT_NE(page.find("https://example.org/speech"), std::string::npos);
  // The re-run command names this archive and the extract.
  EXPECT_NE(page.find(StrCat("uncut --archive &#39;", dir_.File("archive"), "&#39; trace --text")),
            std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST_F(CliWeb, SavedTracesTravelInTheBundleAndTheBundleVerifies) {
  AddSpeech();
  RunResult t = Uncut(StrCat("trace --save --text ", ShellQuote(kSplice)));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.err.find("saved as trace 1"), std::string::npos);
  std::string zip = dir_.File("evidence.zip");
  RunResult e = Uncut("export 1 --out " + ShellQuote(zip));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("exported 1 item and 1 saved trace"), std::string::npos) << e.out;
  RunResult v = Uncut("verify-bundle " + ShellQuote(zip));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("the bundle is intact"), std::string::npos);
  RunResult sums = RunShell(StrCat(
      "python3 -m zipfile -e ", ShellQuote(zip), " ", ShellQuote(dir_.File("x")), " && cd ",
      ShellQuote(dir_.File("x")), " && sha256sum -c SHA256SUMS && cat traces/1/report.json"));
  ASSERT_EQ(sums.exit_code, 0) << sums.out << sums.err;
  EXPECT_NE(sums.out.find("items/1/original/speech.txt: OK"), std::string::npos);
  EXPECT_NE(sums.out.find("\"schema\": \"uncut.trace/1\""), std::string::npos);
}

TEST_F(CliWeb, VerifyBundleSaysWhatChanged) {
  AddSpeech();
  std::string zip = dir_.File("evidence.zip");
  ASSERT_EQ(Uncut("export 1 --out " + ShellQuote(zip)).exit_code, 0);
  // Replace the original inside the bundle with other bytes.
  std::string x = dir_.File("x");
  RunResult edit =
      RunShell(StrCat("python3 -m zipfile -e ", ShellQuote(zip), " ", ShellQuote(x), " && cd ",
                      ShellQuote(x), " && echo forged > items/1/original/speech.txt && rm ",
                      ShellQuote(zip), " && python3 -m zipfile -c ", ShellQuote(zip), " *"));
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  RunResult v = Uncut("verify-bundle " + ShellQuote(zip));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_NE(v.err.find("items/1/original/speech.txt: SHA-256 is"), std::string::npos) << v.err;
}

TEST_F(CliWeb, EveryCommandHasHelpWithExamples) {
  for (const char* cmd :
       {"add", "list", "show", "remove", "log", "verify", "trace", "serve", "export",
        "verify-bundle"}) {
    RunResult r = Uncut(StrCat(cmd, " --help"));
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Examples:"), std::string::npos) << cmd << ":\n" << r.out;
  }
  EXPECT_NE(Uncut("--help").out.find("Exit codes:"), std::string::npos);
}

TEST_F(CliWeb, DrawsNoProgressWhenStderrIsNotATerminal) {
  for (int i = 0; i < 5; ++i) {
    dir_.Write(StrCat("docs/d", i, ".txt"), StrCat(kSpeech, " Copy number ", i, "."));
  }
  RunResult r = Uncut("add " + ShellQuote(dir_.File("docs")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find("\033["), std::string::npos);
  RunResult q = Uncut("--quiet trace --text " + ShellQuote(kSplice));
  EXPECT_EQ(q.err, "");
}

}  // namespace
}  // namespace uncut

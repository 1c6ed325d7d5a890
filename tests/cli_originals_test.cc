// End-to-end tests of how the command line reads archived originals: a
// stored copy that lost its SHA-256 stops a trace or an export with an error
// naming the item, and names that are not UTF-8 come out as valid JSON, HTML
// and zip entries with their exact bytes kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "base/utf8.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

constexpr const char* kSpeech = testing::kSampleSpeech;
constexpr char kQuote[] = "We will rebuild every bridge that the floods destroyed";

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class CliOriginals : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }

  // Overwrites byte `at` of item 1's stored copy with `byte`.
  void Damage(uint64_t at, char byte) {
    nlohmann::json item = nlohmann::json::parse(Uncut("show --json 1").out);
    std::string stored = item["stored_at"];
    uint64_t offset = item.contains("stored_in") ? item["stored_in"]["offset"].get<uint64_t>() : 0;
    RunResult r = RunShell(StrCat("chmod u+w ", ShellQuote(stored), " && printf ",
                                  ShellQuote(std::string(1, byte)), " | dd of=", ShellQuote(stored),
                                  " bs=1 seek=", offset + at, " conv=notrunc 2>/dev/null"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir dir_;
};

constexpr char kMismatch[] =
    "item 1 (speech.txt): stored original does not match its SHA-256 \xE2\x80\x94 archive "
    "damaged, run uncut verify";

TEST_F(CliOriginals, TraceStopsWhenTheQuotedOriginalNoLongerHasItsSha256) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  // A changed byte inside the quoted passage.
  Damage(std::string(kSpeech).find(kQuote) + 3, 'X');
  RunResult r = Uncut(StrCat("trace --json --text ", ShellQuote(kQuote)));
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(kMismatch), std::string::npos) << r.err;
}

TEST_F(CliOriginals, TraceStopsWhenADamagedByteLiesOutsideTheQuote) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  Damage(0, '#');
  RunResult r = Uncut(StrCat("trace --text ", ShellQuote(kQuote)));
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.err.find(kMismatch), std::string::npos) << r.err;
}

TEST_F(CliOriginals, ExportStopsAndWritesNoBundleWhenAnOriginalIsDamaged) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  Damage(20, 'X');
  std::string zip = dir_.File("evidence.zip");
  RunResult r = Uncut("export 1 --out " + ShellQuote(zip));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find(kMismatch), std::string::npos) << r.err;
  EXPECT_EQ(RunShell("test -e " + ShellQuote(zip)).exit_code, 1);
}

TEST_F(CliOriginals, ShowTextStopsWhenTheOriginalHoldingTheTextIsDamaged) {
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.Write("speech.txt", kSpeech))).exit_code, 0);
  RunResult ok = Uncut("show 1 --text");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind(kSpeech, 0), 0u) << ok.out;
  Damage(std::string(kSpeech).find(kQuote) + 3, 'X');
  RunResult r = Uncut("show 1 --text");
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(kMismatch), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(CliOriginals, ANameThatIsNotUtf8IsKeptExactlyAndEveryOutputStaysValid) {
  const std::string name = "r\xe9sum\xe9.txt";  // Latin-1, as an old file system holds it
  const std::string shown = "r\xEF\xBF\xBDsum\xEF\xBF\xBD.txt";
  const std::string hex = "72e973756de92e747874";
  std::string src = dir_.Write(name, kSpeech);
  RunResult add = Uncut("add " + ShellQuote(src));
  ASSERT_EQ(add.exit_code, 0) << add.err;

  RunResult list = Uncut("list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(IsValidUtf8(list.out));
  nlohmann::json items = nlohmann::json::parse(list.out);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], shown);
  EXPECT_EQ(items[0]["name_bytes_hex"], hex);
  EXPECT_EQ(items[0]["added_from_bytes_hex"].get<std::string>().substr(
                items[0]["added_from_bytes_hex"].get<std::string>().size() - hex.size()),
            hex);
  RunResult plain = Uncut("list");
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.out.find(shown), std::string::npos) << plain.out;

  RunResult show = Uncut("show --json 1");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["name_bytes_hex"], hex);
  EXPECT_EQ(Uncut("show 1").exit_code, 0);

  std::string html = dir_.File("report.html");
  RunResult trace =
      Uncut(StrCat("trace --json --text ", ShellQuote(kQuote), " --html ", ShellQuote(html)));
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  nlohmann::json report = nlohmann::json::parse(trace.out);
  ASSERT_EQ(report["sources"].size(), 1u);
  EXPECT_EQ(report["sources"][0]["item"]["name_bytes_hex"], hex);
  std::string page = Slurp(html);
  EXPECT_TRUE(IsValidUtf8(page));
  EXPECT_NE(page.find(shown), std::string::npos);
  RunResult text = Uncut(StrCat("trace --text ", ShellQuote(kQuote)));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(IsValidUtf8(text.out)) << text.out;

  std::string zip = dir_.File("evidence.zip");
  RunResult e = Uncut("export 1 --out " + ShellQuote(zip));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  RunResult v = Uncut("verify-bundle " + ShellQuote(zip));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  // Standard tools read the bundle too: its entry names are UTF-8.
  RunResult sums = RunShell(StrCat(
      "python3 -m zipfile -e ", ShellQuote(zip), " ", ShellQuote(dir_.File("x")), " && cd ",
      ShellQuote(dir_.File("x")), " && sha256sum -c SHA256SUMS && cat items/1/metadata.json"));
  ASSERT_EQ(sums.exit_code, 0) << sums.out << sums.err;
  EXPECT_NE(sums.out.find("items/1/original/" + shown + ": OK"), std::string::npos) << sums.out;
  EXPECT_NE(sums.out.find(hex), std::string::npos);
}

}  // namespace
}  // namespace uncut

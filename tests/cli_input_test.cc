// End-to-end tests of what the command line accepts: the cost of one
// request is capped, the kind of an input is checked rather than assumed,
// options go where people type them, and outputs are checked before the
// work.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

size_t Lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

class CliInput : public ::testing::Test {
 protected:
  void SetUp() override {
    speech_ = dir_.Write("speech.txt", testing::kSampleSpeech);
    RunResult add = Uncut("add " + ShellQuote(speech_));
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  RunResult Uncut(const std::string& args) { return testing::RunUncut(Archive(), args); }
  std::string Archive() const { return dir_.File("archive"); }
  // The words of the sample speech repeated to `bytes`.
  static std::string LongExtract(size_t bytes) {
    std::string text;
    while (text.size() < bytes) text += testing::kSampleSpeech;
    text.resize(bytes);
    return text;
  }

  TempDir dir_;
  std::string speech_;
};

TEST_F(CliInput, AnExtractFileOverTheCapIsRefusedBeforeItIsRead) {
  std::string big = dir_.Write("book.txt", LongExtract(5 << 20));
  RunResult r = Uncut("trace --text-file " + ShellQuote(big));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err, "uncut: " + big + ": the extract is 5.0 MiB; one trace takes at most 256 KiB\n");
  EXPECT_EQ(r.out, "");
  // Just over the cap is refused too; stdin stops being read past it.
  std::string over = dir_.Write("over.txt", LongExtract((256 << 10) + 1));
  RunResult o = Uncut("trace --text-file " + ShellQuote(over));
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.err, "uncut: " + over + ": the extract is 256 KiB; one trace takes at most 256 KiB\n");
  RunResult piped = RunShell("cat " + ShellQuote(big) + " 2>/dev/null | " + ShellQuote(testing::UncutBinary()) +
                             " --archive " + ShellQuote(Archive()) + " trace --text-file -");
  EXPECT_EQ(piped.exit_code, 3) << piped.err;
  EXPECT_EQ(piped.err,
            "uncut: stdin: the extract is more than 256 KiB; one trace takes at most 256 KiB\n");
}

TEST_F(CliInput, AnExtractJustUnderTheCapIsTraced) {
  std::string text = LongExtract(250 << 10);
  text.resize(text.find_last_of(' '));
  std::string file = dir_.Write("long.txt", text);
  RunResult r = Uncut("trace --json --text-file " + ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_GE(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["item"]["name"], "speech.txt");
}

TEST_F(CliInput, ABinaryExtractFileIsRefusedSayingWhatItIs) {
  struct Case {
    std::string name, bytes, looks_like;
  };
  const Case cases[] = {
      {"noise.txt", RandomBytes(20000, 1), "binary data); the extract must be plain text"},
      {"photo.txt", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + RandomBytes(500, 2),
       "a PNG image); the extract must be plain text"},
      {"clip.txt", std::string("\0\0\0\x20" "ftypisom\0\0\2\0", 16) + RandomBytes(500, 3),
       "mp4 video or audio); to trace a clip, give it without --text-file"},
  };
  for (const Case& c : cases) {
    std::string path = dir_.Write(c.name, c.bytes);
    RunResult r = Uncut("trace --text-file " + ShellQuote(path));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.err, "uncut: " + path + ": not text (looks like " + c.looks_like + "\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(CliInput, ATextFileGivenAsAClipIsRefusedSayingWhatItIs) {
  std::string path = dir_.Write("clip.mp4", testing::kSampleSpeech);
  RunResult r = Uncut("trace " + ShellQuote(path));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err, "uncut: " + path +
                       ": not a video or audio file (looks like UTF-8 text); to trace a quote, "
                       "give it with --text-file\n");
  std::string pdf = dir_.Write("scan.mov", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
  RunResult p = Uncut("trace " + ShellQuote(pdf));
  EXPECT_EQ(p.exit_code, 3) << p.err;
  EXPECT_EQ(p.err, "uncut: " + pdf + ": not a video or audio file (looks like a PDF document)\n");
  // Adding it as a recording is refused the same way.
  RunResult a = Uncut("add " + ShellQuote(path));
  EXPECT_EQ(a.exit_code, 3) << a.err;
  EXPECT_EQ(a.err, "uncut: " + path + ": not a video or audio file (looks like UTF-8 text)\n");
}

TEST_F(CliInput, GlobalOptionsMayFollowTheCommand) {
  std::string other = dir_.File("other-archive");
  std::string file = dir_.Write("notes.txt", "The committee met for six hours and could not agree.");
  RunResult add = RunShell(ShellQuote(testing::UncutBinary()) + " add --archive " +
                           ShellQuote(other) + " " + ShellQuote(file) + " --quiet");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "");
  RunResult list = RunShell(ShellQuote(testing::UncutBinary()) + " list --json --archive " +
                            ShellQuote(other));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  nlohmann::json items = nlohmann::json::parse(list.out);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], "notes.txt");
}

TEST_F(CliInput, VerifyQuietAsInItsHelp) {
  // uncut --archive /srv/desk verify --quiet || alert
  RunResult r = Uncut("verify --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  RunResult loud = Uncut("verify");
  EXPECT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_NE(loud.out, "");
}

TEST_F(CliInput, ExportRefusesToReplaceAFileUnlessForced) {
  std::string out = dir_.Write("evidence.zip", "an earlier bundle");
  RunResult r = Uncut("export 1 --out " + ShellQuote(out));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err, "uncut: " + out + ": exists already; give --force to replace it\n");
  EXPECT_EQ(RunShell("cat " + ShellQuote(out)).out, "an earlier bundle");
  RunResult forced = Uncut("export 1 --force --out " + ShellQuote(out));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(Uncut("verify-bundle " + ShellQuote(out)).exit_code, 0);
}

TEST_F(CliInput, OutputsIntoAMissingFolderAreRefusedBeforeTheWork) {
  std::string zip = dir_.File("missing/evidence.zip");
  RunResult e = Uncut("export 1 --out " + ShellQuote(zip));
  EXPECT_EQ(e.exit_code, 3) << e.err;
  EXPECT_EQ(e.err, "uncut: " + zip + ": the folder " + dir_.File("missing") + " does not exist\n");
  std::string html = dir_.File("missing/report.html");
  RunResult t = Uncut("trace --text 'We will rebuild every bridge that the floods destroyed' "
                      "--html " + ShellQuote(html));
  EXPECT_EQ(t.exit_code, 3) << t.err;
  EXPECT_EQ(t.err, "uncut: " + html + ": the folder " + dir_.File("missing") + " does not exist\n");
  EXPECT_EQ(t.out, "");  // refused before tracing
  RunResult d = Uncut("export 1 --out " + ShellQuote(dir_.path()));
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_EQ(Lines(d.err), 1u) << d.err;
}

TEST_F(CliInput, AFolderAddSkipsFilesUncutDoesNotRead) {
  dir_.Write("folder/SHA256SUMS", "4235f8997ef5  speech.txt\n");
  dir_.Write("folder/LICENSE", "Permission is hereby granted, free of charge, to any person.\n");
  dir_.Write("folder/keep.txt", "");
  dir_.Write("folder/minutes.txt",
             "The committee met for six hours today and could not agree on the report.");
  std::string folder = dir_.File("folder");
  RunResult r = Uncut("add " + ShellQuote(folder));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("skipped " + folder + "/LICENSE (unsupported)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("skipped " + folder + "/keep.txt (empty)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nadded 1, skipped 3 (unsupported: LICENSE, SHA256SUMS; empty: keep.txt)\n"),
            std::string::npos)
      << r.out;
  // --strict counts them as failures; a file named on its own is never skipped.
  RunResult strict = Uncut("add --strict " + ShellQuote(folder));
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  EXPECT_NE(strict.err.find("uncut: not added: " + folder + "/LICENSE: unsupported file type\n"),
            std::string::npos)
      << strict.err;
  RunResult one = Uncut("add " + ShellQuote(folder + "/LICENSE"));
  EXPECT_EQ(one.exit_code, 3);
  EXPECT_EQ(one.err, "uncut: " + folder + "/LICENSE: unsupported file type\n");
}

}  // namespace
}  // namespace uncut

// End-to-end tests of adding with several jobs: files are read and analysed
// on several threads, and the archive comes out the same as with one.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::ShellQuote;
using testing::TempDir;

constexpr char kMbox[] =
    "From ann@example.org Tue Aug 20 12:00:00 2002\n"
    "From: Ann Smith <ann@example.org>\nSubject: Budget for the bridge\n"
    "Message-ID: <budget-1@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    "The repairs to the northern bridge will cost eleven million, two million more than the "
    "board approved in March.\n\n"
    "From bo@example.org Wed Aug 21 09:30:00 2002\n"
    "From: Bo <bo@example.org>\nSubject: Harvest\n"
    "Message-ID: <reply-2@example.org>\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
    "--b1\nContent-Type: text/plain\n\nThe committee will discuss the harvest festival and the "
    "price of apples in the autumn meeting.\n"
    "--b1\nContent-Type: text/plain; name=\"minutes.txt\"\nContent-Disposition: attachment; "
    "filename=\"minutes.txt\"\nContent-Transfer-Encoding: base64\n\n"
    "TWludXRlczogdGhlIHRyZWFzdXJlciByZWFkIHRoZSBhY2NvdW50cyBvZiB0aGUgeWVhciBhbmQgdGhl\n"
    "IG1lbWJlcnMgYXBwcm92ZWQgdGhlbSB3aXRob3V0IGEgdm90ZSBhZ2FpbnN0Lgo=\n"
    "--b1--\n";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A text of `words` words drawn from a small vocabulary, different for each seed.
std::string Prose(int seed, int words) {
  static const char* kWords[] = {"river", "council", "budget", "minister", "harbour", "report",
                                 "winter", "railway", "school",  "harvest",  "bridge", "doctor",
                                 "market", "village", "letter", "evidence"};
  std::string out;
  uint32_t x = 2463534242u + static_cast<uint32_t>(seed) * 7919u;
  for (int i = 0; i < words; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out += kWords[x % 16];
    out += (i % 12 == 11) ? ".\n" : " ";
  }
  return out;
}

class CliJobs : public ::testing::Test {
 protected:
  // A folder of every kind uncut reads, one file it cannot read, one it
  // does not read, and a copy of another file.
  void SetUp() override {
    in_ = dir_.File("in");
    for (int i = 0; i < 12; ++i) dir_.Write(StrCat("in/notes/note", i, ".txt"), Prose(i, 400));
    dir_.Write("in/page.html",
               StrCat("<html><head><title>Port</title></head><body><p>", Prose(40, 300),
                      "</p></body></html>"));
    dir_.Write("in/board.mbox", kMbox);
    dir_.Write("in/copy-of-note3.txt", Prose(3, 400));
    dir_.Write("in/broken.pdf", "%PDF-1.4\nthis is not the rest of a PDF\n");
    dir_.Write("in/SHA256SUMS.sig", std::string("\x01\x02\x03 not anything uncut reads", 29));
    ASSERT_EQ(testing::Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=10 -f lavfi "
                              "-i sine=frequency=440:sample_rate=16000 -t 3 -pix_fmt yuv420p " +
                              ShellQuote(dir_.File("in/clip.mp4"))),
              "");
    ASSERT_EQ(testing::Ffmpeg("-f lavfi -i \"anoisesrc=color=pink:seed=7:sample_rate=16000\" -t 4 " +
                              ShellQuote(dir_.File("in/noise.wav"))),
              "");
    ASSERT_EQ(testing::Ffmpeg("-f lavfi -i testsrc2=size=200x150 -frames:v 1 " +
                              ShellQuote(dir_.File("in/picture.png"))),
              "");
  }

  RunResult Add(const std::string& archive, int jobs) {
    return testing::RunUncut(archive, StrCat("add --jobs ", jobs, " ", ShellQuote(in_)));
  }

  // The archive's items as `list --json` gives them, less what differs
  // from run to run (the time added, the name of a pack file).
  nlohmann::json Items(const std::string& archive) {
    RunResult r = testing::RunUncut(archive, "list --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json items = nlohmann::json::parse(r.out, nullptr, false);
    for (auto& it : items) {
      it.erase("added_at");
      if (it.contains("stored_in")) {
        std::string object = it["stored_in"].value("object", "");
        if (object.rfind("pack-", 0) == 0) it["stored_in"]["object"] = "pack";
      }
    }
    return items;
  }

  // The digests of the files under `sub` of an archive, by their folder:
  // originals, packs and index segments, whatever names they were given.
  std::multimap<std::string, std::string> Contents(const std::string& archive,
                                                   const std::string& sub) {
    std::multimap<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(archive) / sub)) {
      if (!e.is_regular_file()) continue;
      std::string folder = e.path().parent_path().filename().string();
      if (folder == "staging") continue;
      if (sub == "objects" && folder != "packs") folder = "objects";
      out.emplace(folder, Sha256Hex(Slurp(e.path().string())));
    }
    return out;
  }

  TempDir dir_;
  std::string in_;
};

TEST_F(CliJobs, TwoJobsMakeTheSameArchiveAsOne) {
  const std::string one = dir_.File("one"), two = dir_.File("two");
  RunResult a = Add(one, 1);
  RunResult b = Add(two, 2);
  EXPECT_EQ(a.exit_code, 3) << a.err;
  EXPECT_EQ(b.exit_code, 3) << b.err;
  // The same lines in the same order: files are added in the folder's order.
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, b.err);
  nlohmann::json items = Items(one);
  // 12 notes, the page, the mailbox, its 2 messages and 1 attachment, the
  // clip, the noise and the picture.
  EXPECT_EQ(items.size(), 20u) << items.dump(1);
  EXPECT_EQ(Items(two), items);
  EXPECT_EQ(Contents(two, "objects"), Contents(one, "objects"));
  EXPECT_EQ(Contents(two, "index"), Contents(one, "index"));
  // Both find a quote in the same place.
  std::string quote = Prose(7, 400).substr(200, 160);
  RunResult ta = testing::RunUncut(one, "trace --json --text " + ShellQuote(quote));
  RunResult tb = testing::RunUncut(two, "trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(ta.exit_code, 0) << ta.err;
  ASSERT_EQ(tb.exit_code, 0) << tb.err;
  nlohmann::json ja = nlohmann::json::parse(ta.out), jb = nlohmann::json::parse(tb.out);
  ASSERT_FALSE(ja["sources"].empty());
  EXPECT_EQ(ja["sources"][0]["item"]["name"], "note7.txt");
  EXPECT_EQ(jb["sources"][0]["item"]["id"], ja["sources"][0]["item"]["id"]);
  EXPECT_EQ(jb["sources"][0]["segments"], ja["sources"][0]["segments"]);
}

TEST_F(CliJobs, ABadFileIsOneLineAndTheOthersAreAdded) {
  RunResult r = Add(dir_.File("archive"), 2);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // One line, naming the file and the reason.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("uncut: not added: " + dir_.File("in/broken.pdf") + ": ", 0), 0u) << r.err;
  EXPECT_NE(r.out.find("added 17, already archived 1, skipped 1 (unsupported: SHA256SUMS.sig), "
                       "failed 1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("exists "), std::string::npos) << r.out;
  for (const char* name : {"note0.txt", "note11.txt", "clip.mp4", "noise.wav", "picture.png",
                           "board.mbox", "page.html"}) {
    EXPECT_NE(r.out.find(StrCat("/", name, "\n")), std::string::npos) << name << "\n" << r.out;
  }
}

TEST_F(CliJobs, AddingTheSameFolderAgainFindsEveryFileArchived) {
  const std::string archive = dir_.File("archive");
  Add(archive, 2);
  nlohmann::json before = Items(archive);
  RunResult again = Add(archive, 2);
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.out.find("added 0, already archived 18, skipped 1"), std::string::npos)
      << again.out;
  EXPECT_EQ(Items(archive), before);
}

TEST_F(CliJobs, JobsMustBeAPositiveNumber) {
  RunResult r = testing::RunUncut(dir_.File("archive"), "add --jobs 0 " + ShellQuote(in_));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(fs::exists(dir_.File("archive")));
}

}  // namespace
}  // namespace uncut

// An `uncut add` killed with SIGKILL at any moment must leave an archive that
// opens consistent, with every item either fully present or absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunShell;
using testing::ShellQuote;

bool PathExistsForTest(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

// A document with a unique, traceable sentence.
std::string Document(int i, std::mt19937* rng) {
  static const char* kWords[] = {"river",  "bridge", "council", "harvest", "border", "winter",
                                 "market", "treaty", "station", "letter",  "court",  "village"};
  std::string s = "Document " + std::to_string(i) + " records that ";
  for (int w = 0; w < 400; ++w) {
    s += kWords[(*rng)() % 12];
    s += (w % 17 == 16) ? ". " : " ";
  }
  s += "\nThe unique marker sentence number " + std::to_string(i) + " closes the file.\n";
  return s;
}

pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

TEST(KilledAdd, LeavesAConsistentArchiveWithWholeItemsOnly) {
  testing::TempDir dir;
  std::mt19937 rng(42);
  const int kFiles = 200;
  for (int i = 0; i < kFiles; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "in/doc%03d.txt", i);
    dir.Write(name, Document(i, &rng));
  }
  std::string bin = testing::UncutBinary();
  std::string archive = dir.File("archive");
  auto uncut = [&](const std::string& args) {
    return RunShell(ShellQuote(bin) + " --archive " + ShellQuote(archive) + " " + args);
  };
  // Kill at random moments of an add: measure how long a whole add takes
  // here first, so the moments spread over it on any machine.
  auto t0 = std::chrono::steady_clock::now();
  auto full = RunShell(ShellQuote(bin) + " --archive " + ShellQuote(dir.File("timing")) +
                       " add --commit-every 2 " + ShellQuote(dir.File("in")));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  int64_t full_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  std::uniform_int_distribution<int64_t> delay_us(0, full_us);
  int killed_while_running = 0, partial = 0;
  for (int round = 0; round < 12; ++round) {
    pid_t pid = Spawn({bin, "--archive", archive, "add", "--commit-every", "2", dir.File("in")});
    ASSERT_GT(pid, 0);
    if (round % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    } else {
      // Wait until the add has published something, then kill it at once:
      // the add is then certainly half-way, whatever this machine's speed.
      for (int poll = 0; poll < 2000; ++poll) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        auto l = uncut("list --json");
        if (l.exit_code == 0 && l.out.size() > 4 && nlohmann::json::parse(l.out).size() > 0) break;
      }
    }
    if (kill(pid, SIGKILL) == 0) ++killed_while_running;
    int status = 0;
    waitpid(pid, &status, 0);
    if (!PathExistsForTest(archive + "/catalog.sqlite")) continue;
    auto verify = uncut("verify");
    if (verify.exit_code == 3 &&
        verify.err.find("no archive here") != std::string::npos) {
      // Killed while the first add was still creating the catalog (its
      // tables are made in one transaction, before any item): nothing was
      // published, so there is no archive yet and the next add makes it.
      auto probe = uncut("list --json");
      EXPECT_EQ(probe.exit_code, 3) << "round " << round << ": " << probe.err;
      continue;
    }
    // The archive opens, verifies, and every listed item is whole.
    EXPECT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.err;
    auto list = uncut("list --json");
    ASSERT_EQ(list.exit_code, 0) << list.err;
    nlohmann::json items = nlohmann::json::parse(list.out);
    if (!items.empty() && items.size() < static_cast<size_t>(kFiles)) ++partial;
    std::set<std::string> names;
    for (const auto& it : items) {
      EXPECT_TRUE(names.insert(it["name"].get<std::string>()).second) << "duplicate item";
    }
    if (!items.empty()) {
      std::string name = items.back()["name"];
      int n = std::stoi(name.substr(3, 3));
      auto t = uncut("trace --json --text " + ShellQuote("The unique marker sentence number " +
                                                         std::to_string(n) + " closes the file"));
      EXPECT_EQ(t.exit_code, 0) << "item " << name << " is listed but not traceable";
    }
  }
  EXPECT_GT(killed_while_running, 0);
  EXPECT_GT(partial, 0) << "no round stopped an add half-way; the test proves little";
  // A final add completes the archive: every file exactly once.
  auto done = uncut("add " + ShellQuote(dir.File("in")));
  EXPECT_EQ(done.exit_code, 0) << done.err;
  auto list = uncut("list --json");
  EXPECT_EQ(nlohmann::json::parse(list.out).size(), static_cast<size_t>(kFiles));
  EXPECT_EQ(uncut("verify").exit_code, 0);
  // Nothing staged and unpublished is left behind.
  auto staged = RunShell("ls " + ShellQuote(archive + "/objects/staging") + " 2>/dev/null | wc -l");
  EXPECT_EQ(staged.out, "0\n");
}

}  // namespace
}  // namespace uncut

#include "testing/temp_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace uncut::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/uncut-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  // UNCUT_TEST_KEEP=1 keeps the files of a test, to look at after a failure.
  const char* keep = std::getenv("UNCUT_TEST_KEEP");
  if (keep && *keep == '1') {
    std::fprintf(stderr, "kept %s\n", path_.c_str());
    return;
  }
  std::string cmd =
      "chmod -R u+w " + ShellQuote(path_) + " 2>/dev/null; rm -rf " + ShellQuote(path_);
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", path_.c_str());
}

std::string TempDir::File(std::string_view name) const { return path_ + "/" + std::string(name); }

std::string TempDir::Write(std::string_view name, std::string_view content) const {
  std::string p = File(name);
  std::string dir = p.substr(0, p.find_last_of('/'));
  std::string cmd = "mkdir -p " + ShellQuote(dir);
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("mkdir failed");
  std::ofstream f(p, std::ios::binary);
  f.write(content.data(), content.size());
  return p;
}

static std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RunResult RunShell(const std::string& command) {
  TempDir tmp;
  std::string out = tmp.File("out"), err = tmp.File("err");
  std::string full = "( " + command + " ) >" + ShellQuote(out) + " 2>" + ShellQuote(err);
  int status = std::system(full.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

std::string UncutBinary() {
  const char* bin = std::getenv("UNCUT_TEST_BIN");
  return bin && *bin ? bin : "uncut";
}

std::string FixturePath(std::string_view rel) {
  return StrCat(UNCUT_SOURCE_DIR, "/tests/fixtures/", rel);
}

RunResult RunUncut(const std::string& archive, const std::string& args) {
  return RunShell(ShellQuote(UncutBinary()) + " --archive " + ShellQuote(archive) + " " + args);
}

const char kSampleSpeech[] =
    "Fellow citizens, we meet today in a time of trial. The harvest failed in the north, "
    "and the rivers rose in the south. Yet the people of this country did not despair.\n\n"
    "We will rebuild every bridge that the floods destroyed, and we will do it before the "
    "winter comes. No family will be left without shelter. That is our promise, and we "
    "intend to keep it whatever the cost.\n\n"
    "Let me turn to the economy. Prices rose sharply last spring, and many households found "
    "that their wages no longer covered the rent and the bread. The government has cut the tax "
    "on fuel, raised the minimum pension, and opened new loans for small farms and workshops. "
    "These measures are not enough on their own, and the coming year will ask patience of "
    "everyone, but the worst of the storm has passed and the markets are calmer than they were "
    "at any time since the crisis began.\n\n"
    "Finally, let me speak of the border. Our soldiers have guarded it with courage, and "
    "they deserve our thanks. We seek peace with every neighbour and war with none.\n";

}  // namespace uncut::testing

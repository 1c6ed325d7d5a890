// Test helpers: a temporary directory removed at the end of the test, and
// running the uncut binary.
#ifndef UNCUT_TESTS_TESTING_TEMP_DIR_H_
#define UNCUT_TESTS_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>

#include "base/strings.h"

namespace uncut::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const;
  // Writes a file under the directory and returns its path.
  std::string Write(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line; captures stdout and stderr.
RunResult RunShell(const std::string& command);
// Quotes a string for the shell.
using ::uncut::ShellQuote;
// The uncut binary under test ($UNCUT_TEST_BIN).
std::string UncutBinary();
// A committed fixture: tests/fixtures/REL in the source tree.
std::string FixturePath(std::string_view rel);
// Runs `uncut --archive ARCHIVE ARGS` (ARGS already quoted for the shell).
RunResult RunUncut(const std::string& archive, const std::string& args);

// A short speech of four paragraphs (written for these tests) that several
// suites archive and quote from.
extern const char kSampleSpeech[];

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_TEMP_DIR_H_

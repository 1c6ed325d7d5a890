// Progress on the terminal for long commands: a bar with the amount done,
// the rate and the time left (ProgressBar), or, when the amount of work is
// unknown, the time spent so far (Activity). Both draw one line on stderr,
// only when stderr is a terminal and the command is not --quiet, and at
// most ten times a second; piped output never sees them.
#ifndef UNCUT_CLI_PROGRESS_H_
#define UNCUT_CLI_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

namespace uncut {

// Whether progress should be drawn: stderr is a terminal and not --quiet.
bool ShowProgress(bool quiet);

// "12.3 MB", "512 B".
std::string FormatBytes(double bytes);
// "0:07", "1:02:03".
std::string FormatEta(double seconds);

class ProgressBar {
 public:
  // kSeconds: of media, shown as times, the rate as a multiple of real time.
  enum class Unit { kBytes, kItems, kSeconds };
  ProgressBar(std::string label, uint64_t total, Unit unit, bool enabled);
  ~ProgressBar() { Clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, std::string_view detail = "");
  // Erases the line, e.g. before printing something else; the next Update
  // draws it again.
  void Clear();
  // The line as it would be drawn (for tests), `width` columns at most.
  std::string Line(uint64_t done, std::string_view detail, double elapsed_s, size_t width) const;

 private:
  std::string label_;
  uint64_t total_;
  Unit unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "tracing… 2.4 s" while something of unknown length runs; shown only when
// it takes longer than half a second. Stops and erases itself when destroyed.
class Activity {
 public:
  Activity(std::string label, bool enabled);
  ~Activity();
  Activity(const Activity&) = delete;
  Activity& operator=(const Activity&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace uncut

#endif  // UNCUT_CLI_PROGRESS_H_

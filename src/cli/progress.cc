#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace uncut {
namespace {

size_t TerminalWidth() {
  struct winsize ws;
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

// Cuts a UTF-8 string to at most `max` bytes without splitting a character.
std::string Fit(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

void Draw(const std::string& line) {
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

}  // namespace

bool ShowProgress(bool quiet) { return !quiet && ::isatty(STDERR_FILENO); }

std::string FormatBytes(double b) {
  if (b < 1000) return absl::StrFormat("%.0f B", b);
  if (b < 1e6) return absl::StrFormat("%.1f kB", b / 1e3);
  if (b < 1e9) return absl::StrFormat("%.1f MB", b / 1e6);
  return absl::StrFormat("%.2f GB", b / 1e9);
}

std::string FormatEta(double seconds) {
  int64_t s = static_cast<int64_t>(std::max(0.0, seconds) + 0.5);
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

ProgressBar::ProgressBar(std::string label, uint64_t total, Unit unit, bool enabled)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::Line(uint64_t done, std::string_view detail, double elapsed_s,
                              size_t width) const {
  auto amount = [&](double v) {
    return unit_ == Unit::kBytes     ? FormatBytes(v)
           : unit_ == Unit::kSeconds ? FormatEta(v)
                                     : StrCat(static_cast<uint64_t>(v));
  };
  double fraction = total_ ? std::min(1.0, static_cast<double>(done) / total_) : 0;
  constexpr int kBar = 24;
  int filled = static_cast<int>(fraction * kBar);
  std::string bar = StrCat("[", std::string(filled, '#'), std::string(kBar - filled, '.'), "]");
  std::string line =
      absl::StrFormat("%s %s %3d%% %s/%s", label_, bar, static_cast<int>(fraction * 100),
                      amount(done), amount(total_));
  if (elapsed_s > 0.5 && done > 0) {
    double rate = done / elapsed_s;
    if (unit_ == Unit::kSeconds) {
      StrAppend(&line, "  ", absl::StrFormat("%.1fx real time", rate));
    } else {
      StrAppend(&line, "  ", amount(rate), unit_ == Unit::kBytes ? "/s" : " files/s");
    }
    if (total_ > done) StrAppend(&line, "  ETA ", FormatEta((total_ - done) / rate));
  }
  if (!detail.empty()) StrAppend(&line, "  ", detail);
  return Fit(line, width - 1);
}

void ProgressBar::Update(uint64_t done, std::string_view detail) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  Draw(Line(done, detail, elapsed, TerminalWidth()));
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

Activity::Activity(std::string label, bool enabled) {
  if (!enabled) return;
  thread_ = std::thread([this, label = std::move(label)] {
    auto start = std::chrono::steady_clock::now();
    bool drawn = false;
    static const char kSpin[] = "|/-\\";
    for (int tick = 0; !done_; ++tick) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (s < 0.5 || done_) continue;
      Draw(absl::StrFormat("%s %c %.1f s", label, kSpin[tick % 4], s));
      drawn = true;
    }
    if (drawn) Draw("");
  });
}

Activity::~Activity() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace uncut

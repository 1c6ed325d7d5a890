#include "trace/clip_evidence.h"

#include <algorithm>
#include <cmath>

namespace uncut {

bool ClipEvidence::PictureInformative(double a, double b) const {
  if (picture_held) return false;
  int usable = 0, all = 0;
  // Long clips are hashed sparsely: a short stretch between two hashed
  // frames is judged by its neighbours.
  for (double reach : {0.0, 0.5, 1.0}) {
    for (const ClipFrame& f : frames) {
      if (f.time_s < a - reach || f.time_s >= b + reach) continue;
      ++all;
      usable += f.comparable();
    }
    if (all > 0) break;
  }
  return all > 0 && 2 * usable >= all;
}

bool ClipEvidence::SoundInformative(double a, double b) const {
  if (!has_sound || b <= a) return false;
  const auto from = std::lower_bound(peak_times.begin(), peak_times.end(), a);
  const auto to = std::lower_bound(peak_times.begin(), peak_times.end(), b);
  return static_cast<double>(to - from) >= kMinPeaksPerSecond * (b - a);
}

bool ClipEvidence::SoundSpeaks(double a, double b) const {
  return SoundInformative(a, b) && (sound_informative || frames.empty() || !picture_recognised);
}

namespace {

std::string WhyNotComparable(const ClipEvidence& clip, double a, double b) {
  std::string sound;
  if (!clip.has_sound) {
    sound = "there is no sound to compare";
  } else if (!clip.SoundInformative(a, b)) {
    sound = "the sound is silent there";
  } else {
    sound = "its sound is recognised nowhere in the archive (laid over)";
  }
  if (clip.frames.empty()) return sound;
  if (clip.picture_held) {
    return "the picture is one still image held throughout (a cover, an audiogram), which shows "
           "nothing of where the recording comes from, and " + sound;
  }
  // Mostly textured frames that could not be compared changed too fast.
  int textured = 0, all = 0;
  for (const ClipFrame& f : clip.frames) {
    if (f.time_s < a || f.time_s >= b) continue;
    ++all;
    textured += f.textured;
  }
  if (2 * textured > all) {
    return "the picture changes too fast for the archive's sampled frames and " + sound;
  }
  return "the picture is too plain to fingerprint and " + sound;
}

}  // namespace

std::vector<UnexplainedStretch> SplitUnexplained(const ClipEvidence& clip, double a, double b) {
  constexpr double kStep = 0.5;
  std::vector<UnexplainedStretch> out;
  if (b <= a) return out;
  const int n = std::max(1, static_cast<int>(std::floor((b - a) / kStep)));
  const double len = (b - a) / n;
  for (int i = 0; i < n; ++i) {
    const double x = a + i * len, y = i + 1 == n ? b : a + (i + 1) * len;
    const bool comparable = clip.PictureInformative(x, y) || clip.SoundSpeaks(x, y);
    const std::string reason = comparable ? "" : WhyNotComparable(clip, x, y);
    if (!out.empty() && out.back().comparable == comparable && out.back().reason == reason) {
      out.back().end = y;
    } else {
      out.push_back({x, y, comparable, reason});
    }
  }
  return out;
}

}  // namespace uncut

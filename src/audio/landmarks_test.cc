// Spectral peaks and landmark triplets: what must hold for two copies of
// one sound to share keys.
#include "audio/landmarks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <set>
#include <vector>

namespace uncut {
namespace {

// Eight seconds of a three-voice melody at 8 kHz: notes of 60-250 ms at
// random pitches in the band the fingerprint keeps, each with a soft attack.
std::vector<float> Melody(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> pitch(350, 3200), length(0.06, 0.25);
  std::vector<float> x(8 * kAudioSampleRate, 0.0f);
  for (int voice = 0; voice < 3; ++voice) {
    double t = 0;
    while (t < 8) {
      double f = pitch(rng), len = length(rng);
      size_t a = static_cast<size_t>(t * kAudioSampleRate);
      size_t b = std::min(x.size(), static_cast<size_t>((t + len) * kAudioSampleRate));
      for (size_t i = a; i < b; ++i) {
        double u = static_cast<double>(i - a) / (b - a);
        x[i] += static_cast<float>(0.2 * std::sin(std::numbers::pi * u) *
                                   std::sin(2 * std::numbers::pi * f * i / kAudioSampleRate));
      }
      t += len;
    }
  }
  return x;
}

std::set<uint64_t> IndexKeys(const AudioPeaks& peaks) {
  std::set<uint64_t> keys;
  for (const Posting& p : AudioPostings(peaks)) keys.insert(p.key);
  return keys;
}

std::set<uint64_t> ProbedKeys(const AudioPeaks& peaks, double speed_min, double speed_max) {
  std::set<uint64_t> keys;
  std::vector<LandmarkProbe> probes;
  for (const Landmark& l : MakeLandmarks(peaks, kQueryFanOut)) {
    probes.clear();
    ProbeKeys(l, speed_min, speed_max, 0.01, &probes);
    for (const LandmarkProbe& p : probes) keys.insert(p.key);
  }
  return keys;
}

TEST(AudioPeaks, PeakTimesAgreeBetweenCopiesCutHalfAHopApart) {
  std::vector<float> x = Melody(7);
  std::vector<float> shifted(x.begin() + kAudioHop / 2, x.end());
  AudioPeaks a = ComputePeaks(x), b = ComputePeaks(shifted);
  ASSERT_GT(a.peaks.size(), 100u);
  // b starts half a hop later: its peaks lie half a hop earlier.
  int agree = 0;
  for (const Peak& p : a.peaks) {
    for (const Peak& q : b.peaks) {
      if (q.bin == p.bin && std::abs(q.time() + 0.5 - p.time()) <= 0.25) {
        ++agree;
        break;
      }
    }
  }
  EXPECT_GE(agree * 10, static_cast<int>(a.peaks.size()) * 8) << agree << " of " << a.peaks.size();
}

TEST(AudioLandmarks, ACopyCutHalfAHopApartFindsMostOfTheSourcesKeys) {
  std::vector<float> x = Melody(11);
  std::vector<float> shifted(x.begin() + kAudioHop / 2, x.end());
  std::set<uint64_t> source = IndexKeys(ComputePeaks(x));
  std::set<uint64_t> probed = ProbedKeys(ComputePeaks(shifted, kQueryPeaksPerSecond), 1.0, 1.0);
  int found = 0;
  for (uint64_t k : source) found += probed.count(k);
  ASSERT_GT(source.size(), 300u);
  EXPECT_GE(found * 2, static_cast<int>(source.size())) << found << " of " << source.size();
}

TEST(AudioLandmarks, ProbesOverTheSpeedRangeFindTheKeyOfATimeStretchedLandmark) {
  const Landmark source{100, 60, 12, -7, 11.0f, 23.0f};
  const uint64_t key = LandmarkKey(60, 12, -7, 11, 23);
  for (double speed : {0.95, 1.0, 1.05}) {
    Landmark copy = source;
    copy.dt1 = static_cast<float>(source.dt1 / speed);
    copy.dt2 = static_cast<float>(source.dt2 / speed);
    std::vector<LandmarkProbe> probes;
    ProbeKeys(copy, 0.94, 1.06, 0.01, &probes);
    auto it = std::find_if(probes.begin(), probes.end(),
                           [&](const LandmarkProbe& p) { return p.key == key; });
    ASSERT_NE(it, probes.end()) << "speed " << speed;
    // The probe says which speeds it stands for; the true one is among them.
    EXPECT_LE(it->speed_lo, speed + 1e-6);
    EXPECT_GE(it->speed_hi, speed - 1e-6);
  }
  // Keys differ when a frequency step differs.
  EXPECT_NE(LandmarkKey(60, 12, -7, 11, 23), LandmarkKey(60, 12, -11, 11, 23));
}

TEST(LoudnessContour, ComesFromThePeaksOwnSpectraAndFollowsTheLevel) {
  std::vector<float> x = Melody(3);
  LoudnessContour with_peaks;
  ComputePeaks(x, kQueryPeaksPerSecond, &with_peaks);
  LoudnessContour alone = ComputeLoudnessContour(x);
  ASSERT_GT(alone.frames, 400u);
  ASSERT_EQ(with_peaks.frames, alone.frames);
  EXPECT_EQ(with_peaks.db, alone.db);
  // 20 dB quieter is 20 dB lower in every band of every frame that has sound.
  std::vector<float> quiet = x;
  for (float& v : quiet) v *= 0.1f;
  LoudnessContour q = ComputeLoudnessContour(quiet);
  ASSERT_EQ(q.frames, alone.frames);
  for (size_t i = 0; i < q.db.size(); ++i) {
    if (alone.db[i] > -40) EXPECT_NEAR(alone.db[i] - q.db[i], 20.0, 0.01) << i;
  }
}

TEST(AudioPeaks, SerializedPeaksReadBackWithTheirPlaceBetweenHopsAndOlderPeaksStillRead) {
  AudioPeaks p;
  p.duration_s = 2.5;
  p.start_s = 0.25;
  p.peaks = {{3, 40, 0, -8}, {3, 90, 0, 7}, {200, 150, 0, 0}};
  auto back = AudioPeaks::Parse(p.Serialize());
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->peaks.size(), 3u);
  EXPECT_EQ(back->peaks[0].sub, -8);
  EXPECT_EQ(back->peaks[1].sub, 7);
  EXPECT_EQ(back->peaks[2].frame, 200u);
  EXPECT_EQ(back->peaks[2].bin, 150);
  EXPECT_DOUBLE_EQ(back->start_s, 0.25);
  // Peaks written before sub-hop times: one byte less per peak.
  std::string old = "UAP1";
  double d = 2.5, s = 0.25;
  uint64_t n = 1;
  old.append(reinterpret_cast<const char*>(&d), 8);
  old.append(reinterpret_cast<const char*>(&s), 8);
  old.append(reinterpret_cast<const char*>(&n), 8);
  old.push_back(5);       // frame delta
  old.push_back(40 - 20);  // bin above the band's lowest
  auto legacy = AudioPeaks::Parse(old);
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  ASSERT_EQ(legacy->peaks.size(), 1u);
  EXPECT_EQ(legacy->peaks[0].frame, 5u);
  EXPECT_EQ(legacy->peaks[0].bin, 40);
  EXPECT_EQ(legacy->peaks[0].sub, 0);
  // Cut short: an error, not a crash.
  EXPECT_FALSE(AudioPeaks::Parse(p.Serialize().substr(0, 30)).ok());
}

}  // namespace
}  // namespace uncut

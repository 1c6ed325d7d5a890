// The streaming peak finder against the whole-buffer one: the same peaks,
// bit for bit, whatever the pieces the sound arrives in.
#include "audio/peak_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "audio/peaks_testing.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// `seconds` of 8 kHz sound that exercises every step: two voices of short
// tones over faint noise, a stretch 25 dB quieter (near the floor), one 45
// dB quieter (below it), a second of digital silence, and a steady tone
// (which whitening removes).
std::vector<float> Sound(double seconds, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> pitch(350, 3300), length(0.05, 0.3);
  std::normal_distribution<float> noise(0.0f, 0.003f);
  const size_t n = static_cast<size_t>(seconds * kAudioSampleRate);
  std::vector<float> x(n);
  for (float& v : x) v = noise(rng);
  for (int voice = 0; voice < 2; ++voice) {
    double t = 0;
    while (t < seconds) {
      const double f = pitch(rng), len = length(rng);
      const size_t a = static_cast<size_t>(t * kAudioSampleRate);
      const size_t b = std::min(n, static_cast<size_t>((t + len) * kAudioSampleRate));
      for (size_t i = a; i < b; ++i) {
        const double u = static_cast<double>(i - a) / (b - a);
        x[i] += static_cast<float>(0.2 * std::sin(std::numbers::pi * u) *
                                   std::sin(2 * std::numbers::pi * f * i / kAudioSampleRate));
      }
      t += len;
    }
  }
  auto span = [&](double from, double to) {
    return std::span<float>(x).subspan(std::min(n, static_cast<size_t>(from * seconds * kAudioSampleRate)),
                                       static_cast<size_t>((to - from) * seconds * kAudioSampleRate));
  };
  for (float& v : span(0.3, 0.4)) v *= 0.056f;  // -25 dB
  for (float& v : span(0.5, 0.55)) v *= 0.0056f;  // -45 dB
  for (float& v : span(0.6, 0.6 + 1.0 / seconds)) v = 0;
  std::span<float> steady = span(0.7, 0.8);
  for (size_t i = 0; i < steady.size(); ++i) {
    steady[i] = static_cast<float>(0.1 * std::sin(2 * std::numbers::pi * 1000.0 * i / kAudioSampleRate));
  }
  return x;
}

AudioPeaks Streamed(const std::vector<float>& x, size_t piece) {
  PeakStream stream;
  for (size_t at = 0; at < x.size(); at += piece) {
    stream.Add(std::span<const float>(x).subspan(at, std::min(piece, x.size() - at)));
  }
  return stream.Finish();
}

using testing::ExpectSamePeaks;

TEST(PeakStream, GivesTheWholeBufferPeaksBitForBitInPiecesOfAnySize) {
  const std::vector<float> x = Sound(75, 5);
  const AudioPeaks want = ComputePeaks(x);
  ASSERT_GT(want.peaks.size(), 400u);
  for (size_t piece : {size_t{1}, size_t{127}, size_t{128}, size_t{511}, size_t{4096},
                       size_t{65536}, x.size()}) {
    ExpectSamePeaks(want, Streamed(x, piece), "pieces of " + std::to_string(piece));
  }
}

TEST(PeakStream, GivesTheWholeBufferPeaksOnFlatTopsAndAtTheEdgesOfTheBand) {
  // A sound that repeats every hop (harmonics of 62.5 Hz) has the same
  // spectrum in every frame: level ties along time, which only the first
  // point of keeps; it is gated on and off so that whitening leaves peaks.
  // Tones on the first and the last bin kept put peaks at the band's edges,
  // where the maxima along frequency reach past the row.
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> amp(0.01, 0.1);
  std::vector<double> harmonic(56, 0.0);
  for (int k = 5; k < 56; k += 3) harmonic[k] = amp(rng);
  const size_t n = 30 * kAudioSampleRate;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / kAudioSampleRate;
    double v = 0;
    if (static_cast<int>(t * 2.5) % 2 == 0) {
      for (int k = 5; k < 56; ++k) v += harmonic[k] * std::sin(2 * std::numbers::pi * k * (i % 128) / 128.0);
    }
    const int edge_bin = static_cast<int>(t * 3) % 2 == 0 ? 20 : 219;
    if (static_cast<int>(t * 1.3) % 3 == 1) v += 0.3 * std::sin(2 * std::numbers::pi * edge_bin * i / 512.0);
    x[i] = static_cast<float>(v);
  }
  const AudioPeaks want = ComputePeaks(x);
  auto at_bin = [&](int bin) {
    return std::count_if(want.peaks.begin(), want.peaks.end(), [&](const Peak& p) { return p.bin == bin; });
  };
  EXPECT_GT(at_bin(20), 0);
  EXPECT_GT(at_bin(219), 0);
  for (size_t piece : {size_t{1}, size_t{300}, size_t{65536}}) {
    ExpectSamePeaks(want, Streamed(x, piece), "pieces of " + std::to_string(piece));
  }
}

TEST(PeakStream, GivesTheWholeBufferPeaksForSoundsShorterThanItsWindows) {
  // Shorter than a frame, than the peak neighbourhood, than the whitening
  // window, and just past it.
  const std::vector<float> x = Sound(5, 9);
  for (size_t n : {size_t{0}, size_t{300}, size_t{512}, size_t{900}, size_t{512 + 128 * 12},
                   size_t{512 + 128 * 100}, size_t{512 + 128 * 101}, size_t{512 + 128 * 230}}) {
    ASSERT_LE(n, x.size());
    const std::vector<float> head(x.begin(), x.begin() + n);
    for (size_t piece : {size_t{100}, size_t{4096}}) {
      ExpectSamePeaks(ComputePeaks(head), Streamed(head, piece),
                      std::to_string(n) + " samples in pieces of " + std::to_string(piece));
    }
  }
}

TEST(PeakStream, GivesTheWholeBufferPeaksAtOtherDensities) {
  const std::vector<float> x = Sound(20, 13);
  PeakStream stream(kQueryPeaksPerSecond);
  stream.Add(x);
  ExpectSamePeaks(ComputePeaks(x, kQueryPeaksPerSecond), stream.Finish(), "30 a second");
  // Finished once: a second call has nothing more to give (and does not
  // read what the first released).
  EXPECT_TRUE(stream.Finish().peaks.empty());
}

TEST(PeakStream, HoldsAFewMegabytesPerHourOfSound) {
  // Ten minutes, fed as a decoder would: what the stream keeps grows with
  // the sound by the per-frame levels and the candidate peaks only.
  const std::vector<float> minute = Sound(60, 17);
  PeakStream stream;
  for (int m = 0; m < 10; ++m) {
    for (size_t at = 0; at < minute.size(); at += 65536) {
      stream.Add(std::span<const float>(minute).subspan(at, std::min<size_t>(65536, minute.size() - at)));
    }
  }
  const double mb_per_hour = stream.growing_bytes() * 6.0 / 1e6;
  EXPECT_LT(mb_per_hour, 12.0);
  std::printf("holds %.1f MB per hour of sound\n", mb_per_hour);
  EXPECT_GT(stream.Finish().peaks.size(), 3000u);
}

// The sound of a recording file decoded whole and through ReadPeaks, as
// adding a recording reads it.
TEST(PeakStream, ReadsARecordingToTheSamePeaksAsDecodingItWhole) {
  testing::TempDir dir;
  const std::string path = dir.File("rec.m4a");
  ASSERT_EQ(testing::Ffmpeg(
                "-f lavfi -i \"aevalsrc=0.3*sin(2*PI*(400+mod(floor(t*6)*7919\\,2800))*t)"
                "+0.2*sin(2*PI*(500+mod(floor(t*4)*104729\\,2500))*t):s=16000:d=40\" "
                "-f lavfi -i anoisesrc=c=pink:a=0.05:r=16000:d=40 "
                "-filter_complex amix=inputs=2:normalize=0 -ac 1 -c:a aac -b:a 48k " + path),
            "");
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  auto samples = DecodeAudio(path, kAudioSampleRate);
  ASSERT_TRUE(samples.ok()) << samples.status();
  AudioPeaks want = ComputePeaks(*samples);
  {
    auto reader = AudioReader::Open(path, o);
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::vector<float> first;
    ASSERT_TRUE((*reader)->Read(&first, 1).ok());
    want.start_s = (*reader)->start_s();
  }
  ASSERT_GT(want.peaks.size(), 300u);
  for (size_t chunk : {size_t{1000}, size_t{4096}, size_t{65536}}) {
    auto reader = AudioReader::Open(path, o);
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto got = ReadPeaks(reader->get(), chunk);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSamePeaks(want, *got, "chunks of " + std::to_string(chunk));
  }
}

TEST(PeakStream, RefusesASoundNotReadAtTheFingerprintRate) {
  testing::TempDir dir;
  const std::string path = dir.File("tone.wav");
  ASSERT_EQ(testing::Ffmpeg("-f lavfi -i sine=f=440:d=1 " + path), "");
  AudioReadOptions o;
  o.sample_rate = 16000;
  auto reader = AudioReader::Open(path, o);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto got = ReadPeaks(reader->get());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("16000 Hz"), std::string::npos) << got.status();
}

}  // namespace
}  // namespace uncut

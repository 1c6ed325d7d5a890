// The short-time spectra sound fingerprints are made of (landmarks.h):
// 64 ms Hann-windowed frames of 8 kHz sound every hop, reduced to the powers
// of the kept band. Shared by the whole-buffer and the streaming peak
// finders so that both see bit-identical spectra.
#ifndef UNCUT_AUDIO_SPECTRUM_H_
#define UNCUT_AUDIO_SPECTRUM_H_

#include <fftw3.h>

#include <vector>

namespace uncut::audio_internal {

inline constexpr int kFrame = 512;     // 64 ms at 8 kHz
inline constexpr int kLowBin = 20;     // 312 Hz
inline constexpr int kHighBin = 220;   // 3437 Hz
inline constexpr int kBins = kHighBin - kLowBin;
inline constexpr int kPeakFreqRadius = 5;
inline constexpr int kPeakTimeRadius = 6;
// Each bin's long-term level is its mean over this many frames either side.
inline constexpr int kWhitenHalf = 100;
// Peaks more than this below the loud level of the sound are not kept.
inline constexpr float kPeakRangeDb = 30.0f;
// Whatever the loud level, the floor is no lower than this.
inline constexpr float kLowestFloorDb = -60.0f;
// The loud level is this percentile of the frames' highest levels.
inline constexpr int kLoudPercentile = 95;

// One FFTW plan with its aligned buffers, released together. Planning and
// destroying plans are serialised (FFTW's planner is not thread-safe);
// Compute may run on several instances at once.
class PowerSpectrum {
 public:
  PowerSpectrum();
  ~PowerSpectrum();
  PowerSpectrum(const PowerSpectrum&) = delete;
  PowerSpectrum& operator=(const PowerSpectrum&) = delete;

  // Fills power[0, kBins) with the powers of bins kLowBin.. of the kFrame
  // samples at `x`, windowed.
  void Compute(const float* x, float* power);

 private:
  float* in_ = nullptr;             // fftwf_alloc_real(kFrame)
  fftwf_complex* spec_ = nullptr;   // fftwf_alloc_complex(kFrame / 2 + 1)
  fftwf_plan plan_ = nullptr;
  std::vector<float> window_;
};

}  // namespace uncut::audio_internal

#endif  // UNCUT_AUDIO_SPECTRUM_H_

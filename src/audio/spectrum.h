// The short-time spectra sound fingerprints are made of (landmarks.h):
// 64 ms Hann-windowed frames of 8 kHz sound every hop, reduced to the powers
// of the kept band. Shared by the whole-buffer and the streaming peak
// finders so that both see bit-identical spectra.
#ifndef UNCUT_AUDIO_SPECTRUM_H_
#define UNCUT_AUDIO_SPECTRUM_H_

#include <fftw3.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

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

// Whitening sums each bin's levels over a window of frames. The sum is kept
// in integers, the levels quantized to 2^-16 dB (far below any difference
// that matters), so that it is exact: the mean at a frame depends only on
// the frames in its window, not on the order they were added and dropped
// in, and a piece of a long sound analysed on its own gets the same bits as
// the whole (audio/peak_chunks.h). A floating-point running sum would carry
// the rounding of every frame before.
inline constexpr float kLevelScale = 65536.0f;
inline int32_t QuantizedLevel(float db) {
  return std::isfinite(db) ? static_cast<int32_t>(std::lrintf(db * kLevelScale)) : 0;
}
// The mean of `n` quantized levels summing to `sum`, in dB.
inline float WindowMean(int64_t sum, size_t n) {
  return static_cast<float>(static_cast<double>(sum) / (static_cast<double>(n) * kLevelScale));
}

// Memory from fftwf_malloc (aligned for FFTW's SIMD code), freed with
// fftwf_free.
struct FftwFree {
  void operator()(void* p) const { fftwf_free(p); }
};
template <typename T>
using FftwBuffer = std::unique_ptr<T[], FftwFree>;

// An FFTW plan, destroyed under the planner's lock (FFTW's planner is not
// thread-safe; executing plans is).
struct FftwPlanDestroy {
  void operator()(fftwf_plan p) const;
};
using FftwPlan = std::unique_ptr<std::remove_pointer_t<fftwf_plan>, FftwPlanDestroy>;

// A real-input FFT of kFrame samples (an r2c plan made once, executed for
// every frame) with its aligned buffers. Compute may run on several
// instances at once; none allocates after construction.
class PowerSpectrum {
 public:
  PowerSpectrum();
  PowerSpectrum(const PowerSpectrum&) = delete;
  PowerSpectrum& operator=(const PowerSpectrum&) = delete;

  // Fills power[0, kBins) with the powers of bins kLowBin.. of the kFrame
  // samples at `x`, windowed.
  void Compute(const float* x, float* power);

 private:
  FftwBuffer<float> in_;             // kFrame windowed samples
  FftwBuffer<fftwf_complex> spec_;   // kFrame / 2 + 1 bins
  FftwBuffer<float> window_;         // kFrame Hann weights
  FftwPlan plan_;
};

}  // namespace uncut::audio_internal

#endif  // UNCUT_AUDIO_SPECTRUM_H_

#include "audio/spectrum.h"

#include <cmath>
#include <mutex>
#include <numbers>

namespace uncut::audio_internal {
namespace {

std::mutex& FftwPlannerMutex() {
  static std::mutex m;  // FFTW's planner is not thread-safe
  return m;
}

}  // namespace

PowerSpectrum::PowerSpectrum()
    : in_(fftwf_alloc_real(kFrame)), spec_(fftwf_alloc_complex(kFrame / 2 + 1)), window_(kFrame) {
  {
    std::lock_guard<std::mutex> lock(FftwPlannerMutex());
    plan_ = fftwf_plan_dft_r2c_1d(kFrame, in_, spec_, FFTW_ESTIMATE);
  }
  for (int i = 0; i < kFrame; ++i) {
    window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / (kFrame - 1)));
  }
}

PowerSpectrum::~PowerSpectrum() {
  if (plan_) {
    std::lock_guard<std::mutex> lock(FftwPlannerMutex());
    fftwf_destroy_plan(plan_);
  }
  fftwf_free(in_);
  fftwf_free(spec_);
}

void PowerSpectrum::Compute(const float* x, float* power) {
  for (int i = 0; i < kFrame; ++i) in_[i] = x[i] * window_[i];
  fftwf_execute(plan_);
  for (int b = 0; b < kBins; ++b) {
    float re = spec_[kLowBin + b][0], im = spec_[kLowBin + b][1];
    power[b] = re * re + im * im;
  }
}

}  // namespace uncut::audio_internal

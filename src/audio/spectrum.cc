#include "audio/spectrum.h"

#include <cmath>
#include <mutex>
#include <new>
#include <numbers>

namespace uncut::audio_internal {
namespace {

std::mutex& FftwPlannerMutex() {
  static std::mutex m;  // FFTW's planner is not thread-safe
  return m;
}

template <typename T>
FftwBuffer<T> AllocateFftw(size_t n) {
  FftwBuffer<T> p(static_cast<T*>(fftwf_malloc(n * sizeof(T))));
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void FftwPlanDestroy::operator()(fftwf_plan p) const {
  std::lock_guard<std::mutex> lock(FftwPlannerMutex());
  fftwf_destroy_plan(p);
}

PowerSpectrum::PowerSpectrum()
    : in_(AllocateFftw<float>(kFrame)),
      spec_(AllocateFftw<fftwf_complex>(kFrame / 2 + 1)),
      window_(AllocateFftw<float>(kFrame)) {
  {
    std::lock_guard<std::mutex> lock(FftwPlannerMutex());
    // FFTW_ESTIMATE: the same plan, hence the same bits, on every run
    // (a measured plan may differ from run to run).
    plan_.reset(fftwf_plan_dft_r2c_1d(kFrame, in_.get(), spec_.get(), FFTW_ESTIMATE));
  }
  if (!plan_) throw std::bad_alloc();
  for (int i = 0; i < kFrame; ++i) {
    window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / (kFrame - 1)));
  }
}

void PowerSpectrum::Compute(const float* x, float* power) {
  float* in = in_.get();
  const float* w = window_.get();
  for (int i = 0; i < kFrame; ++i) in[i] = x[i] * w[i];
  fftwf_execute(plan_.get());
  const fftwf_complex* s = spec_.get() + kLowBin;
  for (int b = 0; b < kBins; ++b) power[b] = s[b][0] * s[b][0] + s[b][1] * s[b][1];
}

}  // namespace uncut::audio_internal

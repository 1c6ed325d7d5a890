#include "audio/peak_stream.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

using audio_internal::kBins;
using audio_internal::kFrame;
using audio_internal::kLowBin;
using audio_internal::kPeakFreqRadius;
using audio_internal::kPeakTimeRadius;
using audio_internal::kWhitenHalf;

// Every step below repeats ComputePeaks's arithmetic in the same order
// (landmarks.cc), frame by frame instead of array by array: the peaks must
// be the same bits. uncut_audio_test compares the two.

namespace {

// Fills row[0, kBins) with the levels of `power` in dB; returns the highest.
float ToDecibels(const float* power, float* row) {
  float top = -std::numeric_limits<float>::infinity();
  for (int b = 0; b < kBins; ++b) {
    row[b] = 10.0f * std::log10(power[b] + 1e-10f);
    top = std::max(top, row[b]);
  }
  return top;
}

// out[b] = the maximum of in[b - r .. b + r] for b in [0, kBins), where
// `in` may be read from kPeakFreqRadius before its first bin to as far
// after its last. Written as one pass per offset so that each pass is a
// vector max.
void MaxAlongFrequency(const float* __restrict in, float* __restrict out) {
  const float* p = in - kPeakFreqRadius;
  for (int b = 0; b < kBins; ++b) out[b] = p[b];
  for (int k = 1; k <= 2 * kPeakFreqRadius; ++k) {
    for (int b = 0; b < kBins; ++b) out[b] = std::max(out[b], p[b + k]);
  }
}

// acc[b] = max(acc[b], row[b]) for b in [0, kBins).
void MaxInto(const float* __restrict row, float* __restrict acc) {
  for (int b = 0; b < kBins; ++b) acc[b] = std::max(acc[b], row[b]);
}

}  // namespace

PeakStream::PeakStream(int peaks_per_second, uint32_t first_frame)
    : peaks_per_second_(peaks_per_second),
      first_frame_(first_frame),
      raw_(kRawRows * kBins),
      levels_(kRawRows * kBins),
      white_(kWhiteRows * kWhiteStride, -std::numeric_limits<float>::infinity()),
      fmax_(kWhiteRows * kBins),
      sums_(kBins, 0),
      power_(kBins),
      time_max_(kBins),
      maybe_(kBins) {}

void PeakStream::Add(std::span<const float> samples) {
  const uint64_t first = samples_;  // the sound's index of samples[0]
  samples_ += samples.size();
  // The frames that start in the samples held from before, completed with
  // the first of these; the rest are read where they lie, and only what
  // the next frame needs of them is kept.
  if (!pending_.empty()) {
    const size_t held = pending_.size();
    const size_t head = std::min(samples.size(), static_cast<size_t>(kFrame));
    pending_.insert(pending_.end(), samples.begin(), samples.begin() + head);
    size_t at = 0;
    while (at < held && pending_.size() - at >= static_cast<size_t>(kFrame)) {
      AddFrame(pending_.data() + at);
      at += kAudioHop;
    }
    if (at < held) {  // too few samples for that frame yet (all of them appended)
      pending_.erase(pending_.begin(), pending_.begin() + at);
      return;
    }
    pending_.clear();
  }
  size_t at = static_cast<size_t>(frames_ * kAudioHop - first);
  while (at + kFrame <= samples.size()) {
    AddFrame(samples.data() + at);
    at += kAudioHop;
  }
  pending_.assign(samples.begin() + std::min(at, samples.size()), samples.end());
}

void PeakStream::AddFrame(const float* x) {
  fft_.Compute(x, power_.data());
  float* row = RawRow(frames_);
  frame_max_.push_back(ToDecibels(power_.data(), row));
  int32_t* levels = LevelRow(frames_);
  for (int b = 0; b < kBins; ++b) levels[b] = audio_internal::QuantizedLevel(row[b]);
  ++frames_;
  Advance(false);
}

void PeakStream::Advance(bool final) {
  // A frame is whitened once the 100 frames after it are known, and
  // searched once the 6 after it are whitened; at the end, all are.
  while (whitened_ < frames_ && (final || whitened_ + kWhitenHalf < frames_)) {
    WhitenFrame(whitened_++);
    while (searched_ + kPeakTimeRadius < whitened_) FindPeaks(searched_++);
  }
  if (final) {
    while (searched_ < whitened_) FindPeaks(searched_++);
  }
}

void PeakStream::WhitenFrame(size_t f) {
  // The window of frames [f - 100, f + 100], cut at the ends; each bin's
  // sum adds and drops frames in the order Whiten does.
  const size_t want_hi = std::min(frames_, f + kWhitenHalf + 1);
  const size_t want_lo = f > static_cast<size_t>(kWhitenHalf) ? f - kWhitenHalf : 0;
  int64_t* __restrict sums = sums_.data();
  for (; window_hi_ < want_hi; ++window_hi_) {
    const int32_t* __restrict r = LevelRow(window_hi_);
    for (int b = 0; b < kBins; ++b) sums[b] += r[b];
  }
  for (; window_lo_ < want_lo; ++window_lo_) {
    const int32_t* __restrict r = LevelRow(window_lo_);
    for (int b = 0; b < kBins; ++b) sums[b] -= r[b];
  }
  const size_t n = window_hi_ - window_lo_;
  const float* __restrict raw = RawRow(f);
  float* __restrict white = WhiteRow(f);
  for (int b = 0; b < kBins; ++b) white[b] = raw[b] - audio_internal::WindowMean(sums[b], n);
  MaxAlongFrequency(white, MaxRow(f));
}

void PeakStream::FindPeaks(size_t f) {
  // The floor is not known before the end, but it is never below
  // kLowestFloorDb: what lies below that can go at once, the rest waits.
  if (frame_max_[f] < audio_internal::kLowestFloorDb) return;
  const size_t f0 = f > static_cast<size_t>(kPeakTimeRadius) ? f - kPeakTimeRadius : 0;
  const size_t f1 = std::min(frames_ - 1, f + kPeakTimeRadius);
  const float* spec = WhiteRow(f);
  const float* raw = RawRow(f);
  // A point is a peak when nothing in its neighbourhood (the maxima along
  // frequency of the frames around) is higher: the neighbourhood's
  // maximum, row by row, then one test per bin, without branches; the
  // few bins that pass are looked at one by one.
  float* time_max = time_max_.data();
  std::copy_n(MaxRow(f0), kBins, time_max);
  for (size_t ff = f0 + 1; ff <= f1; ++ff) MaxInto(MaxRow(ff), time_max);
  int16_t* maybe = maybe_.data();
  int n = 0;
  for (int b = 0; b < kBins; ++b) {
    maybe[n] = static_cast<int16_t>(b);
    n += (spec[b] >= 3.0f) & (raw[b] >= audio_internal::kLowestFloorDb) & !(time_max[b] > spec[b]);
  }
  for (int i = 0; i < n; ++i) {
    const int b = maybe[i];
    const float v = spec[b];
    bool is_max = true;
    // Ties (a flat top) keep only the first point.
    for (size_t ff = f0; ff <= f && is_max; ++ff) {
      const float* row = WhiteRow(ff);
      for (int bb = std::max(0, b - kPeakFreqRadius); bb <= std::min(kBins - 1, b + kPeakFreqRadius); ++bb) {
        if ((ff < f || bb < b) && row[bb] == v) {
          is_max = false;
          break;
        }
      }
    }
    if (!is_max) continue;
    Peak peak{static_cast<uint32_t>(f + first_frame_), static_cast<uint16_t>(b + kLowBin), v};
    if (f > 0 && f + 1 < frames_) {
      const float a = WhiteRow(f - 1)[b], c = WhiteRow(f + 1)[b];
      const float den = a - 2 * v + c;
      if (den < 0) {
        const float delta = std::clamp(0.5f * (a - c) / den, -0.5f, 0.4375f);
        peak.sub = static_cast<int8_t>(std::lround(delta * 16));
        peak.level = v - 0.25f * (a - c) * delta;
      }
    }
    candidates_.push_back({peak, raw[b]});
  }
}

AudioPeaks PeakStream::Finish() {
  if (finished_) return AudioPeaks{samples_ / static_cast<double>(kAudioSampleRate)};
  std::vector<PeakPart> parts;
  parts.push_back(FinishPart(first_frame_, UINT32_MAX));
  return MergePeakParts(std::move(parts), samples_, peaks_per_second_);
}

PeakPart PeakStream::FinishPart(uint32_t from, uint32_t to) {
  PeakPart part;
  if (finished_) return part;
  finished_ = true;
  if (frames_ > 0) Advance(true);
  const size_t lo = std::clamp<size_t>(from, first_frame_, first_frame_ + frames_) - first_frame_;
  const size_t hi = std::clamp<size_t>(to, first_frame_ + lo, first_frame_ + frames_) - first_frame_;
  part.first_frame = static_cast<uint32_t>(first_frame_ + lo);
  if (lo == 0 && hi == frames_) {
    part.frame_max = std::move(frame_max_);
  } else {
    part.frame_max.assign(frame_max_.begin() + lo, frame_max_.begin() + hi);
  }
  for (const Candidate& c : candidates_) {
    if (c.peak.frame >= first_frame_ + lo && c.peak.frame < first_frame_ + hi) {
      part.candidates.push_back(c);
    }
  }
  std::vector<Candidate>().swap(candidates_);
  std::vector<float>().swap(frame_max_);
  return part;
}

AudioPeaks MergePeakParts(std::vector<PeakPart> parts, uint64_t samples, int peaks_per_second) {
  AudioPeaks out;
  out.duration_s = samples / static_cast<double>(kAudioSampleRate);
  std::vector<float> frame_max;
  size_t candidates = 0;
  for (const PeakPart& p : parts) {
    frame_max.insert(frame_max.end(), p.frame_max.begin(), p.frame_max.end());
    candidates += p.candidates.size();
  }
  if (frame_max.empty()) return out;
  const uint32_t first = parts.front().first_frame;
  std::vector<float> sorted = frame_max;
  const size_t at = sorted.size() * audio_internal::kLoudPercentile / 100;
  std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
  const float loud = sorted[at];
  const float silence_floor = std::max(loud - audio_internal::kPeakRangeDb, audio_internal::kLowestFloorDb);
  std::vector<float>().swap(sorted);
  out.peaks.reserve(candidates);
  for (PeakPart& p : parts) {
    for (const PeakCandidate& c : p.candidates) {
      if (frame_max[c.peak.frame - first] < silence_floor || c.raw < silence_floor) continue;
      out.peaks.push_back(c.peak);
    }
    std::vector<PeakCandidate>().swap(p.candidates);
  }
  return ThinPeaks(out, peaks_per_second);
}

size_t PeakStream::growing_bytes() const {
  return frame_max_.capacity() * sizeof(float) + candidates_.capacity() * sizeof(Candidate);
}

absl::StatusOr<AudioPeaks> ReadPeaks(AudioReader* reader, size_t chunk) {
  if (reader->sample_rate() != kAudioSampleRate) {
    return absl::InvalidArgumentError(StrCat(reader->path(), ": sound read at ",
                                             reader->sample_rate(), " Hz, not ",
                                             kAudioSampleRate, " Hz"));
  }
  PeakStream stream;
  std::vector<float> samples;
  samples.reserve(chunk + 8192);
  while (true) {
    samples.clear();
    ASSIGN_OR_RETURN(bool more, reader->Read(&samples, chunk));
    stream.Add(samples);
    if (!more) break;
  }
  AudioPeaks peaks = stream.Finish();
  peaks.start_s = reader->start_s();
  return peaks;
}

}  // namespace uncut

#include "audio/landmarks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio/spectrum.h"

namespace uncut {
namespace {

using audio_internal::kBins;
using audio_internal::kFrame;
using audio_internal::kHighBin;
using audio_internal::kLowBin;
using audio_internal::kPeakFreqRadius;
using audio_internal::kPeakRangeDb;
using audio_internal::kPeakTimeRadius;
constexpr int kMaxDf = 64;
// A time step within this many hops of the middle between two whole hops is
// looked up under both.
constexpr double kStepMargin = 0.1;

// Calls fn(frame, power) for each 64 ms frame every hop, `power` holding the
// kBins powers of the kept band. Returns the number of frames.
template <typename Fn>
size_t ForEachPowerSpectrum(const std::vector<float>& x, Fn fn) {
  const size_t frames =
      x.size() >= static_cast<size_t>(kFrame) ? (x.size() - kFrame) / kAudioHop + 1 : 0;
  if (frames == 0) return 0;
  audio_internal::PowerSpectrum fft;
  float power[kBins];
  for (size_t f = 0; f < frames; ++f) {
    fft.Compute(x.data() + f * kAudioHop, power);
    fn(f, power);
  }
  return frames;
}

// Appends one frame of the loudness contour, from that frame's powers.
void AddContourFrame(const float* power, LoudnessContour* c) {
  // Band edges in FFT bins (15.6 Hz), about half an octave apart over the kept band.
  static constexpr int kEdges[kContourBands + 1] = {kLowBin, 29, 42, 61, 90, 134, kHighBin};
  for (int k = 0; k < kContourBands; ++k) {
    float sum = 0;
    for (int b = kEdges[k]; b < kEdges[k + 1]; ++b) sum += power[b - kLowBin];
    c->db.push_back(10.0f * std::log10(sum + 1e-10f));
  }
  ++c->frames;
}

// Log-magnitude spectrogram of the kept band, frames x kBins; with
// `contour`, the loudness contour too, from the same spectra.
std::vector<float> Spectrogram(const std::vector<float>& x, size_t* frames,
                               LoudnessContour* contour) {
  std::vector<float> out;
  out.reserve((x.size() / kAudioHop + 1) * kBins);
  *frames = ForEachPowerSpectrum(x, [&](size_t, const float* power) {
    for (int b = 0; b < kBins; ++b) out.push_back(10.0f * std::log10(power[b] + 1e-10f));
    if (contour) AddContourFrame(power, contour);
  });
  return out;
}

// Subtracts each bin's running mean over about +-1.6 s (whitening).
void Whiten(std::vector<float>* spec, size_t frames) {
  constexpr int kHalf = audio_internal::kWhitenHalf;
  std::vector<float> col(frames);
  for (int b = 0; b < kBins; ++b) {
    int64_t sum = 0;  // exact (see audio_internal::QuantizedLevel)
    size_t lo = 0, hi = 0;  // window [lo, hi)
    for (size_t f = 0; f < frames; ++f) {
      size_t want_hi = std::min(frames, f + kHalf + 1), want_lo = f > kHalf ? f - kHalf : 0;
      for (; hi < want_hi; ++hi) sum += audio_internal::QuantizedLevel((*spec)[hi * kBins + b]);
      for (; lo < want_lo; ++lo) sum -= audio_internal::QuantizedLevel((*spec)[lo * kBins + b]);
      col[f] = (*spec)[f * kBins + b] - audio_internal::WindowMean(sum, hi - lo);
    }
    for (size_t f = 0; f < frames; ++f) (*spec)[f * kBins + b] = col[f];
  }
}

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

}  // namespace

LoudnessContour ComputeLoudnessContour(const std::vector<float>& samples) {
  LoudnessContour out;
  out.db.reserve((samples.size() / kAudioHop + 1) * kContourBands);
  ForEachPowerSpectrum(samples, [&](size_t, const float* power) { AddContourFrame(power, &out); });
  return out;
}

AudioPeaks ComputePeaks(const std::vector<float>& samples, int peaks_per_second,
                        LoudnessContour* contour) {
  AudioPeaks out;
  out.duration_s = samples.size() / static_cast<double>(kAudioSampleRate);
  size_t frames = 0;
  std::vector<float> spec = Spectrogram(samples, &frames, contour);
  if (frames == 0) return out;
  // Silence has no peaks, and neither have the quiet parts of a sound: a
  // floor relative to the loudest frames. Lossy codecs drop, and noise
  // covers, what is far below the loud parts first; peaks there would be
  // the first lost in a copy.
  std::vector<float> raw_max(frames);
  for (size_t f = 0; f < frames; ++f) {
    raw_max[f] = *std::max_element(&spec[f * kBins], &spec[f * kBins] + kBins);
  }
  std::vector<float> sorted = raw_max;
  const size_t at = sorted.size() * audio_internal::kLoudPercentile / 100;
  std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
  const float loud = sorted[at];
  const float silence_floor = std::max(loud - kPeakRangeDb, audio_internal::kLowestFloorDb);
  std::vector<float> raw = spec;
  Whiten(&spec, frames);
  // Local maxima over (2 * kPeakTimeRadius + 1) frames x (2 * kPeakFreqRadius
  // + 1) bins, with a separable max filter: first along frequency, then
  // along time.
  std::vector<float> fmax(spec.size());
  for (size_t f = 0; f < frames; ++f) {
    const float* row = &spec[f * kBins];
    float* out = &fmax[f * kBins];
    for (int b = 0; b < kBins; ++b) {
      float m = row[b];
      for (int bb = std::max(0, b - kPeakFreqRadius); bb <= std::min(kBins - 1, b + kPeakFreqRadius); ++bb) {
        m = std::max(m, row[bb]);
      }
      out[b] = m;
    }
  }
  std::vector<Peak> candidates;
  for (size_t f = 0; f < frames; ++f) {
    if (raw_max[f] < silence_floor) continue;
    size_t f0 = f > static_cast<size_t>(kPeakTimeRadius) ? f - kPeakTimeRadius : 0;
    size_t f1 = std::min(frames - 1, f + kPeakTimeRadius);
    for (int b = 0; b < kBins; ++b) {
      float v = spec[f * kBins + b];
      if (v < 3.0f || raw[f * kBins + b] < silence_floor || fmax[f * kBins + b] > v) continue;
      bool is_max = true;
      for (size_t ff = f0; ff <= f1 && is_max; ++ff) {
        if (ff != f && fmax[ff * kBins + b] > v) is_max = false;
      }
      if (!is_max) continue;
      // Ties (a flat top) keep only the first point.
      for (size_t ff = f0; ff <= f && is_max; ++ff) {
        for (int bb = std::max(0, b - kPeakFreqRadius); bb <= std::min(kBins - 1, b + kPeakFreqRadius); ++bb) {
          if ((ff < f || bb < b) && spec[ff * kBins + bb] == v) {
            is_max = false;
            break;
          }
        }
      }
      if (!is_max) continue;
      Peak peak{static_cast<uint32_t>(f), static_cast<uint16_t>(b + kLowBin), v};
      if (f > 0 && f + 1 < frames) {
        const float a = spec[(f - 1) * kBins + b], c = spec[(f + 1) * kBins + b];
        const float den = a - 2 * v + c;
        if (den < 0) {
          const float delta = std::clamp(0.5f * (a - c) / den, -0.5f, 0.4375f);
          peak.sub = static_cast<int8_t>(std::lround(delta * 16));
          // The parabola's top: the peak's level whatever the sampling phase
          // (the thinning below ranks by it).
          peak.level = v - 0.25f * (a - c) * delta;
        }
      }
      candidates.push_back(peak);
    }
  }
  out.peaks = std::move(candidates);
  return ThinPeaks(out, peaks_per_second);
}

AudioPeaks ThinPeaks(const AudioPeaks& in, int per_second) {
  AudioPeaks out;
  out.duration_s = in.duration_s;
  out.start_s = in.start_s;
  const uint32_t per_block = static_cast<uint32_t>(1.0 / kAudioFrameS);
  const auto& pk = in.peaks;
  std::vector<Peak> blk;
  size_t i = 0;
  while (i < pk.size()) {
    uint32_t block = pk[i].frame / per_block;
    size_t j = i;
    while (j < pk.size() && pk[j].frame / per_block == block) ++j;
    blk.assign(pk.begin() + i, pk.begin() + j);
    if (blk.size() > static_cast<size_t>(per_second)) {
      std::nth_element(blk.begin(), blk.begin() + per_second, blk.end(),
                       [](const Peak& a, const Peak& b) { return a.level > b.level; });
      blk.resize(per_second);
      std::sort(blk.begin(), blk.end(), [](const Peak& a, const Peak& b) {
        return a.frame != b.frame ? a.frame < b.frame : a.bin < b.bin;
      });
    }
    out.peaks.insert(out.peaks.end(), blk.begin(), blk.end());
    i = j;
  }
  return out;
}

namespace {

// Calls fn(landmark) for each landmark of `p` (see MakeLandmarks), in order.
template <typename Fn>
void ForEachLandmark(const AudioPeaks& p, int fan_out, Fn fn) {
  const auto& pk = p.peaks;
  std::vector<size_t> targets;
  for (size_t i = 0; i < pk.size(); ++i) {
    targets.clear();
    for (size_t j = i + 1; j < pk.size() && targets.size() < static_cast<size_t>(fan_out); ++j) {
      int dt = static_cast<int>(pk[j].frame) - static_cast<int>(pk[i].frame);
      if (dt < kMinDt) continue;
      if (dt > kMaxDt) break;
      int df = static_cast<int>(pk[j].bin) - static_cast<int>(pk[i].bin);
      if (std::abs(df) > kMaxDf) continue;
      targets.push_back(j);
    }
    for (size_t a = 0; a < targets.size(); ++a) {
      for (size_t b = a + 1; b < targets.size(); ++b) {
        const Peak& t1 = pk[targets[a]];
        const Peak& t2 = pk[targets[b]];
        fn(Landmark{pk[i].frame, pk[i].bin, static_cast<int16_t>(t1.bin - pk[i].bin),
                    static_cast<int16_t>(t2.bin - pk[i].bin),
                    static_cast<float>(t1.time() - pk[i].time()),
                    static_cast<float>(t2.time() - pk[i].time())});
      }
    }
  }
}

}  // namespace

std::vector<Landmark> MakeLandmarks(const AudioPeaks& p, int fan_out) {
  std::vector<Landmark> out;
  out.reserve(p.peaks.size() * fan_out * (fan_out - 1) / 2);
  ForEachLandmark(p, fan_out, [&](const Landmark& l) { out.push_back(l); });
  return out;
}

uint64_t LandmarkKey(uint16_t f1, int16_t df1, int16_t df2, uint16_t dt1, uint16_t dt2) {
  // Frequencies in pairs of bins (31 Hz): a one-bin wobble from re-encoding
  // rarely moves a peak across a pair.
  uint64_t fq = static_cast<uint64_t>(f1 - kLowBin) / 2;
  uint64_t d1 = static_cast<uint64_t>(df1 + kMaxDf + 1) / 2;
  uint64_t d2 = static_cast<uint64_t>(df2 + kMaxDf + 1) / 2;
  return (fq << 26) | (d1 << 19) | (d2 << 12) | (static_cast<uint64_t>(dt1) << 6) | dt2;
}

void ProbeKeys(const Landmark& l, double speed_min, double speed_max, double speed_step,
               std::vector<LandmarkProbe>* out) {
  // The time steps a landmark's key may hold at speed f: the nearest whole
  // hops, and the next nearest too when the step lies near the middle
  // between two (peak times wobble by a fraction of a hop).
  auto near = [](double x, int* v) {
    const int r = static_cast<int>(std::lround(x));
    v[0] = r;
    const double d = x - r;
    if (std::abs(d) <= 0.5 - kStepMargin) return 1;
    v[1] = d > 0 ? r + 1 : r - 1;
    return 2;
  };
  struct Combo {
    int d1, d2;
    double lo, hi;
  };
  std::vector<Combo> combos;
  for (double f = speed_min; f <= speed_max + 1e-9; f += speed_step) {
    int v1[2], v2[2];
    const int n1 = near(l.dt1 * f, v1), n2 = near(l.dt2 * f, v2);
    for (int a = 0; a < n1; ++a) {
      for (int b = 0; b < n2; ++b) {
        if (v1[a] < kMinDt - 1 || v2[b] > kMaxDt + 1) continue;
        auto it = std::find_if(combos.begin(), combos.end(),
                               [&](const Combo& c) { return c.d1 == v1[a] && c.d2 == v2[b]; });
        if (it == combos.end()) {
          combos.push_back({v1[a], v2[b], f, f});
        } else {
          it->hi = f;
        }
      }
    }
  }
  for (const Combo& c : combos) {
    out->push_back({LandmarkKey(l.f1, l.df1, l.df2, static_cast<uint16_t>(c.d1), static_cast<uint16_t>(c.d2)),
                    static_cast<float>(c.lo - speed_step / 2), static_cast<float>(c.hi + speed_step / 2)});
  }
}

std::vector<Posting> AudioPostings(const AudioPeaks& peaks) {
  // Straight from the peaks, without the landmarks in between (a long
  // recording's would take as much memory as its postings).
  size_t n = 0;
  ForEachLandmark(peaks, kIndexFanOut, [&](const Landmark&) { ++n; });
  std::vector<Posting> out;
  out.reserve(n);
  ForEachLandmark(peaks, kIndexFanOut, [&](const Landmark& l) {
    out.push_back({LandmarkKey(l.f1, l.df1, l.df2, static_cast<uint16_t>(std::lround(l.dt1)),
                               static_cast<uint16_t>(std::lround(l.dt2))),
                   0, l.frame});
  });
  return out;
}

std::string AudioPeaks::Serialize() const {
  std::string out = kAudioPeaksMagic;
  Put(&out, duration_s);
  Put(&out, start_s);
  Put(&out, static_cast<uint64_t>(peaks.size()));
  uint32_t prev = 0;
  for (const Peak& p : peaks) {
    // Frame deltas as varints, bins as one byte (offset from the low bin).
    uint32_t d = p.frame - prev;
    prev = p.frame;
    while (d >= 0x80) {
      out.push_back(static_cast<char>(d | 0x80));
      d >>= 7;
    }
    out.push_back(static_cast<char>(d));
    out.push_back(static_cast<char>(p.bin - kLowBin));
    out.push_back(static_cast<char>(p.sub));
  }
  return out;
}

absl::StatusOr<AudioPeaks> AudioPeaks::Parse(std::string_view b) {
  // UAP1: peaks without their place between hops (written before sub-hop
  // times were kept); UAP2 adds one byte per peak.
  if (b.size() < 28 || (b.substr(0, 4) != "UAP1" && b.substr(0, 4) != "UAP2")) {
    return absl::DataLossError("audio peaks: bad header");
  }
  const bool with_sub = b[3] == '2';
  AudioPeaks p;
  uint64_t n;
  std::memcpy(&p.duration_s, b.data() + 4, 8);
  std::memcpy(&p.start_s, b.data() + 12, 8);
  std::memcpy(&n, b.data() + 20, 8);
  size_t i = 28;
  uint32_t frame = 0;
  p.peaks.reserve(n);
  for (uint64_t k = 0; k < n; ++k) {
    uint32_t d = 0;
    for (int shift = 0;; shift += 7) {
      if (i >= b.size() || shift > 28) return absl::DataLossError("audio peaks: truncated");
      uint8_t c = static_cast<uint8_t>(b[i++]);
      d |= static_cast<uint32_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
    }
    if (i >= b.size()) return absl::DataLossError("audio peaks: truncated");
    frame += d;
    Peak peak{frame, static_cast<uint16_t>(static_cast<uint8_t>(b[i++]) + kLowBin), 0};
    if (with_sub) {
      if (i >= b.size()) return absl::DataLossError("audio peaks: truncated");
      peak.sub = static_cast<int8_t>(b[i++]);
    }
    p.peaks.push_back(peak);
  }
  return p;
}

}  // namespace uncut

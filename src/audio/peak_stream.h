// Spectral peaks of a sound of any length, fed in pieces as it is decoded.
//
// ComputePeaks (landmarks.h) holds the whole sound and its spectrogram
// several times over: about 660 MB per hour of sound. PeakStream gives
// bit-identical peaks holding only a window of spectra around the frame it
// is at (the whitening's +-1.6 s and the peak neighbourhood: 256 + 32 rows
// of 200 bins, about 0.25 MB) whatever the length, plus what grows with the
// sound, per hour:
//   - the loudest level of each frame, 4 bytes: 0.9 MB (225,000 frames).
//     The floor below which peaks are dropped is relative to the sound's
//     95th-percentile frame level, known only at its end;
//   - the candidate peaks (local maxima of the whitened spectrum, before
//     that floor and the per-second thinning), 20 bytes each: about 4 MB
//     for speech or music (50-60 a second), 21 MB at most (no two lie
//     within 7 frames and 6 bins of each other);
//   - the peaks kept, 16 bytes each, 24 a block of 62 hops at most: 1.4 MB.
// The index entries made from the peaks (AudioPostings: up to 6 a peak, 16
// bytes each, so at most 8.4 MB an hour) and the stored peaks (3 bytes a
// peak, 0.26 MB an hour) are the output itself.
#ifndef UNCUT_AUDIO_PEAK_STREAM_H_
#define UNCUT_AUDIO_PEAK_STREAM_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "audio/landmarks.h"
#include "audio/spectrum.h"
#include "decode/audio_reader.h"

namespace uncut {

// What peak finding knows of a stretch of frames before the end of the
// sound: the local maxima (before the floor, which depends on the whole
// sound, and the per-second thinning) and each frame's highest level.
struct PeakCandidate {
  Peak peak;
  float raw;  // the unwhitened level at the peak, tested against the floor
};
struct PeakPart {
  uint32_t first_frame = 0;        // frames [first_frame, first_frame + frame_max.size())
  std::vector<float> frame_max;    // each frame's highest level
  std::vector<PeakCandidate> candidates;  // ordered by frame, then bin
};

// The peaks of a sound from the parts covering its frames, in order and
// without gaps (PeakStream::FinishPart), and its length in samples: what
// PeakStream::Finish gives for the whole sound.
AudioPeaks MergePeakParts(std::vector<PeakPart> parts, uint64_t samples, int peaks_per_second);

class PeakStream {
 public:
  // Samples fed start at sample first_frame * kAudioHop of the sound; the
  // peaks' frames count from the sound's start.
  explicit PeakStream(int peaks_per_second = kIndexPeaksPerSecond, uint32_t first_frame = 0);
  PeakStream(const PeakStream&) = delete;
  PeakStream& operator=(const PeakStream&) = delete;

  // Feeds the next samples of the sound (8 kHz mono), in pieces of any size.
  void Add(std::span<const float> samples);
  // Ends the sound. Returns what ComputePeaks(all the samples,
  // peaks_per_second) returns (start_s is left 0). Call once: later calls
  // return no peaks.
  AudioPeaks Finish();
  // Ends the samples fed and returns what was found of frames [from, to)
  // (clipped to the frames fed). The frames' whitening windows and peak
  // neighbourhoods are the whole sound's when the samples fed reach
  // kWhitenHalf + kPeakTimeRadius frames (and a frame's length) beyond
  // them on either side, or the sound's ends: then MergePeakParts of such
  // parts of one sound equals Finish on the whole. Call once, instead of
  // Finish.
  PeakPart FinishPart(uint32_t from, uint32_t to);
  // Samples fed so far.
  uint64_t samples() const { return samples_; }

  // Bytes held now that grow with the sound's length (see the header).
  size_t growing_bytes() const;

 private:
  // Frames of spectra held: the whitening reads 100 frames either side of
  // the one it whitens, and peak finding runs 6 frames behind it.
  static constexpr size_t kRawRows = 256;
  static constexpr size_t kWhiteRows = 16;
  // Whitened rows carry kPeakFreqRadius bins of -infinity either side, so
  // that the maximum along frequency reads whole rows without bounds tests.
  static constexpr size_t kWhiteStride = audio_internal::kBins + 2 * audio_internal::kPeakFreqRadius;
  using Candidate = PeakCandidate;

  float* RawRow(size_t frame) { return &raw_[(frame % kRawRows) * audio_internal::kBins]; }
  int32_t* LevelRow(size_t frame) { return &levels_[(frame % kRawRows) * audio_internal::kBins]; }
  float* WhiteRow(size_t frame) {
    return &white_[(frame % kWhiteRows) * kWhiteStride + audio_internal::kPeakFreqRadius];
  }
  float* MaxRow(size_t frame) { return &fmax_[(frame % kWhiteRows) * audio_internal::kBins]; }
  // Adds the frame of kFrame samples at `x` (the next one).
  void AddFrame(const float* x);
  // Whitens and finds peaks as far as the frames seen so far allow (all of
  // them when `final`).
  void Advance(bool final);
  void WhitenFrame(size_t f);
  void FindPeaks(size_t f);

  const int peaks_per_second_;
  const uint32_t first_frame_;
  audio_internal::PowerSpectrum fft_;
  std::vector<float> pending_;  // samples from frame frames_'s start on
  uint64_t samples_ = 0;
  size_t frames_ = 0;           // frames whose spectra were computed
  size_t whitened_ = 0;         // frames whitened
  size_t searched_ = 0;         // frames searched for peaks
  std::vector<float> raw_;      // kRawRows x kBins log powers
  std::vector<int32_t> levels_;  // kRawRows x kBins raw_ quantized (QuantizedLevel)
  std::vector<float> white_;    // kWhiteRows x kWhiteStride whitened log powers
  std::vector<float> fmax_;     // kWhiteRows x kBins maxima along frequency
  std::vector<int64_t> sums_;   // per bin: sum of the window of levels_ rows
  size_t window_lo_ = 0, window_hi_ = 0;  // that window, [lo, hi)
  std::vector<float> frame_max_;          // each frame's highest level
  std::vector<Candidate> candidates_;
  // Per-frame scratch, kept to allocate nothing per frame.
  std::vector<float> power_;      // kBins powers of the frame being added
  std::vector<float> time_max_;   // kBins maxima over the peak neighbourhood
  std::vector<int16_t> maybe_;    // bins that may hold a peak
  bool finished_ = false;
};

// Reads the rest of `reader`'s sound (opened at kAudioSampleRate) and
// returns its peaks at the index's density, with start_s set, holding
// about `chunk` samples at a time.
absl::StatusOr<AudioPeaks> ReadPeaks(AudioReader* reader, size_t chunk = 65536);

}  // namespace uncut

#endif  // UNCUT_AUDIO_PEAK_STREAM_H_

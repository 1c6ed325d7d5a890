// Audio fingerprints: spectral peaks and landmark triplets.
//
// After Wang, "An Industrial-Strength Audio Search Algorithm" (ISMIR 2003):
// the sound is resampled to 8 kHz mono and cut into 64 ms frames every
// 16 ms; the band kept is 300-3400 Hz, where speech lives and which
// survives telephone lines, low-bitrate codecs and cheap speakers. Each
// frequency's long-term level is subtracted first (a running mean), so
// equalisation and band limits move levels but not peaks. Peaks are local
// maxima of the spectrogram no more than 30 dB below the sound's loud
// level, thinned to the strongest few per second; each peak's time is
// refined between hops by a parabola, so two copies cut at different
// sampling phases agree on it to about a tenth of a hop.
//
// Landmarks combine three peaks, as Panako does (Six and Leman, "Panako - a
// scalable acoustic fingerprinting system handling time-scale and pitch
// modification", ISMIR 2014): an anchor and two of the peaks that follow it
// closely, keyed by the anchor's frequency, the two frequency steps and the
// two time steps. At 1,000 hours a pair key (Wang's) is shared by about two
// thousand postings, a triplet key by a handful, so a lookup reads almost
// only true matches.
//
// Playback speed changes that keep the pitch (time-stretching, as a "1.05x"
// player does) scale the time steps only; the query side therefore probes
// each landmark with its time steps scaled over the speed range, instead of
// quantising coarsely (Panako makes the hash itself time-scale invariant,
// at the cost of coarser keys).
#ifndef UNCUT_AUDIO_LANDMARKS_H_
#define UNCUT_AUDIO_LANDMARKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "index/posting.h"

namespace uncut {

// The sound index: landmark triplets. Archives written before triplets hold
// pair landmarks under kLegacyAudioModality, which is no longer read
// (UpgradeSoundIndex in ingest/media_ingest.h re-derives them).
inline constexpr char kAudioModality[] = "audio-triplets";
inline constexpr char kLegacyAudioModality[] = "audio";
inline constexpr char kAudioPeaksBlob[] = "audio.peaks";
// The header of peaks as this version writes them (with sub-hop times and
// the 30 dB floor); "UAP1" peaks came with pair landmarks.
inline constexpr char kAudioPeaksMagic[] = "UAP2";

inline constexpr int kAudioSampleRate = 8000;
inline constexpr int kAudioHop = 128;                  // samples: 16 ms
inline constexpr double kAudioFrameS = kAudioHop / double(kAudioSampleRate);

struct Peak {
  uint32_t frame;  // hop index
  uint16_t bin;    // FFT bin (15.6 Hz)
  float level;     // whitened log magnitude
  // Where between hops the peak lies, in sixteenths of a hop, -8..7 (from
  // a parabola through the peak's frame and its neighbours). Two copies of
  // a sound cut at different points are sampled at different phases of the
  // hop, and a peak's frame then moves by one in about half the cases; the
  // interpolated time moves by a fraction of that.
  int8_t sub = 0;

  // The peak's time in hops.
  double time() const { return frame + sub / 16.0; }
};

struct AudioPeaks {
  double duration_s = 0;
  double start_s = 0;  // time of sample 0 in the file's time line
  std::vector<Peak> peaks;  // ordered by frame, then bin

  std::string Serialize() const;
  static absl::StatusOr<AudioPeaks> Parse(std::string_view bytes);
};

// The level of the sound in a few bands of the kept range, every hop: what
// the ends of a match are refined with where peaks cannot place a cut (a
// pause, a breath, the room; a codec that replaced the fine spectrum): a
// copy's contour follows the source's even where its peaks are gone.
inline constexpr int kContourBands = 6;
struct LoudnessContour {
  size_t frames = 0;
  std::vector<float> db;  // frames x kContourBands, in dB

  const float* frame(size_t f) const { return &db[f * kContourBands]; }
};
LoudnessContour ComputeLoudnessContour(const std::vector<float>& samples);

inline constexpr int kIndexPeaksPerSecond = 24, kQueryPeaksPerSecond = 30;
// Computes the peaks of 8 kHz mono samples, keeping the strongest
// `peaks_per_second` in each second. The index keeps 24 a second; a clip's
// sound is looked up with more (30), so that a source peak that only just
// made the cut is still among the clip's when a copy's noise or codec has
// weakened it a little.
// With `contour`, also fills the sound's loudness contour from the same
// spectra (a clip needs both).
AudioPeaks ComputePeaks(const std::vector<float>& samples,
                        int peaks_per_second = kIndexPeaksPerSecond,
                        LoudnessContour* contour = nullptr);

// The strongest `per_second` of `peaks` in each second (the peaks that
// ComputePeaks would have kept at that density).
AudioPeaks ThinPeaks(const AudioPeaks& peaks, int per_second);

// A landmark is a triplet of peaks: an anchor and two of the peaks that
// follow it closely in time and frequency. Three peaks carry about twice the
// information of a pair, so a key of the index is shared by far fewer
// postings (at 1,000 hours, a handful rather than thousands): a lookup
// reads almost only true matches. A triplet survives degradation less often
// than a pair (all three peaks must), which the query side makes up for by
// forming more triplets than the index (a wider fan-out: when a peak of the
// source is lost in the clip, or an extra one appears, the source's triplet
// is still among the clip's).
struct Landmark {
  uint32_t frame;     // anchor time
  uint16_t f1;        // anchor bin
  int16_t df1, df2;   // target bins - anchor bin
  float dt1, dt2;     // target times - anchor time, in hops (targets in peak order)
};

// Landmarks with each anchor paired with up to `fan_out` following peaks,
// every two of them making a triplet.
inline constexpr int kIndexFanOut = 4, kQueryFanOut = 7;
std::vector<Landmark> MakeLandmarks(const AudioPeaks& peaks, int fan_out);

// The index key of a landmark with time steps dt1, dt2 (possibly rescaled).
uint64_t LandmarkKey(uint16_t f1, int16_t df1, int16_t df2, uint16_t dt1, uint16_t dt2);
inline constexpr int kMinDt = 2, kMaxDt = 40;

// The keys under which a landmark of a clip played at a speed in
// [speed_min, speed_max] (relative to its source) is indexed: time steps
// scale with speed, frequencies do not (time-stretching keeps the pitch).
// Each key stands for the speeds that round to it, [speed_lo, speed_hi].
struct LandmarkProbe {
  uint64_t key;
  float speed_lo, speed_hi;
};
void ProbeKeys(const Landmark& l, double speed_min, double speed_max, double speed_step,
               std::vector<LandmarkProbe>* out);

std::vector<Posting> AudioPostings(const AudioPeaks& peaks);

}  // namespace uncut

#endif  // UNCUT_AUDIO_LANDMARKS_H_

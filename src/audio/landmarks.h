// Audio fingerprints: spectral peaks and landmark pairs.
//
// After Wang, "An Industrial-Strength Audio Search Algorithm" (ISMIR 2003):
// the sound is resampled to 8 kHz mono and cut into 64 ms frames every
// 16 ms; the band kept is 300-3400 Hz, where speech lives and which
// survives telephone lines, low-bitrate codecs and cheap speakers. Each
// frequency's long-term level is subtracted first (a running mean), so
// equalisation and band limits move levels but not peaks. Peaks are local
// maxima of the spectrogram, thinned to the strongest few per second; each
// peak is paired with the next few peaks close in time and frequency, and
// a pair (anchor frequency, frequency step, time step) is a landmark hash
// that is stored with the anchor's time.
//
// Playback speed changes that keep the pitch (time-stretching, as a "1.05x"
// player does) scale the time steps only; the query side therefore probes
// each landmark with its time step scaled over the speed range, instead of
// quantising coarsely (cf. Six and Leman, "Panako", ISMIR 2014, who make the
// hash itself time-scale invariant).
#ifndef UNCUT_AUDIO_LANDMARKS_H_
#define UNCUT_AUDIO_LANDMARKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "index/posting.h"

namespace uncut {

inline constexpr char kAudioModality[] = "audio";
inline constexpr char kAudioPeaksBlob[] = "audio.peaks";

inline constexpr int kAudioSampleRate = 8000;
inline constexpr int kAudioHop = 128;                  // samples: 16 ms
inline constexpr double kAudioFrameS = kAudioHop / double(kAudioSampleRate);

struct Peak {
  uint32_t frame;  // hop index
  uint16_t bin;    // FFT bin (15.6 Hz)
  float level;     // whitened log magnitude
};

struct AudioPeaks {
  double duration_s = 0;
  double start_s = 0;  // time of sample 0 in the file's time line
  std::vector<Peak> peaks;  // ordered by frame, then bin

  std::string Serialize() const;
  static absl::StatusOr<AudioPeaks> Parse(std::string_view bytes);
};

// Computes peaks of 8 kHz mono samples.
AudioPeaks ComputePeaks(const std::vector<float>& samples);

struct Landmark {
  uint32_t frame;  // anchor time
  uint16_t f1;     // anchor bin
  int16_t df;      // target bin - anchor bin
  uint16_t dt;     // target frame - anchor frame
};

std::vector<Landmark> MakeLandmarks(const AudioPeaks& peaks);

// The index key of a landmark with time step dt (possibly rescaled).
uint64_t LandmarkKey(uint16_t f1, int16_t df, uint16_t dt);
inline constexpr int kMinDt = 2, kMaxDt = 40;

std::vector<Posting> AudioPostings(const AudioPeaks& peaks);

}  // namespace uncut

#endif  // UNCUT_AUDIO_LANDMARKS_H_

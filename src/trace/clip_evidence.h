// What a clip itself offers as evidence, moment by moment: where its picture
// is textured enough to fingerprint, where its sound holds enough spectral
// peaks to. A stretch that no source explains is "not in the archive" only
// where one of them could have shown it there and did not; where neither
// can tell (plain, black or uniform frames, a title card of little texture,
// silence, or sound that belongs to no source), the stretch could not be
// compared, and is reported as such.
#ifndef UNCUT_TRACE_CLIP_EVIDENCE_H_
#define UNCUT_TRACE_CLIP_EVIDENCE_H_

#include <string>
#include <utility>
#include <vector>

namespace uncut {

// A hashed frame of the clip, as evidence. Its picture can be compared with
// the archive's when it is textured enough to be indexed and steady: the
// archive keeps a few frames a second, so a picture that changes beyond
// recognition from one hashed frame to the next (a car crossing a plain
// road, a whip pan) has no sampled source frame close enough to match it,
// and its missing match shows nothing.
struct ClipFrame {
  double time_s = 0;
  bool textured = false;
  bool steady = true;
  bool comparable() const { return textured && steady; }
};

struct ClipEvidence {
  std::vector<ClipFrame> frames;   // the hashed frames, in time order
  std::vector<double> cuts;        // hard cuts of the picture
  std::vector<double> peak_times;  // the sound's spectral peaks, in order
  bool has_sound = false;          // a sound track that is not silent throughout
  bool sound_informative = false;  // the clip's sound was recognised somewhere
  // Some picture segment was found: the picture is the archived material's.
  bool picture_recognised = false;
  // The picture is one still image held from the clip's start to its end
  // (a cover, an audiogram's backdrop): a picture, not footage. Where it
  // comes from says nothing of where the recording does, so the picture
  // compares nothing (its sound may).
  bool picture_held = false;

  // Spectral peaks per second a stretch needs for its sound to be compared
  // (a third of the rate the index keeps, audio/landmarks.h).
  static constexpr double kMinPeaksPerSecond = 8;

  // Whether the picture over [a, b] could be told apart: at least half of
  // its hashed frames are comparable (textured enough to be indexed, and
  // steady), and the picture is not one still held throughout.
  bool PictureInformative(double a, double b) const;
  // Whether the sound over [a, b] holds enough peaks to be compared.
  bool SoundInformative(double a, double b) const;
  // Whether the sound over [a, b] says where the clip comes from: it holds
  // enough peaks, and the sound is the material's own (recognised somewhere
  // in the clip, or the clip has no picture, or nothing of the clip was
  // recognised at all). Sound laid over a recognised picture is not.
  bool SoundSpeaks(double a, double b) const;
};

// A piece of a stretch no source explains.
struct UnexplainedStretch {
  double start = 0, end = 0;
  bool comparable = true;  // the picture or the sound could have matched
  std::string reason;      // when not comparable: why, in words
};

// Splits [a, b] into runs of half a second or more that either fingerprint
// could compare (material from no archived source) and runs neither could
// (reason given), in the clip's order.
std::vector<UnexplainedStretch> SplitUnexplained(const ClipEvidence& clip, double a, double b);

}  // namespace uncut

#endif  // UNCUT_TRACE_CLIP_EVIDENCE_H_

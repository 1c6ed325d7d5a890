// The sound matcher's voting and verification on an in-memory archive:
// synthetic spectral peaks and their landmark postings, no decoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "audio/landmarks.h"
#include "storage/memory_storage.h"
#include "trace/audio_match.h"

namespace uncut {
namespace {

// Random peaks, about 24 a second, in the band the index keeps.
AudioPeaks RandomPeaks(double seconds, std::mt19937* rng) {
  AudioPeaks p;
  p.duration_s = seconds;
  const uint32_t frames = static_cast<uint32_t>(seconds / kAudioFrameS);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> bin(20, 210);
  std::uniform_real_distribution<float> level(1, 10);
  for (uint32_t f = 0; f < frames; ++f) {
    if (u(*rng) >= 24 * kAudioFrameS) continue;
    p.peaks.push_back({f, static_cast<uint16_t>(bin(*rng)), level(*rng), 0});
  }
  return p;
}

// The peaks of [first, first + n) frames, on the clip's own time line.
AudioPeaks Excerpt(const AudioPeaks& src, uint32_t first, uint32_t n) {
  AudioPeaks q;
  q.duration_s = n * kAudioFrameS;
  for (Peak p : src.peaks) {
    if (p.frame < first || p.frame >= first + n) continue;
    p.frame -= first;
    q.peaks.push_back(p);
  }
  return q;
}

int64_t AddSound(MemoryStorage* storage, const AudioPeaks& peaks, Modality modality) {
  MemoryItem m;
  m.item.kind = "audio";
  m.item.format = "wav";
  m.blobs[kAudioPeaksBlob] = peaks.Serialize();
  m.postings[modality] = AudioPostings(peaks);
  return storage->Add(std::move(m));
}

QueryAudio QueryOf(const AudioPeaks& peaks) {
  QueryAudio q;
  q.duration_s = peaks.duration_s;
  q.peaks = peaks;
  q.landmarks = MakeLandmarks(peaks, kQueryFanOut);
  return q;
}

AudioMatchOptions NoOriginals() {
  AudioMatchOptions o;
  o.extend_ends_by_loudness = false;  // reads originals; there are none
  return o;
}

TEST(MatchAudioInMemory, VotesForTheSourceAndTheOffsetOfASyntheticClip) {
  std::mt19937 rng(11);
  MemoryStorage storage;
  AddSound(&storage, RandomPeaks(60, &rng), Modality::kAudio);
  const AudioPeaks source = RandomPeaks(60, &rng);
  const int64_t id = AddSound(&storage, source, Modality::kAudio);
  // 20 s of the source from 25 s on.
  const uint32_t first = static_cast<uint32_t>(25 / kAudioFrameS);
  const uint32_t n = static_cast<uint32_t>(20 / kAudioFrameS);
  auto found = MatchAudio(storage.storage(), QueryOf(Excerpt(source, first, n)), NoOriginals());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MatchedSegment& m = (*found)[0];
  EXPECT_EQ(m.seg.item, id);
  EXPECT_EQ(m.modality, SegmentModality::kAudio);
  EXPECT_NEAR(m.seg.offset, first * kAudioFrameS, 0.05);
  EXPECT_NEAR(m.seg.speed, 1.0, 0.005);
  EXPECT_NEAR(m.seg.q_start, 0.0, 0.5);
  EXPECT_NEAR(m.seg.q_end, 20.0, 0.5);
  EXPECT_GT(m.matched, 300);
}

// `passage` copied over `base` from frame `at` on.
AudioPeaks WithPassageAt(AudioPeaks base, const AudioPeaks& passage, uint32_t at) {
  const uint32_t end = at + static_cast<uint32_t>(passage.duration_s / kAudioFrameS);
  std::vector<Peak> out;
  for (const Peak& p : base.peaks) {
    if (p.frame < at || p.frame >= end) out.push_back(p);
  }
  for (Peak p : passage.peaks) {
    p.frame += at;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const Peak& a, const Peak& b) {
    return a.frame != b.frame ? a.frame < b.frame : a.bin < b.bin;
  });
  base.peaks = std::move(out);
  return base;
}

uint32_t Frames(double seconds) { return static_cast<uint32_t>(seconds / kAudioFrameS); }

TEST(MatchAudioInMemory, APassageTheRecordingRepeatsIsFoundAtEachPlace) {
  std::mt19937 rng(14);
  MemoryStorage storage;
  AddSound(&storage, RandomPeaks(60, &rng), Modality::kAudio);
  // A 12 s report at 20 s and again, re-run, at 95 s of a 150 s recording.
  const AudioPeaks report = RandomPeaks(12, &rng);
  const AudioPeaks recording =
      WithPassageAt(WithPassageAt(RandomPeaks(150, &rng), report, Frames(20)), report, Frames(95));
  const int64_t id = AddSound(&storage, recording, Modality::kAudio);
  // The clip: the report's middle 8 s.
  const QueryAudio clip = QueryOf(Excerpt(report, Frames(2), Frames(8)));
  auto found = MatchAudio(storage.storage(), clip, NoOriginals());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  std::vector<double> offsets;
  int alternates = 0;
  for (const MatchedSegment& m : *found) {
    EXPECT_EQ(m.seg.item, id);
    EXPECT_NEAR(m.seg.q_start, 0.0, 0.5);
    EXPECT_NEAR(m.seg.q_end, 8.0, 0.5);
    offsets.push_back(m.seg.offset);
    alternates += m.seg.alternate;
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_NEAR(offsets[0], Frames(22) * kAudioFrameS, 0.05);
  EXPECT_NEAR(offsets[1], Frames(97) * kAudioFrameS, 0.05);
  EXPECT_EQ(alternates, 1);  // the best place first, the other marked
}

TEST(MatchAudioInMemory, MaterialRepeatedInsideTheClipIsOnePlace) {
  std::mt19937 rng(15);
  MemoryStorage storage;
  // A 4 s phrase played three times in a row from 30 s (a chorus), and the
  // clip 28-44 s: the phrase's copies pair with each other at offsets
  // within the clip's length, which are not other places.
  const AudioPeaks phrase = RandomPeaks(4, &rng);
  AudioPeaks recording = RandomPeaks(90, &rng);
  for (double at : {30.0, 34.0, 38.0}) recording = WithPassageAt(recording, phrase, Frames(at));
  const int64_t id = AddSound(&storage, recording, Modality::kAudio);
  auto found =
      MatchAudio(storage.storage(), QueryOf(Excerpt(recording, Frames(28), Frames(16))), NoOriginals());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MatchedSegment& m = (*found)[0];
  EXPECT_EQ(m.seg.item, id);
  EXPECT_FALSE(m.seg.alternate);
  EXPECT_NEAR(m.seg.offset, Frames(28) * kAudioFrameS, 0.05);
  EXPECT_NEAR(m.seg.q_start, 0.0, 0.5);
  EXPECT_NEAR(m.seg.q_end, 16.0, 0.5);
}

TEST(MatchAudioInMemory, AnArchiveWithALegacySoundIndexIsAskedToUpgrade) {
  std::mt19937 rng(12);
  MemoryStorage storage;
  const AudioPeaks source = RandomPeaks(10, &rng);
  AddSound(&storage, source, Modality::kLegacyAudio);
  auto found = MatchAudio(storage.storage(), QueryOf(source), NoOriginals());
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(found.status().message().find("memory: its sound index"), std::string::npos)
      << found.status();
}

TEST(AudioAgreementInMemory, IsHighOnTheRightLineAndLowOffIt) {
  std::mt19937 rng(13);
  MemoryStorage storage;
  const AudioPeaks source = RandomPeaks(30, &rng);
  const int64_t id = AddSound(&storage, source, Modality::kAudio);
  const uint32_t first = static_cast<uint32_t>(5 / kAudioFrameS);
  const QueryAudio q = QueryOf(Excerpt(source, first, static_cast<uint32_t>(10 / kAudioFrameS)));
  auto on = AudioAgreement(&storage, q, id, first * kAudioFrameS, 1.0, 0, 10);
  auto off = AudioAgreement(&storage, q, id, first * kAudioFrameS + 3, 1.0, 0, 10);
  ASSERT_TRUE(on.ok() && off.ok());
  EXPECT_GT(*on, 0.9);
  EXPECT_LT(*off, 0.2);
  // An item without peaks cannot say.
  auto none = AudioAgreement(&storage, q, id + 1, 0, 1.0, 0, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, -1.0);
}

}  // namespace
}  // namespace uncut

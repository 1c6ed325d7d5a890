// Which stretches of a clip its picture or sound could compare, on
// constructed evidence.
#include "trace/clip_evidence.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

// A clip hashed at 8 frames a second over [0, length), textured except
// over [plain_from, plain_to); peaks at 24 a second except over
// [quiet_from, quiet_to).
ClipEvidence Clip(double length, double plain_from, double plain_to, double quiet_from,
                  double quiet_to, bool picture = true, bool sound = true) {
  ClipEvidence c;
  if (picture) {
    for (double t = 0; t < length; t += 0.125) {
      c.frames.push_back({t, t < plain_from || t >= plain_to});
    }
  }
  if (sound) {
    c.has_sound = true;
    for (double t = 0; t < length; t += 1.0 / 24) {
      if (t < quiet_from || t >= quiet_to) c.peak_times.push_back(t);
    }
  }
  return c;
}

TEST(ClipEvidence, TexturedFramesCanBeComparedPlainOnesCannot) {
  ClipEvidence c = Clip(10, 3, 6, 0, 0, true, false);
  EXPECT_TRUE(c.PictureInformative(0, 3));
  EXPECT_FALSE(c.PictureInformative(3.5, 5.5));
  EXPECT_TRUE(c.PictureInformative(6, 10));
}

TEST(ClipEvidence, SilenceCannotBeComparedSoundWithPeaksCan) {
  ClipEvidence c = Clip(10, 0, 0, 2, 4, false, true);
  EXPECT_TRUE(c.SoundInformative(0, 2));
  EXPECT_FALSE(c.SoundInformative(2, 4));
  EXPECT_TRUE(c.SoundSpeaks(5, 7));  // no picture: the sound is the clip
}

TEST(ClipEvidence, SoundLaidOverARecognisedPictureSaysNothingAboutThePicture) {
  ClipEvidence c = Clip(10, 3, 6, 0, 0);
  c.picture_recognised = true;
  c.sound_informative = false;  // the sound matched nowhere
  EXPECT_TRUE(c.SoundInformative(3, 6));
  EXPECT_FALSE(c.SoundSpeaks(3, 6));
  c.sound_informative = true;  // it matched elsewhere: it is the material's own
  EXPECT_TRUE(c.SoundSpeaks(3, 6));
}

TEST(SplitUnexplained, APlainSilentStretchIsNotComparableTheRestIs) {
  ClipEvidence c = Clip(12, 4, 8, 3, 9);
  c.sound_informative = true;
  std::vector<UnexplainedStretch> parts = SplitUnexplained(c, 2, 10);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[0].comparable);
  EXPECT_DOUBLE_EQ(parts[0].start, 2);
  EXPECT_DOUBLE_EQ(parts[0].end, 4);
  EXPECT_FALSE(parts[1].comparable);
  EXPECT_DOUBLE_EQ(parts[1].start, 4);
  EXPECT_DOUBLE_EQ(parts[1].end, 8);
  EXPECT_EQ(parts[1].reason, "the picture is too plain to fingerprint and the sound is silent there");
  EXPECT_TRUE(parts[2].comparable);
  EXPECT_DOUBLE_EQ(parts[2].end, 10);
}

TEST(SplitUnexplained, APlainPictureWithSoundThatSpeaksIsComparable) {
  ClipEvidence c = Clip(12, 0, 12, 0, 0);
  c.sound_informative = true;
  std::vector<UnexplainedStretch> parts = SplitUnexplained(c, 0, 12);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].comparable);
}

TEST(SplitUnexplained, AClipWithoutSoundAndAPlainPictureIsNotComparable) {
  ClipEvidence c = Clip(6, 0, 6, 0, 0, true, false);
  std::vector<UnexplainedStretch> parts = SplitUnexplained(c, 0, 6);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_FALSE(parts[0].comparable);
  EXPECT_EQ(parts[0].reason, "the picture is too plain to fingerprint and there is no sound to compare");
}

TEST(SplitUnexplained, TexturedFramesThatChangeTooFastCannotBeCompared) {
  // Textured throughout, but over [2, 5) each hashed frame is unlike the
  // next: the archive's sampled frames could not have matched it.
  ClipEvidence c = Clip(8, 0, 0, 0, 0, true, false);
  for (ClipFrame& f : c.frames) f.steady = f.time_s < 2 || f.time_s >= 5;
  std::vector<UnexplainedStretch> parts = SplitUnexplained(c, 0, 8);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[0].comparable);
  EXPECT_FALSE(parts[1].comparable);
  EXPECT_DOUBLE_EQ(parts[1].start, 2);
  EXPECT_DOUBLE_EQ(parts[1].end, 5);
  EXPECT_EQ(parts[1].reason,
            "the picture changes too fast for the archive's sampled frames and there is no sound "
            "to compare");
  EXPECT_TRUE(parts[2].comparable);
}

// A still image held throughout the clip (an audiogram's backdrop) is a
// picture, not footage: textured as it is, it compares nothing, and says
// why. Was: "not in the archive" for a recording's audiogram traced by
// its picture.
TEST(ClipEvidence, APictureHeldThroughoutComparesNothing) {
  ClipEvidence c = Clip(8, 0, 0, 0, 0, true, false);
  EXPECT_TRUE(c.PictureInformative(0, 8));
  c.picture_held = true;
  EXPECT_FALSE(c.PictureInformative(0, 8));
  const std::vector<UnexplainedStretch> u = SplitUnexplained(c, 0, 8);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_FALSE(u[0].comparable);
  EXPECT_NE(u[0].reason.find("one still image held throughout"), std::string::npos) << u[0].reason;
  EXPECT_NE(u[0].reason.find("no sound to compare"), std::string::npos) << u[0].reason;
}

}  // namespace
}  // namespace uncut

// Test helper for the audio tests: two peak lists compared bit for bit, with
// the first difference named.
#ifndef UNCUT_AUDIO_PEAKS_TESTING_H_
#define UNCUT_AUDIO_PEAKS_TESTING_H_

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "audio/landmarks.h"

namespace uncut::testing {

// Checks that `got` has exactly `want`'s duration, start and peaks (levels
// compared as bits), and so the same serialized form and postings.
inline void ExpectSamePeaks(const AudioPeaks& want, const AudioPeaks& got,
                            const std::string& what) {
  EXPECT_EQ(got.duration_s, want.duration_s) << what;
  EXPECT_EQ(got.start_s, want.start_s) << what;
  ASSERT_EQ(got.peaks.size(), want.peaks.size()) << what;
  for (size_t i = 0; i < want.peaks.size(); ++i) {
    const Peak& a = want.peaks[i];
    const Peak& b = got.peaks[i];
    ASSERT_TRUE(a.frame == b.frame && a.bin == b.bin && a.sub == b.sub &&
                std::memcmp(&a.level, &b.level, sizeof(float)) == 0)
        << what << ": peak " << i << " is frame " << b.frame << " bin " << b.bin << " sub "
        << int{b.sub} << " level " << b.level << ", not frame " << a.frame << " bin " << a.bin
        << " sub " << int{a.sub} << " level " << a.level;
  }
  EXPECT_EQ(got.Serialize(), want.Serialize()) << what;
  EXPECT_TRUE(AudioPostings(got) == AudioPostings(want)) << what;
}

}  // namespace uncut::testing

#endif  // UNCUT_AUDIO_PEAKS_TESTING_H_

// Sound matching against the archive, end to end from the matcher's side.
#include "trace/audio_match.h"

#include <gtest/gtest.h>

#include <string>

#include "base/strings.h"
#include "decode/media_info.h"
#include "ingest/ingest.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::Ffmpeg;
using testing::ShellQuote;

// An MPEG-TS recording's clock starts seconds in (here at about 6.35 s);
// a match is reported on that clock, as players and the video side show it.
TEST(MatchAudio, ASourceWhoseClockStartsLaterIsMatchedOnItsOwnClock) {
  testing::TempDir dir;
  ASSERT_EQ(testing::Speak("The committee heard from eleven witnesses over three days, and most "
                           "of them described the same events in the same order.",
                           dir.File("speech.wav")),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(dir.File("speech.wav")),
                          " -c:a aac -output_ts_offset 5 ", ShellQuote(dir.File("source.ts")))),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-ss 2 -t 4 -i ", ShellQuote(dir.File("speech.wav")), " ",
                          ShellQuote(dir.File("clip.wav")))),
            "");
  auto info = ProbeMedia(dir.File("source.ts"));
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_GT(info->start_s, 5.0);
  auto archive = Archive::Open(dir.File("archive"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok()) << archive.status();
  {
    auto batch = (*archive)->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE(AddFile(batch->get(), dir.File("source.ts"), {}).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto q = AnalyzeQueryAudio(dir.File("clip.wav"));
  ASSERT_TRUE(q.ok()) << q.status();
  auto found = MatchAudio(archive->get(), *q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MediaSegment& s = (*found)[0].seg;
  EXPECT_NEAR(s.q_start, 0.0, 0.1);
  EXPECT_NEAR(s.q_end, 4.0, 0.1);
  // The codec's priming delays the first sound by a few hundredths.
  EXPECT_NEAR(s.s_start, info->start_s + 2.0, 0.1);
  EXPECT_NEAR(s.offset, info->start_s + 2.0, 0.1);
}

}  // namespace
}  // namespace uncut

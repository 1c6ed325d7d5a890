// Sound matching against the archive, end to end from the matcher's side.
#include "trace/audio_match.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>

#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"
#include "ingest/ingest.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::Ffmpeg;
using testing::ShellQuote;

// A new archive in `dir` holding the file `name` of `dir`.
absl::StatusOr<std::unique_ptr<Archive>> ArchiveOf(const testing::TempDir& dir,
                                                   const std::string& name) {
  ASSIGN_OR_RETURN(auto archive, Archive::Open(dir.File("archive"), Archive::Mode::kCreate));
  ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
  RETURN_IF_ERROR(AddFile(batch.get(), dir.File(name), {}).status());
  RETURN_IF_ERROR(batch->Commit());
  return archive;
}

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
  auto archive = ArchiveOf(dir, "source.ts");
  ASSERT_TRUE(archive.ok()) << archive.status();
  auto q = AnalyzeQueryAudio(dir.File("clip.wav"));
  ASSERT_TRUE(q.ok()) << q.status();
  auto found = MatchAudio((*archive)->storage(), *q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const MediaSegment& s = (*found)[0].seg;
  EXPECT_NEAR(s.q_start, 0.0, 0.1);
  EXPECT_NEAR(s.q_end, 4.0, 0.1);
  // The codec's priming delays the first sound by a few hundredths.
  EXPECT_NEAR(s.s_start, info->start_s + 2.0, 0.1);
  EXPECT_NEAR(s.offset, info->start_s + 2.0, 0.1);
}

// Verification notes where the source itself kept no peaks beyond an end
// (there, peaks cannot say where a cut lies; audio_edges.h reads the
// loudness instead).
TEST(MatchAudio, SaysWhetherTheSourceKeptPeaksBeyondEachEnd) {
  testing::TempDir dir;
  ASSERT_EQ(testing::Speak("The harbour commission met on Tuesday to discuss the new breakwater, "
                           "and engineers said the storm had damaged the northern pier.",
                           dir.File("speech.wav")),
            "");
  // Speech, two seconds of silence, speech.
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(dir.File("speech.wav")),
                          " -f lavfi -i anullsrc=r=22050:cl=mono -filter_complex "
                          "'[0]atrim=0:4,asetpts=PTS-STARTPTS[a];[1]atrim=0:2[s];"
                          "[0]atrim=4:9,asetpts=PTS-STARTPTS[b];[a][s][b]concat=n=3:v=0:a=1' ",
                          ShellQuote(dir.File("source.wav")))),
            "");
  auto archive = ArchiveOf(dir, "source.wav");
  ASSERT_TRUE(archive.ok()) << archive.status();
  // [1, 5] runs a second into the silence (the match by peaks ends where
  // the speech does); [5, 9] starts a second before the speech resumes;
  // [1, 3.5] and [6.5, 9] are speech the source continues on both sides.
  for (const auto& [t0, t1, before, after] :
       {std::tuple{1.0, 5.0, false, true}, std::tuple{5.0, 9.0, true, false},
        std::tuple{1.0, 3.5, false, false}, std::tuple{6.5, 9.0, false, false}}) {
    const std::string clip = dir.File(StrCat("clip", t0, ".wav"));
    ASSERT_EQ(Ffmpeg(StrCat("-ss ", t0, " -to ", t1, " -i ", ShellQuote(dir.File("source.wav")),
                            " ", ShellQuote(clip))),
              "");
    auto q = AnalyzeQueryAudio(clip);
    ASSERT_TRUE(q.ok()) << q.status();
    auto found = MatchAudio((*archive)->storage(), *q);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->size(), 1u) << t0;
    EXPECT_EQ((*found)[0].source_quiet_after, after) << t0;
    EXPECT_EQ((*found)[0].source_quiet_before, before) << t0;
  }
}

}  // namespace
}  // namespace uncut

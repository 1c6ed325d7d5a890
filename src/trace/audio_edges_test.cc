// Moving the ends of sound matches where spectral peaks cannot say where
// the clip's cut is: quiet stretches, and stretches a codec has stripped of
// their peaks while keeping their loudness.
#include "trace/audio_edges.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/strings.h"
#include "ingest/ingest.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::Ffmpeg;
using testing::ShellQuote;

class AudioEdges : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    error_ = testing::Speak(
        "The committee heard from eleven witnesses over three days, and most of them described "
        "the same events in the same order, which the chair said was unusual for an inquiry of "
        "this kind.",
        dir_->File("source.wav"));
    if (error_.empty()) {
      error_ = testing::Speak("Weather now: a cold front moves in from the north tonight.",
                              dir_->File("other.wav"), "en-us", 150);
    }
    if (!error_.empty()) return;
    auto archive = Archive::Open(dir_->File("archive"), Archive::Mode::kCreate);
    if (!archive.ok()) {
      error_ = archive.status().ToString();
      return;
    }
    archive_ = archive->release();
    auto batch = archive_->BeginWrite();
    auto added = batch.ok() ? AddFile(batch->get(), dir_->File("source.wav"), {})
                            : absl::StatusOr<AddOutcome>(batch.status());
    if (!added.ok() || !(*batch)->Commit().ok()) {
      error_ = "could not archive the source";
      return;
    }
    item_ = added->item.id;
  }
  static void TearDownTestSuite() {
    delete archive_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(error_, ""); }

  // A sound match of the clip on the source's own line (offset 0, speed 1).
  static MatchedSegment OnTheLine(double q0, double q1) {
    MatchedSegment m;
    m.modality = SegmentModality::kAudio;
    m.seg.item = item_;
    m.seg.q_start = m.seg.s_start = q0;
    m.seg.q_end = m.seg.s_end = q1;
    return m;
  }

  static QueryAudio Analyze(const std::string& name) {
    auto q = AnalyzeQueryAudio(dir_->File(name));
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? *q : QueryAudio();
  }

  static testing::TempDir* dir_;
  static Archive* archive_;
  static uint32_t item_;
  static std::string error_;
};

testing::TempDir* AudioEdges::dir_ = nullptr;
Archive* AudioEdges::archive_ = nullptr;
uint32_t AudioEdges::item_ = 0;
std::string AudioEdges::error_;

TEST_F(AudioEdges, AMatchThatStopsShortOfAnUnexplainedStretchIsCarriedOnAsFarAsTheSourceRuns) {
  // The clip is the source's first eight seconds, but only [0, 4] matched
  // by peaks (as when a codec blurred the rest): no other match explains
  // the clip after 4 s, and the loudness there is the source's.
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(dir_->File("source.wav")), " -t 8 ",
                          ShellQuote(dir_->File("first8.wav")))),
            "");
  QueryAudio q = Analyze("first8.wav");
  std::vector<MatchedSegment> segs = {OnTheLine(0.0, 4.0)};
  ASSERT_TRUE(ExtendEndsByLoudness(archive_->storage(), q, &segs).ok());
  ASSERT_EQ(segs.size(), 1u);
  // To the clip's end (within max_extend_s, 5 s, of the peaks' end).
  EXPECT_NEAR(segs[0].seg.q_end, 8.0, 0.1);
  EXPECT_NEAR(segs[0].seg.s_end, segs[0].seg.q_end, 1e-9);
  EXPECT_EQ(segs[0].seg.q_start, 0.0);
  ASSERT_EQ(segs[0].loudness_only.size(), 1u);
  EXPECT_EQ(segs[0].loudness_only[0].first, 4.0);
  EXPECT_EQ(segs[0].loudness_only[0].second, segs[0].seg.q_end);
}

TEST_F(AudioEdges, TheExtensionStopsAtTheCutWhereOtherSpeechBegins) {
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(dir_->File("source.wav")), " -i ",
                          ShellQuote(dir_->File("other.wav")),
                          " -filter_complex '[0]atrim=0:5,asetpts=PTS-STARTPTS[a];"
                          "[1]aresample=22050,atrim=0:3,asetpts=PTS-STARTPTS[b];"
                          "[a][b]concat=n=2:v=0:a=1' ",
                          ShellQuote(dir_->File("spliced.wav")))),
            "");
  QueryAudio q = Analyze("spliced.wav");
  std::vector<MatchedSegment> segs = {OnTheLine(0.0, 3.0)};
  ASSERT_TRUE(ExtendEndsByLoudness(archive_->storage(), q, &segs).ok());
  EXPECT_NEAR(segs[0].seg.q_end, 5.0, 0.1);
}

TEST_F(AudioEdges, AnEndWhereAnotherMatchTakesOverStaysWhereThePeaksPutIt) {
  // [3.5, 8] of the clip (speech) is explained by a second match (here: another line
  // of the same source); the first match's end is not moved into it.
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(dir_->File("source.wav")), " -t 8 ",
                          ShellQuote(dir_->File("first8b.wav")))),
            "");
  QueryAudio q = Analyze("first8b.wav");
  MatchedSegment other = OnTheLine(3.5, 8.0);
  other.seg.offset = 20;
  std::vector<MatchedSegment> segs = {OnTheLine(0.0, 3.5), other};
  ASSERT_TRUE(ExtendEndsByLoudness(archive_->storage(), q, &segs).ok());
  EXPECT_LT(segs[0].seg.q_end, 3.6);
  EXPECT_TRUE(segs[0].loudness_only.empty() || segs[0].loudness_only[0].second < 3.6);
}

}  // namespace
}  // namespace uncut

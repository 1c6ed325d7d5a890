// `uncut upgrade` on an archive kept in PostgreSQL: an archive made the old
// way (sound fingerprints of the pair era, videos without region hashes),
// copied into the shared test cluster (testing/pg_cluster.h) with its
// fingerprints as they were, gains the current ones there.
#include "ingest/cluster_upgrade.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "audio/landmarks.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "ingest/ingest.h"
#include "ingest/media_ingest.h"
#include "ingest/upgrade_testing.h"
#include "storage/pg_archive_testing.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"
#include "testing/media.h"
#include "testing/pg_cluster.h"
#include "testing/temp_dir.h"
#include "trace/media_trace.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

using testing::ShellQuote;

using testing::PictureFound;
using testing::TracedPicture;

class ClusterUpgrade : public testing::ClusterArchiveTest {
 protected:
  // Footage (ten seconds, textured and moving, no sound) and a close crop
  // of it (its central 60%, seconds 2 to 9), as PictureUpgrade makes them.
  void MakeFootage() {
    ASSERT_EQ(testing::Ffmpeg(StrCat(
                  "-f lavfi -i life=size=160x90:rate=2:ratio=0.3:seed=7,fps=25,trim=duration=5 "
                  "-f lavfi -i testsrc2=size=640x360:rate=25,trim=duration=5 "
                  "-filter_complex '[0]scale=640:360:flags=neighbor[a];"
                  "[a][1]concat=n=2:v=1:a=0,format=yuv420p[v]' "
                  "-map '[v]' -c:v libx264 -preset veryfast -crf 20 -g 25 ",
                  ShellQuote(Footage()))),
              "");
    ASSERT_EQ(testing::Ffmpeg(StrCat("-ss 2 -to 9 -i ", ShellQuote(Footage()),
                                     " -vf 'crop=384:216,scale=640:360,format=yuv420p' -an "
                                     "-c:v libx264 -preset veryfast -crf 23 ",
                                     ShellQuote(dir_.File("crop.mp4")))),
              "");
  }
  std::string Footage() const { return dir_.File("footage.mp4"); }

  // Adds the footage to `archive` as a version without region hashes did:
  // two hashes a frame, a signature of the first format, their postings
  // only. Sets fresh_sig_ and fresh_video_postings_ to what an add now
  // stores.
  void AddFootageTheOldWay(Archive* archive) {
    FileAnalysis fresh = AnalyseMedia(Footage(), Footage(), {});
    ASSERT_TRUE(fresh.status.ok()) << fresh.status;
    fresh_sig_ = fresh.item.blobs.at(kVideoSignatureBlob);
    fresh_video_postings_ = fresh.item.postings.at(kVideoModality).size();
    auto older = VideoSignature::Parse(fresh_sig_);
    ASSERT_TRUE(older.ok()) << older.status();
    for (FrameSig& f : older->frames) f.has_regions = false;
    FileAnalysis old_add = fresh;
    old_add.item.blobs[kVideoSignatureBlob] = older->Serialize();
    old_add.item.postings[kVideoModality] = VideoPostings(*older, VideoSignOptions().min_quality);
    auto bytes = ReadFileToString(Footage());
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    auto batch = archive->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto added = AddMedia(batch->get(), Footage(), {}, Sha256Hex(*bytes), &old_add);
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_TRUE((*batch)->Commit().ok());
    video_id_ = added->item.id;
  }

  // Adds a spoken recording to `archive` as a version of the pair era left
  // it: peaks of the older header, postings under the older modality only.
  // Sets fresh_peaks_ and fresh_audio_postings_ to what an add now stores.
  void AddSpeechTheOldWay(Archive* archive) {
    ASSERT_EQ(testing::Speak("The council will meet again on Monday to vote on the harbour plan.",
                             dir_.File("speech.wav")),
              "");
    auto batch = archive->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto added = AddFile(batch->get(), dir_.File("speech.wav"), {});
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_TRUE((*batch)->Commit().ok());
    audio_id_ = added->item.id;
    auto peaks = archive->LoadBlob(audio_id_, kAudioPeaksBlob);
    ASSERT_TRUE(peaks.ok() && peaks->has_value());
    fresh_peaks_ = **peaks;
    fresh_audio_postings_ = *archive->PostingCount(kAudioModality);
    ASSERT_GT(fresh_audio_postings_, 0u);
    const std::string old = testing::PairEraPeaks();
    PostingsByModality legacy;
    legacy[kLegacyAudioModality] = {{12345, 0, 5}};
    ASSERT_TRUE((*batch)->Reindex(audio_id_, added->item.info, legacy, {{kAudioPeaksBlob, old}}).ok());
    ASSERT_TRUE((*batch)->DropModality(kAudioModality).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }

  testing::TempDir dir_;
  std::string fresh_sig_, fresh_peaks_;
  size_t fresh_video_postings_ = 0;
  uint64_t fresh_audio_postings_ = 0;
  int64_t video_id_ = 0, audio_id_ = 0;
};

TEST_F(ClusterUpgrade, AnOldArchiveCopiedToAClusterGainsTheCurrentFingerprintsThere) {
  MakeFootage();
  {
    auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(archive.ok()) << archive.status();
    AddFootageTheOldWay(archive->get());
    AddSpeechTheOldWay(archive->get());
  }
  if (HasFatalFailure()) return;
  // Copied as stored: the cluster holds the old fingerprints.
  testing::RunResult copy = testing::RunUncut(dir_.File("archive"), "copy --to " + ShellQuote(uri_));
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  auto pg = PgArchive::Open(uri_);
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_GT(*(*pg)->PostingCount(Modality::kLegacyAudio), 0u);
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kAudio), 0u);
  const PictureFound before =
      TracedPicture((*pg)->storage(), dir_.File("crop.mp4"), "footage.mp4");
  EXPECT_LT(before.length_s, 3.5) << "the whole frames' hashes should not see through the crop";

  testing::RunResult up = testing::RunUncut(uri_, "upgrade");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("sound fingerprinted anew for 1 items"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("region hashes added to the picture fingerprints of 1 videos"),
            std::string::npos)
      << up.out;

  // The same fingerprints and index entries as a fresh add.
  auto sig = (*pg)->LoadBlob(video_id_, kVideoSignatureBlob);
  ASSERT_TRUE(sig.ok() && sig->has_value());
  EXPECT_EQ(**sig, fresh_sig_);
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kVideo), fresh_video_postings_);
  auto peaks = (*pg)->LoadBlob(audio_id_, kAudioPeaksBlob);
  ASSERT_TRUE(peaks.ok() && peaks->has_value());
  EXPECT_EQ(**peaks, fresh_peaks_);
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kAudio), fresh_audio_postings_);
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kLegacyAudio), 0u);

  const PictureFound after =
      TracedPicture((*pg)->storage(), dir_.File("crop.mp4"), "footage.mp4");
  EXPECT_GE(after.length_s, 5.0);
  EXPECT_NEAR(after.offset_s, 2.0, 0.3);
  testing::RunResult clip = testing::RunUncut(uri_, "trace --json " + ShellQuote(dir_.File("crop.mp4")));
  EXPECT_EQ(clip.exit_code, 0) << clip.out << clip.err;
  EXPECT_NE(clip.out.find("footage.mp4"), std::string::npos) << clip.out;

  testing::RunResult verify = testing::RunUncut(uri_, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  testing::RunResult log = testing::RunUncut(uri_, "log --json");
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_NE(log.out.find("\"upgrade\""), std::string::npos) << log.out;

  // Nothing left to do the second time.
  testing::RunResult again = testing::RunUncut(uri_, "upgrade");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "the archive is up to date\n");
  auto same = (*pg)->LoadBlob(video_id_, kVideoSignatureBlob);
  ASSERT_TRUE(same.ok() && same->has_value());
  EXPECT_EQ(**same, fresh_sig_);
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kVideo), fresh_video_postings_);
}

// A video whose original no longer decodes is named (exit 4) and keeps the
// fingerprint it had; the others are upgraded, and the next run leaves the
// named one as it is.
TEST_F(ClusterUpgrade, AVideoThatNoLongerDecodesIsNamedAndTheOthersAreUpgraded) {
  MakeFootage();
  {
    auto archive = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(archive.ok()) << archive.status();
    AddFootageTheOldWay(archive->get());
  }
  if (HasFatalFailure()) return;
  ASSERT_EQ(testing::RunUncut(dir_.File("archive"), "copy --to " + ShellQuote(uri_)).exit_code, 0);
  auto pg = PgArchive::Open(uri_);
  ASSERT_TRUE(pg.ok()) << pg.status();
  auto footage = (*pg)->GetItem(video_id_);
  ASSERT_TRUE(footage.ok()) << footage.status();
  auto old_sig = (*pg)->LoadBlob(video_id_, kVideoSignatureBlob);
  ASSERT_TRUE(old_sig.ok() && old_sig->has_value());
  // An item that says it is that video, whose bytes are not a video at all.
  int64_t broken = 0;
  {
    auto batch = (*pg)->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    const std::string bytes = "not a video, whatever its catalog says";
    ASSERT_TRUE((*batch)->PutObjectBytes(Sha256Hex(bytes), bytes).ok());
    PgNewItem n;
    n.item = *footage;
    n.item.id = 0;
    n.item.name = "broken.mp4";
    n.item.sha256 = n.item.object = Sha256Hex(bytes);
    n.item.size = bytes.size();
    n.blobs[kVideoSignatureBlob] = **old_sig;
    auto id = (*batch)->AddItem(std::move(n));
    ASSERT_TRUE(id.ok()) << id.status();
    broken = *id;
    ASSERT_TRUE((*batch)->Commit().ok());
  }

  testing::RunResult up = testing::RunUncut(uri_, "upgrade");
  EXPECT_EQ(up.exit_code, 4) << up.out << up.err;
  EXPECT_NE(up.err.find(StrCat("item ", broken, " (broken.mp4)")), std::string::npos) << up.err;
  EXPECT_NE(up.out.find("region hashes added to the picture fingerprints of 1 videos"),
            std::string::npos)
      << up.out;
  auto kept = (*pg)->LoadBlob(broken, kVideoSignatureBlob);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ(**kept, **old_sig);
  auto upgraded = (*pg)->LoadBlob(video_id_, kVideoSignatureBlob);
  ASSERT_TRUE(upgraded.ok() && upgraded->has_value());
  EXPECT_EQ(**upgraded, fresh_sig_);

  testing::RunResult again = testing::RunUncut(uri_, "upgrade");
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_EQ(again.out.find("region hashes added"), std::string::npos) << again.out;
  EXPECT_EQ(*(*pg)->PostingCount(Modality::kVideo), fresh_video_postings_);
}

}  // namespace
}  // namespace uncut

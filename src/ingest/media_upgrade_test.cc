// Upgrading an archive whose sound or picture fingerprints are of an older
// format.
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
#include "store/archive.h"
#include "testing/media.h"
#include "testing/temp_dir.h"
#include "trace/media_trace.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

TEST(SoundUpgrade, OlderSoundFingerprintsAreDerivedAnewFromTheOriginalAndTheOldIndexIsDropped) {
  testing::TempDir dir;
  ASSERT_EQ(testing::Speak("The council will meet again on Monday to vote on the harbour plan, "
                           "and the minutes of today's meeting will be published tonight.",
                           dir.File("speech.wav")),
            "");
  auto archive = Archive::Open(dir.File("archive"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok()) << archive.status();
  auto batch = (*archive)->BeginWrite();
  ASSERT_TRUE(batch.ok()) << batch.status();
  auto added = AddFile(batch->get(), dir.File("speech.wav"), {});
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_TRUE((*batch)->Commit().ok());
  const Item item = added->item;
  ASSERT_TRUE(item.info.contains("audio"));
  auto fresh = (*archive)->LoadBlob(item.id, kAudioPeaksBlob);
  ASSERT_TRUE(fresh.ok() && fresh->has_value());
  auto fresh_count = (*archive)->PostingCount(kAudioModality);
  ASSERT_TRUE(fresh_count.ok());
  ASSERT_GT(*fresh_count, 0u);

  // Make it look as an older version left it: pair-era peaks (header UAP1,
  // no sub-hop byte) and postings under the older modality only.
  const std::string old = testing::PairEraPeaks();
  PostingsByModality legacy;
  legacy[kLegacyAudioModality] = {{12345, 0, 5}};
  ASSERT_TRUE((*batch)->Reindex(item.id, item.info, legacy, {{kAudioPeaksBlob, old}}).ok());
  ASSERT_TRUE((*batch)->DropModality(kAudioModality).ok());
  ASSERT_TRUE((*batch)->Commit().ok());
  batch->reset();  // lets the upgrade take the writer lock
  auto needed = NeedsSoundUpgrade(archive->get());
  ASSERT_TRUE(needed.ok());
  EXPECT_TRUE(*needed);
  EXPECT_EQ(*(*archive)->PostingCount(kAudioModality), 0u);

  auto done = UpgradeSoundIndex(archive->get());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->redone, 1);
  EXPECT_TRUE(done->problems.empty());
  needed = NeedsSoundUpgrade(archive->get());
  ASSERT_TRUE(needed.ok());
  EXPECT_FALSE(*needed);
  // The same fingerprints as a fresh add; the item itself unchanged.
  auto peaks = (*archive)->LoadBlob(item.id, kAudioPeaksBlob);
  ASSERT_TRUE(peaks.ok() && peaks->has_value());
  EXPECT_EQ(**peaks, **fresh);
  EXPECT_EQ(*(*archive)->PostingCount(kAudioModality), *fresh_count);
  EXPECT_EQ(*(*archive)->PostingCount(kLegacyAudioModality), 0u);
  EXPECT_FALSE(PathExists(dir.File("archive/index/audio")));
  auto after = (*archive)->GetItem(item.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->sha256, item.sha256);
  EXPECT_EQ(after->name, item.name);
  auto problems = (*archive)->Verify();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());

  // Nothing left to do the second time.
  done = UpgradeSoundIndex(archive->get());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->redone, 0);
}

TEST(PictureUpgrade, RegionHashesAddedFromAnOriginalReadInChunksEqualAFreshWholeRead) {
  testing::TempDir dir;
  // 26 s of test pictures cut every few seconds to a fractal zoom, with
  // moving noise; key frames 3.6 s apart, so that chunks start inside
  // groups of pictures.
  const std::string source = dir.File("scenes.mp4");
  ASSERT_EQ(testing::Ffmpeg(StrCat(
                "-f lavfi -i testsrc2=size=192x108:rate=25:duration=26 "
                "-f lavfi -i mandelbrot=size=192x108:rate=25 "
                "-filter_complex \"[0][1]overlay=enable='lt(mod(t\\,7)\\,3)',noise=alls=12:allf=t\" "
                "-t 26 -pix_fmt yuv420p -c:v libx264 -preset ultrafast "
                "-x264-params bframes=3:b-pyramid=normal:keyint=90 ",
                testing::ShellQuote(source))),
            "");
  // Chunk starts every 4 s (the probe's recheck period), as add would
  // place them every 60 s in a long video.
  VideoSignOptions sign;
  sign.min_b_probe_duration_s = 0;
  sign.b_recheck_period_s = 4;
  auto fresh = SignVideo(source, sign);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  VideoSignature older = *fresh;
  for (FrameSig& f : older.frames) f.has_regions = false;
  Item item;
  item.id = 1;
  item.name = "scenes.mp4";
  item.info["video"] = {{"sample_fps", older.sample_fps}};
  ChunkedVideoOptions chunked;
  chunked.jobs = 2;
  chunked.min_chunk_s = 4;
  auto redone = AddRegionHashesFrom(item, older, source, sign, chunked);
  ASSERT_TRUE(redone.ok()) << redone.status();
  ASSERT_TRUE(redone->has_value());
  EXPECT_GT((*redone)->chunks, 1);
  EXPECT_EQ((*redone)->blobs.at(kVideoSignatureBlob), fresh->Serialize());
  EXPECT_EQ((*redone)->postings.at(Modality::kVideo).size(),
            VideoRegionPostings(*fresh, sign.min_quality).size());
}

using testing::PictureFound;
using testing::TracedPicture;

TEST(PictureUpgrade, VideosArchivedBeforeRegionHashesGainThemAndACloseCropIsThenFound) {
  testing::TempDir dir;
  // Ten seconds of textured, moving footage, and its central 60% from
  // second 2 to 9, without sound.
  const std::string source = dir.File("footage.mp4"), crop = dir.File("crop.mp4");
  // (Game of Life cells: no part of one frame looks like another frame
  // whole, as a zooming fractal's would.)
  ASSERT_EQ(testing::Ffmpeg(StrCat(
                "-f lavfi -i life=size=160x90:rate=2:ratio=0.3:seed=7,fps=25,trim=duration=5 "
                "-f lavfi -i testsrc2=size=640x360:rate=25,trim=duration=5 "
                "-filter_complex '[0]scale=640:360:flags=neighbor[a];"
                "[a][1]concat=n=2:v=1:a=0,format=yuv420p[v]' "
                "-map '[v]' -c:v libx264 -preset veryfast -crf 20 -g 25 ",
                testing::ShellQuote(source))),
            "");
  ASSERT_EQ(testing::Ffmpeg(StrCat("-ss 2 -to 9 -i ", testing::ShellQuote(source),
                                   " -vf 'crop=384:216,scale=640:360,format=yuv420p' -an "
                                   "-c:v libx264 -preset veryfast -crf 23 ",
                                   testing::ShellQuote(crop))),
            "");
  // What a fresh add stores.
  FileAnalysis fresh = AnalyseMedia(source, source, {});
  ASSERT_TRUE(fresh.status.ok()) << fresh.status;
  const std::string fresh_sig = fresh.item.blobs.at(kVideoSignatureBlob);
  const size_t fresh_postings = fresh.item.postings.at(kVideoModality).size();

  // The archive as a version without region hashes left it: two hashes a
  // frame, in a signature of the first format, and their postings only.
  auto older = VideoSignature::Parse(fresh_sig);
  ASSERT_TRUE(older.ok()) << older.status();
  for (FrameSig& f : older->frames) f.has_regions = false;
  FileAnalysis old_add = fresh;
  old_add.item.blobs[kVideoSignatureBlob] = older->Serialize();
  ASSERT_EQ(old_add.item.blobs[kVideoSignatureBlob].substr(0, 4), "UVS1");
  old_add.item.postings[kVideoModality] = VideoPostings(*older, VideoSignOptions().min_quality);
  auto bytes = ReadFileToString(source);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto archive = Archive::Open(dir.File("archive"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok()) << archive.status();
  int64_t id = 0;
  {
    auto batch = (*archive)->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto added = AddMedia(batch->get(), source, {}, Sha256Hex(*bytes), &old_add);
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_TRUE((*batch)->Commit().ok());
    id = added->item.id;
  }
  const PictureFound before = TracedPicture((*archive)->storage(), crop, "footage.mp4");

  auto done = UpgradePictureIndex(archive->get());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->redone, 1);
  EXPECT_TRUE(done->problems.empty());
  // The same fingerprint and index entries as a fresh add.
  auto sig = (*archive)->LoadBlob(id, kVideoSignatureBlob);
  ASSERT_TRUE(sig.ok() && sig->has_value());
  EXPECT_EQ(**sig, fresh_sig);
  EXPECT_EQ(*(*archive)->PostingCount(kVideoModality), fresh_postings);
  auto problems = (*archive)->Verify();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());

  const PictureFound after = TracedPicture((*archive)->storage(), crop, "footage.mp4");
  EXPECT_LT(before.length_s, 3.5) << "the whole frames' hashes should not see through the crop";
  EXPECT_GE(after.length_s, 5.0);
  EXPECT_NEAR(after.offset_s, 2.0, 0.3);

  // Nothing left to do the second time.
  done = UpgradePictureIndex(archive->get());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->redone, 0);
}

}  // namespace
}  // namespace uncut

// Upgrading an archive whose sound fingerprints are of the older format.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "audio/landmarks.h"
#include "base/file.h"
#include "ingest/ingest.h"
#include "ingest/media_ingest.h"
#include "store/archive.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

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
  std::string old = "UAP1";
  const double duration = 1, start = 0;
  const uint64_t n = 1;
  old.append(reinterpret_cast<const char*>(&duration), 8);
  old.append(reinterpret_cast<const char*>(&start), 8);
  old.append(reinterpret_cast<const char*>(&n), 8);
  old += std::string("\x05\x10", 2);
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

}  // namespace
}  // namespace uncut

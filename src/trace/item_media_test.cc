// Opening an archived recording for a decoder checks its SHA-256: a damaged
// stored copy is an error naming the item, also after an earlier check of
// the same file was remembered.
#include "trace/item_media.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "ingest/ingest.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

TEST(ItemMedia, ADamagedRecordingIsAnErrorNamingTheItem) {
  testing::TempDir dir;
  ASSERT_EQ(testing::Speak("The inspectors counted eleven boats at the northern lock.",
                           dir.File("speech.wav")),
            "");
  auto archive = Archive::Open(dir.File("archive"), Archive::Mode::kCreate);
  ASSERT_TRUE(archive.ok()) << archive.status();
  {
    auto batch = (*archive)->BeginWrite();
    ASSERT_TRUE(batch.ok());
    auto added = AddFile(batch->get(), dir.File("speech.wav"), {});
    ASSERT_TRUE(added.ok()) << added.status();
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  auto item = (*archive)->GetItem(1);
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(ItemMedia::Open(archive->get(), *item).ok());
  std::string path = (*archive)->ObjectPath(item->object);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, item->object_offset + item->size / 2), 1);
  ::close(fd);
  auto media = ItemMedia::Open(archive->get(), *item);
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(media.status().message().find("item 1 (speech.wav): stored original does not match"),
            std::string::npos)
      << media.status();
}

}  // namespace
}  // namespace uncut

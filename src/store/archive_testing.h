// Shared by the store's tests: a fresh archive, items made from staged
// bytes, and a check that everything stored still verifies.
#ifndef UNCUT_STORE_ARCHIVE_TESTING_H_
#define UNCUT_STORE_ARCHIVE_TESTING_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/archive.h"
#include "testing/temp_dir.h"

namespace uncut {

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
  }

  // An item of `kind` whose bytes are `bytes`, staged in `batch` (not yet
  // queued); `name` also gives the format (its extension).
  static NewItem StagedItem(WriteBatch* batch, const std::string& bytes, const std::string& kind,
                            const std::string& name) {
    auto staged = batch->StageBytes(bytes);
    EXPECT_TRUE(staged.ok()) << staged.status();
    NewItem n;
    if (!staged.ok()) return n;
    n.item.sha256 = staged->sha256;
    n.item.size = staged->size;
    n.item.object = staged->object;
    n.item.object_offset = staged->offset;
    n.item.kind = kind;
    n.item.format = name.substr(name.find_last_of('.') + 1);
    n.item.name = name;
    n.item.added_from = "/nowhere";
    n.item.added_at = NowRfc3339();
    return n;
  }

  void ExpectVerifies() {
    auto problems = archive_->Verify(nullptr);
    ASSERT_TRUE(problems.ok()) << problems.status();
    EXPECT_TRUE(problems->empty()) << (*problems)[0].what << ": " << (*problems)[0].problem;
  }

  testing::TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

}  // namespace uncut

#endif  // UNCUT_STORE_ARCHIVE_TESTING_H_

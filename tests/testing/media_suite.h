// A test suite whose cases share media made once, in a temporary folder,
// before the first case (ffmpeg, espeak-ng): the suite's archive lives there
// too. A suite derives from MediaSuite<itself> and starts it with
//   static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }
// where MakeMedia returns "" or why the media could not be made; every case
// then fails with that reason instead of running on missing files.
#ifndef UNCUT_TESTS_TESTING_MEDIA_SUITE_H_
#define UNCUT_TESTS_TESTING_MEDIA_SUITE_H_

#include <gtest/gtest.h>

#include <string>

#include "testing/temp_dir.h"

namespace uncut::testing {

template <typename Suite>
class MediaSuite : public ::testing::Test {
 protected:
  static void SetUpSuite(std::string (*make_media)()) {
    dir_ = new TempDir();
    setup_error_ = make_media();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "making the test media failed"; }

  static std::string File(const std::string& name) { return dir_->File(name); }
  // Runs uncut on the suite's archive.
  static RunResult Uncut(const std::string& args) { return RunUncut(File("archive"), args); }

  static inline TempDir* dir_ = nullptr;
  static inline std::string setup_error_;
};

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_MEDIA_SUITE_H_

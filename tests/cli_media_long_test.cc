// A long recording through the command line: its sound is fingerprinted a
// piece at a time, to its very end.
#include <gtest/gtest.h>

#include <string>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using nlohmann::json;
using testing::Ffmpeg;
using testing::RunResult;
using testing::ShellQuote;

TEST(LongMedia, TwentyMinuteRecordingIsAddedAndAClipFromItsLastMinuteIsTracedThere) {
  testing::TempDir dir;
  const std::string rec = dir.File("hearing.wav"), clip = dir.File("clip.wav");
  // Twenty minutes of 8 kHz pink noise: spectral peaks everywhere, quick to make.
  ASSERT_EQ(Ffmpeg("-f lavfi -i anoisesrc=c=pink:r=8000:a=0.3:seed=11:d=1200 " + ShellQuote(rec)),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-ss 1170 -t 15 -i ", ShellQuote(rec), " ", ShellQuote(clip))), "");
  const std::string archive = dir.File("archive");
  RunResult add = testing::RunUncut(archive, "add " + ShellQuote(rec));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  RunResult show = testing::RunUncut(archive, "show 1 --json");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  // The index keeps at most 24 peaks in each block of 62 hops (0.992 s);
  // noise fills most of them, to the end.
  const int peaks = json::parse(show.out)["info"]["audio"]["peaks"].get<int>();
  EXPECT_GT(peaks, 1200 * 12);
  EXPECT_LE(peaks, 1210 * 24);
  RunResult trace = testing::RunUncut(archive, "trace --json " + ShellQuote(clip));
  ASSERT_EQ(trace.exit_code, 0) << trace.err << trace.out;
  const json j = json::parse(trace.out);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  ASSERT_EQ(j["sources"][0]["segments"].size(), 1u) << j.dump(2);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 1170.0, 0.25) << seg.dump();
  EXPECT_NEAR(seg["source"]["end"].get<double>(), 1185.0, 0.25) << seg.dump();
}

}  // namespace
}  // namespace uncut

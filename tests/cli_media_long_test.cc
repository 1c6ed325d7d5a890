// A long recording through the command line: its sound is fingerprinted a
// piece at a time, to its very end; on several jobs its sound and picture
// are analysed in time chunks, to the same fingerprints.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

// The index segments of an archive, in the order of their names.
std::string Segments(const std::string& archive) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(archive + "/index")) {
    if (e.path().extension() == ".seg") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::string all;
  for (const auto& p : paths) {
    std::ifstream f(p, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  return all;
}

TEST(LongMedia, ARecordingAddedOnTwoJobsHasTheSameFingerprintAndIsTracedAcrossAChunkEdge) {
  testing::TempDir dir;
  const std::string rec = dir.File("hearing.wav"), clip = dir.File("clip.wav");
  // Eight minutes: on two jobs, four chunks of two minutes, edges at 2, 4
  // and 6 minutes.
  ASSERT_EQ(Ffmpeg("-f lavfi -i anoisesrc=c=pink:r=8000:a=0.3:seed=5:d=480 " + ShellQuote(rec)),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-ss 230 -t 20 -i ", ShellQuote(rec), " ", ShellQuote(clip))), "");
  const std::string one = dir.File("one"), two = dir.File("two");
  RunResult add = testing::RunUncut(one, "add --jobs 1 " + ShellQuote(rec));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  add = testing::RunUncut(two, "add --jobs 2 " + ShellQuote(rec));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  RunResult show_one = testing::RunUncut(one, "show 1 --json");
  RunResult show_two = testing::RunUncut(two, "show 1 --json");
  ASSERT_EQ(show_one.exit_code, 0) << show_one.err;
  ASSERT_EQ(show_two.exit_code, 0) << show_two.err;
  EXPECT_EQ(json::parse(show_one.out)["info"]["audio"], json::parse(show_two.out)["info"]["audio"]);
  const std::string segments = Segments(two);
  EXPECT_GT(segments.size(), 100000u);
  EXPECT_TRUE(segments == Segments(one)) << "the index segments differ";
  RunResult trace = testing::RunUncut(two, "trace --json " + ShellQuote(clip));
  ASSERT_EQ(trace.exit_code, 0) << trace.err << trace.out;
  const json j = json::parse(trace.out);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  ASSERT_EQ(j["sources"][0]["segments"].size(), 1u) << j.dump(2);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 230.0, 0.25) << seg.dump();
  EXPECT_NEAR(seg["source"]["end"].get<double>(), 250.0, 0.25) << seg.dump();
}

TEST(LongMedia, AVideoAddedOnTwoJobsHasTheSamePictureFingerprintAndIsTracedAcrossAChunkEdge) {
  testing::TempDir dir;
  const std::string video = dir.File("broadcast.mp4"), clip = dir.File("clip.mp4");
  // Three minutes of test pictures cut to a fractal zoom and back every few
  // seconds, H.264 with pyramid B-frames and 10 s groups of pictures: on
  // two jobs, three chunks starting at the first IDR frames after 1:00 and
  // 2:00.
  ASSERT_EQ(Ffmpeg("-f lavfi -i testsrc2=size=192x108:rate=25:duration=180 "
                   "-f lavfi -i mandelbrot=size=192x108:rate=25 "
                   "-filter_complex \"[0][1]overlay=enable='lt(mod(t\\,7)\\,3)',"
                   "noise=alls=12:allf=t\" -t 180 -pix_fmt yuv420p -c:v libx264 -preset ultrafast "
                   "-x264-params bframes=3:b-pyramid=normal " + ShellQuote(video)),
            "");
  ASSERT_EQ(Ffmpeg(StrCat("-ss 52 -t 16 -i ", ShellQuote(video), " -c:v libx264 -preset veryfast ",
                          ShellQuote(clip))),
            "");
  const std::string one = dir.File("one"), two = dir.File("two");
  RunResult add = testing::RunUncut(one, "add --jobs 1 " + ShellQuote(video));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  add = testing::RunUncut(two, "add --jobs 2 " + ShellQuote(video));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  RunResult show_one = testing::RunUncut(one, "show 1 --json");
  RunResult show_two = testing::RunUncut(two, "show 1 --json");
  ASSERT_EQ(show_one.exit_code, 0) << show_one.err;
  ASSERT_EQ(show_two.exit_code, 0) << show_two.err;
  const json info = json::parse(show_two.out)["info"]["video"];
  EXPECT_GE(info["frames"].get<int>(), 530) << info.dump();
  EXPECT_EQ(json::parse(show_one.out)["info"]["video"], info);
  const std::string segments = Segments(two);
  EXPECT_GT(segments.size(), 10000u);
  EXPECT_TRUE(segments == Segments(one)) << "the index segments differ";
  RunResult trace = testing::RunUncut(two, "trace --json " + ShellQuote(clip));
  ASSERT_EQ(trace.exit_code, 0) << trace.err << trace.out;
  const json j = json::parse(trace.out);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  ASSERT_GE(j["sources"][0]["segments"].size(), 1u) << j.dump(2);
  const json& seg = j["sources"][0]["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 52.0, 1.0) << seg.dump();
  EXPECT_NEAR(seg["source"]["end"].get<double>(), 68.0, 1.0) << seg.dump();
}

}  // namespace
}  // namespace uncut

// A recording analysed in chunks on several threads against the same
// recording read whole: the same peaks, bit for bit, for every codec.
#include "audio/peak_chunks.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "audio/peak_stream.h"
#include "audio/peaks_testing.h"
#include "decode/audio_reader.h"
#include "testing/media.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

// 60 s of 44.1 kHz stereo: tones changing several times a second over pink
// noise, so that peaks lie everywhere, chunk edges included.
std::string MakeRecording(const testing::TempDir& dir) {
  const std::string path = dir.File("master.wav");
  std::string err = testing::Ffmpeg(
      "-f lavfi -i \"aevalsrc=0.3*sin(2*PI*(400+mod(floor(t*6)*7919\\,2800))*t)"
      "+0.2*sin(2*PI*(500+mod(floor(t*4)*104729\\,2500))*t):s=44100:d=60\" "
      "-f lavfi -i anoisesrc=c=pink:a=0.05:r=44100:d=60:seed=7 "
      "-filter_complex amix=inputs=2:normalize=0 -ac 2 -c:a pcm_s16le " + path);
  return err.empty() ? path : "";
}

AudioPeaks ReadWhole(const std::string& path) {
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  auto reader = AudioReader::Open(path, o);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return {};
  auto peaks = ReadPeaks(reader->get());
  EXPECT_TRUE(peaks.ok()) << peaks.status();
  return peaks.ok() ? *peaks : AudioPeaks{};
}

using testing::ExpectSamePeaks;

struct Codec {
  const char* name;
  const char* args;
  bool chunked;  // whether decoding from a seek point rejoins the whole decode bit for bit
};

TEST(PeakChunks, GiveTheWholeRecordingsPeaksBitForBitForEveryCodec) {
  testing::TempDir dir;
  const std::string master = MakeRecording(dir);
  ASSERT_FALSE(master.empty());
  const Codec kCodecs[] = {
      {"wav", "-c:a copy", true},
      {"flac", "-c:a flac", true},
      {"mp3", "-c:a libmp3lame -b:a 96k", true},
      {"m4a", "-c:a aac -aac_pns 0 -b:a 64k", true},
      // Perceptual noise substitution fills bands with noise from a random
      // generator whose state runs on from the start: from a seek point
      // it is not the same noise, the overlaps differ and the recording is
      // read whole, with the same result.
      {"aac", "-c:a aac -aac_pns 1 -b:a 64k -f adts", false},
      {"ogg", "-c:a libvorbis -q:a 3", true},
      {"opus", "-c:a libopus -b:a 48k", true},
  };
  for (const Codec& c : kCodecs) {
    const std::string path = dir.File(std::string("rec.") + c.name);
    ASSERT_EQ(testing::Ffmpeg("-i " + master + " " + c.args + " " + path), "");
    const AudioPeaks want = ReadWhole(path);
    ASSERT_GT(want.peaks.size(), 500u) << c.name;
    for (int jobs : {2, 3}) {
      ChunkedPeakOptions o;
      o.jobs = jobs;
      o.min_chunk_s = 7;
      o.chunks_per_job = 2;
      auto got = ReadPeaksInChunks(path, o);
      ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
      const std::string what = std::string(c.name) + " on " + std::to_string(jobs) + " threads";
      if (c.chunked) EXPECT_EQ(got->chunks, 2 * jobs) << what;
      ExpectSamePeaks(want, got->peaks, what);
    }
  }
}

TEST(PeakChunks, ReadsAShortRecordingWhole) {
  testing::TempDir dir;
  const std::string master = MakeRecording(dir);
  ASSERT_FALSE(master.empty());
  ChunkedPeakOptions o;
  o.jobs = 4;  // the default chunk is 120 s: a minute is one chunk
  auto got = ReadPeaksInChunks(master, o);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->chunks, 1);
  ExpectSamePeaks(ReadWhole(master), got->peaks, "wav read whole");
}

TEST(PeakChunks, FailAsReadingWholeFailsOnADamagedFile) {
  testing::TempDir dir;
  const std::string path = dir.File("junk.wav");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("RIFF not really a wave file", f);
    std::fclose(f);
  }
  ChunkedPeakOptions o;
  o.jobs = 2;
  auto got = ReadPeaksInChunks(path, o);
  EXPECT_FALSE(got.ok());
}

}  // namespace
}  // namespace uncut

// Where else a static picture matches, on synthetic frame hashes.
#include "trace/equal_places.h"

#include <gtest/gtest.h>

#include <random>

namespace uncut {
namespace {

constexpr double kFps = 3;

PdqHash Flip(PdqHash h, int bits, std::mt19937_64* rng) {
  for (int b = 0; b < bits; ++b) {
    const int bit = static_cast<int>((*rng)() % 256);
    h.words[bit / 64] ^= uint64_t{1} << (bit % 64);
  }
  return h;
}

PdqHash RandomHash(std::mt19937_64* rng) {
  PdqHash h;
  for (uint64_t& w : h.words) w = (*rng)();
  return h;
}

// 40 s of a moving picture sampled at kFps; seconds [a, a + 5) and
// [b, b + 5), when given, show one held picture (each frame within 8 bits
// of it: a fixed camera on an unchanging scene, filmed twice).
VideoSignature Source(int a, int b, std::mt19937_64* rng) {
  VideoSignature sig;
  sig.sample_fps = kFps;
  sig.duration_s = 40;
  const PdqHash held = RandomHash(rng);
  for (uint32_t i = 0; i < 120; ++i) {
    FrameSig f;
    f.cell = i;
    f.time_s = static_cast<float>(i / kFps);
    const bool still = a >= 0 && ((f.time_s >= a && f.time_s < a + 5) ||
                                  (f.time_s >= b && f.time_s < b + 5));
    f.main = still ? Flip(held, 8, rng) : RandomHash(rng);
    f.zoom = RandomHash(rng);
    f.main_quality = f.zoom_quality = 100;
    sig.frames.push_back(f);
  }
  return sig;
}

// A re-encoded copy of source seconds [from, from + 4), hashed at 8 frames a
// second, and its segment as the matcher found it.
std::pair<QueryVideo, MatchedSegment> Clip(const VideoSignature& sig, double from,
                                           std::mt19937_64* rng) {
  QueryVideo q;
  q.hash_fps = 8;
  q.duration_s = 4;
  for (int i = 0; i < 32; ++i) {
    QueryVideoFrame f;
    f.time_s = i / 8.0;
    f.hashes = {Flip(sig.frames[sig.Nearest(from + f.time_s)].main, 6, rng)};
    f.quality = 100;
    q.frames.push_back(f);
  }
  MatchedSegment m;
  m.seg.offset = from;
  m.seg.q_start = 0;
  m.seg.q_end = 4;
  m.seg.s_start = from;
  m.seg.s_end = from + 4;
  return {q, m};
}

// The held picture filmed at 10-15 s and again at 30-35 s: a clip of
// 10.5-14.5 s matches as well anywhere in either, and both are listed.
TEST(EqualPlaces, AHeldPictureFilmedTwiceMatchesAtBothPlaces) {
  std::mt19937_64 rng(31);
  const VideoSignature sig = Source(10, 30, &rng);
  const auto [q, m] = Clip(sig, 10.5, &rng);
  const auto places = EqualPlaces(q, sig, m);
  ASSERT_EQ(places.size(), 2u);
  EXPECT_LE(places[0].first, 10.5);
  EXPECT_GE(places[0].second, 14.5);
  EXPECT_GE(places[0].first, 8.5);
  EXPECT_LE(places[0].second, 16.5);
  EXPECT_GE(places[1].first, 28.5);
  EXPECT_LE(places[1].first, 30.5);
  EXPECT_GE(places[1].second, 34.5);
  EXPECT_LE(places[1].second, 36.5);
}

// A moving picture matches at its own place only, to within a frame or two.
TEST(EqualPlaces, AMovingPictureMatchesAtItsOwnPlaceOnly) {
  std::mt19937_64 rng(32);
  const VideoSignature sig = Source(-1, -1, &rng);
  const auto [q, m] = Clip(sig, 20.0, &rng);
  const auto places = EqualPlaces(q, sig, m);
  ASSERT_EQ(places.size(), 1u);
  EXPECT_NEAR(places[0].first, 20.0, 0.7);
  EXPECT_NEAR(places[0].second, 24.0, 0.7);
}

}  // namespace
}  // namespace uncut

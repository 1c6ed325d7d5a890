#include "ocr/caption_band.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace uncut {
namespace {

constexpr int kW = 320, kH = 180;
constexpr double kFps = 3;

// A grey picture: a smooth horizontal gradient that drifts with `phase`
// (a moving scene without sharp edges).
std::vector<uint8_t> Scene(double phase) {
  std::vector<uint8_t> px(kW * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      double v = 110 + 60 * std::sin((x + phase * 40) / 50.0) + 20 * std::cos(y / 40.0);
      px[y * kW + x] = static_cast<uint8_t>(v);
    }
  }
  return px;
}

// Draws a line of "lettering" in the caption band: strokes 1-2 px wide,
// white on a dark outline, whose pattern `seed` chooses, from x0 to x1.
void DrawCaption(std::vector<uint8_t>* px, int seed, int x0, int x1, int y0 = 150) {
  uint32_t s = 2166136261u ^ static_cast<uint32_t>(seed);
  for (int x = x0; x < x1; ++x) {
    s = s * 16777619u ^ static_cast<uint32_t>(x);
    bool stroke = (s >> 7) % 3 == 0;
    for (int y = y0; y < y0 + 10; ++y) {
      (*px)[y * kW + x] = stroke ? 250 : 20;
    }
  }
}

struct Feed {
  CaptionChangeDetector d;
  explicit Feed(CaptionBandOptions o = CaptionBandOptions()) : d(o) {}
  void Frame(double t, const std::vector<uint8_t>& px) {
    d.Observe(t, px.data(), kW, kH, kW, d.BandTop(kH, 0, kH));
  }
};

TEST(CaptionChangeDetector, AMovingSceneWithoutLetteringMakesNoChange) {
  Feed f;
  for (int i = 0; i < 30; ++i) f.Frame(i / kFps, Scene(i * 0.1));
  f.d.Finish();
  EXPECT_TRUE(f.d.changes().empty());
}

TEST(CaptionChangeDetector, CaptionsAppearingChangingAndGoingAreThreeChangesAtTheirFrames) {
  Feed f;
  for (int i = 0; i < 24; ++i) {
    double t = i / kFps;
    std::vector<uint8_t> px = Scene(i * 0.1);
    if (t >= 2 && t < 4) DrawCaption(&px, 1, 60, 260);
    if (t >= 4 && t < 6) DrawCaption(&px, 2, 90, 230);
    f.Frame(t, px);
  }
  f.d.Finish();
  const auto& c = f.d.changes();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_NEAR(c[0].start_s, 2, 1e-9);
  EXPECT_TRUE(c[0].text_like);
  EXPECT_TRUE(c[0].read);
  EXPECT_GE(c[0].read_s, 2);
  EXPECT_LT(c[0].read_s, 4);
  EXPECT_NEAR(c[1].start_s, 4, 1e-9);
  EXPECT_TRUE(c[1].text_like);
  EXPECT_TRUE(c[1].read);
  EXPECT_NEAR(c[2].start_s, 6, 1e-9);
  EXPECT_FALSE(c[2].text_like);
  EXPECT_FALSE(c[2].read);
}

TEST(CaptionChangeDetector, ACaptionFadingInIsReadOnceItHasSettled) {
  Feed f;
  for (int i = 0; i < 12; ++i) {
    double t = i / kFps;
    std::vector<uint8_t> px = Scene(0);
    // Drawn a third, two thirds, then whole over three frames from 1 s.
    int shown = std::clamp(i - 2, 0, 3);
    if (shown > 0) DrawCaption(&px, 5, 40, 40 + 80 * shown);
    f.Frame(t, px);
  }
  f.d.Finish();
  const auto& c = f.d.changes();
  ASSERT_FALSE(c.empty());
  EXPECT_NEAR(c[0].start_s, 1, 1e-9);
  EXPECT_NEAR(c.back().read_s, 5 / kFps, 1e-9);  // the first whole frame
  EXPECT_TRUE(c.back().read);
}

TEST(CaptionChangeDetector, CaptionsOutsideTheBottomBandAreNotWatched) {
  Feed f;
  for (int i = 0; i < 12; ++i) {
    std::vector<uint8_t> px = Scene(0);
    if (i >= 4) DrawCaption(&px, 3, 60, 260, /*y0=*/30);  // a title at the top
    f.Frame(i / kFps, px);
  }
  f.d.Finish();
  EXPECT_TRUE(f.d.changes().empty());
}

TEST(CaptionChangeDetector, ReadsAreCappedPerMinuteOfVideo) {
  CaptionBandOptions o;
  o.max_reads_per_minute = 4;
  Feed f(o);
  for (int i = 0; i < 60; ++i) {
    std::vector<uint8_t> px = Scene(0);
    DrawCaption(&px, i / 2, 60, 260);  // a new caption every two frames
    f.Frame(i / kFps, px);
  }
  f.d.Finish();
  int read = 0, text_like = 0;
  for (const CaptionChange& c : f.d.changes()) {
    read += c.read;
    text_like += c.text_like;
  }
  EXPECT_GT(text_like, 10);
  EXPECT_EQ(read, 4);
}

TEST(CaptionCues, IdenticalReadingsInARowAreOneCueAndABlankEndsIt) {
  std::vector<CaptionChange> changes = {{1, 1.3, true, true}, {3, 3.3, true, true},
                                        {5, 5.3, true, true}, {7, 7.3, false, false},
                                        {9, 9.3, true, true}};
  std::vector<CaptionRead> reads = {{"The harbour is closed", 90},
                                    {"The harbour is c1osed.", 80},  // the same, misread
                                    {"Boats will return in June", 85},
                                    {"", 0},
                                    {"Thank you", 70}};
  std::vector<CaptionCue> cues = CaptionCues(changes, reads, 12);
  ASSERT_EQ(cues.size(), 3u);
  EXPECT_EQ(cues[0].text, "The harbour is closed");
  EXPECT_DOUBLE_EQ(cues[0].start_s, 1);
  EXPECT_DOUBLE_EQ(cues[0].end_s, 5);
  EXPECT_EQ(cues[1].text, "Boats will return in June");
  EXPECT_DOUBLE_EQ(cues[1].start_s, 5);
  EXPECT_DOUBLE_EQ(cues[1].end_s, 7);
  EXPECT_EQ(cues[2].text, "Thank you");
  EXPECT_DOUBLE_EQ(cues[2].start_s, 9);
  EXPECT_DOUBLE_EQ(cues[2].end_s, 12);
}

TEST(CaptionCues, UnreadChangesEndTheCueBefore) {
  std::vector<CaptionChange> changes = {{1, 1, true, true}, {2, 2, true, false}};
  std::vector<CaptionRead> reads = {{"First line", 90}, {"", 0}};
  std::vector<CaptionCue> cues = CaptionCues(changes, reads, 10);
  ASSERT_EQ(cues.size(), 1u);
  EXPECT_DOUBLE_EQ(cues[0].end_s, 2);
}

TEST(SameCaption, ToleratesCaseSpacingPunctuationAndAMisreadLetterButNotAnotherLine) {
  EXPECT_TRUE(SameCaption("We will rebuild the pier.", "we will rebuild  the pier"));
  EXPECT_TRUE(SameCaption("We will rebuild the pier", "We wi1l rebuild the pier"));
  EXPECT_FALSE(SameCaption("We will rebuild the pier", "We will not rebuild it"));
  EXPECT_TRUE(SameCaption("بندر بسته است", "بندر  بسته است."));
  EXPECT_FALSE(SameCaption("بندر بسته است", "کشتی‌ها برمی‌گردند"));
  EXPECT_FALSE(SameCaption("", "Words"));
}

}  // namespace
}  // namespace uncut

namespace uncut {
namespace {

// OCR words of a reading: lines separated by '\n', words by ' '.
std::vector<OcrWord> Reading(const std::string& text) {
  std::vector<OcrWord> words;
  bool line_start = true;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    OcrWord w;
    w.text = word;
    w.starts_line = line_start;
    words.push_back(w);
    word.clear();
    line_start = false;
  };
  for (char c : text) {
    if (c == ' ' || c == '\n') {
      flush();
      if (c == '\n') line_start = true;
    } else {
      word.push_back(c);
    }
  }
  flush();
  return words;
}

std::string Lines(const std::vector<OcrWord>& words) {
  std::string out;
  for (const OcrWord& w : words) {
    if (!out.empty()) out += w.starts_line ? "\n" : " ";
    out += w.text;
  }
  return out;
}

TEST(CaptionJunkLines, LinesOfMarksAndStrayLettersAreDroppedAndTheCaptionKept) {
  EXPECT_EQ(Lines(CaptionWordsWithoutJunkLines(
                Reading("~ -- ,. |\nWe will not leave the harbour\n1l| ;' ee\n=_ WwW =="))),
            "We will not leave the harbour");
}

TEST(CaptionJunkLines, AJunkFirstLineDoesNotJoinTheCaptionToIt) {
  std::vector<OcrWord> kept =
      CaptionWordsWithoutJunkLines(Reading("|| ~~\nthe ferry left\nat dawn today"));
  ASSERT_EQ(kept.size(), 6u);
  EXPECT_TRUE(kept[0].starts_line);
  EXPECT_EQ(Lines(kept), "the ferry left\nat dawn today");
}

TEST(CaptionJunkLines, NumbersShortWordsAndPersianCaptionsAreKept) {
  for (const char* caption : {"Call 555-1234 now", "In 1989 we left.", "I'm OK.",
                              "گزارش کمیسیون بندر", "ساعت ۱۰ صبح"}) {
    EXPECT_EQ(Lines(CaptionWordsWithoutJunkLines(Reading(caption))), caption) << caption;
  }
}

TEST(CaptionJunkLines, ALineOfOneShortWordOrOfLettersInPunctuationIsJunk) {
  for (const char* junk : {"a", "Il", "—a— ,,.b.", "i. i. i. i.", "۱۲۳ ..."}) {
    EXPECT_TRUE(CaptionWordsWithoutJunkLines(Reading(junk)).empty()) << junk;
  }
}

}  // namespace
}  // namespace uncut

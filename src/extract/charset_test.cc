#include "extract/charset.h"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <string>

namespace uncut {
namespace {

// A Persian paragraph as legacy Persian text is written in windows-1256:
// Arabic yeh (U+064A) for Persian yeh, which the charset lacks, and the
// Persian letters پ چ ژ گ ک at 0x81 0x8D 0x8E 0x90 0x98.
constexpr const char* kPersian =
    "پژوهشگران دانشگاه تهران اعلام کردند که گزارش نهايي درباره کيفيت آب رودخانه‌ها در ماه "
    "آينده منتشر خواهد شد. به گفته آنها، چند نمونه از آب چشمه‌هاي کوهستاني نيز بررسي شده است "
    "و نتيجه‌ها نشان مي‌دهد که آلودگي در برخي مناطق بيشتر از پيش بوده است.";

// `utf8` encoded to `charset` with ICU's converter.
std::string Encode(const std::string& utf8, const char* charset) {
  std::string out(utf8.size() * 2 + 16, '\0');
  UErrorCode err = U_ZERO_ERROR;
  int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                           utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  EXPECT_TRUE(U_SUCCESS(err)) << u_errorName(err);
  out.resize(U_SUCCESS(err) ? n : 0);
  return out;
}

TEST(DecodeText, KeepsValidUtf8AsIs) {
  auto d = DecodeText("caf\xC3\xA9 au lait");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->utf8, "caf\xC3\xA9 au lait");
  EXPECT_EQ(d->charset, "UTF-8");
  EXPECT_TRUE(d->warnings.empty());
}

TEST(DecodeText, SkipsUtf8ByteOrderMarkButKeepsOffsets) {
  auto d = DecodeText("\xEF\xBB\xBFhello");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->utf8, "hello");
  EXPECT_EQ(d->map.SourceStart(0), 3u);
}

TEST(DecodeText, ReadsUtf16LittleEndianWithOffsetsIntoTheOriginal) {
  std::string bytes("\xFF\xFEh\0i\0 \0\xE9\0", 10);
  auto d = DecodeText(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->utf8, "hi \xC3\xA9");
  EXPECT_EQ(d->map.SourceStart(0), 2u);  // after the BOM
  EXPECT_EQ(d->map.SourceStart(3), 8u);  // é
  EXPECT_EQ(d->map.SourceEnd(5), 10u);
}

TEST(DecodeText, DetectsALegacyCharsetAndWarns) {
  // windows-1252 French: é = 0xE9, è = 0xE8, à = 0xE0.
  std::string text =
      "Le ministre a d\xE9" "clar\xE9 que la r\xE9" "forme serait appliqu\xE9" "e \xE0 partir de "
      "l'ann\xE9" "e prochaine, apr\xE8s un d\xE9" "bat tr\xE8s long au parlement.";
  auto d = DecodeText(text);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_NE(d->utf8.find("d\xC3\xA9" "clar\xC3\xA9"), std::string::npos);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("not UTF-8"), std::string::npos);
  EXPECT_TRUE(d->charset == "ISO-8859-1" || d->charset == "windows-1252") << d->charset;
}

TEST(DecodeText, DetectsPersianInWindows1256) {
  std::string bytes = Encode(kPersian, "windows-1256");
  ASSERT_NE(bytes.find('\x81'), std::string::npos);  // پ made it through
  auto d = DecodeText(bytes);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->charset, "windows-1256");
  EXPECT_EQ(d->utf8, kPersian);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("read as windows-1256"), std::string::npos) << d->warnings[0];
}

TEST(DecodeLabeledText, DetectsUnlabelledPersianInWindows1256) {
  auto d = DecodeLabeledText(Encode(kPersian, "windows-1256"), "");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->charset, "windows-1256");
  EXPECT_EQ(d->utf8, kPersian);
}

TEST(DecodeText, DetectsArabicInWindows1256) {
  std::string arabic =
      "\xD9\x82\xD8\xA7\xD9\x84 \xD8\xA7\xD9\x84\xD9\x88\xD8\xB2\xD9\x8A\xD8\xB1 "  // قال الوزير
      "\xD8\xA5\xD9\x86 \xD8\xA7\xD9\x84\xD8\xAD\xD9\x83\xD9\x88\xD9\x85\xD8\xA9 "  // إن الحكومة
      "\xD8\xB3\xD8\xAA\xD8\xB9\xD9\x84\xD9\x86 \xD8\xB9\xD9\x86 \xD8\xA7\xD9\x84\xD8\xAE\xD8\xB7\xD8\xA9 "
      "\xD8\xA7\xD9\x84\xD8\xAC\xD8\xAF\xD9\x8A\xD8\xAF\xD8\xA9 \xD9\x81\xD9\x8A "
      "\xD8\xA7\xD9\x84\xD8\xB4\xD9\x87\xD8\xB1 \xD8\xA7\xD9\x84\xD9\x82\xD8\xA7\xD8\xAF\xD9\x85 "
      "\xD8\xA8\xD8\xB9\xD8\xAF \xD8\xA7\xD9\x86 \xD9\x8A\xD9\x88\xD8\xA7\xD9\x81\xD9\x82 "
      "\xD8\xB9\xD9\x84\xD9\x8A\xD9\x87\xD8\xA7 \xD8\xA7\xD9\x84\xD8\xA8\xD8\xB1\xD9\x84\xD9\x85\xD8\xA7\xD9\x86.";
  auto d = DecodeText(Encode(arabic, "windows-1256"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->utf8, arabic);
}

TEST(DecodeText, HonoursAForcedCharset) {
  // Arabic-script text in windows-1256: 0xC7 = ا, 0xE1 = ل.
  auto d = DecodeText("\xC7\xE1", "windows-1256");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->utf8, "\xD8\xA7\xD9\x84");
  EXPECT_EQ(d->map.SourceStart(2), 1u);
}

TEST(DecodeText, RefusesDamagedUtf8) {
  auto d = DecodeText("caf\xC3\xA9 then \xFF broken");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("invalid UTF-8 at byte 11"), std::string::npos);
}

TEST(DecodeText, RefusesBinaryData) {
  auto d = DecodeText(std::string("\x7F" "ELF\x02\x01\x01\0\0\0", 10));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("binary"), std::string::npos);
}

TEST(DecodeText, RejectsAnUnknownCharsetName) {
  EXPECT_FALSE(DecodeText("abc", "no-such-charset-xyz").ok());
}

}  // namespace
}  // namespace uncut

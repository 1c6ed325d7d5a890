#include "extract/charset.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

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

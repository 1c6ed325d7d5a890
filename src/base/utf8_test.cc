#include "base/utf8.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

TEST(AppendUtf8, WritesOneToFourBytesAsTheCodePointNeeds) {
  std::string out;
  for (char32_t c : {U'a', U'\u00e9', U'\u06cc', U'\u200c', U'\U0001F600'}) AppendUtf8(c, &out);
  EXPECT_EQ(out, "a\xc3\xa9\xdb\x8c\xe2\x80\x8c\xf0\x9f\x98\x80");
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(AppendUtf8, TheLargestCodePointOfEachLengthStaysValid) {
  for (char32_t c : {char32_t{0x7f}, char32_t{0x7ff}, char32_t{0xffff}, char32_t{0x10ffff}}) {
    std::string out;
    AppendUtf8(c, &out);
    EXPECT_TRUE(IsValidUtf8(out)) << static_cast<uint32_t>(c);
    EXPECT_EQ(ToValidUtf8(out), out);
  }
}

}  // namespace
}  // namespace uncut

#include "extract/offset_map.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

TEST(OffsetMap, IdentityMapsEveryByteToItself) {
  OffsetMap m = OffsetMap::Identity(10);
  EXPECT_EQ(m.SourceStart(0), 0u);
  EXPECT_EQ(m.SourceStart(7), 7u);
  EXPECT_EQ(m.SourceEnd(10), 10u);
  EXPECT_EQ(m.text_size(), 10u);
}

TEST(OffsetMap, ReplacementMapsToTheWholeSourceRange) {
  // Text "a&b" from source "a&amp;b": the "&" stands for 5 source bytes.
  OffsetMapBuilder b;
  b.Copy(1, 0);
  b.Replace(1, 1, 5);
  b.Copy(1, 6);
  OffsetMap m = std::move(b).Build();
  EXPECT_EQ(m.SourceStart(1), 1u);
  EXPECT_EQ(m.SourceEnd(2), 6u);
  EXPECT_EQ(m.SourceStart(2), 6u);
  EXPECT_EQ(m.SourceEnd(3), 7u);
}

TEST(OffsetMap, InsertedBreaksMapToAnEmptySourceRange) {
  OffsetMapBuilder b;
  b.Copy(3, 10);
  b.Replace(2, 20, 0);  // "\n\n" between blocks
  b.Copy(3, 20);
  OffsetMap m = std::move(b).Build();
  EXPECT_EQ(m.SourceStart(5), 20u);
  EXPECT_EQ(m.SourceEnd(3), 13u);
}

TEST(OffsetMap, SurvivesSerializeAndParse) {
  OffsetMapBuilder b;
  b.Copy(4, 100);
  b.Replace(2, 104, 7);
  b.Copy(9, 50);  // source offsets may go back (reordered containers)
  OffsetMap m = std::move(b).Build();
  auto parsed = OffsetMap::Parse(m.Serialize());
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->runs().size(), m.runs().size());
  for (uint64_t t = 0; t < m.text_size(); ++t) {
    EXPECT_EQ(parsed->SourceStart(t), m.SourceStart(t)) << t;
    EXPECT_EQ(parsed->SourceEnd(t + 1), m.SourceEnd(t + 1)) << t;
  }
}

TEST(OffsetMap, RejectsTruncatedBytes) {
  OffsetMapBuilder b;
  b.Copy(4, 100);
  b.Replace(2, 104, 7);
  std::string bytes = std::move(b).Build().Serialize();
  EXPECT_FALSE(OffsetMap::Parse(bytes.substr(0, bytes.size() - 1)).ok());
}

}  // namespace
}  // namespace uncut

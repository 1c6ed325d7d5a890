#include "query/trace_query.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/memory_storage.h"
#include "testing/media.h"
#include "testing/temp_dir.h"
#include "trace/text_testing.h"

namespace uncut {
namespace {

constexpr char kSpeech[] =
    "The council met on Tuesday evening to discuss the new harbour plan. After two hours of "
    "debate, the members agreed that the old warehouses along the quay would be kept and "
    "restored rather than pulled down. The mayor said the decision would cost more in the "
    "short term but would give the town a waterfront worth visiting for decades to come.";

using testing::AddText;

bool HasRole(const SourceMatch& m, IntervalRole role) {
  for (const SourceInterval& iv : m.intervals) {
    if (iv.role == role) return true;
  }
  return false;
}

TEST(TraceQuery, AnExtractIsTracedAsTextWithTheContextAskedFor) {
  MemoryStorage storage;
  const int64_t id = AddText(&storage, "council.txt", kSpeech);
  TraceQuery query;
  query.text = "the members agreed that the old warehouses along the quay would be kept";
  auto kind = TraceQueryKindOf(query);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, TraceQueryKind::kText);
  auto report = RunTraceQuery(storage.storage(), query, *kind);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->query_kind, "text");
  ASSERT_EQ(report->sources.size(), 1u);
  EXPECT_EQ(report->sources[0].item.id, id);
  EXPECT_TRUE(HasRole(report->sources[0], IntervalRole::kBefore));
  EXPECT_TRUE(HasRole(report->sources[0], IntervalRole::kAfter));

  query.context_sentences = 0;
  report = RunTraceQuery(storage.storage(), query, *kind);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->sources.size(), 1u);
  EXPECT_FALSE(HasRole(report->sources[0], IntervalRole::kBefore));
  EXPECT_FALSE(HasRole(report->sources[0], IntervalRole::kAfter));
}

TEST(TraceQuery, APictureFileIsTracedAsAPicture) {
  testing::TempDir dir;
  const std::string png = dir.File("still.png");
  ASSERT_EQ(testing::Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=1 -frames:v 1 " + png), "");
  TraceQuery query;
  query.file = png;
  query.text = "ignored when there is a file";
  auto kind = TraceQueryKindOf(query);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, TraceQueryKind::kPicture);
  MemoryStorage storage;
  auto report = RunTraceQuery(storage.storage(), query, *kind);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->query_kind, "image");
  EXPECT_EQ(report->verdict, TraceVerdict::kNotFound);
}

TEST(TraceQuery, ASoundFileIsTracedAsAClip) {
  testing::TempDir dir;
  const std::string wav = dir.File("tone.wav");
  ASSERT_EQ(testing::Ffmpeg("-f lavfi -i sine=f=440:d=2 " + wav), "");
  TraceQuery query;
  query.file = wav;
  auto kind = TraceQueryKindOf(query);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, TraceQueryKind::kClip);
  MemoryStorage storage;
  auto report = RunTraceQuery(storage.storage(), query, *kind);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->query_kind, "audio");
  EXPECT_TRUE(report->sources.empty());
}

TEST(TraceQuery, ATextFileSentAsAClipIsRefusedByTheNameItWasSentAs) {
  testing::TempDir dir;
  TraceQuery query;
  query.file = dir.Write("upload-17", kSpeech);
  query.file_name = "quote.txt";
  query.quote_hint = "; send the quote as text";
  auto kind = TraceQueryKindOf(query);
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(kind.status().message());
  EXPECT_EQ(msg.rfind("quote.txt: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find(dir.path()), std::string::npos) << msg;
  EXPECT_NE(msg.find("text"), std::string::npos) << msg;
  EXPECT_EQ(msg.substr(msg.size() - 24), "; send the quote as text") << msg;
}

TEST(TraceQuery, AClipTheDecoderCannotReadIsNamedAsSent) {
  testing::TempDir dir;
  // Bytes of no known format: left to the decoder, which fails.
  std::string noise(4096, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 251);
  TraceQuery query;
  query.file = dir.Write("upload-18", noise);
  query.file_name = "clip.mp4";
  auto kind = TraceQueryKindOf(query);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, TraceQueryKind::kClip);
  MemoryStorage storage;
  auto report = RunTraceQuery(storage.storage(), query, *kind);
  ASSERT_FALSE(report.ok());
  const std::string msg(report.status().message());
  EXPECT_EQ(msg.rfind("clip.mp4", 0), 0u) << msg;
  EXPECT_EQ(msg.find(dir.path()), std::string::npos) << msg;
}

TEST(TraceQuery, AMissingFileIsNamedAsSent) {
  testing::TempDir dir;
  TraceQuery query;
  query.file = dir.File("gone.mp4");
  query.file_name = "clip.mp4";
  auto kind = TraceQueryKindOf(query);
  ASSERT_FALSE(kind.ok());
  const std::string msg(kind.status().message());
  EXPECT_EQ(msg.rfind("clip.mp4", 0), 0u) << msg;
  EXPECT_EQ(msg.find(dir.path()), std::string::npos) << msg;
}

}  // namespace
}  // namespace uncut

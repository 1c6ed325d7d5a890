#include "extract/warc.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "base/strings.h"
#include "extract/gzip_reader.h"
#include "extract/http_payload.h"
#include "extract/warc_reader.h"

namespace uncut {
namespace {

std::string Record(std::string_view type, std::string_view uri, std::string_view content_type,
                   std::string_view block, std::string_view extra = "") {
  return StrCat("WARC/1.1\r\nWARC-Type: ", type, "\r\nWARC-Target-URI: ", uri,
                "\r\nWARC-Date: 2024-05-01T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:", uri.size(),
                type, ">\r\nContent-Type: ", content_type, "\r\n", extra,
                "Content-Length: ", block.size(), "\r\n\r\n", block, "\r\n\r\n");
}

std::string Hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%zx", n);
  return buf;
}

std::string Response(std::string_view headers, std::string_view body) {
  return StrCat("HTTP/1.1 200 OK\r\n", headers, "\r\n", body);
}

TEST(WarcReader, ResumesAtTheNextRecordAfterAWrongContentLength) {
  std::string a = Record("resource", "http://a/", "text/plain", "first record text");
  a.replace(a.find("Content-Length: 17"), 18, "Content-Length: 9");
  std::string b = Record("resource", "http://b/", "text/plain", "second record text");
  std::string data = a + b;
  StringReader in(data);
  WarcReader r(&in, 1 << 20);
  auto first = r.Next();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->has_value());
  EXPECT_TRUE((*first)->truncated);
  auto second = r.Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->Field("warc-target-uri"), "http://b/");
  EXPECT_EQ((*second)->block, "second record text");
  ASSERT_FALSE(r.warnings().empty());
  EXPECT_NE(r.warnings()[0].find("Content-Length"), std::string::npos);
}

TEST(WarcReader, RefusesDataThatIsNotWarc) {
  StringReader in("<html>not a warc</html>");
  WarcReader r(&in, 1 << 20);
  EXPECT_FALSE(r.Next().ok());
}

TEST(ParseHttpResponse, UndoesChunkedTransferAndGzipContentCoding) {
  std::string body = "<p>Hello from the archive.</p>";
  // gzip of `body`, made with zlib here so the test needs no fixture.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string gz(256, '\0');
  z.next_in = reinterpret_cast<Bytef*>(body.data());
  z.avail_in = body.size();
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = gz.size();
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  std::string chunked = StrCat(Hex(gz.size() - 5), "\r\n", gz.substr(0, gz.size() - 5),
                               "\r\n5\r\n", gz.substr(gz.size() - 5), "\r\n0\r\n\r\n");
  auto r = ParseHttpResponse(
      Response("Content-Type: text/html; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n"
               "Content-Encoding: gzip\r\n",
               chunked),
      1 << 20);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
  EXPECT_EQ(ParseContentType(r->Header("content-type")).charset, "UTF-8");
}

TEST(Gunzip, StopsADecompressionBomb) {
  std::string zeros(300u << 20, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string gz(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(zeros.data());
  z.avail_in = zeros.size();
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = gz.size();
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  zeros.clear();
  zeros.shrink_to_fit();
  auto out = Gunzip(gz, 1ull << 40);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(WarcExtractor, KeepsPagesWithUrlAndDateAndFollowsRevisits) {
  std::string page = "<html><body><p>The river authority overspent on the bridge.</p></body></html>";
  std::string warc =
      Record("warcinfo", "", "application/warc-fields", "software: test\r\n") +
      Record("response", "http://example.org/a", "application/http; msgtype=response",
             Response("Content-Type: text/html\r\n", page),
             "WARC-Payload-Digest: sha1:ABC\r\n") +
      Record("response", "http://example.org/logo.png", "application/http; msgtype=response",
             Response("Content-Type: image/png\r\n", "\x89PNG")) +
      Record("revisit", "http://example.org/a", "application/http; msgtype=response",
             "HTTP/1.1 200 OK\r\n\r\n", "WARC-Payload-Digest: sha1:ABC\r\n");
  warc.replace(warc.rfind("2024-05-01T12:00:00Z"), 20, "2024-06-01T08:00:00Z");
  ChildVector sink;
  ExtractOptions eo;
  eo.children = &sink;
  auto ex = WarcExtractor().Extract(warc, eo);
  ASSERT_TRUE(ex.ok()) << ex.status();
  ASSERT_EQ(sink.children.size(), 2u);
  const ChildDocument& a = sink.children[0];
  EXPECT_EQ(a.source_url, "http://example.org/a");
  EXPECT_EQ(a.captured_at, "2024-05-01T12:00:00Z");
  ASSERT_TRUE(a.text.has_value());
  EXPECT_EQ(a.text->text, "The river authority overspent on the bridge.");
  EXPECT_EQ(a.text->anchors[0].kind, "capture");
  EXPECT_EQ(a.text->anchors[0].value["url"], "http://example.org/a");
  EXPECT_EQ(*a.decoded, page);
  const ChildDocument& revisit = sink.children[1];
  EXPECT_EQ(revisit.captured_at, "2024-06-01T08:00:00Z");
  EXPECT_EQ(*revisit.decoded, page);
  EXPECT_EQ(revisit.info["revisit_of"]["captured_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(ex->info["payloads_not_kept"]["image/png"], 1);
}

TEST(WarcExtractor, KeepsVideoRecordsAsMediaChildrenWithoutText) {
  std::string warc = Record("resource", "http://example.org/clip.mp4", "video/mp4",
                            std::string("\0\0\0\x18" "ftypmp42", 12));
  ChildVector sink;
  ExtractOptions eo;
  eo.children = &sink;
  ASSERT_TRUE(WarcExtractor().Extract(warc, eo).ok());
  ASSERT_EQ(sink.children.size(), 1u);
  EXPECT_EQ(sink.children[0].kind, "video");
  EXPECT_EQ(sink.children[0].format, "mp4");
  EXPECT_FALSE(sink.children[0].text.has_value());
}

}  // namespace
}  // namespace uncut

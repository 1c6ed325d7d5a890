#include "extract/email.h"

#include <gtest/gtest.h>

#include "base/strings.h"
#include "extract/mail_message.h"
#include "extract/mbox_reader.h"

namespace uncut {
namespace {

std::string Message(std::string_view headers, std::string_view body) {
  return StrCat("From: Ann <ann@example.org>\nTo: Bo <bo@example.org>\nSubject: Test\n"
                "Date: Tue, 20 Aug 2002 12:00:00 +0000\nMessage-ID: <x@example.org>\n",
                headers, "\n", body);
}

// The source bytes the text span [b, e) maps to.
std::string_view SourceOf(const ExtractedText& t, std::string_view src, size_t b, size_t e) {
  uint64_t s = t.map.SourceStart(b), end = t.map.SourceEnd(e);
  return src.substr(s, end - s);
}

TEST(MboxReader, KeepsBodyLineStartingWithFromInsideItsMessage) {
  std::string mbox =
      "From ann@example.org Tue Aug 20 12:00:00 2002\nFrom: ann@example.org\nSubject: one\n\n"
      "First body.\n\nFrom here on, the minutes are kept by Bo.\n\n"
      "From bo@example.org Wed Aug 21 09:30:00 2002\nFrom: bo@example.org\nSubject: two\n\n"
      "Second body.\n";
  MboxReader r(mbox);
  auto a = r.Next();
  auto b = r.Next();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(r.Next());
  std::string_view first = std::string_view(mbox).substr(a->offset, a->size);
  EXPECT_NE(first.find("From here on, the minutes"), std::string_view::npos);
  EXPECT_EQ(first.substr(0, 5), "From:");
  EXPECT_EQ(std::string_view(mbox).substr(b->offset, 5), "From:");
  EXPECT_EQ(first.back(), '\n');
  EXPECT_NE(first.substr(first.size() - 2), "\n\n");
}

TEST(MboxReader, RequiresABlankLineBeforeASeparator) {
  std::string mbox =
      "From a@x Tue Aug 20 12:00:00 2002\nSubject: one\n\nbody\n"
      "From b@x Tue Aug 20 12:00:00 2002\nSubject: quoted in body\n";
  MboxReader r(mbox);
  ASSERT_TRUE(r.Next());
  EXPECT_FALSE(r.Next());
}

TEST(ParseMessage, MapsQuotedPrintableTextBackToTheEncodedBytes) {
  std::string m = Message("Content-Type: text/plain; charset=iso-8859-1\n"
                          "Content-Transfer-Encoding: quoted-printable\n",
                          "We met at the caf=E9 near the br=\nidge.\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok()) << p.status();
  const ExtractedText& t = p->extraction.text;
  EXPECT_EQ(t.text, "We met at the caf\u00e9 near the bridge.\n");
  size_t cafe = t.text.find("caf");
  EXPECT_EQ(SourceOf(t, m, cafe, cafe + 5), "caf=E9");
  size_t bridge = t.text.find("bridge");
  EXPECT_EQ(SourceOf(t, m, bridge, bridge + 6), "br=\nidge");
  EXPECT_EQ(p->extraction.info["body_parts"][0]["charset"], "windows-1252");
}

TEST(ParseMessage, NamesTheMessageInAnAnchorWithDecodedHeaders) {
  std::string m = Message("", "Hello there, this is the body.\n");
  m.replace(m.find("Subject: Test"), 13, "Subject: =?UTF-8?B?2LPZhNin2YU=?=");
  auto p = ParseMessage(m, {}, 7);
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(p->extraction.text.anchors.empty());
  const Anchor& a = p->extraction.text.anchors[0];
  EXPECT_EQ(a.kind, "message");
  EXPECT_EQ(a.value["subject"], "\u0633\u0644\u0627\u0645");
  EXPECT_EQ(a.value["from"], "Ann <ann@example.org>");
  EXPECT_EQ(a.value["message_id"], "x@example.org");
  EXPECT_EQ(a.value["date"], "2002-08-20T12:00:00+00:00");
  EXPECT_EQ(a.value["number"], 7);
}

TEST(ParseMessage, ConvertsWindows1256AndBig5Bodies) {
  // "سلام عليكم" in windows-1256 (base64), and "中文" in Big5 (8bit).
  std::string m = Message(
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n",
      "--b\nContent-Type: text/plain; charset=windows-1256\n"
      "Content-Transfer-Encoding: base64\n\n"
      "0+HH4yDa4e3f4w==\n"
      "--b\nContent-Type: text/plain; charset=big5\nContent-Transfer-Encoding: 8bit\n\n"
      "\xA4\xA4\xA4\xE5 text\n--b--\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  const std::string& t = p->extraction.text.text;
  EXPECT_NE(t.find("\u0633\u0644\u0627\u0645"), std::string::npos) << t;
  EXPECT_NE(t.find("\u4e2d\u6587 text"), std::string::npos) << t;
}

TEST(ParseMessage, WarnsInsteadOfMojibakeWhenTheLabelIsWrong) {
  // UTF-8 bytes labelled ISO-8859-1.
  std::string m = Message("Content-Type: text/plain; charset=iso-8859-1\n",
                          "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extraction.text.text, "Gr\u00fc\u00dfe aus K\u00f6ln\n");
  ASSERT_TRUE(p->extraction.info.contains("warnings"));
  EXPECT_NE(p->extraction.info["warnings"].dump().find("valid UTF-8"), std::string::npos);
}

TEST(ParseMessage, ReadsAnUnlabelledLatin1BodyWithAWarning) {
  std::string m = Message("", "Caf\xE9 cr\xE8me au d\xE9jeuner\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extraction.text.text, "Caf\u00e9 cr\u00e8me au d\u00e9jeuner\n");
  EXPECT_TRUE(p->extraction.info.contains("warnings"));
}

TEST(ParseMessage, PrefersPlainTextAlternativeAndReducesHtmlOnlyMessages) {
  std::string alt = Message("MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=z\n",
                            "--z\nContent-Type: text/plain\n\nThe plain version of the text.\n"
                            "--z\nContent-Type: text/html\n\n<p>The <b>HTML</b> version.</p>\n"
                            "--z--\n");
  auto a = ParseMessage(alt, {});
  ASSERT_TRUE(a.ok());
  EXPECT_NE(a->extraction.text.text.find("plain version"), std::string::npos);
  EXPECT_EQ(a->extraction.text.text.find("HTML"), std::string::npos);
  std::string html = Message("Content-Type: text/html; charset=utf-8\n",
                             "<html><body><p>Only <i>HTML</i> here &amp; there.</p>"
                             "<script>var x = 'hidden';</script></body></html>\n");
  auto h = ParseMessage(html, {});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->extraction.text.text, "Only HTML here & there.");
  size_t amp = h->extraction.text.text.find('&');
  EXPECT_EQ(SourceOf(h->extraction.text, html, amp, amp + 1), "&amp;");
}

TEST(ParseMessage, MarksQuotedReplyLines) {
  std::string m = Message("", "I agree.\n\n> You said the bridge\n> was too dear.\n\nThanks\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  std::vector<std::pair<uint64_t, std::string>> quoted;
  for (const Anchor& a : p->extraction.text.anchors) {
    if (a.kind == "quoted") quoted.push_back({a.text_offset, a.value.dump()});
  }
  ASSERT_EQ(quoted.size(), 2u);
  EXPECT_EQ(quoted[0].first, p->extraction.text.text.find("> You"));
  EXPECT_EQ(quoted[0].second, R"({"level":1})");
  EXPECT_EQ(quoted[1].first, p->extraction.text.text.find("Thanks"));
  EXPECT_EQ(quoted[1].second, "false");
}

TEST(ParseMessage, KeepsDocumentAttachmentsAsChildrenAndListsTheRest) {
  std::string m = Message(
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n",
      "--q\nContent-Type: text/plain\n\nSee the attached minutes.\n"
      "--q\nContent-Type: text/plain; name=minutes.txt\nContent-Disposition: attachment; "
      "filename=minutes.txt\nContent-Transfer-Encoding: base64\n\n"
      "VGhlIGJvYXJkIHZvdGVkIHRvIHJlcGFpciB0aGUgZWFzdGVybiBsb2Nrcy4K\n"
      "--q\nContent-Type: image/png; name=logo.png\nContent-Disposition: attachment; "
      "filename=logo.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--q--\n");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->attachments.size(), 1u);
  const ChildDocument& c = p->attachments[0];
  EXPECT_EQ(c.name, "minutes.txt");
  ASSERT_TRUE(c.decoded.has_value());
  EXPECT_EQ(*c.decoded, "The board voted to repair the eastern locks.\n");
  ASSERT_TRUE(c.text.has_value());
  EXPECT_EQ(c.text->text, *c.decoded);
  ASSERT_EQ(p->extraction.info["attachments"].size(), 2u);
  EXPECT_EQ(p->extraction.info["attachments"][1]["name"], "logo.png");
  EXPECT_EQ(p->extraction.info["attachments"][1]["kept"], false);
}

TEST(ParseMessage, SurvivesATruncatedMultipartWithAWarning) {
  std::string m = Message("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n",
                          "--q\nContent-Type: text/plain\n\nThe text that was sent before the cut");
  auto p = ParseMessage(m, {});
  ASSERT_TRUE(p.ok());
  EXPECT_NE(p->extraction.text.text.find("before the cut"), std::string::npos);
}

TEST(ParseMessage, RefusesBytesThatAreNotAMessage) {
  EXPECT_FALSE(ParseMessage("\n\n\n", {}).ok());
}

TEST(MboxExtractor, HandsEveryMessageToTheSinkAsARangeOfTheMailbox) {
  std::string mbox;
  for (int i = 0; i < 50; ++i) {
    StrAppend(&mbox, "From a@x Tue Aug 20 12:00:00 2002\n",
              Message("", StrCat("Body number ", i, " of the mailbox.\n")), "\n");
  }
  ChildVector sink;
  ExtractOptions eo;
  eo.children = &sink;
  auto ex = MboxExtractor().Extract(mbox, eo);
  ASSERT_TRUE(ex.ok()) << ex.status();
  EXPECT_EQ(ex->kind, "container");
  ASSERT_EQ(sink.children.size(), 50u);
  const ChildDocument& c = sink.children[49];
  EXPECT_FALSE(c.decoded.has_value());
  std::string_view own = std::string_view(mbox).substr(c.offset, c.size);
  ASSERT_TRUE(c.text.has_value());
  size_t t = c.text->text.find("number 49");
  EXPECT_EQ(SourceOf(*c.text, own, t, t + 9), "number 49");
}

}  // namespace
}  // namespace uncut

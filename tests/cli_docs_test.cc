// End-to-end tests of the command line on e-mail, PDF, subtitles and web
// captures: each format is added and a quote traced back to a human location.
#include <gtest/gtest.h>
#include <zip.h>

#include <cstdlib>
#include <fstream>

#include "base/sha256.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

std::string Fixture(const std::string& rel) {
  const char* root = std::getenv("UNCUT_SOURCE_DIR");
  if (root != nullptr && *root != '\0') return StrCat(root, "/tests/fixtures/", rel);
  std::string here = __FILE__;  // .../tests/cli_docs_test.cc
  return StrCat(here.substr(0, here.find_last_of('/')), "/fixtures/", rel);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CliDocs : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  nlohmann::json Trace(const std::string& quote) {
    RunResult r = Uncut("trace --json --text " + ShellQuote(quote));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  TempDir dir_;
};

constexpr char kMbox[] =
    "From ann@example.org Tue Aug 20 12:00:00 2002\n"
    "From: Ann Smith <ann@example.org>\nTo: Board <board@example.org>\n"
    "Subject: Budget for the bridge\nDate: Tue, 20 Aug 2002 12:00:00 +0000\n"
    "Message-ID: <budget-1@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    "Dear members,\n\nThe repairs to the northern bridge will cost eleven million, two million "
    "more than the board approved in March.\n\n"
    "From now on I will send the figures every month.\n\nAnn\n\n"
    "From bo@example.org Wed Aug 21 09:30:00 2002\n"
    "From: Bo <bo@example.org>\nTo: Ann Smith <ann@example.org>\n"
    "Subject: =?ISO-8859-1?Q?R=E9ponse?=\nDate: Wed, 21 Aug 2002 09:30:00 +0000\n"
    "Message-ID: <reply-2@example.org>\nContent-Type: text/plain; charset=windows-1252\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Thank you. The caf=E9 committee will discuss the harvest festival and the price of ap=\n"
    "ples in the autumn meeting.\n";

TEST_F(CliDocs, TracesAQuoteIntoAMailboxMessageWithItsHeadersAndMailboxOffsets) {
  std::string mbox = dir_.Write("board.mbox", kMbox);
  RunResult add = Uncut("add " + ShellQuote(mbox));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::string quote = "will cost eleven million, two million more than the board approved";
  nlohmann::json j = Trace(quote);
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const auto& src = j["sources"][0];
  EXPECT_EQ(src["item"]["name"], "message 1");
  EXPECT_EQ(src["item"]["format"], "eml");
  EXPECT_EQ(src["item"]["title"], "Budget for the bridge");
  const auto& seg = src["segments"][0]["source"];
  const auto& msg = seg["location"]["anchors"]["message"];
  EXPECT_EQ(msg["from"], "Ann Smith <ann@example.org>");
  EXPECT_EQ(msg["to"], "Board <board@example.org>");
  EXPECT_EQ(msg["subject"], "Budget for the bridge");
  EXPECT_EQ(msg["message_id"], "budget-1@example.org");
  EXPECT_EQ(msg["date"], "2002-08-20T12:00:00+00:00");
  // The unencoded body: the span is also a span of the mailbox file.
  uint64_t off = src["item"]["stored_in"]["offset"].get<uint64_t>();
  uint64_t s = seg["start"].get<uint64_t>() + off, e = seg["end"].get<uint64_t>() + off;
  EXPECT_EQ(std::string(kMbox).substr(s, e - s), quote);
}

TEST_F(CliDocs, TracesAQuotedPrintableBodyAndKeepsTheBodyFromLineInItsMessage) {
  std::string mbox = dir_.Write("board.mbox", kMbox);
  ASSERT_EQ(Uncut("add " + ShellQuote(mbox)).exit_code, 0);
  RunResult list = Uncut("list");
  // Two messages, named by their subjects and indented under their mailbox.
  EXPECT_NE(list.out.find("  board.mbox\n"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("    Budget for the bridge\n"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("    R\u00e9ponse\n"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("message "), std::string::npos) << list.out;
  nlohmann::json j =
      Trace("the café committee will discuss the harvest festival and the price of apples");
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["segments"][0]["source"]["location"]["anchors"]["message"]["subject"],
            "R\u00e9ponse");
  EXPECT_EQ(j["sources"][0]["segments"][0]["verdict"], "verbatim");
  nlohmann::json from = Trace("From now on I will send the figures every month");
  ASSERT_EQ(from["sources"].size(), 1u);
  EXPECT_EQ(from["sources"][0]["item"]["name"], "message 1");
}

TEST_F(CliDocs, AddsAnEmlWithItsAttachmentAsALinkedItem) {
  std::string eml = dir_.Write(
      "letter.eml",
      "From: Ann <ann@example.org>\nTo: Bo <bo@example.org>\nSubject: Minutes\n"
      "Date: Tue, 20 Aug 2002 12:00:00 +0000\nMessage-ID: <m@example.org>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\n"
      "Please find the minutes of the meeting attached to this message.\n"
      "--q\nContent-Type: text/html; name=minutes.html\nContent-Disposition: attachment; "
      "filename=minutes.html\n\n<html><body><p>The board voted seven to two to close the "
      "eastern ferry during the winter months.</p></body></html>\n--q--\n");
  RunResult add = Uncut("add " + ShellQuote(eml));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  nlohmann::json j = Trace("The board voted seven to two to close the eastern ferry");
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["item"]["name"], "minutes.html");
  EXPECT_EQ(j["sources"][0]["item"]["parent_id"], 1);
}

TEST_F(CliDocs, TracesAPdfQuoteToItsPageAcrossAPageBreak) {
  RunResult add = Uncut("add " + ShellQuote(Fixture("pdf/report.pdf")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  nlohmann::json j = Trace(
      "the district council asked for a second inspection of the fen embankment after residents");
  ASSERT_EQ(j["sources"].size(), 1u);
  const auto& loc = j["sources"][0]["segments"][0]["source"]["location"];
  EXPECT_EQ(loc["anchors"]["page"], 1);
  // Runs across the end of page 2, over the running footer and header.
  nlohmann::json across = Trace(
      "asked for a second inspection of the reed embankment after residents reported seepage "
      "near the old Reed mill, and the board agreed to pay for temporary pumps");
  ASSERT_EQ(across["sources"].size(), 1u) << across.dump(2);
  const auto& seg = across["sources"][0]["segments"][0];
  EXPECT_EQ(seg["verdict"], "verbatim");
  EXPECT_EQ(seg["source"]["location"]["anchors"]["page"], 2);
  EXPECT_EQ(seg["source"]["location"]["anchors_end"]["page"], 3);
}

TEST_F(CliDocs, RefusesEncryptedDamagedAndImageOnlyPdfsWithClearMessagesAndAddsTheRest) {
  std::string args;
  for (const char* f : {"encrypted.pdf", "damaged.pdf", "no-text.pdf", "report.pdf"}) {
    args += " " + ShellQuote(Fixture(StrCat("pdf/", f)));
  }
  RunResult r = Uncut("add" + args);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("encrypted.pdf: encrypted PDF"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("damaged.pdf: damaged PDF"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-text.pdf: no text layer"), std::string::npos) << r.err;
  EXPECT_NE(Uncut("list").out.find("report.pdf"), std::string::npos);
}

TEST_F(CliDocs, AddsAPdfOfOneLinePerPageAndTracesItsLines) {
  RunResult add = Uncut("add " + ShellQuote(Fixture("pdf/one-line-pages.pdf")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  nlohmann::json j = Trace("Reading 2 taken at the north pumping station shows the water level");
  ASSERT_EQ(j["sources"].size(), 1u) << j.dump(2);
  const auto& loc = j["sources"][0]["segments"][0]["source"]["location"];
  EXPECT_EQ(loc["anchors"]["page"], 2);
}

TEST_F(CliDocs, TracesASubtitleQuoteToTheTimeRangeOfItsCuesAndLinksTheVideo) {
  std::string srt =
      dir_.Write("interview.en.srt",
                 "1\n00:01:02,000 --> 00:01:05,500\nWe will not raise the water tax\n\n"
                 "2\n00:01:05,600 --> 00:01:09,000\nthis year or next year, whatever happens.\n\n"
                 "3\n00:01:10,000 --> 00:01:12,000\nThank you all for coming tonight.\n");
  ASSERT_EQ(Uncut("add " + ShellQuote(srt)).exit_code, 0);
  nlohmann::json j = Trace("We will not raise the water tax this year or next year");
  ASSERT_EQ(j["sources"].size(), 1u);
  const auto& loc = j["sources"][0]["segments"][0]["source"]["location"];
  EXPECT_EQ(loc["anchors"]["cue"]["start"], "00:01:02.000");
  EXPECT_EQ(loc["anchors_end"]["cue"]["end"], "00:01:09.000");
  EXPECT_FALSE(j["sources"][0]["item"]["info"].contains("media"));
}

TEST_F(CliDocs, TracesAWarcQuoteToTheCapturedUrlAndTime) {
  RunResult add = Uncut("add " + ShellQuote(Fixture("web/capture.warc.gz")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  nlohmann::json j = Trace("which is two million more than the board approved in March");
  // The page was captured, then captured again as a revisit record.
  ASSERT_EQ(j["sources"].size(), 2u) << j.dump(2);
  for (const auto& src : j["sources"]) {
    EXPECT_EQ(src["item"]["source_url"], "http://127.0.0.1:8765/report.html");
    const auto& cap = src["segments"][0]["source"]["location"]["anchors"]["capture"];
    EXPECT_EQ(cap["url"], "http://127.0.0.1:8765/report.html");
    EXPECT_EQ(cap["captured_at"], src["item"]["captured_at"]);
  }
  RunResult junk = Uncut("trace --text 'The authority spent more on the bridge than planned'");
  EXPECT_EQ(junk.exit_code, 1) << "text from a <script> was indexed: " << junk.out;
}

// Writes a WACZ holding the fixture WARC; `tamper` spoils its digest.
std::string MakeWacz(const TempDir& dir, bool tamper) {
  std::string warc = ReadAll(Fixture("web/capture.warc.gz"));
  std::string digest = Sha256Hex(warc);
  if (tamper) digest[0] = digest[0] == '0' ? '1' : '0';
  nlohmann::json package = {{"profile", "data-package"},
                            {"resources",
                             {{{"name", "capture.warc.gz"},
                               {"path", "archive/capture.warc.gz"},
                               {"hash", "sha256:" + digest},
                               {"bytes", warc.size()}}}}};
  std::string manifest = package.dump();
  std::string pages =
      "{\"format\": \"json-pages-1.0\"}\n"
      "{\"url\": \"http://127.0.0.1:8765/report.html\", \"title\": \"Statement\"}\n";
  std::string path = dir.File(tamper ? "tampered.wacz" : "capture.wacz");
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  auto add = [&](const char* name, const std::string& data) {
    zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
    zip_int64_t i = zip_file_add(z, name, s, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, i, ZIP_CM_STORE, 0);
  };
  add("archive/capture.warc.gz", warc);
  add("datapackage.json", manifest);
  add("pages/pages.jsonl", pages);
  zip_close(z);
  return path;
}

TEST_F(CliDocs, AddsAWaczAfterCheckingItsDigestsAndRefusesATamperedOne) {
  std::string good = MakeWacz(dir_, false), bad = MakeWacz(dir_, true);
  RunResult r = Uncut("add " + ShellQuote(bad) + " " + ShellQuote(good));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("tampered.wacz: SHA-256 of archive/capture.warc.gz"), std::string::npos)
      << r.err;
  nlohmann::json j = Trace("Next year the authority will repair the southern embankment");
  ASSERT_FALSE(j["sources"].empty());
  EXPECT_EQ(j["sources"][0]["item"]["title"], "Statement");
  EXPECT_EQ(j["sources"][0]["item"]["info"]["warc"], "archive/capture.warc.gz");
}

TEST_F(CliDocs, ReportsATruncatedMailboxAndAWarcWithAWrongLengthWithoutLosingTheRest) {
  std::string cut(kMbox);
  cut.resize(cut.find("harvest"));
  std::string mbox = dir_.Write("cut.mbox", cut);
  RunResult r = Uncut("add " + ShellQuote(mbox));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = Trace("will cost eleven million, two million more than the board approved");
  EXPECT_EQ(j["sources"].size(), 1u);
  std::string warc =
      "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: http://x/a.txt\r\n"
      "WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: text/plain\r\n"
      "Content-Length: 5\r\n\r\nThe harbour master resigned after the audit of the "
      "port accounts found missing funds.\r\n\r\n";
  std::string wrong = dir_.Write("wrong.warc", warc);
  RunResult w = Uncut("add " + ShellQuote(wrong));
  EXPECT_EQ(w.exit_code, 3);
  EXPECT_NE(w.err.find("wrong.warc"), std::string::npos);
}

}  // namespace
}  // namespace uncut

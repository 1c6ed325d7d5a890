// End-to-end tests of trusted timestamps (RFC 3161): add --tsa against a
// local time-stamping authority, show, verify, and the token in a bundle
// checked with openssl and sha256sum alone.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "httplib.h"

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

size_t Lines(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) n += s[i] == '\n';
  return n;
}

class CliTimestamp : public ::testing::Test {
 protected:
  void SetUp() override {
    RunShell("mkdir -p " + ShellQuote(dir_.File("tsa")));
    tsa_ = std::make_unique<testing::TestTsa>(dir_.File("tsa"));
    ASSERT_EQ(tsa_->error(), "");
    speech_ = dir_.Write("speech.txt", testing::kSampleSpeech);
  }
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  std::string Tsa() const {
    return StrCat(" --tsa ", ShellQuote(tsa_->url()), " --tsa-ca ", ShellQuote(tsa_->ca_file()));
  }
  TempDir dir_;
  std::unique_ptr<testing::TestTsa> tsa_;
  std::string speech_;
};

TEST_F(CliTimestamp, AnOriginalAddedWithATsaHasATokenThatShowAndVerifyCheck) {
  RunResult add = Uncut("add " + ShellQuote(speech_) + Tsa());
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(tsa_->requests(), 1);
  RunResult show = Uncut("show 1");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("timestamp:"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("by CN=uncut test TSA (RFC 3161, serial"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("DOES NOT CHECK"), std::string::npos) << show.out;
  nlohmann::json j = nlohmann::json::parse(Uncut("show 1 --json").out, nullptr, false);
  ASSERT_TRUE(j.contains("timestamp")) << j.dump(2);
  EXPECT_EQ(j["timestamp"]["time"].get<std::string>().size(), 20u);
  EXPECT_FALSE(j["timestamp"].contains("problem")) << j.dump(2);

  RunResult v = Uncut("verify --tsa-ca " + ShellQuote(tsa_->ca_file()));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("1 timestamps checked against " + tsa_->ca_file()), std::string::npos)
      << v.out;
  RunResult other = Uncut("verify --tsa-ca " + ShellQuote(tsa_->other_ca_file()));
  EXPECT_EQ(other.exit_code, 4);
  EXPECT_NE(other.err.find("uncut: verify: item 1 (speech.txt): timestamp: the token does not "
                           "check against"),
            std::string::npos)
      << other.err;
}

TEST_F(CliTimestamp, ATamperedTokenInTheArchiveFailsVerify) {
  ASSERT_EQ(Uncut("add " + ShellQuote(speech_) + Tsa()).exit_code, 0);
  // Change one byte of the signed content (the serial's last byte) in the catalog.
  RunResult edit = RunShell(StrCat(
      "python3 -c \"import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); "
      "d=bytearray(db.execute('select data from blobs where name=?', ('rfc3161_token',)).fetchone()[0]); "
      "d[len(d)//3]^=1; db.execute('update blobs set data=? where name=?', (bytes(d), 'rfc3161_token')); "
      "db.commit()\" ",
      ShellQuote(dir_.File("archive/catalog.sqlite"))));
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  RunResult v = Uncut("verify --tsa-ca " + ShellQuote(tsa_->ca_file()));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_NE(v.err.find("item 1 (speech.txt): timestamp:"), std::string::npos) << v.err;
}

TEST_F(CliTimestamp, ABundleCarriesTheTokenForOpensslAndSha256sum) {
  ASSERT_EQ(Uncut("add " + ShellQuote(speech_) + Tsa()).exit_code, 0);
  std::string zip = dir_.File("evidence.zip");
  ASSERT_EQ(Uncut("export 1 --out " + ShellQuote(zip)).exit_code, 0);
  RunResult vb = Uncut("verify-bundle " + ShellQuote(zip));
  EXPECT_EQ(vb.exit_code, 0) << vb.err;
  EXPECT_NE(vb.out.find("1 timestamp token stamps its original"), std::string::npos) << vb.out;
  // The steps docs/cli.md gives a third party.
  RunResult r = RunShell(StrCat(
      "cd ", ShellQuote(dir_.path()), " && python3 -m zipfile -e ", ShellQuote(zip),
      " x && cd x && sha256sum -c SHA256SUMS && openssl ts -verify -token_in -in "
      "items/1/timestamp.tsr -data items/1/original/speech.txt -CAfile ",
      ShellQuote(tsa_->ca_file()), " && cat items/1/metadata.json"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("items/1/timestamp.tsr: OK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Verification: OK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"token\": \"items/1/timestamp.tsr\""), std::string::npos) << r.out;
  // A token swapped for another original's fails verify-bundle.
  std::string other = dir_.Write("other.txt", "A second source, stamped on its own.");
  ASSERT_EQ(Uncut("add " + ShellQuote(other) + Tsa()).exit_code, 0);
  std::string zip2 = dir_.File("two.zip");
  ASSERT_EQ(Uncut("export 2 --out " + ShellQuote(zip2)).exit_code, 0);
  RunResult swap = RunShell(StrCat(
      "cd ", ShellQuote(dir_.path()), " && python3 -m zipfile -e ", ShellQuote(zip2),
      " y && cp y/items/2/timestamp.tsr x/items/1/timestamp.tsr && cd x && sed -i "
      "\"s/^[0-9a-f]*  items\\/1\\/timestamp.tsr$/$(sha256sum items/1/timestamp.tsr | cut -c1-64)"
      "  items\\/1\\/timestamp.tsr/\" SHA256SUMS && rm ", ShellQuote(zip),
      " && python3 -m zipfile -c ", ShellQuote(zip), " *"));
  ASSERT_EQ(swap.exit_code, 0) << swap.err;
  RunResult bad = Uncut("verify-bundle " + ShellQuote(zip));
  EXPECT_EQ(bad.exit_code, 4);
  EXPECT_NE(bad.err.find("items/1/timestamp.tsr: the token stamps SHA-256"), std::string::npos)
      << bad.err;
}

TEST_F(CliTimestamp, AnUnreachableTsaFailsTheAddInOneLineAndAddsNothing) {
  RunResult add = Uncut(StrCat("add ", ShellQuote(speech_), " --tsa ",
                               ShellQuote(testing::UnreachableUrl())));
  EXPECT_EQ(add.exit_code, 3);
  EXPECT_EQ(Lines(add.err), 1u) << add.err;
  EXPECT_NE(add.err.find(StrCat("time-stamping authority ", testing::UnreachableUrl(),
                                ": unreachable")),
            std::string::npos)
      << add.err;
  EXPECT_NE(add.err.find("--tsa-optional"), std::string::npos) << add.err;
  // Nothing was kept: a later add gives the file id 1 and a token.
  EXPECT_NE(Uncut("list").exit_code, 0);
  ASSERT_EQ(Uncut("add " + ShellQuote(speech_) + Tsa()).exit_code, 0);
  EXPECT_NE(Uncut("show 1").out.find("timestamp:"), std::string::npos);
}

TEST_F(CliTimestamp, TsaOptionalAddsWithoutATimestampAndSaysSo) {
  std::string a = dir_.Write("docs/a.txt", testing::kSampleSpeech);
  dir_.Write("docs/b.txt", "A second source, added in the same folder.");
  RunResult add = Uncut(StrCat("add ", ShellQuote(dir_.File("docs")), " --tsa-optional --tsa ",
                               ShellQuote(testing::UnreachableUrl())));
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.err.find("unreachable"), std::string::npos) << add.err;
  EXPECT_NE(add.err.find("2 originals added without a timestamp"), std::string::npos) << add.err;
  EXPECT_EQ(Lines(add.err), 2u) << add.err;
  EXPECT_EQ(Uncut("show 1").out.find("timestamp:"), std::string::npos);
}

TEST_F(CliTimestamp, WithoutATsaNothingChanges) {
  ASSERT_EQ(Uncut("add " + ShellQuote(speech_)).exit_code, 0);
  EXPECT_EQ(tsa_->requests(), 0);
  EXPECT_EQ(Uncut("show 1").out.find("timestamp"), std::string::npos);
  RunResult v = Uncut("verify");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.find("timestamp"), std::string::npos) << v.out;
  std::string zip = dir_.File("e.zip");
  ASSERT_EQ(Uncut("export 1 --out " + ShellQuote(zip)).exit_code, 0);
  EXPECT_EQ(RunShell("python3 -m zipfile -l " + ShellQuote(zip)).out.find("timestamp.tsr"),
            std::string::npos);
}

TEST_F(CliTimestamp, TheArchivesAuthorityStampsEveryLaterAddWithoutTheFlag) {
  RunResult set = Uncut("config tsa " + ShellQuote(tsa_->url()));
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, StrCat("tsa = ", tsa_->url(), "\n"));
  ASSERT_EQ(Uncut("config tsa-ca " + ShellQuote(tsa_->ca_file())).exit_code, 0);
  EXPECT_EQ(Uncut("config").out,
            StrCat("tsa = ", tsa_->url(), "\ntsa-ca = ", tsa_->ca_file(), "\n"));
  EXPECT_EQ(Uncut("config tsa").out, tsa_->url() + "\n");
  nlohmann::json j = nlohmann::json::parse(Uncut("config --json").out, nullptr, false);
  EXPECT_EQ(j, nlohmann::json({{"tsa", tsa_->url()}, {"tsa-ca", tsa_->ca_file()}}));

  // No --tsa: the archive's authority stamps the add.
  RunResult add = Uncut("add " + ShellQuote(speech_));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(tsa_->requests(), 1);
  EXPECT_NE(Uncut("show 1").out.find("by CN=uncut test TSA"), std::string::npos);
  EXPECT_EQ(Uncut("verify --tsa-ca " + ShellQuote(tsa_->ca_file())).exit_code, 0);

  // --no-tsa skips it for one add; --tsa on the command line overrides it.
  std::string other = dir_.Write("other.txt", "A note taken at the harbour on Tuesday.");
  ASSERT_EQ(Uncut("add --no-tsa " + ShellQuote(other)).exit_code, 0);
  EXPECT_EQ(tsa_->requests(), 1);
  EXPECT_EQ(Uncut("show 2").out.find("timestamp"), std::string::npos);
  std::string third = dir_.Write("third.txt", "A third source, never stamped.");
  RunResult overridden =
      Uncut(StrCat("add ", ShellQuote(third), " --tsa ", ShellQuote(testing::UnreachableUrl())));
  EXPECT_EQ(overridden.exit_code, 3);
  EXPECT_NE(overridden.err.find(testing::UnreachableUrl()), std::string::npos) << overridden.err;
  EXPECT_EQ(tsa_->requests(), 1);

  // Unset: adds stamp nothing again, and every change is in the audit log.
  RunResult unset = Uncut("config --unset tsa");
  ASSERT_EQ(unset.exit_code, 0) << unset.err;
  EXPECT_EQ(unset.out, StrCat("tsa unset (was ", tsa_->url(), ")\n"));
  EXPECT_EQ(Uncut("config tsa").exit_code, 1);
  ASSERT_EQ(Uncut("add " + ShellQuote(third)).exit_code, 0);
  EXPECT_EQ(tsa_->requests(), 1);
  std::string log = Uncut("log").out;
  EXPECT_NE(log.find(StrCat("config   tsa = ", tsa_->url())), std::string::npos) << log;
  EXPECT_NE(log.find("config   tsa unset"), std::string::npos) << log;
}

TEST_F(CliTimestamp, ConfigRefusesWhatIsNotASettingOrNotAValueAndChangesNothing) {
  ASSERT_EQ(Uncut("config tsa " + ShellQuote(tsa_->url())).exit_code, 0);
  RunResult ftp = Uncut("config tsa ftp://example.org/tsr");
  EXPECT_EQ(ftp.exit_code, 3);
  EXPECT_EQ(ftp.err, "uncut: tsa: \"ftp://example.org/tsr\" is not an http:// or https:// URL; "
                     "nothing changed\n");
  RunResult ca = Uncut("config tsa-ca " + ShellQuote(speech_));
  EXPECT_EQ(ca.exit_code, 3);
  EXPECT_NE(ca.err.find("holds no PEM certificate"), std::string::npos) << ca.err;
  RunResult missing = Uncut("config tsa-ca " + ShellQuote(dir_.File("nowhere.pem")));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(Lines(missing.err), 1u) << missing.err;
  RunResult unknown = Uncut("config colour blue");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no setting \"colour\" (settings: tsa, tsa-ca)"), std::string::npos)
      << unknown.err;
  EXPECT_EQ(Uncut("config").out, StrCat("tsa = ", tsa_->url(), "\n"));
}

TEST_F(CliTimestamp, ACaptureIsStampedByTheArchivesAuthority) {
  httplib::Server web;
  web.Get("/note.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html><body><p>The ferry ran late again today.</p></body></html>",
                    "text/html");
  });
  int port = web.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { web.listen_after_bind(); });
  ASSERT_EQ(Uncut("config tsa " + ShellQuote(tsa_->url())).exit_code, 0);
  RunResult c = Uncut(StrCat("capture http://127.0.0.1:", port, "/note.html"));
  web.stop();
  serving.join();
  ASSERT_EQ(c.exit_code, 0) << c.err << Uncut("config").out;
  EXPECT_EQ(tsa_->requests(), 1);
  EXPECT_NE(Uncut("show 1").out.find("by CN=uncut test TSA"), std::string::npos);
}

}  // namespace
}  // namespace uncut

// End-to-end tests of signed evidence bundles: keygen, export --sign and
// verify-bundle --key, as a desk and a third party would run them.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "base/strings.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

// The lines of `s` that are not empty.
size_t Lines(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) n += s[i] == '\n' && (i == 0 || s[i - 1] != '\n');
  return n;
}

class CliProof : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  // An archive with the sample speech, a key pair and a bundle signed with it.
  void SetUp() override {
    std::string src = dir_.Write("speech.txt", testing::kSampleSpeech);
    ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
    RunResult k = Uncut("keygen --out " + ShellQuote(dir_.File("desk.key")));
    ASSERT_EQ(k.exit_code, 0) << k.err;
    size_t at = k.out.find("key fingerprint ");
    ASSERT_NE(at, std::string::npos) << k.out;
    fingerprint_ = k.out.substr(at + 16, 64);
    zip_ = dir_.File("evidence.zip");
    RunResult e = Uncut(StrCat("export 1 --out ", ShellQuote(zip_), " --sign ",
                               ShellQuote(dir_.File("desk.key"))));
    ASSERT_EQ(e.exit_code, 0) << e.err;
    EXPECT_NE(e.out.find("signed by key " + fingerprint_), std::string::npos) << e.out;
  }
  // Unzips the bundle into `dir`, runs `edit` there and zips it back.
  void Edit(const std::string& edit) {
    std::string x = dir_.File("x");
    RunResult r = RunShell(StrCat("rm -rf ", ShellQuote(x), " && python3 -m zipfile -e ",
                                  ShellQuote(zip_), " ", ShellQuote(x), " && cd ", ShellQuote(x),
                                  " && ", edit, " && rm ", ShellQuote(zip_),
                                  " && python3 -m zipfile -c ", ShellQuote(zip_), " *"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string fingerprint_;
  std::string zip_;
};

TEST_F(CliProof, KeygenWritesAPrivateKeyOnlyItsOwnerReadsAndNeverOverwritesIt) {
  struct stat st;
  ASSERT_EQ(::stat(dir_.File("desk.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  RunResult again = Uncut("keygen --out " + ShellQuote(dir_.File("desk.key")));
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_NE(again.err.find("desk.key: exists; a key is never overwritten"), std::string::npos)
      << again.err;
  EXPECT_NE(Uncut("keygen --help").out.find("Examples:"), std::string::npos);
}

TEST_F(CliProof, ASignedBundleVerifiesWithTheKeyAndNamesItsFingerprint) {
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ",
                             ShellQuote(dir_.File("desk.key.pub"))));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("the bundle is intact; signed by key " + fingerprint_), std::string::npos)
      << v.out;
  EXPECT_EQ(v.err, "");
  // A third party with openssl alone.
  RunResult o = RunShell(StrCat(
      "cd ", ShellQuote(dir_.path()), " && python3 -m zipfile -e ", ShellQuote(zip_),
      " y && cd y && sha256sum -c --quiet SHA256SUMS && openssl pkeyutl -verify -pubin -inkey "
      "../desk.key.pub -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig"));
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("Signature Verified Successfully"), std::string::npos) << o.out;
}

TEST_F(CliProof, AWrongKeyFailsWithOneLine) {
  ASSERT_EQ(Uncut("keygen -q --out " + ShellQuote(dir_.File("other.key"))).exit_code, 0);
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ",
                             ShellQuote(dir_.File("other.key.pub"))));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_EQ(Lines(v.err), 1u) << v.err;
  EXPECT_NE(v.err.find("SHA256SUMS.sig: signed by key " + fingerprint_ + ", not by the key given"),
            std::string::npos)
      << v.err;
}

TEST_F(CliProof, ARemovedSignatureFailsWithOneLine) {
  Edit("rm SHA256SUMS.sig");
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ",
                             ShellQuote(dir_.File("desk.key.pub"))));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_EQ(Lines(v.err), 1u) << v.err;
  EXPECT_NE(v.err.find("SHA256SUMS.sig: missing: the bundle is not signed"), std::string::npos)
      << v.err;
}

TEST_F(CliProof, ARewrittenManifestFailsWithOneLine) {
  // Edit a file and list its new digest, as a forger would.
  Edit("printf '[]\\n' > audit_log.json && sed -i \"s/^[0-9a-f]*  audit_log.json$/$(sha256sum "
       "audit_log.json | cut -c1-64)  audit_log.json/\" SHA256SUMS && sha256sum -c --quiet "
       "SHA256SUMS 2>/dev/null; true");
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ",
                             ShellQuote(dir_.File("desk.key.pub"))));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_NE(v.err.find("SHA256SUMS.sig: the signature of SHA256SUMS does not verify"),
            std::string::npos)
      << v.err;
}

TEST_F(CliProof, AnEditedFileFails) {
  Edit("echo forged > items/1/original/speech.txt");
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ",
                             ShellQuote(dir_.File("desk.key.pub"))));
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_NE(v.err.find("items/1/original/speech.txt: SHA-256 is"), std::string::npos) << v.err;
}

TEST_F(CliProof, AKeyFileThatIsNotAKeyIsRefusedWithOneLine) {
  std::string junk = dir_.Write("junk.pub", "hello");
  RunResult v = Uncut(StrCat("verify-bundle ", ShellQuote(zip_), " --key ", ShellQuote(junk)));
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_EQ(Lines(v.err), 1u) << v.err;
  EXPECT_NE(v.err.find("junk.pub: not a PEM public key"), std::string::npos) << v.err;
  RunResult e = Uncut(StrCat("export 1 --force --out ", ShellQuote(zip_), " --sign ",
                             ShellQuote(junk)));
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(Lines(e.err), 1u) << e.err;
}

}  // namespace
}  // namespace uncut

#include "proof/signing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/strings.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunShell;
using testing::ShellQuote;

class SigningTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(SigningTest, AKeyPairIsWrittenWithAPrivateFileOnlyItsOwnerReads) {
  std::string path = dir_.File("desk.key");
  auto pub = GenerateKeyPair(path);
  ASSERT_TRUE(pub.ok()) << pub.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(PathExists(path + ".pub"));
  auto loaded = PublicKey::Load(path + ".pub");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->fingerprint(), pub->fingerprint());
  auto key = SigningKey::Load(path);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->public_key().fingerprint(), pub->fingerprint());
}

TEST_F(SigningTest, NeverOverwritesAKey) {
  std::string path = dir_.File("desk.key");
  ASSERT_TRUE(GenerateKeyPair(path).ok());
  std::string before = *ReadFileToString(path);
  auto again = GenerateKeyPair(path);
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
  EXPECT_EQ(*ReadFileToString(path), before);
  // Nor a private key whose public half is already there.
  dir_.Write("other.key.pub", "kept");
  EXPECT_FALSE(GenerateKeyPair(dir_.File("other.key")).ok());
  EXPECT_FALSE(PathExists(dir_.File("other.key")));
  EXPECT_EQ(*ReadFileToString(dir_.File("other.key.pub")), "kept");
}

TEST_F(SigningTest, ASignatureVerifiesOnlyForItsMessageAndItsKey) {
  ASSERT_TRUE(GenerateKeyPair(dir_.File("a.key")).ok());
  ASSERT_TRUE(GenerateKeyPair(dir_.File("b.key")).ok());
  auto a = SigningKey::Load(dir_.File("a.key"));
  auto b = SigningKey::Load(dir_.File("b.key"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key().fingerprint(), b->public_key().fingerprint());
  std::string sums = "4fa5...  items/1/original/speech.txt\n";
  auto sig = a->Sign(sums);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(a->public_key().Verify(sums, *sig).ok());
  std::string edited = sums;
  edited[0] = '5';
  EXPECT_TRUE(absl::IsDataLoss(a->public_key().Verify(edited, *sig)));
  EXPECT_TRUE(absl::IsDataLoss(b->public_key().Verify(sums, *sig)));
  std::string bad_sig = *sig;
  bad_sig[10] ^= 1;
  EXPECT_FALSE(a->public_key().Verify(sums, bad_sig).ok());
  EXPECT_FALSE(a->public_key().Verify(sums, "").ok());
}

TEST_F(SigningTest, OpenSslChecksTheSignatureAndComputesTheSameFingerprint) {
  std::string key_path = dir_.File("desk.key");
  auto pub = GenerateKeyPair(key_path);
  ASSERT_TRUE(pub.ok());
  auto key = SigningKey::Load(key_path);
  ASSERT_TRUE(key.ok());
  std::string message = dir_.Write("SHA256SUMS", "0123  README.txt\n");
  auto sig = key->Sign("0123  README.txt\n");
  ASSERT_TRUE(sig.ok());
  std::string sig_path = dir_.Write("SHA256SUMS.sig", *sig);
  testing::RunResult v = RunShell(StrCat(
      "openssl pkeyutl -verify -pubin -inkey ", ShellQuote(key_path + ".pub"), " -rawin -in ",
      ShellQuote(message), " -sigfile ", ShellQuote(sig_path)));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  testing::RunResult fp = RunShell(StrCat("openssl pkey -pubin -in ", ShellQuote(key_path + ".pub"),
                                          " -outform DER | sha256sum"));
  ASSERT_EQ(fp.exit_code, 0) << fp.err;
  EXPECT_EQ(fp.out.substr(0, 64), pub->fingerprint());
}

TEST_F(SigningTest, RefusesKeysThatAreNotEd25519OrNotKeys) {
  std::string rsa = dir_.File("rsa.key");
  ASSERT_EQ(RunShell(StrCat("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out ",
                            ShellQuote(rsa), " && openssl pkey -in ", ShellQuote(rsa),
                            " -pubout -out ", ShellQuote(rsa + ".pub")))
                .exit_code,
            0);
  auto priv = SigningKey::Load(rsa);
  ASSERT_FALSE(priv.ok());
  EXPECT_NE(priv.status().message().find("rsa.key: not an Ed25519 key"), std::string::npos)
      << priv.status();
  EXPECT_FALSE(PublicKey::Load(rsa + ".pub").ok());
  auto junk = PublicKey::Load(dir_.Write("junk.pub", "not a key"));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("junk.pub: not a PEM public key"), std::string::npos)
      << junk.status();
  EXPECT_FALSE(SigningKey::Load(dir_.File("missing.key")).ok());
}

}  // namespace
}  // namespace uncut

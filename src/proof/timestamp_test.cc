#include "proof/timestamp.h"

#include <gtest/gtest.h>

#include "base/sha256.h"
#include "base/strings.h"
#include "testing/temp_dir.h"
#include "testing/test_tsa.h"

namespace uncut {
namespace {

using testing::RunShell;
using testing::ShellQuote;

constexpr char kOriginal[] = "We will rebuild every bridge that the floods destroyed.";

class TimestampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tsa_ = std::make_unique<testing::TestTsa>(dir_.path());
    ASSERT_EQ(tsa_->error(), "");
    options_.url = tsa_->url();
    options_.ca_file = tsa_->ca_file();
    sha_ = Sha256Hex(kOriginal);
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::TestTsa> tsa_;
  TsaOptions options_;
  std::string sha_;
};

TEST_F(TimestampTest, ATokenFromTheTsaVerifiesAgainstItsCa) {
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(tsa_->requests(), 1);
  auto info = VerifyTimestamp(*token, sha_, tsa_->ca_file());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->sha256, sha_);
  EXPECT_EQ(info->policy, "1.2.3.4.1");
  EXPECT_NE(info->tsa.find("CN=uncut test TSA"), std::string::npos) << info->tsa;
  EXPECT_EQ(info->time.size(), 20u) << info->time;  // 2026-12-06T22:00:00Z
  EXPECT_FALSE(info->serial.empty());
  auto read = ReadTimestamp(*token);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->time, info->time);
  // Without a CA, the signature is still checked against the token's own certificate.
  EXPECT_TRUE(VerifyTimestamp(*token, sha_, "").ok());
}

TEST_F(TimestampTest, OpenSslVerifiesTheTokenAgainstTheOriginal) {
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(token.ok()) << token.status();
  std::string tsr = dir_.Write("item.tsr", *token);
  std::string original = dir_.Write("speech.txt", kOriginal);
  testing::RunResult r = RunShell(StrCat("openssl ts -verify -token_in -in ", ShellQuote(tsr),
                                         " -data ", ShellQuote(original), " -CAfile ",
                                         ShellQuote(tsa_->ca_file())));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Verification: OK"), std::string::npos) << r.out;
}

TEST_F(TimestampTest, ATokenForOtherBytesFails) {
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(token.ok()) << token.status();
  std::string other = Sha256Hex("We will rebuild NO bridge that the floods destroyed.");
  auto v = VerifyTimestamp(*token, other, tsa_->ca_file());
  ASSERT_TRUE(absl::IsDataLoss(v.status())) << v.status();
  EXPECT_NE(v.status().message().find(StrCat("the token stamps SHA-256 ", sha_, ", not ", other)),
            std::string::npos)
      << v.status();
}

TEST_F(TimestampTest, ATamperedTokenFails) {
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(token.ok()) << token.status();
  // The genTime, inside the signed content: a digit of its year changed.
  auto info = ReadTimestamp(*token);
  ASSERT_TRUE(info.ok());
  std::string gen = info->time.substr(0, 4) + info->time.substr(5, 2) + info->time.substr(8, 2);
  size_t pos = token->find(gen);
  ASSERT_NE(pos, std::string::npos);
  std::string tampered = *token;
  tampered[pos + 3] = tampered[pos + 3] == '0' ? '1' : '0';
  auto changed = ReadTimestamp(tampered);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(changed->time, info->time);
  EXPECT_TRUE(absl::IsDataLoss(VerifyTimestamp(tampered, sha_, tsa_->ca_file()).status()));
  EXPECT_TRUE(absl::IsDataLoss(VerifyTimestamp(tampered, sha_, "").status()));
  // And a byte of the signature itself.
  std::string bad_sig = *token;
  bad_sig[bad_sig.size() - 5] ^= 0x01;
  EXPECT_FALSE(VerifyTimestamp(bad_sig, sha_, tsa_->ca_file()).ok());
  EXPECT_FALSE(VerifyTimestamp("not a token", sha_, tsa_->ca_file()).ok());
}

TEST_F(TimestampTest, ATokenFailsAgainstAnotherCa) {
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(token.ok()) << token.status();
  auto v = VerifyTimestamp(*token, sha_, tsa_->other_ca_file());
  ASSERT_TRUE(absl::IsDataLoss(v.status())) << v.status();
  EXPECT_NE(v.status().message().find("does not check against"), std::string::npos) << v.status();
  // Asked with the wrong CA, the answer itself is refused.
  options_.ca_file = tsa_->other_ca_file();
  EXPECT_FALSE(RequestTimestamp(options_, sha_).ok());
}

TEST_F(TimestampTest, AnUnreachableTsaIsOneLineNamingIt) {
  options_.url = testing::UnreachableUrl();
  auto token = RequestTimestamp(options_, sha_);
  ASSERT_TRUE(absl::IsUnavailable(token.status())) << token.status();
  EXPECT_NE(token.status().message().find(
                StrCat("time-stamping authority ", options_.url, ": unreachable")),
            std::string::npos)
      << token.status();
  options_.url = tsa_->url() + "-missing";
  token = RequestTimestamp(options_, sha_);
  EXPECT_NE(token.status().message().find("answered HTTP 404"), std::string::npos)
      << token.status();
  options_.url = "ftp://example.org/";
  EXPECT_TRUE(absl::IsInvalidArgument(RequestTimestamp(options_, sha_).status()));
}

}  // namespace
}  // namespace uncut

// Trusted timestamps (RFC 3161) of originals' SHA-256 digests, through
// OpenSSL's TS API. A time-stamping authority (TSA) signs a token that
// binds a digest to a time; anyone who trusts the TSA's certificate can
// check it later with `openssl ts -verify` alone.
//
// The token kept is the TimeStampToken (a CMS SignedData, DER) of the
// TSA's answer: `openssl ts -verify -token_in -in TOKEN -data ORIGINAL
// -CAfile TSA-CA.pem` reads it.
#ifndef UNCUT_PROOF_TIMESTAMP_H_
#define UNCUT_PROOF_TIMESTAMP_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace uncut {

// The name of the item blob that holds an original's token.
inline constexpr char kTimestampBlob[] = "rfc3161_token";

// What a token says (not yet whether it is true: see VerifyTimestamp).
struct TimestampInfo {
  std::string time;    // genTime, RFC 3339 UTC to the second
  std::string tsa;     // the TSA's name in the token, else its certificate's subject
  std::string serial;  // the token's serial number, hex
  std::string policy;  // the TSA policy's OID
  std::string sha256;  // the digest the token stamps (hex), "" when not SHA-256
};

struct TsaOptions {
  std::string url;      // http:// or https://
  std::string ca_file;  // PEM certificates the TSA must chain to; "" skips that check
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{30};
};

// Asks the TSA for a token over `sha256_hex` (RFC 3161 over HTTP POST, with a
// random nonce and the TSA's certificate requested) and checks its answer:
// granted, the same digest and nonce, and, with a CA file, the signature.
// Errors (kUnavailable for a TSA that cannot be reached or answers with an
// HTTP error, kDataLoss for an answer that does not check) name the URL.
absl::StatusOr<std::string> RequestTimestamp(const TsaOptions& tsa, std::string_view sha256_hex);

// Reads a token without checking it.
absl::StatusOr<TimestampInfo> ReadTimestamp(std::string_view token);

// Checks that `token` stamps `sha256_hex` and that its signature verifies:
// with `ca_file`, that the signer's certificate chains to it and is a TSA
// certificate (extended key usage timeStamping); without, only against the
// certificate the token carries (which proves nothing about who signed).
// kDataLoss when it does not check.
absl::StatusOr<TimestampInfo> VerifyTimestamp(std::string_view token, std::string_view sha256_hex,
                                              const std::string& ca_file);

}  // namespace uncut

#endif  // UNCUT_PROOF_TIMESTAMP_H_

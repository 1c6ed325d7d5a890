// Ed25519 keys that sign evidence bundles (RFC 8032, through OpenSSL's EVP
// API). A key pair is two PEM files: KEY (PKCS#8 private key, mode 0600)
// and KEY.pub (SubjectPublicKeyInfo), which `openssl pkey` and
// `openssl pkeyutl -verify -rawin` read as they are.
//
// A key is named by its fingerprint: the SHA-256 of its public key in DER
// (`openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`).
#ifndef UNCUT_PROOF_SIGNING_H_
#define UNCUT_PROOF_SIGNING_H_

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace uncut {

class PublicKey {
 public:
  // Reads a PEM public key file; anything but an Ed25519 key is refused
  // with an error naming the file.
  static absl::StatusOr<PublicKey> Load(const std::string& path);
  // The same from PEM text; `name` says where it came from in errors.
  static absl::StatusOr<PublicKey> FromPem(std::string_view pem, const std::string& name);

  // 64 lower-case hex digits.
  const std::string& fingerprint() const { return fingerprint_; }
  std::string Pem() const;
  // OK when `signature` is this key's Ed25519 signature of `message`;
  // kDataLoss otherwise.
  absl::Status Verify(std::string_view message, std::string_view signature) const;

 private:
  friend class SigningKey;
  friend absl::StatusOr<PublicKey> GenerateKeyPair(const std::string& private_path);
  static absl::StatusOr<PublicKey> Of(std::shared_ptr<EVP_PKEY> key, const std::string& name);
  std::shared_ptr<EVP_PKEY> key_;
  std::string fingerprint_;
};

class SigningKey {
 public:
  // Reads a PEM private key file (unencrypted PKCS#8, as Generate writes).
  static absl::StatusOr<SigningKey> Load(const std::string& path);

  const PublicKey& public_key() const { return public_; }
  // The 64-byte Ed25519 signature of `message`.
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_;
};

// Makes a new key pair and writes `private_path` (mode 0600) and
// `private_path`.pub. Neither file may exist already: a key is never
// overwritten. Returns the public key.
absl::StatusOr<PublicKey> GenerateKeyPair(const std::string& private_path);

}  // namespace uncut

#endif  // UNCUT_PROOF_SIGNING_H_

#include "proof/signing.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <unistd.h>

#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "proof/openssl_util.h"

namespace uncut {
namespace {

using proof_internal::BioContents;
using proof_internal::BioPtr;
using proof_internal::MdCtxPtr;
using proof_internal::MemoryBio;
using proof_internal::OpenSslError;
using proof_internal::PkeyCtxPtr;

constexpr uint64_t kMaxKeyFileBytes = 64 << 10;

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// Creates `path` with `mode`, failing if it exists, and writes `data`.
absl::Status WriteNewFile(const std::string& path, std::string_view data, int mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(path, "cannot create", errno);
  File f(fd, path);
  RETURN_IF_ERROR(f.WriteAll(data));
  RETURN_IF_ERROR(f.Sync());
  return f.Close();
}

}  // namespace

absl::StatusOr<PublicKey> PublicKey::Of(std::shared_ptr<EVP_PKEY> key, const std::string& name) {
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(StrCat(name, ": not an Ed25519 key"));
  }
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key.get(), &der);
  if (n <= 0) return OpenSslError(StrCat(name, ": cannot encode the public key"));
  PublicKey out;
  out.fingerprint_ = Sha256Hex(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  out.key_ = std::move(key);
  return out;
}

absl::StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem, const std::string& name) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return OpenSslError(StrCat(name, ": not a PEM public key"),
                        absl::StatusCode::kInvalidArgument);
  }
  return Of(Share(key), name);
}

absl::StatusOr<PublicKey> PublicKey::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path, kMaxKeyFileBytes));
  return FromPem(pem, path);
}

std::string PublicKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return "";
  return BioContents(bio.get());
}

absl::Status PublicKey::Verify(std::string_view message, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return OpenSslError("cannot start checking a signature", absl::StatusCode::kInternal);
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()),
                            message.size());
  if (ok != 1) return OpenSslError("the signature does not verify");
  return absl::OkStatus();
}

absl::StatusOr<SigningKey> SigningKey::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path, kMaxKeyFileBytes));
  BioPtr bio = MemoryBio(pem);
  // No passphrase callback: an encrypted key fails here rather than prompting.
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>(""));
  if (key == nullptr) {
    return OpenSslError(StrCat(path, ": not an unencrypted PEM private key"),
                        absl::StatusCode::kInvalidArgument);
  }
  SigningKey out;
  out.key_ = Share(key);
  ASSIGN_OR_RETURN(out.public_, PublicKey::Of(out.key_, path));
  return out;
}

absl::StatusOr<std::string> SigningKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return OpenSslError("cannot start signing", absl::StatusCode::kInternal);
  }
  size_t n = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &n, in, message.size()) != 1) {
    return OpenSslError("cannot sign", absl::StatusCode::kInternal);
  }
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, in,
                     message.size()) != 1) {
    return OpenSslError("cannot sign", absl::StatusCode::kInternal);
  }
  sig.resize(n);
  return sig;
}

absl::StatusOr<PublicKey> GenerateKeyPair(const std::string& private_path) {
  std::string public_path = private_path + ".pub";
  for (const std::string& p : {private_path, public_path}) {
    if (PathExists(p)) {
      return absl::AlreadyExistsError(StrCat(p, ": exists; a key is never overwritten"));
    }
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return OpenSslError("cannot make an Ed25519 key", absl::StatusCode::kInternal);
  }
  std::shared_ptr<EVP_PKEY> key = Share(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslError("cannot encode the private key", absl::StatusCode::kInternal);
  }
  std::string private_pem = BioContents(bio.get());
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::Of(key, private_path));
  RETURN_IF_ERROR(WriteNewFile(private_path, private_pem, 0600));
  OPENSSL_cleanse(private_pem.data(), private_pem.size());
  absl::Status written = WriteNewFile(public_path, pub.Pem(), 0644);
  if (!written.ok()) {
    RemoveFile(private_path).IgnoreError();
    return written;
  }
  return pub;
}

}  // namespace uncut

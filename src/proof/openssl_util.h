// RAII owners for OpenSSL handles, and OpenSSL's error queue as a Status.
// Internal to proof/.
#ifndef UNCUT_PROOF_OPENSSL_UTIL_H_
#define UNCUT_PROOF_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace uncut::proof_internal {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = Owned<BIO, BIO_free_all>;
using X509Ptr = Owned<X509, X509_free>;
using X509StorePtr = Owned<X509_STORE, X509_STORE_free>;
using Pkcs7Ptr = Owned<PKCS7, PKCS7_free>;
using TsReqPtr = Owned<TS_REQ, TS_REQ_free>;
using TsRespPtr = Owned<TS_RESP, TS_RESP_free>;
using TsTstInfoPtr = Owned<TS_TST_INFO, TS_TST_INFO_free>;
using TsMsgImprintPtr = Owned<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using TsVerifyCtxPtr = Owned<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using X509AlgorPtr = Owned<X509_ALGOR, X509_ALGOR_free>;
using Asn1IntegerPtr = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;

// `what`: <OpenSSL's reasons, oldest first>, clearing the error queue. The
// code is kDataLoss unless given.
absl::Status OpenSslError(std::string_view what,
                          absl::StatusCode code = absl::StatusCode::kDataLoss);

// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr MemoryBio(std::string_view bytes);
// What a memory BIO holds.
std::string BioContents(BIO* bio);

}  // namespace uncut::proof_internal

#endif  // UNCUT_PROOF_OPENSSL_UTIL_H_

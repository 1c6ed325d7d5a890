#include "proof/timestamp.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <ctime>
#include <vector>

#include "absl/strings/escaping.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "httplib.h"
#include "proof/openssl_util.h"

namespace uncut {
namespace {

using proof_internal::Asn1IntegerPtr;
using proof_internal::OpenSslError;
using proof_internal::Pkcs7Ptr;
using proof_internal::TsMsgImprintPtr;
using proof_internal::TsReqPtr;
using proof_internal::TsRespPtr;
using proof_internal::TsTstInfoPtr;
using proof_internal::TsVerifyCtxPtr;
using proof_internal::X509AlgorPtr;
using proof_internal::X509StorePtr;

constexpr size_t kMaxAnswerBytes = 1 << 20;  // tokens are a few KiB

absl::StatusOr<std::string> DigestBytes(std::string_view sha256_hex) {
  bool hex = sha256_hex.size() == 64;
  for (char c : sha256_hex) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex) return absl::InvalidArgumentError(StrCat("not a SHA-256 digest: ", sha256_hex));
  return absl::HexStringToBytes(absl::string_view(sha256_hex.data(), sha256_hex.size()));
}

std::string Hex(const unsigned char* p, size_t n) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(p), n));
}

template <typename T, T* (*D2i)(T**, const unsigned char**, long)>
T* FromDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return D2i(nullptr, &p, static_cast<long>(der.size()));
}

absl::StatusOr<std::string> ToDer(PKCS7* token) {
  unsigned char* der = nullptr;
  int n = i2d_PKCS7(token, &der);
  if (n <= 0) return OpenSslError("cannot encode the timestamp token", absl::StatusCode::kInternal);
  std::string out(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  return out;
}

// A TimeStampReq for the digest, asking for the TSA's certificate, with a
// random 64-bit nonce.
absl::StatusOr<TsReqPtr> MakeRequest(const std::string& digest) {
  TsReqPtr req(TS_REQ_new());
  TsMsgImprintPtr imprint(TS_MSG_IMPRINT_new());
  X509AlgorPtr algo(X509_ALGOR_new());
  unsigned char nonce_bytes[8];
  if (!req || !imprint || !algo || RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1) {
    return OpenSslError("cannot make a timestamp request", absl::StatusCode::kInternal);
  }
  nonce_bytes[0] &= 0x7f;  // positive
  proof_internal::Owned<BIGNUM, BN_free> bn(BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr));
  Asn1IntegerPtr nonce(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!nonce || X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(),
                             reinterpret_cast<unsigned char*>(const_cast<char*>(digest.data())),
                             static_cast<int>(digest.size())) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      TS_REQ_set_nonce(req.get(), nonce.get()) != 1 || TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return OpenSslError("cannot make a timestamp request", absl::StatusCode::kInternal);
  }
  return req;
}

// Posts `body` to the TSA and returns its answer (at most kMaxAnswerBytes).
absl::StatusOr<std::string> Post(const TsaOptions& tsa, const std::string& body) {
  size_t scheme_end = tsa.url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : tsa.url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(
        StrCat("--tsa ", tsa.url, ": not an http:// or https:// URL"));
  }
  size_t path_at = tsa.url.find('/', scheme_end + 3);
  std::string base = path_at == std::string::npos ? tsa.url : tsa.url.substr(0, path_at);
  std::string path = path_at == std::string::npos ? "/" : tsa.url.substr(path_at);
  httplib::Client client(base);
  if (!client.is_valid()) {
    return absl::InvalidArgumentError(StrCat("--tsa ", tsa.url, ": not a usable URL"));
  }
  client.set_connection_timeout(tsa.connect_timeout);
  client.set_read_timeout(tsa.read_timeout);
  client.set_write_timeout(tsa.read_timeout);
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.body = body;
  req.set_header("Content-Type", "application/timestamp-query");
  std::string answer;
  bool too_long = false;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (answer.size() + n > kMaxAnswerBytes) {
      too_long = true;
      return false;
    }
    answer.append(data, n);
    return true;
  };
  httplib::Result res = client.send(req);
  std::string who = StrCat("time-stamping authority ", tsa.url);
  if (too_long) return absl::DataLossError(StrCat(who, ": the answer is over 1 MiB"));
  if (!res) {
    return absl::UnavailableError(
        StrCat(who, ": unreachable (", httplib::to_string(res.error()), ")"));
  }
  if (res->status != 200) {
    return absl::UnavailableError(StrCat(who, ": answered HTTP ", res->status));
  }
  return answer;
}

std::string Rfc3339(const ASN1_GENERALIZEDTIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NameOf(X509_NAME* name) {
  proof_internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  return proof_internal::BioContents(bio.get());
}

absl::StatusOr<TimestampInfo> InfoOf(PKCS7* token) {
  TsTstInfoPtr tst(PKCS7_to_TS_TST_INFO(token));
  if (!tst) return OpenSslError("not an RFC 3161 timestamp token");
  TimestampInfo info;
  info.time = Rfc3339(TS_TST_INFO_get_time(tst.get()));
  if (const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(tst.get())) {
    proof_internal::Owned<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (char* hex = bn ? BN_bn2hex(bn.get()) : nullptr) {
      info.serial = hex;
      OPENSSL_free(hex);
    }
  }
  if (ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(tst.get())) {
    char buf[128];
    if (OBJ_obj2txt(buf, sizeof buf, policy, 1) > 0) info.policy = buf;
  }
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  X509_ALGOR* algo = imprint ? TS_MSG_IMPRINT_get_algo(imprint) : nullptr;
  ASN1_OCTET_STRING* digest = imprint ? TS_MSG_IMPRINT_get_msg(imprint) : nullptr;
  if (algo && digest && OBJ_obj2nid(algo->algorithm) == NID_sha256) {
    info.sha256 = Hex(ASN1_STRING_get0_data(digest), ASN1_STRING_length(digest));
  }
  GENERAL_NAME* tsa = TS_TST_INFO_get_tsa(tst.get());
  if (tsa && tsa->type == GEN_DIRNAME) info.tsa = NameOf(tsa->d.directoryName);
  if (info.tsa.empty()) {
    STACK_OF(X509)* signers = PKCS7_get0_signers(token, nullptr, 0);
    if (signers && sk_X509_num(signers) > 0) {
      info.tsa = NameOf(X509_get_subject_name(sk_X509_value(signers, 0)));
    }
    sk_X509_free(signers);
    ERR_clear_error();
  }
  return info;
}

// Hands `store` to `ctx` (which frees it) and asks for the signature check.
absl::Status UseCaFile(TS_VERIFY_CTX* ctx, const std::string& ca_file) {
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    return OpenSslError(StrCat(ca_file, ": cannot read the TSA's CA certificates"),
                        absl::StatusCode::kInvalidArgument);
  }
  TS_VERIFY_CTX_set_store(ctx, store.release());
  TS_VERIFY_CTX_add_flags(ctx, TS_VFY_SIGNATURE);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RequestTimestamp(const TsaOptions& tsa, std::string_view sha256_hex) {
  ASSIGN_OR_RETURN(std::string digest, DigestBytes(sha256_hex));
  ASSIGN_OR_RETURN(TsReqPtr req, MakeRequest(digest));
  unsigned char* der = nullptr;
  int n = i2d_TS_REQ(req.get(), &der);
  if (n <= 0) return OpenSslError("cannot encode a timestamp request", absl::StatusCode::kInternal);
  std::string body(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  ASSIGN_OR_RETURN(std::string answer, Post(tsa, body));
  std::string who = StrCat("time-stamping authority ", tsa.url);
  TsRespPtr resp(FromDer<TS_RESP, d2i_TS_RESP>(answer));
  if (!resp) return OpenSslError(StrCat(who, ": the answer is not an RFC 3161 response"));
  TS_STATUS_INFO* status = TS_RESP_get_status_info(resp.get());
  long granted = status ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status)) : -1;
  if (granted != 0 && granted != 1) {  // granted, grantedWithMods
    return absl::UnavailableError(StrCat(who, ": refused the request (PKIStatus ", granted, ")"));
  }
  // The version, the digest and the nonce of the request (OpenSSL's check).
  TsVerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) return OpenSslError("cannot check a timestamp", absl::StatusCode::kInternal);
  // OpenSSL 3.0 leaves the signature check in the flags it derives from the
  // request, and that check fails without a CA store: ask for it only with
  // a CA file.
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  if (!tsa.ca_file.empty()) RETURN_IF_ERROR(UseCaFile(ctx.get(), tsa.ca_file));
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return OpenSslError(StrCat(who, ": its answer does not check"));
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  if (token == nullptr) return absl::DataLossError(StrCat(who, ": the answer holds no token"));
  return ToDer(token);
}

absl::StatusOr<TimestampInfo> ReadTimestamp(std::string_view token) {
  Pkcs7Ptr p7(FromDer<PKCS7, d2i_PKCS7>(token));
  if (!p7) return OpenSslError("not an RFC 3161 timestamp token");
  return InfoOf(p7.get());
}

absl::StatusOr<TimestampInfo> VerifyTimestamp(std::string_view token, std::string_view sha256_hex,
                                              const std::string& ca_file) {
  ASSIGN_OR_RETURN(std::string digest, DigestBytes(sha256_hex));
  Pkcs7Ptr p7(FromDer<PKCS7, d2i_PKCS7>(token));
  if (!p7) return OpenSslError("not an RFC 3161 timestamp token");
  ASSIGN_OR_RETURN(TimestampInfo info, InfoOf(p7.get()));
  if (info.sha256.empty()) return absl::DataLossError("the token stamps no SHA-256 digest");
  if (info.sha256 != sha256_hex) {
    return absl::DataLossError(StrCat("the token stamps SHA-256 ", info.sha256, ", not ",
                                      sha256_hex));
  }
  TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  auto* imprint = static_cast<unsigned char*>(OPENSSL_malloc(digest.size()));
  if (!ctx || !imprint) {
    OPENSSL_free(imprint);
    return OpenSslError("cannot check a timestamp", absl::StatusCode::kInternal);
  }
  memcpy(imprint, digest.data(), digest.size());
  TS_VERIFY_CTX_set_imprint(ctx.get(), imprint, static_cast<long>(digest.size()));  // owns it
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT);
  if (!ca_file.empty()) {
    RETURN_IF_ERROR(UseCaFile(ctx.get(), ca_file));
  } else if (PKCS7_verify(p7.get(), nullptr, nullptr, nullptr, nullptr, PKCS7_NOVERIFY) != 1) {
    // No CA to chain to: the signature against the certificate it carries.
    return OpenSslError("the token's signature does not verify");
  }
  if (TS_RESP_verify_token(ctx.get(), p7.get()) != 1) {
    return OpenSslError(ca_file.empty() ? "the token does not check"
                                        : StrCat("the token does not check against ", ca_file));
  }
  return info;
}

}  // namespace uncut

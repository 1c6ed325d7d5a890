#include "proof/openssl_util.h"

#include <openssl/err.h>

#include "base/strings.h"

namespace uncut::proof_internal {

absl::Status OpenSslError(std::string_view what, absl::StatusCode code) {
  std::string reasons;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    StrAppend(&reasons, reasons.empty() ? "" : "; ", buf);
  }
  if (reasons.empty()) return absl::Status(code, std::string(what));
  return absl::Status(code, StrCat(what, " (", reasons, ")"));
}

BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

}  // namespace uncut::proof_internal

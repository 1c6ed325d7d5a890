// SHA-256 digests: every archived original is named by the digest of its bytes.
#ifndef UNCUT_BASE_SHA256_H_
#define UNCUT_BASE_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace uncut {

// Incremental SHA-256. Not thread-safe; one hasher per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Returns the digest as 64 lower-case hex digits. The hasher is spent afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);

// Hashes a file by streaming it; the error names the file.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace uncut

#endif  // UNCUT_BASE_SHA256_H_

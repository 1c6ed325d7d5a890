// The manifests of an evidence bundle: datapackage.json (WACZ style) and
// SHA256SUMS (the format `sha256sum -c` reads). Internal to bundle/.
#ifndef UNCUT_BUNDLE_MANIFEST_H_
#define UNCUT_BUNDLE_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace uncut {

struct ManifestEntry {
  std::string path;
  std::string sha256;  // hex
  uint64_t bytes = 0;
  std::string role;  // "original", "metadata", "report", "readme"
  int64_t item = 0;  // for originals and metadata
};

nlohmann::json DataPackage(const std::vector<ManifestEntry>& entries, const std::string& created,
                           const std::string& software);
std::string Sha256Sums(const std::vector<ManifestEntry>& entries);

// path → hex digest. Errors name the line.
absl::StatusOr<std::map<std::string, std::string>> ParseSha256Sums(const std::string& text);
// path → {digest, bytes} from a datapackage.json.
absl::StatusOr<std::map<std::string, ManifestEntry>> ParseDataPackage(const std::string& text);

}  // namespace uncut

#endif  // UNCUT_BUNDLE_MANIFEST_H_

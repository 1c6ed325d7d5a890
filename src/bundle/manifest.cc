#include "bundle/manifest.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "base/strings.h"
#include "bundle/bundle.h"

namespace uncut {
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(c))
      return false;
  }
  return true;
}

}  // namespace

nlohmann::json DataPackage(const std::vector<ManifestEntry>& entries, const std::string& created,
                           const std::string& software) {
  nlohmann::json resources = nlohmann::json::array();
  for (const ManifestEntry& e : entries) {
    nlohmann::json r = {{"name", e.path.substr(e.path.find_last_of('/') + 1)},
                        {"path", e.path},
                        {"hash", StrCat("sha256:", e.sha256)},
                        {"bytes", e.bytes},
                        {"role", e.role}};
    if (e.item) r["item"] = e.item;
    resources.push_back(std::move(r));
  }
  return {{"profile", "data-package"},
          {"uncut_profile", kBundleProfile},
          {"title", "uncut evidence bundle"},
          {"created", created},
          {"software", software},
          {"resources", std::move(resources)}};
}

std::string Sha256Sums(const std::vector<ManifestEntry>& entries) {
  std::string out;
  for (const ManifestEntry& e : entries) StrAppend(&out, e.sha256, "  ", e.path, "\n");
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ParseSha256Sums(const std::string& text) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    std::string l(line);
    // "<64 hex><space><space or *><path>"
    if (l.size() < 67 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*') ||
        !IsHex64(l.substr(0, 64))) {
      return absl::DataLossError(StrCat("SHA256SUMS line ", line_no, " is malformed"));
    }
    std::string path = l.substr(66);
    if (!out.emplace(path, l.substr(0, 64)).second) {
      return absl::DataLossError(StrCat("SHA256SUMS lists ", path, " twice"));
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, ManifestEntry>> ParseDataPackage(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("resources") || !j["resources"].is_array()) {
    return absl::DataLossError("datapackage.json is not a data package");
  }
  std::map<std::string, ManifestEntry> out;
  for (const auto& r : j["resources"]) {
    if (!r.is_object() || !r.contains("path") || !r["path"].is_string() || !r.contains("hash") ||
        !r["hash"].is_string() || !r.contains("bytes") || !r["bytes"].is_number_unsigned()) {
      return absl::DataLossError("datapackage.json has a resource without path, hash or bytes");
    }
    ManifestEntry e;
    e.path = r["path"].get<std::string>();
    std::string hash = r["hash"].get<std::string>();
    if (hash.rfind("sha256:", 0) != 0 || !IsHex64(hash.substr(7))) {
      return absl::DataLossError(
          StrCat("datapackage.json: ", e.path, ": hash is not sha256:<hex>"));
    }
    e.sha256 = hash.substr(7);
    e.bytes = r["bytes"].get<uint64_t>();
    e.role = r.value("role", "");
    e.item = r.value("item", int64_t{0});
    if (!out.emplace(e.path, e).second) {
      return absl::DataLossError(StrCat("datapackage.json lists ", e.path, " twice"));
    }
  }
  return out;
}

}  // namespace uncut

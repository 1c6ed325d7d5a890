#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "bundle/bundle.h"
#include "bundle/manifest.h"
#include "zip/zip_file.h"
#include "proof/timestamp.h"

namespace uncut {
namespace {

constexpr uint64_t kMaxManifestBytes = 64 << 20;

// Names that would land outside the folder the bundle is unpacked into, or
// that tools read differently.
std::string UnsafeName(const std::string& name) {
  if (name.empty()) return "an empty name";
  if (name[0] == '/') return "an absolute path";
  if (name.find('\\') != std::string::npos) return "a backslash";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "a control character";
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string part = name.substr(start, end - start);
    if (part == "..") return "a \"..\" component";
    start = end + 1;
  }
  return "";
}

struct Actual {
  std::string sha256;
  uint64_t bytes = 0;
};

// The item id of "items/<id>/..." names, or 0.
int64_t ItemOf(const std::string& path, const std::string& kind) {
  if (path.rfind("items/", 0) != 0) return 0;
  size_t slash = path.find('/', 6);
  if (slash == std::string::npos || path.compare(slash + 1, kind.size(), kind) != 0) return 0;
  int64_t id = 0;
  return absl::SimpleAtoi(path.substr(6, slash - 6), &id) ? id : 0;
}

// Checks SHA256SUMS.sig against `sums` (the bytes of SHA256SUMS), with the
// trusted key or else the bundle's own signer.pub.
void CheckSignature(ZipReader* zip, const std::map<std::string, const ZipEntry*>& index,
                    const std::string& sums, const VerifyBundleOptions& options,
                    BundleCheck* out) {
  using Signature = BundleCheck::Signature;
  auto fail = [out](const std::string& path, const std::string& what) {
    out->problems.push_back({path, what});
    out->signature = Signature::kBad;
  };
  auto sig_at = index.find("SHA256SUMS.sig");
  if (sig_at == index.end()) {
    if (options.trusted_key) fail("SHA256SUMS.sig", "missing: the bundle is not signed");
    return;
  }
  auto signature = zip->ReadEntry(*sig_at->second, kMaxManifestBytes);
  if (!signature.ok()) return fail("SHA256SUMS.sig", std::string(signature.status().message()));
  std::optional<PublicKey> own;
  if (auto pub_at = index.find("signer.pub"); pub_at != index.end()) {
    auto pem = zip->ReadEntry(*pub_at->second, kMaxManifestBytes);
    auto key = pem.ok() ? PublicKey::FromPem(*pem, "signer.pub") : pem.status();
    if (!key.ok()) return fail("signer.pub", std::string(key.status().message()));
    own = std::move(*key);
  }
  const PublicKey* key = options.trusted_key ? options.trusted_key : own ? &*own : nullptr;
  if (key == nullptr) {
    out->signature = Signature::kUnchecked;
    return;
  }
  if (options.trusted_key && own && own->fingerprint() != key->fingerprint()) {
    return fail("SHA256SUMS.sig", StrCat("signed by key ", own->fingerprint(),
                                         ", not by the key given (", key->fingerprint(), ")"));
  }
  if (!key->Verify(sums, *signature).ok()) {
    return fail("SHA256SUMS.sig",
                StrCat("the signature of SHA256SUMS does not verify with key ", key->fingerprint(),
                       options.trusted_key ? "" : " (the bundle's signer.pub)"));
  }
  out->signature = options.trusted_key ? Signature::kTrustedKey : Signature::kOwnKey;
  out->signer = key->fingerprint();
}

}  // namespace

absl::StatusOr<BundleCheck> VerifyBundle(const std::string& zip_path,
                                         const VerifyBundleOptions& options) {
  ASSIGN_OR_RETURN(ZipReader zip, ZipReader::Open(zip_path));
  BundleCheck out;
  auto problem = [&](const std::string& path, const std::string& what) {
    out.problems.push_back({path, what});
  };
  std::map<std::string, const ZipEntry*> index;
  for (const ZipEntry& entry : zip.entries()) {
    const std::string& name = entry.name;
    std::string unsafe = UnsafeName(name);
    if (!unsafe.empty()) {
      problem(name, StrCat("the name has ", unsafe));
      continue;
    }
    if (!index.emplace(name, &entry).second) problem(name, "appears twice in the zip");
  }
  auto sums_at = index.find("SHA256SUMS");
  auto package_at = index.find("datapackage.json");
  if (sums_at == index.end()) problem("SHA256SUMS", "missing");
  if (package_at == index.end()) problem("datapackage.json", "missing");
  if (sums_at == index.end() || package_at == index.end()) return out;

  ASSIGN_OR_RETURN(std::string sums_text, zip.ReadEntry(*sums_at->second, kMaxManifestBytes));
  ASSIGN_OR_RETURN(std::string package_text, zip.ReadEntry(*package_at->second, kMaxManifestBytes));
  auto sums = ParseSha256Sums(sums_text);
  if (!sums.ok()) problem("SHA256SUMS", std::string(sums.status().message()));
  auto package = ParseDataPackage(package_text);
  if (!package.ok()) problem("datapackage.json", std::string(package.status().message()));
  if (!sums.ok() || !package.ok()) return out;
  CheckSignature(&zip, index, sums_text, options, &out);

  std::map<std::string, Actual> actual;
  for (const auto& [name, entry] : index) {
    if (name == "SHA256SUMS" || name == "SHA256SUMS.sig" || name.back() == '/') continue;
    Sha256 h;
    Actual a;
    absl::Status read = zip.Read(*entry, [&](std::string_view chunk) {
      h.Update(chunk);
      a.bytes += chunk.size();
    });
    if (!read.ok()) {
      problem(name, std::string(read.message()));
      continue;
    }
    a.sha256 = h.FinishHex();
    actual[name] = a;
    ++out.files;
    auto listed = sums->find(name);
    if (listed == sums->end()) {
      problem(name, "is not listed in SHA256SUMS");
    } else if (listed->second != a.sha256) {
      problem(name, StrCat("SHA-256 is ", a.sha256, ", SHA256SUMS says ", listed->second));
    }
    if (name == "datapackage.json") continue;
    auto described = package->find(name);
    if (described == package->end()) {
      problem(name, "is not listed in datapackage.json");
    } else if (described->second.sha256 != a.sha256 || described->second.bytes != a.bytes) {
      problem(name, "does not match its datapackage.json entry (SHA-256 or size)");
    }
  }
  for (const auto& [path, sha] : *sums) {
    if (!actual.count(path)) problem(path, "is listed in SHA256SUMS but not in the bundle");
  }
  for (const auto& [path, e] : *package) {
    if (!actual.count(path)) problem(path, "is listed in datapackage.json but not in the bundle");
  }
  // Each original must still be the item it claims to be.
  std::map<int64_t, std::string> original_sha;
  for (const auto& [path, a] : actual) {
    if (int64_t id = ItemOf(path, "original/")) original_sha[id] = a.sha256;
  }
  for (const auto& [path, entry] : index) {
    if (!ItemOf(path, "metadata.json")) continue;
    ++out.items;
    int64_t id = ItemOf(path, "metadata.json");
    auto text = zip.ReadEntry(*entry, kMaxManifestBytes);
    nlohmann::json meta =
        text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!meta.is_object() || !meta.contains("sha256") || !meta["sha256"].is_string()) {
      problem(path, "is not item metadata");
    } else if (!original_sha.count(id)) {
      problem(path, "its original is missing");
    } else if (original_sha[id] != meta["sha256"].get<std::string>()) {
      problem(path, StrCat("the original's SHA-256 is ", original_sha[id], ", the item's is ",
                           meta["sha256"].get<std::string>()));
    } else if (auto tsr = index.find(StrCat("items/", id, "/timestamp.tsr")); tsr != index.end()) {
      // The token must stamp this original (its signature against the
      // certificate it carries; the TSA's CA is the reader's to choose).
      ++out.timestamps;
      auto token = zip.ReadEntry(*tsr->second, kMaxManifestBytes);
      auto checked = token.ok() ? VerifyTimestamp(*token, original_sha[id], "").status()
                                : token.status();
      if (!checked.ok()) problem(tsr->first, std::string(checked.message()));
    }
  }
  for (const auto& [path, a] : actual) {
    if (path.rfind("traces/", 0) == 0 && path.size() > 12 &&
        path.compare(path.size() - 12, 12, "/report.json") == 0) {
      ++out.traces;
    }
  }
  return out;
}

}  // namespace uncut

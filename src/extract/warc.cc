#include "extract/warc.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/capture_reader.h"
#include "zip/zip_file.h"

namespace uncut {
namespace {

bool IsGzip(std::string_view b) { return b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b'; }

std::string LowerPath(std::string_view path) { return absl::AsciiStrToLower(std::string(path)); }

constexpr uint64_t kMaxManifestBytes = 16ull << 20;
constexpr uint64_t kMaxPagesBytes = 64ull << 20;

// Page titles by URL from a WACZ's pages/pages.jsonl.
std::map<std::string, std::string> ReadTitles(ZipReader& zip) {
  std::map<std::string, std::string> titles;
  const ZipEntry* e = zip.Find("pages/pages.jsonl");
  if (e == nullptr) return titles;
  auto text = zip.ReadEntry(*e, kMaxPagesBytes);
  if (!text.ok()) return titles;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    nlohmann::json j = nlohmann::json::parse(text->substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (!j.is_object() || !j.contains("url") || !j.contains("title")) continue;
    if (j["url"].is_string() && j["title"].is_string()) titles[j["url"]] = j["title"];
  }
  return titles;
}

absl::Status CheckDigest(ZipReader& zip, const nlohmann::json& resource) {
  std::string path = resource.value("path", "");
  std::string hash = resource.value("hash", "");
  const ZipEntry* e = zip.Find(path);
  if (e == nullptr) {
    return absl::InvalidArgumentError(
        StrCat("datapackage.json lists ", path, ", which the package does not hold"));
  }
  if (resource.contains("bytes") && resource["bytes"].is_number_unsigned() &&
      resource["bytes"].get<uint64_t>() != e->size) {
    return absl::InvalidArgumentError(StrCat(path, " has ", e->size, " bytes; datapackage.json says ",
                                             resource["bytes"].get<uint64_t>()));
  }
  std::string want = absl::AsciiStrToLower(hash);
  if (absl::StartsWith(want, "sha256:")) want = want.substr(7);
  if (want.size() != 64) {
    return absl::InvalidArgumentError(
        StrCat("datapackage.json gives no SHA-256 for ", path, " (\"", hash, "\")"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> r, zip.OpenEntry(*e));
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t n, r->Read(buf.data(), buf.size()));
    if (n == 0) break;
    h.Update(std::string_view(buf.data(), n));
  }
  std::string got = h.FinishHex();
  if (got != want) {
    return absl::DataLossError(StrCat("SHA-256 of ", path, " is ", got,
                                      ", but datapackage.json says ", want,
                                      ": the package was altered or damaged"));
  }
  return absl::OkStatus();
}

}  // namespace

int WarcExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string p = LowerPath(path);
  if (absl::EndsWith(p, ".warc") || absl::EndsWith(p, ".warc.gz")) return 85;
  if (head.substr(0, 6) == "WARC/1") return 70;
  return 0;
}

absl::StatusOr<Extraction> WarcExtractor::Extract(std::string_view bytes,
                                                  const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  StringReader in(bytes);
  CaptureReader reader(options, "");
  RETURN_IF_ERROR(reader.ReadAll(&in, IsGzip(bytes)));
  if (reader.children() == 0) {
    return absl::InvalidArgumentError(StrCat("no HTML, text, PDF, video or audio capture in its ",
                                             reader.records(), " WARC records"));
  }
  Extraction out;
  out.format = IsGzip(bytes) ? "warc.gz" : "warc";
  out.kind = "container";
  out.info = reader.Stats();
  if (!reader.warnings().empty()) out.info["warnings"] = reader.warnings();
  return out;
}

int WaczExtractor::Sniff(std::string_view path, std::string_view head) const {
  return absl::EndsWith(LowerPath(path), ".wacz") ? 85 : 0;
}

absl::StatusOr<Extraction> WaczExtractor::Extract(std::string_view bytes,
                                                  const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  ASSIGN_OR_RETURN(ZipReader zip, ZipReader::OpenBuffer(bytes));
  const ZipEntry* manifest = zip.Find("datapackage.json");
  if (manifest == nullptr) return absl::InvalidArgumentError("not a WACZ: no datapackage.json");
  ASSIGN_OR_RETURN(std::string manifest_text, zip.ReadEntry(*manifest, kMaxManifestBytes));
  nlohmann::json package = nlohmann::json::parse(manifest_text, nullptr, false);
  if (!package.is_object() || !package.contains("resources") || !package["resources"].is_array()) {
    return absl::InvalidArgumentError("datapackage.json is not valid (no \"resources\" list)");
  }
  // Every digest is checked before anything is read.
  std::set<std::string> covered;
  for (const nlohmann::json& r : package["resources"]) {
    if (!r.is_object() || !r.contains("path") || !r["path"].is_string()) {
      return absl::InvalidArgumentError("datapackage.json has a resource without a path");
    }
    if (!r.contains("hash") || !r["hash"].is_string()) {
      return absl::InvalidArgumentError(
          StrCat("datapackage.json gives no hash for ", r["path"].get<std::string>()));
    }
    RETURN_IF_ERROR(CheckDigest(zip, r));
    covered.insert(r["path"].get<std::string>());
  }
  std::map<std::string, std::string> titles = ReadTitles(zip);
  Extraction out;
  out.format = "wacz";
  out.kind = "container";
  std::vector<std::string> warnings;
  nlohmann::json warcs = nlohmann::json::array();
  int children = 0;
  for (const ZipEntry& e : zip.entries()) {
    std::string lower = LowerPath(e.name);
    if (!absl::StartsWith(lower, "archive/") ||
        !(absl::EndsWith(lower, ".warc") || absl::EndsWith(lower, ".warc.gz"))) {
      continue;
    }
    if (!covered.count(e.name)) {
      warnings.push_back(StrCat(e.name, " is not covered by a digest in datapackage.json"));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> in, zip.OpenEntry(e));
    CaptureReader reader(options, e.name, &titles);
    absl::Status s = reader.ReadAll(in.get(), absl::EndsWith(lower, ".gz"));
    if (!s.ok()) return absl::Status(s.code(), StrCat(e.name, ": ", s.message()));
    nlohmann::json stats = reader.Stats();
    stats["path"] = e.name;
    warcs.push_back(std::move(stats));
    for (const std::string& w : reader.warnings()) warnings.push_back(StrCat(e.name, ": ", w));
    children += reader.children();
  }
  if (warcs.empty()) return absl::InvalidArgumentError("the WACZ holds no WARC under archive/");
  if (children == 0) {
    return absl::InvalidArgumentError("no HTML, text, PDF, video or audio capture in its WARCs");
  }
  out.info["warcs"] = std::move(warcs);
  out.info["digests_checked"] = covered.size();
  if (package.contains("title") && package["title"].is_string()) out.info["title"] = package["title"];
  if (!warnings.empty()) out.info["warnings"] = warnings;
  return out;
}

}  // namespace uncut

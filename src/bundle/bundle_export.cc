#include <algorithm>
#include <memory>
#include <set>

#include "base/file.h"
#include "base/file_name.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "bundle/bundle.h"
#include "bundle/manifest.h"
#include "zip/zip_file.h"
#include "proof/timestamp.h"
#include "report/trace_report.h"
#include "store/original.h"

namespace uncut {
namespace {

constexpr char kReadme[] =
    "uncut evidence bundle\n"
    "=====================\n\n"
    "items/<id>/original/    each source exactly as it was archived\n"
    "items/<id>/metadata.json where it came from, when it was captured and archived, and its\n"
    "                        SHA-256 (the digest of the original's bytes)\n"
    "traces/<id>/            saved trace reports that found these sources (JSON and HTML)\n"
    "items/<id>/timestamp.tsr the source's RFC 3161 timestamp token, when it was stamped:\n"
    "                        a time-stamping authority's signature binding its SHA-256\n"
    "                        to a time\n"
    "audit_log.json          the archive's audit log entries that name these sources (when\n"
    "                        they were added, re-indexed, exported before), oldest first\n"
    "datapackage.json        every file with its size and SHA-256\n"
    "SHA256SUMS              the same digests\n\n"
    "To check the bundle:\n"
    "  uncut verify-bundle THIS.zip\n"
    "or, with standard tools, after unzipping:\n"
    "  sha256sum -c SHA256SUMS\n"
    "and, for a timestamp, with the authority's CA certificate TSA-CA.pem:\n"
    "  openssl ts -verify -token_in -in items/<id>/timestamp.tsr \\\n"
    "    -data items/<id>/original/<name> -CAfile TSA-CA.pem\n";

constexpr char kSignedReadme[] =
    "\nSHA256SUMS.sig is the Ed25519 signature of SHA256SUMS by the key in signer.pub.\n"
    "With the signer's public key KEY.pub, obtained from the signer and not from this\n"
    "bundle:\n"
    "  uncut verify-bundle THIS.zip --key KEY.pub\n"
    "or:\n"
    "  openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in SHA256SUMS \\\n"
    "    -sigfile SHA256SUMS.sig\n";

// An item's original read from start to end, hashed as it goes: the read
// that reaches the end fails unless the bytes were the item's.
class CheckedReader {
 public:
  CheckedReader(Item item, Original original) : item_(std::move(item)), original_(std::move(original)) {}

  absl::StatusOr<size_t> Read(void* buf, size_t n) {
    ASSIGN_OR_RETURN(std::string_view bytes, original_.Bytes());
    if (checked_) return 0;
    const size_t got = std::min(n, bytes.size() - std::min<size_t>(done_, bytes.size()));
    std::copy_n(bytes.data() + done_, got, static_cast<char*>(buf));
    hash_.Update(bytes.substr(done_, got));
    done_ += got;
    if (done_ == bytes.size()) {
      if (done_ != item_.size || hash_.FinishHex() != item_.sha256) {
        return OriginalMismatchError(item_);
      }
      checked_ = true;
    }
    return got;
  }

 private:
  Item item_;
  Original original_;
  Sha256 hash_;
  size_t done_ = 0;
  bool checked_ = false;
};

class BundleWriter {
 public:
  explicit BundleWriter(ZipWriter zip) : zip_(std::move(zip)) {}

  absl::Status AddBytes(const std::string& path, const std::string& bytes, const std::string& role,
                        int64_t item = 0) {
    RETURN_IF_ERROR(zip_.AddBytes(path, bytes));
    entries_.push_back({path, Sha256Hex(bytes), bytes.size(), role, item});
    return absl::OkStatus();
  }

  // The original is hashed again as libzip reads it at Finish: bytes that
  // are not the item's fail the export there, naming the item.
  absl::Status AddOriginal(OriginalSource* originals, const Item& item) {
    std::string path = StrCat("items/", item.id, "/original/", SafeFileName(item.name));
    auto open = [originals, item]() -> absl::StatusOr<ZipWriter::ReadFn> {
      ASSIGN_OR_RETURN(Original original, originals->OpenOriginal(item));
      auto shared = std::make_shared<CheckedReader>(item, std::move(original));
      return [shared](void* buf, size_t n) { return shared->Read(buf, n); };
    };
    RETURN_IF_ERROR(zip_.AddStream(path, item.size, std::move(open), item.kind == "text"));
    entries_.push_back({path, item.sha256, item.size, "original", item.id});
    return absl::OkStatus();
  }

  absl::StatusOr<ExportSummary> Finish(const std::string& software, const SigningKey* key) {
    RETURN_IF_ERROR(AddBytes("README.txt", key ? StrCat(kReadme, kSignedReadme) : kReadme,
                             "readme"));
    if (key) RETURN_IF_ERROR(AddBytes("signer.pub", key->public_key().Pem(), "signer"));
    std::string package = DataPackage(entries_, NowRfc3339(), software).dump(2) + "\n";
    RETURN_IF_ERROR(AddBytes("datapackage.json", package, "manifest"));
    std::string sums = Sha256Sums(entries_);
    RETURN_IF_ERROR(zip_.AddBytes("SHA256SUMS", sums));
    if (key) {
      ASSIGN_OR_RETURN(std::string signature, key->Sign(sums));
      RETURN_IF_ERROR(zip_.AddBytes("SHA256SUMS.sig", signature, /*compress=*/false));
    }
    RETURN_IF_ERROR(zip_.Close());
    ExportSummary s;
    s.files = entries_.size() + (key ? 2 : 1);
    for (const ManifestEntry& e : entries_) s.bytes += e.bytes;
    return s;
  }

 private:
  ZipWriter zip_;
  std::vector<ManifestEntry> entries_;
};

// The audit entries naming one of `items` (by SHA-256, or by id for
// re-indexing), as `uncut log --json` prints them.
absl::StatusOr<nlohmann::json> AuditOf(CatalogRecords* records, const std::vector<Item>& items) {
  std::set<std::string> shas;
  std::set<int64_t> ids;
  for (const Item& it : items) {
    shas.insert(it.sha256);
    ids.insert(it.id);
  }
  ASSIGN_OR_RETURN(std::vector<AuditEntry> log, records->AuditLog());
  nlohmann::json out = nlohmann::json::array();
  for (const AuditEntry& e : log) {
    bool names = false;
    const nlohmann::json& d = e.details;
    if (d.contains("items") && d["items"].is_array()) {
      for (const nlohmann::json& it : d["items"]) {
        if (it.is_object() && shas.count(it.value("sha256", std::string()))) names = true;
      }
    }
    if (d.contains("reindexed") && d["reindexed"].is_array()) {
      for (const nlohmann::json& id : d["reindexed"]) {
        if (id.is_number_integer() && ids.count(id.get<int64_t>())) names = true;
      }
    }
    if (!names) continue;
    nlohmann::json j = {{"seq", e.seq},
                        {"at", e.at},
                        {"actor", e.actor},
                        {"action", e.action},
                        {"details", e.details}};
    if (!e.client.empty()) j["client"] = e.client;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

absl::StatusOr<ExportSummary> ExportBundle(Storage archive, const std::vector<Item>& items,
                                           const std::string& out_zip,
                                           const ExportOptions& options) {
  ASSIGN_OR_RETURN(ZipWriter zip, ZipWriter::Create(out_zip));
  BundleWriter bundle(std::move(zip));
  std::set<int64_t> items_seen, traces_seen;
  for (const Item& item : items) {
    if (!items_seen.insert(item.id).second) continue;
    RETURN_IF_ERROR(bundle.AddOriginal(archive.originals, item));
    nlohmann::json meta = ItemToJson(item);
    ASSIGN_OR_RETURN(std::optional<std::string> token, archive.catalog->LoadBlob(item.id, kTimestampBlob));
    if (token) {
      std::string path = StrCat("items/", item.id, "/timestamp.tsr");
      RETURN_IF_ERROR(bundle.AddBytes(path, *token, "timestamp", item.id));
      meta["timestamp"] = {{"kind", "RFC 3161"}, {"token", path}};
      if (auto info = ReadTimestamp(*token); info.ok()) {
        meta["timestamp"]["time"] = info->time;
        meta["timestamp"]["tsa"] = info->tsa;
        meta["timestamp"]["serial"] = info->serial;
      }
    }
    ASSIGN_OR_RETURN(std::vector<Item> children, archive.catalog->Children(item.id));
    meta["children"] = nlohmann::json::array();
    for (const Item& c : children) meta["children"].push_back(ItemToJson(c));
    RETURN_IF_ERROR(bundle.AddBytes(StrCat("items/", item.id, "/metadata.json"),
                                    meta.dump(2) + "\n", "metadata", item.id));
    if (!options.include_traces) continue;
    ASSIGN_OR_RETURN(std::vector<SavedTrace> traces, archive.records->SavedTracesOfItem(item.id));
    for (const SavedTrace& t : traces) {
      if (!traces_seen.insert(t.id).second) continue;
      std::string dir = StrCat("traces/", t.id, "/");
      RETURN_IF_ERROR(bundle.AddBytes(dir + "report.json", t.report_json, "report"));
      RETURN_IF_ERROR(bundle.AddBytes(dir + "report.html", t.report_html, "report"));
    }
  }
  std::vector<Item> exported;
  for (const Item& item : items) {
    if (items_seen.count(item.id)) exported.push_back(item);
  }
  ASSIGN_OR_RETURN(nlohmann::json audit, AuditOf(archive.records, exported));
  RETURN_IF_ERROR(bundle.AddBytes("audit_log.json", audit.dump(2) + "\n", "audit"));
  ASSIGN_OR_RETURN(ExportSummary summary,
                   bundle.Finish(StrCat("uncut ", options.uncut_version), options.sign_with));
  summary.items = items_seen.size();
  summary.traces = traces_seen.size();
  return summary;
}

}  // namespace uncut

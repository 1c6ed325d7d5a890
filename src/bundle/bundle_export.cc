#include <set>

#include "base/file.h"
#include "base/file_name.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "bundle/bundle.h"
#include "bundle/manifest.h"
#include "bundle/zip_archive.h"
#include "report/trace_report.h"
#include "store/saved_traces.h"

namespace uncut {
namespace {

constexpr char kReadme[] =
    "uncut evidence bundle\n"
    "=====================\n\n"
    "items/<id>/original/    each source exactly as it was archived\n"
    "items/<id>/metadata.json where it came from, when it was captured and archived, and its\n"
    "                        SHA-256 (the digest of the original's bytes)\n"
    "traces/<id>/            saved trace reports that found these sources (JSON and HTML)\n"
    "datapackage.json        every file with its size and SHA-256\n"
    "SHA256SUMS              the same digests\n\n"
    "To check the bundle:\n"
    "  uncut verify-bundle THIS.zip\n"
    "or, with standard tools, after unzipping:\n"
    "  sha256sum -c SHA256SUMS\n";

// SHA-256 of `length` bytes of `path` from `offset`.
absl::StatusOr<std::string> HashRange(const std::string& path, uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  Sha256 h;
  std::string buf(1 << 20, '\0');
  uint64_t done = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length - done));
    ASSIGN_OR_RETURN(size_t n, f.ReadAt(buf.data(), want, offset + done));
    if (n == 0) return absl::DataLossError(StrCat(path, ": shorter than its catalog entry"));
    h.Update(std::string_view(buf.data(), n));
    done += n;
  }
  return h.FinishHex();
}

class BundleWriter {
 public:
  explicit BundleWriter(ZipWriter zip) : zip_(std::move(zip)) {}

  absl::Status AddBytes(const std::string& path, const std::string& bytes, const std::string& role,
                        int64_t item = 0) {
    RETURN_IF_ERROR(zip_.AddBytes(path, bytes));
    entries_.push_back({path, Sha256Hex(bytes), bytes.size(), role, item});
    return absl::OkStatus();
  }

  absl::Status AddOriginal(Archive* archive, const Item& item) {
    std::string source = archive->ObjectPath(item.object);
    ASSIGN_OR_RETURN(std::string sha, HashRange(source, item.object_offset, item.size));
    if (sha != item.sha256) {
      return absl::DataLossError(StrCat("item ", item.id, " (", item.name,
                                        "): the stored original no longer has its SHA-256 ",
                                        item.sha256, "; run `uncut verify`"));
    }
    std::string path = StrCat("items/", item.id, "/original/", SafeFileName(item.name));
    RETURN_IF_ERROR(zip_.AddFile(path, source, item.object_offset, item.size, item.kind == "text"));
    entries_.push_back({path, sha, item.size, "original", item.id});
    return absl::OkStatus();
  }

  absl::StatusOr<ExportSummary> Finish(const std::string& software) {
    RETURN_IF_ERROR(AddBytes("README.txt", kReadme, "readme"));
    std::string package = DataPackage(entries_, NowRfc3339(), software).dump(2) + "\n";
    RETURN_IF_ERROR(AddBytes("datapackage.json", package, "manifest"));
    RETURN_IF_ERROR(zip_.AddBytes("SHA256SUMS", Sha256Sums(entries_)));
    RETURN_IF_ERROR(zip_.Close());
    ExportSummary s;
    s.files = entries_.size() + 1;
    for (const ManifestEntry& e : entries_) s.bytes += e.bytes;
    return s;
  }

 private:
  ZipWriter zip_;
  std::vector<ManifestEntry> entries_;
};

}  // namespace

absl::StatusOr<ExportSummary> ExportBundle(Archive* archive, const std::vector<Item>& items,
                                           const std::string& out_zip,
                                           const ExportOptions& options) {
  ASSIGN_OR_RETURN(ZipWriter zip, ZipWriter::Create(out_zip));
  BundleWriter bundle(std::move(zip));
  std::set<int64_t> items_seen, traces_seen;
  for (const Item& item : items) {
    if (!items_seen.insert(item.id).second) continue;
    RETURN_IF_ERROR(bundle.AddOriginal(archive, item));
    nlohmann::json meta = ItemToJson(item);
    ASSIGN_OR_RETURN(std::vector<Item> children, archive->Children(item.id));
    meta["children"] = nlohmann::json::array();
    for (const Item& c : children) meta["children"].push_back(ItemToJson(c));
    RETURN_IF_ERROR(bundle.AddBytes(StrCat("items/", item.id, "/metadata.json"),
                                    meta.dump(2) + "\n", "metadata", item.id));
    if (!options.include_traces) continue;
    ASSIGN_OR_RETURN(std::vector<SavedTrace> traces, SavedTracesOfItem(archive, item.id));
    for (const SavedTrace& t : traces) {
      if (!traces_seen.insert(t.id).second) continue;
      std::string dir = StrCat("traces/", t.id, "/");
      RETURN_IF_ERROR(bundle.AddBytes(dir + "report.json", t.report_json, "report"));
      RETURN_IF_ERROR(bundle.AddBytes(dir + "report.html", t.report_html, "report"));
    }
  }
  ASSIGN_OR_RETURN(ExportSummary summary, bundle.Finish(StrCat("uncut ", options.uncut_version)));
  summary.items = items_seen.size();
  summary.traces = traces_seen.size();
  return summary;
}

}  // namespace uncut

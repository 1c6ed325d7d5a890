#include "capture/capture_into.h"

#include <limits>
#include <map>
#include <memory>

#include "base/status_macros.h"
#include "base/strings.h"
#include "capture/record.h"
#include "proof/item_timestamps.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/staged_archive.h"

namespace uncut {
namespace {

absl::StatusOr<std::vector<AddedFile>> IntoDirectory(const CaptureInto& to, const Capture& c,
                                                     const nlohmann::json& recapture_of,
                                                     std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(std::unique_ptr<Archive> archive,
                   Archive::Open(to.archive, Archive::Mode::kCreate));
  CaptureOptions options = to.options;
  options.tsa = TsaOptions();
  if (!to.no_tsa) {
    ASSIGN_OR_RETURN(options.tsa, ChooseTsa(archive.get(), to.options.tsa));
  }
  return AddCapture(archive.get(), options, c, recapture_of, warnings);
}

// A capture record's links to the capture's other items (the page that
// embeds it, the page it was rendered from) name them by their ids in the
// staged archive: rewritten to their ids in the cluster.
absl::Status RelinkRecord(std::map<std::string, std::string>* blobs,
                          const std::map<int64_t, int64_t>& ids) {
  auto blob = blobs->find(kCaptureBlob);
  if (blob == blobs->end()) return absl::OkStatus();
  nlohmann::json record = nlohmann::json::parse(blob->second, nullptr, false);
  if (!record.is_object()) return absl::OkStatus();
  bool changed = false;
  for (const char* link : {"embedded_in", "rendered_from"}) {
    if (!record.contains(link) || !record[link].is_object()) continue;
    nlohmann::json& id = record[link]["id"];
    if (!id.is_number_integer()) continue;
    auto now = ids.find(id.get<int64_t>());
    if (now == ids.end() || now->second == id.get<int64_t>()) continue;
    id = now->second;
    changed = true;
  }
  if (changed) blob->second = record.dump();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AddedFile>> IntoCluster(const CaptureInto& to, const Capture& c,
                                                   const nlohmann::json& recapture_of,
                                                   std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgArchive> cluster, PgArchive::Open(to.archive));
  ASSIGN_OR_RETURN(std::unique_ptr<StagedArchive> staged, StagedArchive::Create(cluster.get()));
  CaptureOptions options = to.options;
  options.tsa = TsaOptions();
  if (!to.no_tsa) {
    ASSIGN_OR_RETURN(options.tsa, ChooseTsa(cluster.get(), to.options.tsa));
  }
  std::vector<AddedFile> added;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<Archive> local,
                     Archive::Open(staged->dir(), Archive::Mode::kReadOnly));
    ASSIGN_OR_RETURN(added, AddCapture(local.get(), options, c, recapture_of, warnings));
  }
  // The whole capture in one transaction, as on a directory.
  CopyOptions copy;
  copy.batch_items = std::numeric_limits<size_t>::max();
  copy.batch_bytes = std::numeric_limits<uint64_t>::max();
  copy.batch_postings = std::numeric_limits<uint64_t>::max();
  copy.actor = to.options.actor;
  copy.client = to.options.client;
  copy.adjust_blobs = RelinkRecord;
  ASSIGN_OR_RETURN(CopyOutcome copied, staged->CopyInto(cluster.get(), copy));
  // The items as the cluster has them: their ids there, or the items that
  // held the same bytes already.
  for (AddedFile& a : added) {
    auto id = copied.ids.find(a.item.id);
    if (id != copied.ids.end()) {
      a.item.id = id->second;
      if (a.item.parent_id) {
        auto parent = copied.ids.find(*a.item.parent_id);
        if (parent != copied.ids.end()) a.item.parent_id = parent->second;
      }
      continue;
    }
    for (const Item& there : copied.present) {
      if (there.sha256 == a.item.sha256) {
        a.item = there;
        a.existed = true;
        break;
      }
    }
  }
  return added;
}

}  // namespace

absl::StatusOr<std::vector<AddedFile>> AddCaptureInto(const CaptureInto& to, const Capture& c,
                                                      const nlohmann::json& recapture_of,
                                                      std::vector<std::string>* warnings) {
  return IsPostgresUri(to.archive) ? IntoCluster(to, c, recapture_of, warnings)
                                   : IntoDirectory(to, c, recapture_of, warnings);
}

}  // namespace uncut

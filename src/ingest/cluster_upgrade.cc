#include "ingest/cluster_upgrade.h"

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "audio/landmarks.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

// An item's original copied out of the cluster into a temporary file (the
// fingerprinting decoders read files); removed when destroyed.
class OriginalFile {
 public:
  OriginalFile() = default;
  OriginalFile(const OriginalFile&) = delete;
  OriginalFile& operator=(const OriginalFile&) = delete;
  ~OriginalFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  // Streams the original in (its SHA-256 checked as it comes: kDataLoss
  // naming the item when it is not the item's).
  absl::Status Write(PgArchive* archive, const Item& item) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = StrCat(tmp && *tmp ? tmp : "/tmp", "/uncut-upgrade-XXXXXX");
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) return absl::InternalError(StrCat(pattern, ": cannot make a temporary file"));
    path_ = pattern;
    File file(fd, path_);
    RETURN_IF_ERROR(archive->ReadOriginal(
        item, [&](std::string_view piece) { return file.WriteAll(piece); }));
    return file.Close();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One item's new fingerprint, from `derive(item, original's path)`; nullopt
// when there is nothing to write. A damaged original or one that does not
// decode is a problem (appended to `problems`), not a failure of the pass.
using Derive = std::function<absl::StatusOr<std::optional<ItemReindex>>(
    const Item& item, const std::string& path)>;
// Whether the item (as the batch sees it, locked) still needs the pass.
using Needed = std::function<absl::StatusOr<bool>(PgWriteBatch* batch, const Item& item)>;

// Runs a pass over `todo` (ids), a few items per batch; returns how many
// were re-indexed.
absl::StatusOr<int> Reindex(PgArchive* archive, const std::vector<int64_t>& todo,
                            const Needed& needed, const Derive& derive,
                            std::vector<std::string>* problems,
                            const std::function<void(size_t, size_t)>& progress) {
  int redone = 0;
  for (size_t start = 0; start < todo.size(); start += kClusterUpgradeBatchItems) {
    const size_t end = std::min(todo.size(), start + kClusterUpgradeBatchItems);
    ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, archive->BeginWrite());
    int queued = 0;
    for (size_t i = start; i < end; ++i) {
      if (progress) progress(i, todo.size());
      ASSIGN_OR_RETURN(std::optional<Item> item, batch->LockItem(todo[i]));
      if (!item) continue;  // removed meanwhile
      ASSIGN_OR_RETURN(bool still, needed(batch.get(), *item));
      if (!still) continue;  // another run did it
      OriginalFile original;
      absl::Status read = original.Write(archive, *item);
      if (absl::IsDataLoss(read)) {
        problems->push_back(std::string(read.message()));
        continue;
      }
      RETURN_IF_ERROR(read);
      absl::StatusOr<std::optional<ItemReindex>> fresh = derive(*item, original.path());
      if (!fresh.ok()) {
        problems->push_back(std::string(fresh.status().message()));
        continue;
      }
      if (!*fresh) continue;
      RETURN_IF_ERROR(batch->Reindex(item->id, (*fresh)->info, (*fresh)->blobs,
                                     std::move((*fresh)->postings)));
      ++queued;
    }
    if (queued > 0) RETURN_IF_ERROR(batch->Commit());
    redone += queued;
  }
  if (progress) progress(todo.size(), todo.size());
  return redone;
}

}  // namespace

absl::StatusOr<SoundUpgrade> UpgradeSoundIndex(
    PgArchive* archive, const std::function<void(size_t, size_t)>& progress) {
  SoundUpgrade out;
  ASSIGN_OR_RETURN(uint64_t legacy, archive->PostingCount(Modality::kLegacyAudio));
  if (legacy == 0) return out;
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  std::vector<int64_t> todo;
  for (const Item& it : items) {
    if (!it.info.contains("audio")) continue;
    ASSIGN_OR_RETURN(auto blob, archive->LoadBlob(it.id, kAudioPeaksBlob));
    if (SoundFingerprintOutdated(it, blob)) todo.push_back(it.id);
  }
  ASSIGN_OR_RETURN(
      out.redone,
      Reindex(
          archive, todo,
          [](PgWriteBatch* batch, const Item& item) -> absl::StatusOr<bool> {
            ASSIGN_OR_RETURN(auto blob, batch->LoadBlob(item.id, kAudioPeaksBlob));
            return SoundFingerprintOutdated(item, blob);
          },
          [](const Item& item, const std::string& path) -> absl::StatusOr<std::optional<ItemReindex>> {
            ASSIGN_OR_RETURN(ItemReindex r, ResignSound(item, path));
            return std::optional<ItemReindex>(std::move(r));
          },
          &out.problems, progress));
  // The older index is no longer read: what is left of it goes (as on a
  // directory, an item whose sound failed is no longer searched by sound).
  ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, archive->BeginWrite());
  RETURN_IF_ERROR(batch->DropModality(Modality::kLegacyAudio));
  RETURN_IF_ERROR(batch->Commit());
  return out;
}

absl::StatusOr<PictureUpgrade> UpgradePictureIndex(
    PgArchive* archive, const std::function<void(size_t, size_t)>& progress) {
  PictureUpgrade out;
  std::vector<int64_t> todo;
  RETURN_IF_ERROR(ForEachVideoWithoutRegions(
      archive, &out.problems, [&todo](const Item& it, VideoSignature) { todo.push_back(it.id); }));
  if (todo.empty()) return out;
  // The signature read under the lock, between `needed` and `derive`.
  std::optional<VideoSignature> older;
  ASSIGN_OR_RETURN(
      out.redone,
      Reindex(
          archive, todo,
          [&](PgWriteBatch* batch, const Item& item) -> absl::StatusOr<bool> {
            ASSIGN_OR_RETURN(auto blob, batch->LoadBlob(item.id, kVideoSignatureBlob));
            ASSIGN_OR_RETURN(older, SignatureWithoutRegions(item, blob));
            return older.has_value();
          },
          [&](const Item& item, const std::string& path) {
            return AddRegionHashesFrom(item, std::move(*older), path);
          },
          &out.problems, progress));
  return out;
}

}  // namespace uncut

// `uncut upgrade` on an archive kept in PostgreSQL
// (storage/postgres_storage.h): the sound and picture passes of
// media_ingest.h, on the cluster's items.
//
// Each item's fingerprint is derived anew from its original, read back
// from the cluster's pieces (checked against its SHA-256) into a temporary
// file under $TMPDIR that is removed once decoded. A few items make one
// write batch: their rows are locked and their fingerprints checked again
// under the lock (a concurrent upgrade, or a removal, waits or has already
// done it), and their new info, blobs and postings commit together with an
// audit entry "upgrade" naming them. So a stopped run keeps the batches it
// committed and the next run does the rest; a reader sees each item as it
// was or as it is after, never half of it; adds go on meanwhile (they touch
// other rows). A second run finds nothing to do.
#ifndef UNCUT_INGEST_CLUSTER_UPGRADE_H_
#define UNCUT_INGEST_CLUSTER_UPGRADE_H_

#include <functional>

#include "absl/status/statusor.h"
#include "ingest/media_ingest.h"
#include "storage/postgres_storage.h"

namespace uncut {

// Items a write batch of the upgrade holds (and keeps locked while they are
// decoded).
inline constexpr size_t kClusterUpgradeBatchItems = 4;

// As UpgradeSoundIndex(Archive*): recordings whose sound was fingerprinted
// in the older format get the current fingerprints, then the older index
// is dropped. An item whose original cannot be read back intact or decoded
// is named in `problems` and keeps what it had; a server out of reach
// fails the pass.
absl::StatusOr<SoundUpgrade> UpgradeSoundIndex(
    PgArchive* archive, const std::function<void(size_t done, size_t total)>& progress = nullptr);

// As UpgradePictureIndex(Archive*): videos fingerprinted before the region
// hashes existed gain them (their other hashes and postings stay).
absl::StatusOr<PictureUpgrade> UpgradePictureIndex(
    PgArchive* archive, const std::function<void(size_t done, size_t total)>& progress = nullptr);

}  // namespace uncut

#endif  // UNCUT_INGEST_CLUSTER_UPGRADE_H_

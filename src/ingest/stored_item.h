// What adding a picture or a recording does around its analysis: stage the
// user's file as an original (or find it archived already) and give the
// analysed item the fields its stored copy and the command give it.
#ifndef UNCUT_INGEST_STORED_ITEM_H_
#define UNCUT_INGEST_STORED_ITEM_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ingest/ingest.h"
#include "store/archive.h"

namespace uncut {

// Stages the file at `path`. When the archive holds its bytes already,
// fills `out` (existed, the item) and returns nullopt; an empty file is
// discarded and refused, naming `path`.
absl::StatusOr<std::optional<StagedObject>> StageNewFile(WriteBatch* batch,
                                                         const std::string& path,
                                                         AddOutcome* out);

// Sets the item's digest, size, names, time of adding, where it is stored,
// and the command's metadata; a title the file itself holds stays unless
// the command gives one.
void FillStoredItem(const StagedObject& obj, const std::string& path, const AddOptions& options,
                    Item* item);

}  // namespace uncut

#endif  // UNCUT_INGEST_STORED_ITEM_H_

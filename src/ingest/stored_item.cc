#include "ingest/stored_item.h"

#include <utility>

#include "base/file.h"
#include "base/named_message.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

absl::StatusOr<std::optional<StagedObject>> StageNewFile(WriteBatch* batch,
                                                         const std::string& path,
                                                         AddOutcome* out) {
  ASSIGN_OR_RETURN(StagedObject obj, batch->StageFile(path));
  ASSIGN_OR_RETURN(std::optional<Item> existing, batch->Existing(obj.sha256));
  if (existing) {
    out->existed = true;
    out->item = *existing;
    return std::nullopt;
  }
  if (obj.size == 0) {
    batch->Discard(obj);
    return absl::InvalidArgumentError(NamedMessage(path, std::string("empty file")));
  }
  return obj;
}

void FillStoredItem(const StagedObject& obj, const std::string& path, const AddOptions& options,
                    Item* item) {
  std::optional<std::string> title = std::move(item->meta.title);
  item->sha256 = obj.sha256;
  item->size = obj.size;
  item->name = BaseName(path);
  item->added_from = AbsolutePath(path);
  item->added_at = NowRfc3339();
  item->meta = options.meta;
  if (!item->meta.title) item->meta.title = std::move(title);
  item->object = obj.object;
  item->object_offset = obj.offset;
}

}  // namespace uncut

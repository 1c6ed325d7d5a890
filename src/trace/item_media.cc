#include "trace/item_media.h"

#include "base/status_macros.h"

namespace uncut {

absl::StatusOr<ItemMedia> ItemMedia::Open(Archive* archive, const Item& item) {
  ItemMedia m;
  std::string path = archive->ObjectPath(item.object);
  if (item.object == item.sha256 && item.object_offset == 0) {
    RETURN_IF_ERROR(CheckOriginalOnce(archive, item));
    m.source_ = MediaSource::File(std::move(path));
    return m;
  }
  ASSIGN_OR_RETURN(m.mapped_, MappedOriginal::Open(archive, item));
  // The mapping's address survives moves of MappedOriginal, so the view stays valid.
  m.source_ = MediaSource::Memory(std::move(path), m.mapped_.data());
  return m;
}

}  // namespace uncut

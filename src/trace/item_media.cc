#include "trace/item_media.h"

#include "base/strings.h"

namespace uncut {

absl::StatusOr<ItemMedia> ItemMedia::Open(Archive* archive, const Item& item) {
  ItemMedia m;
  std::string path = archive->ObjectPath(item.object);
  if (item.object == item.sha256 && item.object_offset == 0) {
    m.source_ = MediaSource::File(std::move(path));
    return m;
  }
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok()) return mapped.status();
  m.mapped_ = std::move(*mapped);
  std::string_view all = m.mapped_.data();
  if (item.object_offset > all.size() || item.size > all.size() - item.object_offset) {
    return absl::DataLossError(StrCat(item.name, ": stored bytes are shorter than the item"));
  }
  // The mapping's address survives moves of MappedFile, so the view stays valid.
  m.source_ = MediaSource::Memory(std::move(path), all.substr(item.object_offset, item.size));
  return m;
}

}  // namespace uncut

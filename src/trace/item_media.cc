#include "trace/item_media.h"

#include "base/status_macros.h"

namespace uncut {

absl::StatusOr<ItemMedia> ItemMedia::Open(OriginalSource* originals, const Item& item) {
  ItemMedia m;
  ASSIGN_OR_RETURN(m.original_, originals->OpenOriginal(item));
  if (m.original_.file()) {
    m.source_ = MediaSource::File(*m.original_.file());
    return m;
  }
  ASSIGN_OR_RETURN(std::string_view bytes, m.original_.Bytes());
  // Original's bytes survive its moves, so the view stays valid.
  m.source_ = MediaSource::Memory(m.original_.name(), bytes);
  return m;
}

}  // namespace uncut

// An archived item's stored bytes, open for a decoder: the item's own file,
// or the byte range of a container it was found in.
#ifndef UNCUT_TRACE_ITEM_MEDIA_H_
#define UNCUT_TRACE_ITEM_MEDIA_H_

#include <string>

#include "absl/status/statusor.h"
#include "base/file.h"
#include "decode/ffmpeg.h"
#include "store/archive.h"

namespace uncut {

class ItemMedia {
 public:
  static absl::StatusOr<ItemMedia> Open(Archive* archive, const Item& item);

  // Valid while this object lives.
  const MediaSource& source() const { return source_; }

 private:
  MappedFile mapped_;  // for a range of a container; the source's bytes
  MediaSource source_;
};

}  // namespace uncut

#endif  // UNCUT_TRACE_ITEM_MEDIA_H_

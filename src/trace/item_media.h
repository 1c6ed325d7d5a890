// An archived item's stored bytes, open for a decoder: the item's own file,
// or the byte range of a container it was found in. Opening checks them
// against the item's SHA-256 (see store/original.h).
#ifndef UNCUT_TRACE_ITEM_MEDIA_H_
#define UNCUT_TRACE_ITEM_MEDIA_H_

#include <string>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "store/archive.h"
#include "store/original.h"

namespace uncut {

class ItemMedia {
 public:
  // Fails with OriginalMismatchError when the stored bytes are not the
  // item's. An own file, which decoders read by path, is hashed in full
  // once per process and file state (CheckOriginalOnce); a range of a
  // container is mapped and hashed, and decoders read it from memory.
  static absl::StatusOr<ItemMedia> Open(Archive* archive, const Item& item);

  // Valid while this object lives.
  const MediaSource& source() const { return source_; }

 private:
  MappedOriginal mapped_;  // for a range of a container; the source's bytes
  MediaSource source_;
};

}  // namespace uncut

#endif  // UNCUT_TRACE_ITEM_MEDIA_H_

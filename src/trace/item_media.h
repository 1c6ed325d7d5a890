// An archived item's stored bytes, open for a decoder: the item's own file,
// or bytes in memory (the byte range of a container it was found in, or
// bytes a backend fetched). Opening checks them against the item's SHA-256
// where the backend can (the archive's OpenOriginal does).
#ifndef UNCUT_TRACE_ITEM_MEDIA_H_
#define UNCUT_TRACE_ITEM_MEDIA_H_

#include <string>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "storage/catalog_reader.h"

namespace uncut {

class ItemMedia {
 public:
  // Fails with kDataLoss when the backend finds the stored bytes are not
  // the item's (store/original.h: OriginalMismatchError).
  static absl::StatusOr<ItemMedia> Open(OriginalSource* originals, const Item& item);

  // Valid while this object lives.
  const MediaSource& source() const { return source_; }

 private:
  Original original_;  // holds the source's bytes
  MediaSource source_;
};

}  // namespace uncut

#endif  // UNCUT_TRACE_ITEM_MEDIA_H_

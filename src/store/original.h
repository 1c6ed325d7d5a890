// Reading an archived item's original with its SHA-256 checked on the way.
//
// Traces, exports and the API read originals only through here, so a stored
// copy that no longer has the digest the catalog records (a changed byte, a
// truncated pack) is an error naming the item, never a silent answer under
// the genuine digest. Bytes are hashed as they are read: no second read.
#ifndef UNCUT_STORE_ORIGINAL_H_
#define UNCUT_STORE_ORIGINAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file.h"
#include "base/sha256.h"
#include "store/archive.h"

namespace uncut {

// The error for an item whose stored bytes do not have its SHA-256
// (kDataLoss): "item 3 (report.pdf): stored original does not match its
// SHA-256 — archive damaged, run uncut verify".
absl::Status OriginalMismatchError(const Item& item);

// Streams an item's bytes in order, hashing them. The Read that reaches the
// end checks the digest: it fails with OriginalMismatchError instead of
// returning 0 when the bytes were altered or short, so a caller that reads
// until 0 never finishes on damaged bytes.
class OriginalStream {
 public:
  static absl::StatusOr<OriginalStream> Open(Archive* archive, const Item& item);

  // Reads up to n bytes; 0 only after all of them were read and matched.
  absl::StatusOr<size_t> Read(void* buf, size_t n);
  uint64_t size() const { return item_.size; }
  uint64_t position() const { return done_; }

 private:
  OriginalStream() = default;
  Item item_;
  File file_;
  std::unique_ptr<Sha256> hash_;
  uint64_t done_ = 0;
  bool checked_ = false;
};

// An item's whole original, mapped and checked once when opened.
class MappedOriginal {
 public:
  static absl::StatusOr<MappedOriginal> Open(Archive* archive, const Item& item);

  // The item's bytes; valid while this object lives (also across moves).
  std::string_view data() const { return data_; }

 private:
  MappedFile file_;
  std::string_view data_;
};

// Checks the digest of an item's original for readers that cannot hash on
// the way (decoders that open the file by path). The whole original is
// hashed once per process for a given state of its file (device, inode,
// size, modification and change times) and range; later calls with the file
// unchanged cost one stat. Also answers at once for originals that
// MappedOriginal or OriginalStream already checked in full.
absl::Status CheckOriginalOnce(Archive* archive, const Item& item);

// Checks `bytes`, an item's original already in memory (mapped), against its
// SHA-256, remembered like CheckOriginalOnce: the caller reads the bytes
// once, for the hash and for its own use.
absl::Status CheckOriginalBytes(Archive* archive, const Item& item, std::string_view bytes);

}  // namespace uncut

#endif  // UNCUT_STORE_ORIGINAL_H_

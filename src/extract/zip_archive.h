// Read-only access to a zip file in memory with libzip: entries as
// streams, with their declared sizes enforced and a bound on how much an
// entry may expand (zip bombs fail with ResourceExhausted).
#ifndef UNCUT_EXTRACT_ZIP_ARCHIVE_H_
#define UNCUT_EXTRACT_ZIP_ARCHIVE_H_

#include <zip.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "extract/byte_reader.h"

namespace uncut {

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

struct ZipEntry {
  std::string name;
  uint64_t size = 0;             // uncompressed, as declared
  uint64_t compressed_size = 0;
};

class ZipArchive {
 public:
  // REQUIRES: `data` outlives the archive.
  static absl::StatusOr<ZipArchive> Open(std::string_view data);
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* Find(std::string_view name) const;
  // A stream of the entry's bytes. Fails at once when the entry would expand
  // more than 1000 times (plus 64 MiB), and while reading when it yields more
  // than its declared size.
  absl::StatusOr<std::unique_ptr<ByteReader>> OpenEntry(const ZipEntry& entry);
  // The whole entry, when it is at most max_bytes.
  absl::StatusOr<std::string> ReadEntry(const ZipEntry& entry, uint64_t max_bytes);

 private:
  std::unique_ptr<zip_t, ZipDiscard> zip_;
  std::vector<ZipEntry> entries_;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_ZIP_ARCHIVE_H_

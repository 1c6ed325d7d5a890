// The one wrapper over libzip: a writer that adds files (streamed from disk
// at close), streams and in-memory data, and a reader of a zip file or of
// one held in memory that streams each entry with its declared size
// enforced and, for untrusted containers, a bound on how much an entry may
// expand (zip bombs fail with ResourceExhausted). libzip errors become
// absl::Status values naming the zip file.
#ifndef UNCUT_ZIP_ZIP_FILE_H_
#define UNCUT_ZIP_ZIP_FILE_H_

#include <zip.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/byte_reader.h"

namespace uncut {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

class ZipWriter {
 public:
  // Creates (or replaces) `path`. Nothing appears there until Close().
  static absl::StatusOr<ZipWriter> Create(const std::string& path);
  ZipWriter(ZipWriter&&) noexcept;
  ~ZipWriter();

  // Adds `length` bytes of the file at `source` from `offset`; they are read
  // at Close(). `compress` deflates, else the bytes are stored as they are.
  absl::Status AddFile(const std::string& name, const std::string& source, uint64_t offset,
                       uint64_t length, bool compress);
  absl::Status AddBytes(const std::string& name, std::string_view bytes, bool compress = true);
  // Reads up to n bytes into buf; 0 at the end.
  using ReadFn = std::function<absl::StatusOr<size_t>(void* buf, size_t n)>;
  // Starts (or restarts) reading an entry's bytes from their beginning.
  using OpenFn = std::function<absl::StatusOr<ReadFn>()>;
  // Adds `length` bytes that `open`'s reader supplies, read at Close(). An
  // error from the reader makes Close() fail with that error (and write
  // nothing), so a reader that checks what it reads can stop the bundle.
  absl::Status AddStream(const std::string& name, uint64_t length, OpenFn open, bool compress);
  // Writes the zip file.
  absl::Status Close();

  struct Stream;  // what a streamed entry's libzip callback works on

 private:
  ZipWriter() = default;
  absl::Status Check(bool ok, const std::string& what);
  // Adds `src` (which the zip then owns) as entry `name`.
  absl::Status Add(const std::string& name, zip_source_t* src, bool compress);
  std::string path_;
  // Declared before zip_, which calls into them until it is freed.
  std::vector<std::unique_ptr<Stream>> streams_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
};

struct ZipEntry {
  std::string name;
  uint64_t size = 0;             // uncompressed, as declared
  uint64_t compressed_size = 0;
  uint64_t index = 0;            // its place in the zip's directory
};

class ZipReader {
 public:
  // A zip file on disk, trusted not to be a bomb (it is streamed, so its
  // size costs time, not memory): an evidence bundle being checked.
  static absl::StatusOr<ZipReader> Open(const std::string& path);
  // A zip held in memory, from an untrusted container (a WACZ): an entry
  // that would expand more than 100 times (plus 64 MiB) is refused.
  // REQUIRES: `data` outlives the reader.
  static absl::StatusOr<ZipReader> OpenBuffer(std::string_view data);

  // Entries, in the order they are stored.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* Find(std::string_view name) const;
  // A stream of the entry's bytes; it fails when the entry yields more than
  // its declared size.
  absl::StatusOr<std::unique_ptr<ByteReader>> OpenEntry(const ZipEntry& entry);
  // Streams the entry to `chunk`, in pieces.
  absl::Status Read(const ZipEntry& entry, const std::function<void(std::string_view)>& chunk);
  // The whole entry, when it declares at most max_bytes.
  absl::StatusOr<std::string> ReadEntry(const ZipEntry& entry, uint64_t max_bytes);

 private:
  ZipReader() = default;
  absl::Status Index();
  std::string Where() const;  // "PATH: " or "" for a zip in memory
  std::string path_;
  bool untrusted_ = false;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::vector<ZipEntry> entries_;
};

}  // namespace uncut

#endif  // UNCUT_ZIP_ZIP_FILE_H_

// RAII wrappers over libzip for evidence bundles: a writer that adds files
// (streamed from disk at close) and in-memory data, and a reader that
// streams each entry. libzip errors become absl::Status values naming the
// zip file.
#ifndef UNCUT_BUNDLE_ZIP_ARCHIVE_H_
#define UNCUT_BUNDLE_ZIP_ARCHIVE_H_

#include <zip.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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
  std::string path_;
  // Declared before zip_, which calls into them until it is freed.
  std::vector<std::unique_ptr<Stream>> streams_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
};

class ZipReader {
 public:
  static absl::StatusOr<ZipReader> Open(const std::string& path);

  // Entry names, in the order they are stored.
  const std::vector<std::string>& names() const { return names_; }
  // Streams entry `index` to `chunk`, in pieces.
  absl::Status Read(size_t index, const std::function<void(std::string_view)>& chunk);
  // Reads a whole entry of at most max_bytes.
  absl::StatusOr<std::string> ReadAll(size_t index, uint64_t max_bytes);

 private:
  ZipReader() = default;
  std::string path_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::vector<std::string> names_;
};

}  // namespace uncut

#endif  // UNCUT_BUNDLE_ZIP_ARCHIVE_H_

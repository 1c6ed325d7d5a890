// File access for uncut: RAII file descriptors and memory maps, crash-safe
// writes (temporary file, fsync, rename, fsync of the directory), and
// directory walking. Every error message names the path and the reason.
#ifndef UNCUT_BASE_FILE_H_
#define UNCUT_BASE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"

namespace uncut {

// Builds "PATH: WHAT: strerror(errno)" as a status with a fitting code.
absl::Status ErrnoStatus(const std::string& path, std::string_view what, int err);

// The file operations that make an archive's writes durable, behind one
// small interface so that tests can make any of them fail (as LevelDB's Env
// lets its tests fail writes). File::Create, WriteAll, Sync, RenameFile,
// SyncDir and SyncFileSystem go through the current one; the default calls
// POSIX.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Returns an open descriptor or -1 with errno set, as open(2).
  virtual int Create(const std::string& path, int mode);
  // Writes some of `data`; returns the count, or -1 with errno set.
  virtual long Write(int fd, std::string_view data);
  // pwrite(2): writes some of `data` at `offset`; the count, or -1 and errno.
  virtual long WriteAt(int fd, std::string_view data, uint64_t offset);
  virtual int Sync(int fd);             // fsync(2): 0 or -1 with errno
  virtual int SyncFileSystem(int fd);   // syncfs(2)
  virtual int Rename(const std::string& from, const std::string& to);

  // The one in use (the POSIX one unless a test swapped it).
  static FileSystem* Current();
};

// Swaps the file system in use for the life of this object (tests only; not
// thread-safe against file operations running meanwhile).
class ScopedFileSystemForTesting {
 public:
  explicit ScopedFileSystemForTesting(FileSystem* fs);
  ~ScopedFileSystemForTesting();

 private:
  FileSystem* previous_;
};

// An owned file descriptor. Movable, closes on destruction.
class File {
 public:
  File() = default;
  explicit File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  File(File&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  static absl::StatusOr<File> OpenForRead(const std::string& path);
  // Creates (or truncates) with the given mode.
  static absl::StatusOr<File> Create(const std::string& path, int mode = 0644);

  // Reads up to n bytes; returns 0 at end of file.
  absl::StatusOr<size_t> Read(void* buf, size_t n);
  absl::StatusOr<size_t> ReadAt(void* buf, size_t n, uint64_t offset);
  absl::Status WriteAll(std::string_view data);
  // Writes all of `data` at `offset` (the file position is unchanged).
  absl::Status WriteAllAt(std::string_view data, uint64_t offset);
  absl::Status Sync();
  absl::StatusOr<uint64_t> Size() const;
  absl::Status Close();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// A read-only memory map of a whole file. An empty file maps to an empty view.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  static absl::StatusOr<MappedFile> Open(const std::string& path);
  // Maps the whole of an open file (the map outlives the descriptor).
  static absl::StatusOr<MappedFile> Map(const File& file);
  std::string_view data() const {
    return std::string_view(static_cast<const char*>(addr_), size_);
  }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole file. Fails with kResourceExhausted when it is larger than max_bytes.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes = UINT64_MAX);

// Writes `data` to `path` so that after a crash the path holds either its old
// content or all of `data`: temporary file in the same directory, fsync,
// rename, fsync of the directory.
absl::Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);

// Makes the directory and its parents (like mkdir -p).
absl::Status MakeDirs(const std::string& path);
absl::Status SyncDir(const std::string& dir);
// Flushes the whole file system holding `dir` (syncfs(2)).
absl::Status SyncFileSystem(const std::string& dir);
// rename(2), through the current FileSystem.
absl::Status RenameFile(const std::string& from, const std::string& to);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
absl::Status RemoveFile(const std::string& path);

// The names in a directory (not "." and ".."), in no particular order;
// empty when it cannot be read.
std::vector<std::string> ListDir(const std::string& dir);
// Calls fn for every regular file under root (or root itself when it is a
// file), in sorted order. Unreadable directories are reported through
// on_error and skipped.
void WalkFiles(const std::string& root, const std::function<void(const std::string&)>& fn,
               const std::function<void(const std::string&, const absl::Status&)>& on_error);

std::string JoinPath(std::string_view a, std::string_view b);
std::string BaseName(std::string_view path);
std::string Extension(std::string_view path);  // lower-case, without the dot; "" if none
std::string AbsolutePath(const std::string& path);

}  // namespace uncut

#endif  // UNCUT_BASE_FILE_H_

#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <random>

#include "absl/strings/ascii.h"
#include "base/huge_pages.h"
#include "base/strings.h"

namespace uncut {

absl::Status ErrnoStatus(const std::string& path, std::string_view what, int err) {
  std::string msg = StrCat(path, ": ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    case EISDIR:
    case ENOTDIR:
      return absl::FailedPreconditionError(msg);
    default:
      return absl::InternalError(msg);
  }
}

int FileSystem::Create(const std::string& path, int mode) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
}
long FileSystem::Write(int fd, std::string_view data) {
  return ::write(fd, data.data(), data.size());
}
long FileSystem::WriteAt(int fd, std::string_view data, uint64_t offset) {
  return ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
}
int FileSystem::Sync(int fd) { return ::fsync(fd); }
int FileSystem::SyncFileSystem(int fd) { return ::syncfs(fd); }
int FileSystem::Rename(const std::string& from, const std::string& to) {
  return ::rename(from.c_str(), to.c_str());
}

namespace {
FileSystem* PosixFileSystem() {
  static FileSystem* fs = new FileSystem();
  return fs;
}
FileSystem* current_file_system = nullptr;
}  // namespace

FileSystem* FileSystem::Current() {
  return current_file_system ? current_file_system : PosixFileSystem();
}

ScopedFileSystemForTesting::ScopedFileSystemForTesting(FileSystem* fs)
    : previous_(current_file_system) {
  current_file_system = fs;
}
ScopedFileSystemForTesting::~ScopedFileSystemForTesting() { current_file_system = previous_; }

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<File> File::OpenForRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(StrCat(path, ": is a directory"));
  }
  return File(fd, path);
}

absl::StatusOr<File> File::Create(const std::string& path, int mode) {
  int fd = FileSystem::Current()->Create(path, mode);
  if (fd < 0) return ErrnoStatus(path, "cannot create", errno);
  return File(fd, path);
}

absl::StatusOr<size_t> File::Read(void* buf, size_t n) {
  while (true) {
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return ErrnoStatus(path_, "read failed", errno);
  }
}

absl::StatusOr<size_t> File::ReadAt(void* buf, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, static_cast<char*>(buf) + done, n - done, offset + done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus(path_, "read failed", errno);
    if (r == 0) break;
    done += r;
  }
  return done;
}

absl::Status File::WriteAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t w = FileSystem::Current()->Write(fd_, data);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoStatus(path_, "write failed", errno);
    data.remove_prefix(w);
  }
  return absl::OkStatus();
}

absl::Status File::WriteAllAt(std::string_view data, uint64_t offset) {
  while (!data.empty()) {
    long w = FileSystem::Current()->WriteAt(fd_, data, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return ErrnoStatus(path_, "write failed", w < 0 ? errno : EIO);
    data.remove_prefix(w);
    offset += w;
  }
  return absl::OkStatus();
}

absl::Status File::Sync() {
  if (FileSystem::Current()->Sync(fd_) != 0) return ErrnoStatus(path_, "fsync failed", errno);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoStatus(path_, "stat failed", errno);
  return static_cast<uint64_t>(st.st_size);
}

absl::Status File::Close() {
  if (fd_ < 0) return absl::OkStatus();
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoStatus(path_, "close failed", errno);
  return absl::OkStatus();
}

MappedFile::MappedFile(MappedFile&& o) noexcept : addr_(o.addr_), size_(o.size_) {
  o.addr_ = nullptr;
  o.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (addr_) ::munmap(addr_, size_);
    addr_ = o.addr_;
    size_ = o.size_;
    o.addr_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

absl::StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  return Map(f);
}

absl::StatusOr<MappedFile> MappedFile::Map(const File& f) {
  ASSIGN_OR_RETURN(uint64_t size, f.Size());
  MappedFile m;
  if (size == 0) return m;
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, f.fd(), 0);
  if (addr == MAP_FAILED) return ErrnoStatus(f.path(), "mmap failed", errno);
  m.addr_ = addr;
  m.size_ = size;
  return m;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path, uint64_t max_bytes) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  ASSIGN_OR_RETURN(uint64_t size, f.Size());
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(
        StrCat(path, ": file is too large (", size, " bytes; limit ", max_bytes, ")"));
  }
  std::string out;
  ReserveHugePages(&out, size);
  out.resize(size);
  ASSIGN_OR_RETURN(size_t n, f.ReadAt(out.data(), size, 0));
  out.resize(n);
  return out;
}

absl::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(dir, "cannot open directory", errno);
  int rc = FileSystem::Current()->Sync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(dir, "fsync failed", err);
  return absl::OkStatus();
}

absl::Status SyncFileSystem(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(dir, "cannot open", errno);
  int rc = FileSystem::Current()->SyncFileSystem(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(dir, "syncfs failed", err);
  return absl::OkStatus();
}

absl::Status RenameFile(const std::string& from, const std::string& to) {
  if (FileSystem::Current()->Rename(from, to) != 0) return ErrnoStatus(to, "rename failed", errno);
  return absl::OkStatus();
}

static std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  std::random_device rd;
  std::string tmp = StrCat(path, ".tmp-", ::getpid(), "-", rd());
  {
    ASSIGN_OR_RETURN(File f, File::Create(tmp, mode));
    absl::Status s = f.WriteAll(data);
    if (s.ok()) s = f.Sync();
    if (s.ok()) s = f.Close();
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  if (absl::Status s = RenameFile(tmp, path); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDir(DirName(path));
}

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  // The common case, the directory or only its last level missing, costs one
  // system call; missing parents are created on the way back.
  if (::mkdir(path.c_str(), 0755) != 0) {
    int err = errno;
    if (err == ENOENT) {
      size_t slash = path.find_last_of('/');
      if (slash == std::string::npos || slash == 0) {
        return ErrnoStatus(path, "cannot create directory", err);
      }
      absl::Status parent = MakeDirs(path.substr(0, slash));
      if (!parent.ok()) return parent;
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus(path, "cannot create directory", errno);
      }
    } else if (err != EEXIST) {
      return ErrnoStatus(path, "cannot create directory", err);
    }
  }
  if (!IsDirectory(path)) {
    return absl::FailedPreconditionError(StrCat(path, ": exists and is not a directory"));
  }
  return absl::OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(path, "cannot remove", errno);
  }
  return absl::OkStatus();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

void WalkFiles(const std::string& root, const std::function<void(const std::string&)>& fn,
               const std::function<void(const std::string&, const absl::Status&)>& on_error) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) {
    on_error(root, ErrnoStatus(root, "cannot read", errno));
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    fn(root);
    return;
  }
  DIR* d = ::opendir(root.c_str());
  if (!d) {
    on_error(root, ErrnoStatus(root, "cannot read directory", errno));
    return;
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string p = JoinPath(root, n);
    struct stat cst;
    if (::lstat(p.c_str(), &cst) != 0) {
      on_error(p, ErrnoStatus(p, "cannot read", errno));
    } else if (S_ISDIR(cst.st_mode)) {
      WalkFiles(p, fn, on_error);
    } else if (S_ISREG(cst.st_mode)) {
      fn(p);
    } else if (S_ISLNK(cst.st_mode)) {
      // Follow links to regular files only; links to directories could loop.
      if (::stat(p.c_str(), &cst) == 0 && S_ISREG(cst.st_mode)) fn(p);
    }
  }
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (a.back() == '/') return StrCat(a, b);
  return StrCat(a, "/", b);
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string Extension(std::string_view path) {
  std::string base = BaseName(path);
  size_t dot = base.find_last_of('.');
  if (dot == std::string::npos || dot == 0) return "";
  return absl::AsciiStrToLower(base.substr(dot + 1));
}

std::string AbsolutePath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf)) return buf;
  return path;
}

}  // namespace uncut

#include "store/original.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <set>
#include <tuple>

#include "base/strings.h"
#include "base/utf8.h"

namespace uncut {
namespace {

constexpr size_t kChunk = 1 << 20;
// Checked file states remembered per process; the set starts again when full.
constexpr size_t kMaxRemembered = 4096;

// A state of an object file and the range of it an item occupies. Any write
// to the file changes its change time (which no user can set), so a state
// seen before holds the bytes that were hashed then.
using FileState = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                             uint64_t, uint64_t, std::string>;

std::mutex checked_mu;
std::set<FileState>& Checked() {
  static auto* checked = new std::set<FileState>();
  return *checked;
}

absl::StatusOr<FileState> StateOf(const File& f, const Item& item) {
  struct stat st;
  if (::fstat(f.fd(), &st) != 0) return ErrnoStatus(f.path(), "stat failed", errno);
  return FileState{st.st_dev,         st.st_ino,          st.st_size,
                   st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec,
                   st.st_ctim.tv_nsec, item.object_offset, item.size,
                   item.sha256};
}

void Remember(const FileState& state) {
  std::lock_guard<std::mutex> lock(checked_mu);
  if (Checked().size() >= kMaxRemembered) Checked().clear();
  Checked().insert(state);
}

bool Remembered(const FileState& state) {
  std::lock_guard<std::mutex> lock(checked_mu);
  return Checked().count(state) > 0;
}

absl::StatusOr<File> OpenObject(Archive* archive, const Item& item) {
  // The path comes from the catalog (an object name under objects/).
  auto f = File::OpenForRead(archive->ObjectPath(item.object));
  if (!f.ok()) {
    return absl::Status(f.status().code(), StrCat("item ", item.id, " (", ToValidUtf8(item.name),
                                                  "): ", f.status().message()));
  }
  return f;
}

}  // namespace

absl::Status OriginalMismatchError(const Item& item) {
  return absl::DataLossError(StrCat("item ", item.id, " (", ToValidUtf8(item.name),
                                    "): stored original does not match its SHA-256 \xE2\x80\x94 "
                                    "archive damaged, run uncut verify"));
}

absl::StatusOr<OriginalStream> OriginalStream::Open(Archive* archive, const Item& item) {
  ASSIGN_OR_RETURN(File f, OpenObject(archive, item));
  OriginalStream s;
  s.item_ = item;
  s.file_ = std::move(f);
  s.hash_ = std::make_unique<Sha256>();
  return s;
}

absl::StatusOr<size_t> OriginalStream::Read(void* buf, size_t n) {
  if (checked_) return 0;
  size_t want = static_cast<size_t>(std::min<uint64_t>(n, item_.size - done_));
  size_t got = 0;
  if (want > 0) {
    ASSIGN_OR_RETURN(got, file_.ReadAt(buf, want, item_.object_offset + done_));
    hash_->Update(std::string_view(static_cast<const char*>(buf), got));
    done_ += got;
  }
  // The end: all bytes read, or the file ended early (a short original).
  if (done_ == item_.size || (want > 0 && got == 0)) {
    if (done_ != item_.size || hash_->FinishHex() != item_.sha256) {
      return OriginalMismatchError(item_);
    }
    checked_ = true;
    auto state = StateOf(file_, item_);
    if (state.ok()) Remember(*state);
  }
  return got;
}

absl::StatusOr<MappedOriginal> MappedOriginal::Open(Archive* archive, const Item& item) {
  ASSIGN_OR_RETURN(File f, OpenObject(archive, item));
  ASSIGN_OR_RETURN(FileState state, StateOf(f, item));
  MappedOriginal m;
  ASSIGN_OR_RETURN(m.file_, MappedFile::Map(f));
  std::string_view all = m.file_.data();
  if (item.object_offset > all.size() || item.size > all.size() - item.object_offset) {
    return OriginalMismatchError(item);
  }
  m.data_ = all.substr(item.object_offset, item.size);
  if (!Remembered(state)) {
    // Hashing pages the bytes in; the caller then reads them from memory.
    if (Sha256Hex(m.data_) != item.sha256) return OriginalMismatchError(item);
    Remember(state);
  }
  return m;
}

absl::Status CheckOriginalBytes(Archive* archive, const Item& item, std::string_view bytes) {
  ASSIGN_OR_RETURN(File f, OpenObject(archive, item));
  ASSIGN_OR_RETURN(FileState state, StateOf(f, item));
  if (Remembered(state)) return absl::OkStatus();
  if (bytes.size() != item.size || Sha256Hex(bytes) != item.sha256) {
    return OriginalMismatchError(item);
  }
  Remember(state);
  return absl::OkStatus();
}

absl::Status CheckOriginalOnce(Archive* archive, const Item& item) {
  ASSIGN_OR_RETURN(File f, OpenObject(archive, item));
  ASSIGN_OR_RETURN(FileState state, StateOf(f, item));
  if (Remembered(state)) return absl::OkStatus();
  Sha256 hash;
  std::string buf(kChunk, '\0');
  uint64_t done = 0;
  while (done < item.size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), item.size - done));
    ASSIGN_OR_RETURN(size_t n, f.ReadAt(buf.data(), want, item.object_offset + done));
    if (n == 0) return OriginalMismatchError(item);
    hash.Update(std::string_view(buf.data(), n));
    done += n;
  }
  if (hash.FinishHex() != item.sha256) return OriginalMismatchError(item);
  Remember(state);
  return absl::OkStatus();
}

}  // namespace uncut

#include "server/upload_receiver.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>

#include "base/file.h"
#include "base/file_name.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "server/http_util.h"
#include "store/archive.h"

namespace uncut::server {
namespace {

constexpr char kUploadPrefix[] = "upload-";

bool IsUploadDirName(const std::string& name) {
  size_t p = sizeof(kUploadPrefix) - 1;
  return name.size() == p + 16 && name.compare(0, p, kUploadPrefix) == 0 &&
         name.find_first_not_of("0123456789abcdef", p) == std::string::npos;
}

// Directories of earlier versions: YYYY-MM-DD-<digits>.
bool IsOldUploadDirName(const std::string& name) {
  if (name.size() < 12 || name[4] != '-' || name[7] != '-' || name[10] != '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i != 4 && i != 7 && i != 10 && !std::isdigit(static_cast<unsigned char>(name[i])))
      return false;
  }
  return true;
}

std::shared_ptr<const int> LockDir(const std::string& dir, bool wait) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

// A fresh upload directory, locked. It is made under a hidden name and
// renamed once locked, so that a sweep never sees it unlocked.
absl::StatusOr<Upload> MakeUploadDir(const std::string& uploads_dir) {
  std::random_device rd;
  static const char kHex[] = "0123456789abcdef";
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string name = kUploadPrefix;
    for (int i = 0; i < 16; ++i) name += kHex[rd() & 15];
    std::string hidden = JoinPath(uploads_dir, "." + name);
    if (::mkdir(hidden.c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;
      return ErrnoStatus(hidden, "cannot make", errno);
    }
    Upload up;
    up.lock = LockDir(hidden, true);
    up.dir = JoinPath(uploads_dir, name);
    if (!up.lock || ::rename(hidden.c_str(), up.dir.c_str()) != 0) {
      int err = errno;
      ::rmdir(hidden.c_str());
      return ErrnoStatus(up.dir, "cannot make", err);
    }
    return up;
  }
  return absl::InternalError(StrCat("cannot make a fresh directory in ", uploads_dir));
}

}  // namespace

void SweepStaleUploads(const std::string& uploads_dir) {
  for (const std::string& name : ListDir(uploads_dir)) {
    std::string path = JoinPath(uploads_dir, name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    bool stale = false;
    std::shared_ptr<const int> lock;
    if (IsUploadDirName(name)) {
      lock = LockDir(path, false);
      stale = lock != nullptr;
    } else if (IsOldUploadDirName(name)) {
      stale = std::time(nullptr) - st.st_mtime > 24 * 3600;
    }
    if (!stale) continue;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);  // symbolic links are removed, not followed
  }
}

void RemoveUploadDir(const Upload& up) {
  for (size_t n = 0; n < up.files.size(); ++n) {
    RemoveFile(up.files[n].path).IgnoreError();
    ::rmdir(JoinPath(up.dir, StrCat(n)).c_str());
  }
  ::rmdir(JoinPath(up.dir, StrCat(up.files.size())).c_str());  // made for a file that failed
  ::rmdir(up.dir.c_str());
}

absl::StatusOr<Upload> ReceiveUpload(const std::string& uploads_dir, const UploadRules& rules,
                                     const httplib::ContentReader& reader) {
  ASSIGN_OR_RETURN(Upload up, MakeUploadDir(uploads_dir));
  std::unique_ptr<File> current;
  std::string* field = nullptr;
  std::string field_name;
  absl::Status failure;
  bool ok = reader(
      [&](const httplib::MultipartFormData& part) {
        if (current) failure.Update(current->Close());
        current.reset();
        field = nullptr;
        if (!failure.ok()) return false;
        if (!part.filename.empty()) {
          if (!rules.allow_files) {
            failure.Update(absl::UnauthenticatedError("uploading a file needs the access token"));
            return false;
          }
          if (!IsUtf8(part.filename)) {
            failure.Update(absl::InvalidArgumentError(StrCat(
                "the name of the uploaded file is not valid UTF-8: ", Printable(part.filename))));
            return false;
          }
          if (!rules.file_field.empty() && part.name != rules.file_field) {
            failure.Update(absl::InvalidArgumentError(
                StrCat("unexpected file in field \"", Printable(part.name), "\" (send it as \"",
                       rules.file_field, "\")")));
            return false;
          }
          if (rules.max_files > 0 && up.files.size() >= rules.max_files) {
            failure.Update(absl::InvalidArgumentError(StrCat(
                "send at most ", rules.max_files, " file(s) in \"", Printable(part.name), "\"")));
            return false;
          }
          UploadedFile f;
          f.field = part.name;
          f.name = SafeFileName(part.filename);
          std::string sub = JoinPath(up.dir, StrCat(up.files.size()));
          failure.Update(MakeDirs(sub));
          f.path = JoinPath(sub, f.name);
          auto created = File::Create(f.path, 0600);
          if (!created.ok()) failure.Update(created.status());
          if (!failure.ok()) return false;
          current = std::make_unique<File>(std::move(*created));
          up.files.push_back(std::move(f));
          return true;
        }
        if (rules.fields.count(part.name)) {
          field = &up.fields[part.name];
          field_name = part.name;
        }
        return true;  // unknown fields are ignored
      },
      [&](const char* data, size_t n) {
        if (current) {
          absl::Status s = current->WriteAll(std::string_view(data, n));
          if (!s.ok()) {
            failure.Update(s);
            return false;
          }
          up.files.back().size += n;
        } else if (field) {
          if (field->size() + n > rules.max_field_bytes) {
            failure.Update(absl::ResourceExhaustedError(StrCat(
                "the form field \"", field_name, "\" is longer than ", rules.max_field_bytes >> 10,
                " KiB")));
            return false;
          }
          field->append(data, n);
        }
        return true;
      });
  if (current) failure.Update(current->Close());
  if (!ok && failure.ok()) {
    failure = absl::InvalidArgumentError(
        StrCat("the upload was cut short, or is larger than this server's limit of ",
               rules.max_upload_bytes, " bytes"));
  }
  for (const auto& [name, value] : up.fields) {
    if (failure.ok() && !IsUtf8(value)) {
      failure =
          absl::InvalidArgumentError(StrCat("the form field \"", name, "\" is not valid UTF-8"));
    }
  }
  if (failure.ok() && up.files.empty() && !rules.missing_file_error.empty()) {
    failure = absl::InvalidArgumentError(rules.missing_file_error);
  }
  if (!failure.ok()) {
    RemoveUploadDir(up);
    return failure;
  }
  return up;
}

}  // namespace uncut::server

#include "cli/output_path.h"

#include <unistd.h>

#include "base/file.h"
#include "base/strings.h"

namespace uncut {

absl::Status CheckOutputPath(const std::string& path, bool overwrite) {
  if (path.empty() || path.back() == '/' || IsDirectory(path)) {
    return absl::InvalidArgumentError(StrCat(path, ": is a folder; give a file name"));
  }
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (!IsDirectory(dir)) {
    return absl::NotFoundError(StrCat(path, ": the folder ", dir, " does not exist"));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::PermissionDeniedError(StrCat(path, ": cannot write in the folder ", dir));
  }
  if (!overwrite && PathExists(path)) {
    return absl::AlreadyExistsError(StrCat(path, ": exists already; give --force to replace it"));
  }
  return absl::OkStatus();
}

}  // namespace uncut

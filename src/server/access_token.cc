#include "server/access_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut::server {
namespace {

constexpr char kFileName[] = "server-token";

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("getrandom", "cannot make a token", errno);
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

absl::StatusOr<AccessToken> Create(const std::string& path) {
  ASSIGN_OR_RETURN(std::string token, RandomHex(32));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(path, "cannot create the access token", errno);
  File f(fd, path);
  RETURN_IF_ERROR(f.WriteAll(token + "\n"));
  RETURN_IF_ERROR(f.Sync());
  RETURN_IF_ERROR(f.Close());
  return AccessToken{token, path, true, false};
}

}  // namespace

absl::StatusOr<AccessToken> LoadOrCreateAccessToken(const std::string& archive_dir) {
  std::string path = JoinPath(archive_dir, kFileName);
  if (!PathExists(path)) {
    auto created = Create(path);
    // Another server on the same archive may have created it just now.
    if (created.ok() || !PathExists(path)) return created;
  }
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  AccessToken out{"", path, false, false};
  struct stat st;
  if (::fstat(f.fd(), &st) != 0) return ErrnoStatus(path, "cannot stat", errno);
  if ((st.st_mode & 077) != 0) {
    if (::fchmod(f.fd(), 0600) != 0) return ErrnoStatus(path, "cannot make owner-only", errno);
    out.permissions_fixed = true;
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, 4096));
  out.token = std::string(absl::StripAsciiWhitespace(text));
  if (out.token.size() < 32) {
    return absl::FailedPreconditionError(
        StrCat(path, ": the access token is too short (delete the file to make a new one)"));
  }
  return out;
}

absl::StatusOr<AccessToken> LoadOrCreateAccessToken(PgArchive* archive) {
  constexpr char kKey[] = "server_token";
  const std::string where = StrCat(archive->name(), " (the catalog's uncut_meta, key ", kKey, ")");
  ASSIGN_OR_RETURN(std::optional<std::string> kept, archive->MetaValue(kKey));
  if (kept) return AccessToken{*kept, where, false, false};
  ASSIGN_OR_RETURN(std::string token, RandomHex(32));
  ASSIGN_OR_RETURN(std::string stored, archive->PutMetaValueOnce(kKey, token));
  return AccessToken{stored, where, stored == token, false};
}

bool TokensEqual(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (size_t i = 0; i < longer.size(); ++i) {
    unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace uncut::server

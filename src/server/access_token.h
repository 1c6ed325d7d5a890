// The server's access token: 32 random bytes as hex, created at first
// start and kept in ARCHIVE/server-token, readable by its owner only
// (0600); for an archive in PostgreSQL, in its catalog (uncut_meta), so
// that every server on the archive takes the same token. Clients send it as
// "Authorization: Bearer TOKEN".
#ifndef UNCUT_SERVER_ACCESS_TOKEN_H_
#define UNCUT_SERVER_ACCESS_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/postgres_storage.h"

namespace uncut::server {

struct AccessToken {
  std::string token;
  std::string path;                // where it is stored
  bool created = false;            // made by this call: show it to the operator once
  bool permissions_fixed = false;  // the file was readable by others; now 0600
};

// Reads the token of the archive at `archive_dir`, creating it first when
// there is none.
absl::StatusOr<AccessToken> LoadOrCreateAccessToken(const std::string& archive_dir);
// The same, kept in a PostgreSQL archive's catalog; `created` is set for
// the one server that made it, however many start at once.
absl::StatusOr<AccessToken> LoadOrCreateAccessToken(PgArchive* archive);

// Compares in time independent of where the strings differ.
bool TokensEqual(const std::string& a, const std::string& b);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ACCESS_TOKEN_H_

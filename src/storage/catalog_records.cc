#include "storage/catalog_records.h"

#include <pwd.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/strings.h"
#include "base/utf8.h"

namespace uncut {

nlohmann::json AuditItem(const Item& it) {
  nlohmann::json j = {{"id", it.id}, {"sha256", it.sha256}};
  SetTextField(&j, "name", it.name);  // a name that is not UTF-8 also as hex
  return j;
}

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
}

std::string CurrentUserName() {
  const uid_t uid = ::geteuid();
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found && found->pw_name) {
    return found->pw_name;
  }
  return StrCat("uid ", uid);
}

}  // namespace uncut

// Timestamp tokens kept with archived items: each top-level original added
// with a time-stamping authority configured has its token in the item blob
// kTimestampBlob, committed with the item (or not at all).
#ifndef UNCUT_PROOF_ITEM_TIMESTAMPS_H_
#define UNCUT_PROOF_ITEM_TIMESTAMPS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proof/timestamp.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {

// The archive settings (`uncut config`) naming its time-stamping authority
// and, optionally, the CA file its tokens must chain to.
inline constexpr char kTsaSetting[] = "tsa";
inline constexpr char kTsaCaSetting[] = "tsa-ca";

// The authority the archive's settings name; an empty url when none is set.
absl::StatusOr<TsaOptions> ConfiguredTsa(Archive* archive);
// The same, of an archive kept in PostgreSQL.
absl::StatusOr<TsaOptions> ConfiguredTsa(PgArchive* archive);
// The authority an add or capture uses: `given` (its command line's) when
// that names one, else the archive's, whose CA file `given.ca_file`
// replaces when set.
absl::StatusOr<TsaOptions> ChooseTsa(Archive* archive, const TsaOptions& given);
// The same, on an archive kept in PostgreSQL.
absl::StatusOr<TsaOptions> ChooseTsa(PgArchive* archive, const TsaOptions& given);

// Asks the TSA for a token over a queued item's SHA-256 and queues it with
// the item. On error nothing is queued (the caller drops the item).
absl::Status StampQueuedItem(WriteBatch* batch, const Item& item, const TsaOptions& tsa);

// The item's token, if it has one.
absl::StatusOr<std::optional<std::string>> ItemTimestampToken(CatalogReader& catalog,
                                                              const Item& item);

struct TimestampCheck {
  size_t checked = 0;  // items with a token
  std::vector<Archive::VerifyProblem> problems;
};

// Checks every item's token against the item's SHA-256 and its signature
// (against `ca_file` when given, see VerifyTimestamp), reading the items and
// tokens through `catalog` (a directory's or a cluster's). kInvalidArgument
// when the CA file cannot be used; an error reading the catalog is returned.
absl::StatusOr<TimestampCheck> VerifyItemTimestamps(CatalogReader& catalog,
                                                    const std::string& ca_file);

}  // namespace uncut

#endif  // UNCUT_PROOF_ITEM_TIMESTAMPS_H_

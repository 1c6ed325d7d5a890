#include "store/staged_archive.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

absl::StatusOr<std::unique_ptr<StagedArchive>> StagedArchive::Create(PgArchive* target) {
  ASSIGN_OR_RETURN(int64_t last, target->LastItemId());
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = JoinPath(tmp && *tmp ? tmp : "/tmp", "uncut-add-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(StrCat(pattern, ": cannot make a scratch directory"));
  }
  std::unique_ptr<StagedArchive> staged(new StagedArchive(pattern, JoinPath(pattern, "archive")));
  ASSIGN_OR_RETURN(std::unique_ptr<Archive> archive,
                   Archive::Open(staged->dir_, Archive::Mode::kCreate));
  RETURN_IF_ERROR(archive->db()->Exec(
      StrCat("INSERT INTO sqlite_sequence(name, seq) VALUES ('items', ", last, ")")));
  return staged;
}

StagedArchive::~StagedArchive() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

absl::StatusOr<bool> StagedArchive::Empty() {
  if (!PathExists(JoinPath(dir_, "catalog.sqlite"))) return true;
  ASSIGN_OR_RETURN(std::unique_ptr<Archive> archive, Archive::Open(dir_, Archive::Mode::kReadOnly));
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  return items.empty();
}

absl::StatusOr<CopyOutcome> StagedArchive::CopyInto(PgArchive* target, const CopyOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Archive> archive, Archive::Open(dir_, Archive::Mode::kReadOnly));
  ASSIGN_OR_RETURN(CopyOutcome outcome, CopyToPostgres(archive.get(), target, options));
  if (outcome.copied == 0) return outcome;
  // Each batch is a run of its own on every server: merged with other
  // small runs as their levels fill, so lookups stay fast.
  absl::StatusOr<PgCompactReport> compacted = target->Compact(options.actor, PgCompactScope::kSmallRuns);
  if (compacted.ok()) {
    outcome.compacted = *compacted;
  } else {
    outcome.compaction = compacted.status();
  }
  return outcome;
}

}  // namespace uncut

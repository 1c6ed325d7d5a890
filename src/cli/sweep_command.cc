// `uncut sweep`: removes what removed items and interrupted or failed
// writers left behind, on a directory and on a PostgreSQL archive.
#include <cstdio>
#include <memory>
#include <string>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "index/modality.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {
namespace {

std::string Bytes(uint64_t n) {
  if (n >= (10u << 20)) return StrCat(n >> 20, " MiB");
  if (n >= (10u << 10)) return StrCat(n >> 10, " KiB");
  return StrCat(n, " bytes");
}

absl::StatusOr<uint64_t> AllPostings(Archive* archive) {
  uint64_t n = 0;
  for (Modality m : kAllModalities) {
    ASSIGN_OR_RETURN(uint64_t count, archive->PostingCount(m));
    n += count;
  }
  return n;
}

// A directory: the writer's own sweep (the files an interrupted writer
// staged that the catalog does not use) and the compaction an add runs,
// which drops removed items' postings from the segments it merges.
int SweepDirectory(const GlobalOptions& g, bool dry_run) {
  if (!PathExists(JoinPath(g.archive, "catalog.sqlite"))) {
    return ReportError(absl::FailedPreconditionError(StrCat(g.archive, ": no archive here")));
  }
  if (dry_run) {
    return ReportError(absl::InvalidArgumentError(
        "sweep --dry-run: on a directory, `uncut verify` reports what an interrupted writer left"));
  }
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  auto before = AllPostings(archive->get());
  if (!before.ok()) return ReportError(before.status());
  auto batch = (*archive)->BeginWrite();  // sweeps what an interrupted writer staged
  if (!batch.ok()) return ReportError(batch.status());
  absl::Status s = (*batch)->Commit();
  if (s.ok()) s = (*batch)->Compact();
  if (!s.ok()) return ReportError(s);
  batch->reset();
  auto after = AllPostings(archive->get());
  if (!after.ok()) return ReportError(after.status());
  const uint64_t dropped = *before > *after ? *before - *after : 0;
  if (dropped > 0) {
    s = (*archive)->RecordAction("sweep", {{"postings", dropped}});
    if (!s.ok()) return ReportError(s);
  }
  if (!g.quiet) {
    std::printf("swept %s: what interrupted writers staged, and %llu postings of removed items\n",
                g.archive.c_str(), static_cast<unsigned long long>(dropped));
  }
  return kExitOk;
}

int SweepPostgres(const GlobalOptions& g, bool dry_run) {
  auto archive = PgArchive::Open(g.archive);
  if (!archive.ok()) return ReportError(archive.status());
  auto report = (*archive)->Sweep(/*remove=*/!dry_run);
  if (!report.ok()) return ReportError(report.status());
  if (!g.quiet) {
    if (report->originals > 0) {
      std::printf("%s %llu originals no item uses from the catalog\n",
                  dry_run ? "would unregister" : "unregistered",
                  static_cast<unsigned long long>(report->originals));
    }
    std::printf("%s %llu postings of removed or unpublished items (%s) and %llu pieces of "
                "removed or unpublished originals (%s)\n",
                dry_run ? "would remove" : "removed",
                static_cast<unsigned long long>(report->postings), Bytes(report->posting_bytes).c_str(),
                static_cast<unsigned long long>(report->pieces), Bytes(report->piece_bytes).c_str());
    if (report->batches_running > 0) {
      std::printf("left alone: the rows of %llu batches still being written\n",
                  static_cast<unsigned long long>(report->batches_running));
    }
  }
  return dry_run ? kExitOk : CompactPostgres(g, archive->get());
}

}  // namespace

namespace {

void PrintCompacted(const PgCompactReport& r, const char* after) {
  std::printf("compacted %llu posting blocks (%s) into %llu (%s), %llu postings (%llu runs into "
              "%llu%s)\n",
              static_cast<unsigned long long>(r.blocks_read), Bytes(r.bytes_read).c_str(),
              static_cast<unsigned long long>(r.blocks_written), Bytes(r.bytes_written).c_str(),
              static_cast<unsigned long long>(r.postings), static_cast<unsigned long long>(r.runs_merged),
              static_cast<unsigned long long>(r.merges), after);
}

}  // namespace

int CompactPostgres(const GlobalOptions& g, PgArchive* archive, PgCompactScope scope) {
  auto r = archive->Compact("", scope);
  if (!r.ok()) return ReportError(r.status());
  if (g.quiet) return kExitOk;
  if (r->steps > 0) {
    PrintCompacted(*r, "");
  } else if (scope == PgCompactScope::kFull) {
    std::printf("compacted: nothing to merge (each server's postings are in one run)\n");
  } else {
    std::printf("compacted: nothing to merge (no level holds 4 runs on a server)\n");
  }
  return kExitOk;
}

void PrintAddCompaction(const GlobalOptions& g, const CopyOutcome& copied) {
  if (!copied.compaction.ok()) {
    std::fprintf(stderr, "uncut: add: added; the compaction of small runs is left for later: %s\n",
                 std::string(copied.compaction.message()).c_str());
    return;
  }
  if (!copied.compacted || g.quiet) return;
  const PgCompactReport& r = *copied.compacted;
  if (r.steps > 0) PrintCompacted(r, ", small runs only");
  if (r.merges_left > 0) {
    std::printf("compaction: %llu merges of larger runs are due; `uncut compact` runs them\n",
                static_cast<unsigned long long>(r.merges_left));
  }
}

Subcommand AddCompactCommand(CLI::App* app, const GlobalOptions* g) {
  auto* cmd = app->add_subcommand(
      "compact", "merge a PostgreSQL archive's runs of posting blocks by levels (docs/cluster.md)");
  auto full = std::make_shared<bool>(false);
  cmd->add_flag("--full", *full, "merge all of each server's runs into one");
  cmd->footer(
      "Each batch of an add writes its own run of posting blocks on each server; a lookup\n"
      "reads one block per key and run. Runs are merged by levels: once four runs of about\n"
      "the same size stand on a server, they are merged into one, so a posting is rewritten\n"
      "once per level. `add` merges small runs itself; this merges every level that is due\n"
      "(as `sweep` does after sweeping), or with --full all runs into one per server.\n"
      "It runs beside writers and readers and takes turns with sweeps.\n\n"
      "Examples:\n  uncut --archive postgresql://coord/uncut compact\n"
      "  uncut --archive postgresql://coord/uncut compact --full");
  return {cmd, [g, full] {
            if (!IsPostgresUri(g->archive)) {
              return ReportError(absl::InvalidArgumentError(
                  "compact: a directory's add compacts its own segments; compact is for a "
                  "PostgreSQL archive"));
            }
            auto archive = PgArchive::Open(g->archive);
            if (!archive.ok()) return ReportError(archive.status());
            return CompactPostgres(*g, archive->get(),
                                   *full ? PgCompactScope::kFull : PgCompactScope::kLevels);
          }};
}

Subcommand AddSweepCommand(CLI::App* app, const GlobalOptions* g) {
  auto* cmd = app->add_subcommand(
      "sweep", "remove what removed items and interrupted or failed writers left behind");
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_flag("--dry-run", *dry_run, "on a PostgreSQL archive: only count what would go");
  cmd->footer(
      "Every item in the catalog stays whole; running it again removes nothing more.\n"
      "On a PostgreSQL archive: postings of removed items and of batches that never committed,\n"
      "and pieces of originals no committed batch stored or no item uses any more (an\n"
      "original still registered with none is unregistered first); rows of batches still being\n"
      "written are left alone, so it runs beside any number of writers (docs/cluster.md).\n"
      "It then merges the runs of posting blocks that are due, as `uncut compact` does.\n"
      "On a directory: the files an interrupted writer staged, and the compaction an add runs.\n\n"
      "Examples:\n  uncut sweep\n  uncut --archive postgresql://coord/uncut sweep --dry-run");
  return {cmd, [g, dry_run] {
            return IsPostgresUri(g->archive) ? SweepPostgres(*g, *dry_run)
                                             : SweepDirectory(*g, *dry_run);
          }};
}

}  // namespace uncut

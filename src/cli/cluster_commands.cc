// The commands of an archive kept in PostgreSQL (docs/cluster.md): init,
// copy, and add, which stages into a private embedded archive and copies
// what it added.
#include <cstdio>
#include <memory>

#include "absl/strings/str_split.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "proof/item_timestamps.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/copy_to_directory.h"
#include "store/copy_to_postgres.h"
#include "store/staged_archive.h"

namespace uncut {
namespace {

int RunInit(const GlobalOptions& g, const std::string& shards) {
  if (!IsPostgresUri(g.archive)) {
    return ReportError(absl::InvalidArgumentError(
        StrCat("init: --archive must be a postgresql:// URI (an embedded archive is made by its "
               "first add), not \"", g.archive, "\"")));
  }
  std::vector<std::string> uris;
  for (absl::string_view s : absl::StrSplit(shards, ',', absl::SkipEmpty())) {
    uris.emplace_back(s);
    if (!IsPostgresUri(uris.back())) {
      return ReportError(absl::InvalidArgumentError(
          StrCat("init: --shards: \"", uris.back(), "\" is not a postgresql:// URI")));
    }
  }
  absl::Status s = PgArchive::Init(g.archive, uris);
  if (!s.ok()) return ReportError(s);
  if (!g.quiet) {
    std::printf("created an archive on %s with %zu shard server%s\n",
                RedactedUri(g.archive).c_str(), uris.size(), uris.size() == 1 ? "" : "s");
  }
  return kExitOk;
}

// Any archive (a cluster's or a directory) into a directory (new, or one an
// interrupted copy of the same archive left).
int RunCopyToDirectory(const GlobalOptions& g, const std::string& to) {
  std::unique_ptr<PgArchive> cluster;
  std::unique_ptr<Archive> directory;
  Storage from;
  if (IsPostgresUri(g.archive)) {
    auto opened = PgArchive::Open(g.archive);
    if (!opened.ok()) return ReportError(opened.status());
    cluster = std::move(*opened);
    from = cluster->storage();
  } else {
    if (AbsolutePath(g.archive) == AbsolutePath(to)) {
      return ReportError(absl::InvalidArgumentError(
          StrCat("copy: --to \"", to, "\" is the archive itself")));
    }
    auto opened = Archive::Open(g.archive, Archive::Mode::kReadOnly);
    if (!opened.ok()) return ReportError(opened.status());
    directory = std::move(*opened);
    from = directory->storage();
  }
  auto target = Archive::Open(to, Archive::Mode::kCreate);
  if (!target.ok()) return ReportError(target.status());
  auto done = CopyToDirectory(from, target->get());
  if (!done.ok()) return ReportError(done.status());
  if (!g.quiet) {
    std::printf("copied %zu items, %zu saved traces and %zu audit entries to %s", done->copied,
                done->saved_traces, done->audit_entries, to.c_str());
    if (!done->present.empty()) std::printf(" (%zu items were there already)", done->present.size());
    std::printf("\n");
  }
  return kExitOk;
}

int RunCopy(const GlobalOptions& g, const std::string& to) {
  if (!IsPostgresUri(to)) return RunCopyToDirectory(g, to);
  if (IsPostgresUri(g.archive)) {
    return ReportError(absl::InvalidArgumentError(
        StrCat("copy: --to must be a directory when the archive is a PostgreSQL one, not \"",
               RedactedUri(to), "\"")));
  }
  auto from = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!from.ok()) return ReportError(from.status());
  auto target = PgArchive::Open(to);
  if (!target.ok()) return ReportError(target.status());
  auto done = CopyToPostgres(from->get(), target->get());
  if (!done.ok()) return ReportError(done.status());
  if (!g.quiet) {
    std::printf("copied %zu items to %s", done->copied, RedactedUri(to).c_str());
    if (!done->present.empty()) std::printf(" (%zu were there already)", done->present.size());
    std::printf("\n");
  }
  // Each batch of the copy wrote its own run: lookups read one block per
  // key and server once they are merged into one.
  return CompactPostgres(g, target->get(), PgCompactScope::kFull);
}

}  // namespace

int RunVerifyOnPostgres(const GlobalOptions& g, const std::string& tsa_ca) {
  auto archive = PgArchive::Open(g.archive);
  if (!archive.ok()) return ReportError(archive.status());
  auto items = (*archive)->ListItems();
  if (!items.ok()) return ReportError(items.status());
  // Each original is read back from its pieces and its SHA-256 compared
  // with the catalog's (OpenOriginal checks it). A server out of reach is
  // no finding about the archive: the command fails.
  size_t problems = 0;
  for (const Item& it : *items) {
    absl::StatusOr<Original> original = (*archive)->OpenOriginal(it);
    if (original.ok()) continue;
    if (!absl::IsDataLoss(original.status())) return ReportError(original.status());
    std::fprintf(stderr, "uncut: verify: %s\n", std::string(original.status().message()).c_str());
    ++problems;
  }
  // Each timestamp token, read from the catalog, against its item's SHA-256
  // and (with --tsa-ca) the authority's CA, as on a directory.
  auto stamps = VerifyItemTimestamps(**archive, tsa_ca);
  if (!stamps.ok()) return ReportError(stamps.status());
  for (const auto& p : stamps->problems) {
    std::fprintf(stderr, "uncut: verify: %s: %s\n", p.what.c_str(), p.problem.c_str());
  }
  problems += stamps->problems.size();
  // What removed items and failed batches left on the shards: not damage
  // (never read), but space that `uncut sweep` gives back.
  absl::StatusOr<PgSweepReport> left = (*archive)->Sweep(/*remove=*/false);
  if (!left.ok() && !absl::IsFailedPrecondition(left.status())) return ReportError(left.status());
  if (!g.quiet) {
    std::printf("%zu items checked, %zu problems\n", items->size(), problems);
    PrintTimestampsChecked(stamps->checked, tsa_ca);
    if (left.ok() && left->originals > 0) {
      std::printf("left behind: %llu originals no item uses, still registered; `uncut sweep` "
                  "unregisters them\n",
                  static_cast<unsigned long long>(left->originals));
    }
    if (left.ok() && (left->postings > 0 || left->pieces > 0)) {
      std::printf("left behind: %llu postings of removed or unpublished items (%llu bytes of "
                  "blocks) and %llu pieces of removed or unpublished originals (%llu bytes); "
                  "`uncut sweep` removes them\n",
                  static_cast<unsigned long long>(left->postings),
                  static_cast<unsigned long long>(left->posting_bytes),
                  static_cast<unsigned long long>(left->pieces),
                  static_cast<unsigned long long>(left->piece_bytes));
    }
  }
  return problems == 0 ? kExitOk : kExitArchive;
}

int RunAddToPostgres(const GlobalOptions& g, const AddCommand& c) {
  auto target = PgArchive::Open(g.archive);
  if (!target.ok()) return ReportError(target.status());
  auto staged = StagedArchive::Create(target->get());
  if (!staged.ok()) return ReportError(staged.status());
  GlobalOptions local = g;
  local.archive = (*staged)->dir();
  // The cluster's authority (`uncut config tsa`) stamps, as the archive's
  // does on a directory, unless the command names one or says --no-tsa.
  AddCommand add = c;
  if (!c.no_tsa && c.tsa.url.empty()) {
    auto tsa = ConfiguredTsa(target->get());
    if (!tsa.ok()) return ReportError(tsa.status());
    add.tsa.url = tsa->url;
    if (add.tsa.ca_file.empty()) add.tsa.ca_file = tsa->ca_file;
  }
  const int added = RunAdd(local, add);
  if (added != kExitOk && added != kExitBadInput) return added;
  auto empty = (*staged)->Empty();
  if (!empty.ok()) return ReportError(empty.status());
  if (*empty) return added;  // nothing added
  auto done = (*staged)->CopyInto(target->get());
  if (!done.ok()) return ReportError(done.status());
  if (!g.quiet) {
    for (const Item& it : done->present) {
      std::printf("exists  %-6lld %s  %s (already in %s)\n", static_cast<long long>(it.id),
                  it.sha256.substr(0, 12).c_str(), it.name.c_str(),
                  RedactedUri(g.archive).c_str());
    }
  }
  PrintAddCompaction(g, *done);
  return added;
}

Subcommand AddInitCommand(CLI::App* app, const GlobalOptions* g) {
  auto* cmd = app->add_subcommand(
      "init", "create an empty archive on a PostgreSQL coordinator (docs/cluster.md)");
  auto shards = std::make_shared<std::string>();
  cmd->add_option("--shards", *shards,
                  "postgresql:// URIs of the servers that hold the originals and the index, "
                  "comma-separated (default: the coordinator itself)");
  cmd->footer(
      "Examples:\n  uncut --archive postgresql://127.0.0.1:5432/uncut init\n"
      "  uncut --archive postgresql://coord/uncut init --shards "
      "postgresql://s1/uncut,postgresql://s2/uncut");
  return {cmd, [g, shards] { return RunInit(*g, *shards); }};
}

Subcommand AddCopyCommand(CLI::App* app, const GlobalOptions* g) {
  auto* cmd = app->add_subcommand(
      "copy",
      "copy the embedded archive into a PostgreSQL archive, or any archive into a "
      "directory (resumable)");
  auto to = std::make_shared<std::string>();
  cmd->add_option("--to", *to,
                  "the target: a postgresql:// URI (from a directory), or a directory (from "
                  "either)")
      ->required();
  cmd->footer(
      "Originals are copied byte for byte and fingerprints as stored; items already in the\n"
      "target (same bytes) are skipped, so an interrupted copy is run again to finish.\n"
      "Into a PostgreSQL archive, the runs of posting blocks the copy's batches wrote are then\n"
      "merged into one per server (as `uncut compact --full`), so that lookups read one block\n"
      "per key and server.\n"
      "Into a directory, saved traces and the audit log are copied too.\n\n"
      "Examples:\n  uncut --archive ./desk copy --to postgresql://coord/uncut\n"
      "  uncut --archive postgresql://coord/uncut copy --to ./desk-copy");
  return {cmd, [g, to] { return RunCopy(*g, *to); }};
}

}  // namespace uncut

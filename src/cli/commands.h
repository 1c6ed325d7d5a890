// The uncut commands. main.cc parses arguments into these option structs;
// each command returns the process exit code (see docs/cli.md).
#ifndef UNCUT_CLI_COMMANDS_H_
#define UNCUT_CLI_COMMANDS_H_

#include <memory>
#include <string>
#include <vector>

#include "ingest/ingest.h"
#include "proof/timestamp.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"
#include "store/copy_to_postgres.h"

namespace uncut {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNotFound = 1;   // trace: nothing in the archive matches
inline constexpr int kExitUsage = 2;      // bad command line
inline constexpr int kExitBadInput = 3;   // a file or extract could not be used
inline constexpr int kExitArchive = 4;    // the archive is damaged or unusable
inline constexpr int kExitInternal = 5;

struct GlobalOptions {
  std::string archive;  // resolved archive directory
  bool quiet = false;
  bool json = false;
};

struct AddCommand {
  std::vector<std::string> paths;
  AddOptions options;
  size_t commit_every = 2000;  // files per catalog transaction
  // Files read and analysed at once (0: one per core); one writer adds them
  // in order, so the archive is the same for any number.
  int jobs = 0;
  bool strict = false;         // files of a folder uncut does not read are failures
  bool transcribe = false;     // then transcribe the recordings among them
  // --tsa URL (--tsa-ca FILE): time-stamp each new original; without --tsa,
  // the archive's authority (`uncut config tsa`) does, unless no_tsa.
  TsaOptions tsa;
  bool no_tsa = false;         // --no-tsa: not even the archive's authority
  bool tsa_optional = false;   // add without a timestamp when the TSA fails
};
int RunAdd(const GlobalOptions& g, const AddCommand& c);
// The same into a PostgreSQL archive (cli/cluster_commands.cc).
int RunAddToPostgres(const GlobalOptions& g, const AddCommand& c);


struct ShowCommand {
  std::string ref;
  bool text = false;
};
int RunShow(const GlobalOptions& g, const ShowCommand& c);

// Asks for confirmation on a terminal unless `yes`; without a terminal and
// without `yes`, refuses (exit 3) and leaves the archive as it was.
int RunRemove(const GlobalOptions& g, const std::vector<std::string>& refs, bool yes);
// Prints the archive's audit log, oldest first.
int RunLog(const GlobalOptions& g);
// With `tsa_ca`, timestamp tokens must chain to those certificates.
int RunVerify(const GlobalOptions& g, const std::string& tsa_ca = "");
// The same on a PostgreSQL archive (cli/cluster_commands.cc).
int RunVerifyOnPostgres(const GlobalOptions& g, const std::string& tsa_ca);

// Merges a PostgreSQL archive's runs of posting blocks (PgArchive::Compact,
// `scope`) and, unless quiet, prints what it did; kExitOk or the error's
// code.
int CompactPostgres(const GlobalOptions& g, PgArchive* archive,
                    PgCompactScope scope = PgCompactScope::kLevels);
// What `add` says of the merge of small runs its copy into a cluster ran
// (StagedArchive::CopyInto): a line when it merged something or left merges
// due; a failure (a sweep running, say) on stderr, the add's result as it is.
void PrintAddCompaction(const GlobalOptions& g, const CopyOutcome& copied);
// Prints verify's line on the timestamps it checked (none: nothing), on a
// directory and on a cluster alike.
void PrintTimestampsChecked(size_t checked, const std::string& tsa_ca);
// jobs: threads each original is read on (0: one per core).
int RunUpgrade(const GlobalOptions& g, int jobs = 0);

struct TraceCommand {
  std::string text;       // --text
  std::string text_file;  // --text-file (- for stdin)
  std::string media;      // a video or audio clip
  int context = 1;
  std::string html;   // --html FILE: also write the HTML report there
  bool save = false;  // --save: keep the report in the archive
};
int RunTrace(const GlobalOptions& g, const TraceCommand& c);

// Transcribes `items` (recordings), one transaction each, with a progress
// bar; returns the exit code (3 when some could not be transcribed).
int TranscribeItems(const GlobalOptions& g, Archive* archive, const std::vector<Item>& items);

// Prints "uncut: <message>" to stderr and returns the exit code for `s`.
// The archive a reading command opens: the embedded directory, or a
// PostgreSQL archive when --archive is a postgresql:// URI.
struct AnyArchive {
  std::unique_ptr<Archive> embedded;
  std::unique_ptr<PgArchive> postgres;

  Storage storage();
  absl::StatusOr<Item> FindItem(const std::string& ref);
  // Where the item's original is kept, for a reader.
  std::string StoredAt(const Item& item);
};
absl::StatusOr<AnyArchive> OpenAnyForReading(const GlobalOptions& g);

int ReportError(const absl::Status& s);

// Removes an archive directory this command created when nothing ended up
// in it, so a failed first add leaves no trace. Another first writer may
// have added to it meanwhile: under the writer lock, only an archive with
// no items and no files under objects/ or index/ goes.
void RemoveEmptyArchive(const std::string& dir);

}  // namespace uncut

#endif  // UNCUT_CLI_COMMANDS_H_

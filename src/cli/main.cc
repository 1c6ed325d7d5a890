// uncut: given an excerpt, find the uncut original.
// A thin command line over the libraries; see docs/cli.md.
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/subcommands.h"

namespace {

constexpr char kVersion[] = UNCUT_VERSION;

std::string DefaultArchive() {
  const char* env = std::getenv("UNCUT_ARCHIVE");
  return env && *env ? env : "uncut-archive";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"uncut: given an excerpt, find the uncut original."};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  uncut::GlobalOptions g;
  g.archive = DefaultArchive();
  app.add_option("--archive", g.archive,
                 "archive directory or postgresql:// URI (default: $UNCUT_ARCHIVE or ./uncut-archive)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("-q,--quiet", g.quiet, "print only errors and results (no progress)");
  // --archive and --quiet may also follow the command (`uncut add --archive DIR FILE`):
  // options a command does not know fall through to these.
  app.fallthrough();
  app.footer(
      "Run `uncut COMMAND --help` for a command's options and examples.\n"
      "Exit codes: 0 success, 1 trace found no source, 2 bad command line, 3 bad input,\n"
      "4 archive or bundle damaged, 5 internal error (docs/cli.md).");

  uncut::AddCommand add;
  std::string source_url, captured_at, title, note;
  auto* add_cmd = app.add_subcommand("add", "add files or folders (recursively) to the archive");
  add_cmd->add_option("paths", add.paths, "files or folders")->required();
  add_cmd->add_option("--source-url", source_url, "where the source was found");
  add_cmd->add_option("--captured-at", captured_at, "when it was captured (RFC 3339)");
  add_cmd->add_option("--title", title, "a title for the source");
  add_cmd->add_option("--note", note, "a note kept with the source");
  add_cmd->add_option("--charset", add.options.charset,
                      "read text files in this charset (default: detect)");
  add_cmd->add_option("--commit-every", add.commit_every,
                      "publish added files in transactions of this many files (default 2000)");
  add_cmd->add_option("--jobs", add.jobs,
                      "read and analyse this many files at once (default: one per core)")
      ->check(CLI::PositiveNumber);
  add_cmd->add_flag("--strict", add.strict,
                    "count files of a folder that uncut does not read as failures (exit 3)");
  add_cmd->add_flag("--transcribe", add.transcribe,
                    "then recognise the speech of the recordings added (see `uncut transcribe`)");
  add_cmd->add_flag("--captions,!--no-captions", add.options.captions,
                    "also read captions burned into videos' pictures by OCR (default: off, "
                    "it costs several times the indexing; see `uncut captions`)");
  add_cmd->add_option("--ocr-lang", add.options.ocr_languages,
                      "OCR languages for --captions, joined by '+' (default: the sound's "
                      "language tag if Persian or Arabic, else eng)");
  add_cmd->add_option("--tsa", add.tsa.url,
                      "time-stamp each new original's SHA-256 with this RFC 3161 authority");
  add_cmd->add_option("--tsa-ca", add.tsa.ca_file,
                      "check the authority's tokens against these CA certificates (PEM)");
  add_cmd->add_flag("--tsa-optional", add.tsa_optional,
                    "when the authority fails, add without a timestamp (default: stop)");
  add_cmd->add_flag("--no-tsa", add.no_tsa,
                    "add without timestamps even when the archive names an authority")
      ->excludes("--tsa");
  add_cmd->footer(
      "Files of a folder that uncut does not read (unsupported types, empty files) are\n"
      "listed as skipped, and the add still succeeds unless --strict.\n"
      "With --tsa, or the archive's authority (`uncut config tsa URL`), a file whose timestamp\n"
      "cannot be had is not added, nor the files after it (exit 3), unless --tsa-optional.\n\n"
      "Examples:\n  uncut add report.html --source-url https://example.org/r --captured-at "
      "2024-05-01T12:00:00Z\n  uncut add ~/evidence/\n  uncut add --archive /srv/desk speech.mp4");

  uncut::Subcommand list = uncut::AddListCommand(&app, &g);
  uncut::Subcommand search = uncut::AddSearchCommand(&app, &g);

  uncut::ShowCommand show;
  auto* show_cmd = app.add_subcommand("show", "show one item's metadata (or its text)");
  show_cmd->add_option("item", show.ref, "item id or SHA-256 (prefix)")->required();
  show_cmd->add_flag("--json", g.json, "print JSON");
  show_cmd->add_flag("--text", show.text, "print the extracted text");
  show_cmd->footer("Examples:\n  uncut show 3\n  uncut show 4235f8997ef5 --json\n  uncut show 3 --text | less");

  std::vector<std::string> remove_refs;
  bool remove_yes = false;
  auto* remove_cmd = app.add_subcommand("remove", "remove items from the archive");
  remove_cmd->add_option("items", remove_refs, "item ids or SHA-256 (prefixes)")->required();
  remove_cmd->add_flag("-y,--yes", remove_yes, "remove without asking");
  remove_cmd->footer(
      "Says what it removes (id, SHA-256, name) and asks first on a terminal; without a\n"
      "terminal it needs --yes (exit 3 otherwise). Every removal is kept in `uncut log`.\n\n"
      "Examples:\n  uncut remove 3\n  uncut remove --yes 4235f8997ef5 7");

  auto* log_cmd = app.add_subcommand(
      "log", "show the audit log: every add, remove, export and upgrade, oldest first");
  log_cmd->add_flag("--json", g.json, "print JSON");
  log_cmd->footer("Examples:\n  uncut log\n  uncut log --json | jq '.[] | select(.action == \"remove\")'");

  std::string verify_tsa_ca;
  auto* verify_cmd = app.add_subcommand(
      "verify", "check the catalog, every original, stored text and segment, and every file");
  verify_cmd->add_option("--tsa-ca", verify_tsa_ca,
                         "check timestamp tokens against these CA certificates (PEM)");
  verify_cmd->footer("Exit code 0 when everything is intact and referenced, 4 when not.\n\n"
                     "Examples:\n  uncut verify\n  uncut verify --tsa-ca tsa-ca.pem\n"
                     "  uncut --archive /srv/desk verify --quiet || alert");

  auto* upgrade_cmd = app.add_subcommand(
      "upgrade", "bring an archive made by an older version up to date (re-reads stored originals)");
  int upgrade_jobs = 0;
  upgrade_cmd->add_option("--jobs", upgrade_jobs,
                          "read each original on this many threads, in time chunks (default: one per core)")
      ->check(CLI::PositiveNumber);
  upgrade_cmd->footer(
      "Re-derives fingerprints whose format this version no longer searches (the sound\n"
      "fingerprints of archives made before sound landmarks became triplets) from the\n"
      "stored originals, and gives videos archived before the region hashes existed\n"
      "those hashes. Originals, names and provenance are untouched; an interrupted\n"
      "run resumes where it stopped. On a PostgreSQL archive too (an archive copied\n"
      "there keeps the fingerprints it had).\n\nExamples:\n  uncut upgrade\n"
      "  uncut --archive postgresql://coord/uncut upgrade");

  uncut::TraceCommand trace;
  auto* trace_cmd = app.add_subcommand("trace", "find where an excerpt comes from");
  trace_cmd->add_option("clip", trace.media, "a video or audio clip to trace");
  auto* text_opt = trace_cmd->add_option("--text", trace.text, "the extract, as text");
  auto* file_opt =
      trace_cmd->add_option("--text-file", trace.text_file, "read the extract from a file (- = stdin)");
  text_opt->excludes(file_opt);
  trace_cmd->add_option("--context", trace.context, "sentences of context before and after")
      ->check(CLI::Range(0, 20));
  trace_cmd->add_flag("--json", g.json, "print JSON (schema uncut.trace/1, docs/trace-schema.md)");
  trace_cmd->add_option("--html", trace.html, "also write the report as one self-contained HTML file");
  trace_cmd->add_flag("--save", trace.save,
                      "keep the report in the archive (for `uncut export` and the server)");
  trace_cmd->footer(
      "Examples:\n  uncut trace --text \"we shall defend our island, whatever the cost\"\n"
      "  pbpaste | uncut trace --text-file - --json\n"
      "  uncut trace --text-file quote.txt --html report.html --save\n"
      "  uncut trace clip.mp4 --html report.html   (video or audio: segments, cuts, frames)");

  std::vector<uncut::Subcommand> more = {uncut::AddServeCommand(&app, &g),
                                         uncut::AddExportCommand(&app, &g),
                                         uncut::AddVerifyBundleCommand(&app, &g),
                                         uncut::AddInitCommand(&app, &g),
                                         uncut::AddCopyCommand(&app, &g),
                                         uncut::AddSweepCommand(&app, &g),
                                         uncut::AddCompactCommand(&app, &g),
                                         uncut::AddTranscribeCommand(&app, &g),
                                         uncut::AddCaptionsCommand(&app, &g),
                                         uncut::AddKeygenCommand(&app, &g),
                                         uncut::AddCaptureCommand(&app, &g),
                                         uncut::AddConfigCommand(&app, &g)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : uncut::kExitUsage;
  }
  if (!source_url.empty()) add.options.meta.source_url = source_url;
  if (!captured_at.empty()) add.options.meta.captured_at = captured_at;
  if (!title.empty()) add.options.meta.title = title;
  if (!note.empty()) add.options.meta.note = note;

  try {
    if (add_cmd->parsed()) return uncut::RunAdd(g, add);
    if (list.app->parsed()) return list.run();
    if (search.app->parsed()) return search.run();
    if (show_cmd->parsed()) return uncut::RunShow(g, show);
    if (remove_cmd->parsed()) return uncut::RunRemove(g, remove_refs, remove_yes);
    if (log_cmd->parsed()) return uncut::RunLog(g);
    if (verify_cmd->parsed()) return uncut::RunVerify(g, verify_tsa_ca);
    if (upgrade_cmd->parsed()) return uncut::RunUpgrade(g, upgrade_jobs);
    for (const uncut::Subcommand& s : more) {
      if (s.app->parsed()) return s.run();
    }
    if (trace_cmd->parsed()) {
      if (text_opt->count() > 0 && trace.text.empty()) {
        std::cerr << "uncut: --text: the extract is empty\n";
        return uncut::kExitBadInput;
      }
      if (trace.text.empty() && trace.text_file.empty() && trace.media.empty()) {
        std::cerr << "uncut: trace: give a clip, or the extract with --text or --text-file\n";
        return uncut::kExitUsage;
      }
      return uncut::RunTrace(g, trace);
    }
  } catch (const std::exception& e) {
    std::cerr << "uncut: internal error: " << e.what() << "\n";
    return uncut::kExitInternal;
  }
  return uncut::kExitUsage;
}

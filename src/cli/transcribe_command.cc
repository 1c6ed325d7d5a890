// `uncut transcribe [ITEM...]` and the transcription step of `uncut add
// --transcribe`: speech recognition of archived recordings (speech/).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>

#include "base/named_message.h"
#include "base/strings.h"
#include "cli/item_selection.h"
#include "cli/progress.h"
#include "cli/subcommands.h"
#include "speech/transcribe.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {
namespace {

double DurationOf(const Item& it) {
  if (!it.info.contains("media") || !it.info["media"].is_object()) return 0;
  const nlohmann::json& d = it.info["media"].value("duration_s", nlohmann::json());
  return d.is_number() ? d.get<double>() : 0;
}

bool AlreadyTranscribed(const Item& item) {
  return !NeedsTranscript(item) && item.info["speech"].value("status", "") == "transcribed";
}

// One recording transcribed: the recording as it was read, and the outcome,
// or nullopt when it was transcribed already. An error that `fatal` stops
// the run; any other names the recording and the run goes on.
struct Transcribed {
  Item item;
  std::optional<TranscribeOutcome> outcome;
};
using TranscribeOne =
    std::function<absl::StatusOr<Transcribed>(const Item& listed, const std::function<void(double, double)>& progress)>;

// Transcribes `items` one at a time with `one`, with a progress bar and a
// line for each; exit code.
int TranscribeEach(const GlobalOptions& g, const std::vector<Item>& items, const TranscribeOne& one,
                   const std::function<bool(const absl::Status&)>& fatal) {
  double total_s = 0;
  for (const Item& it : items) total_s += DurationOf(it);
  size_t done_items = 0, failed = 0, skipped = 0;
  double done_s = 0;
  ProgressBar bar("transcribing", static_cast<uint64_t>(std::ceil(total_s)),
                  ProgressBar::Unit::kSeconds, ShowProgress(g.quiet));
  for (const Item& listed : items) {
    const double duration = DurationOf(listed);
    auto done = one(listed, [&](double s, double) {
      bar.Update(static_cast<uint64_t>(done_s + std::min(s, duration)), listed.name);
    });
    done_s += duration;
    bar.Clear();
    if (!done.ok()) {
      if (fatal(done.status())) return ReportError(done.status());
      ++failed;
      std::fprintf(stderr, "uncut: not transcribed: %s\n", std::string(done.status().message()).c_str());
      continue;
    }
    if (!done->outcome) {
      ++skipped;
      continue;
    }
    ++done_items;
    if (g.quiet) continue;
    const Item& item = done->item;
    const TranscribeOutcome& outcome = *done->outcome;
    if (outcome.status == "transcribed") {
      std::printf("transcribed %-6lld %s: %zu words -> item %lld %s\n",
                  static_cast<long long>(item.id), item.name.c_str(), outcome.words,
                  static_cast<long long>(outcome.transcript->id), outcome.transcript->name.c_str());
    } else if (outcome.status == "no_model") {
      std::printf("skipped     %-6lld %s: no speech model for its language (%s)\n",
                  static_cast<long long>(item.id), item.name.c_str(),
                  RecordingLanguage(item).c_str());
    } else {
      std::printf("transcribed %-6lld %s: no speech recognised\n",
                  static_cast<long long>(item.id), item.name.c_str());
    }
  }
  bar.Clear();
  if (!g.quiet && items.empty()) std::printf("no recording needs transcribing\n");
  if (!g.quiet && skipped > 0) std::printf("%zu already transcribed\n", skipped);
  return failed == 0 ? kExitOk : kExitBadInput;
}

bool IsRecording(const Item& it) { return it.kind == "video" || it.kind == "audio"; }

// The recordings named, or every one not yet transcribed.
template <typename A>
absl::StatusOr<std::vector<Item>> RecordingsToTranscribe(A* archive,
                                                         const std::vector<std::string>& refs) {
  return ItemsToWorkOn(archive, refs, NeedsTranscript, IsRecording, "a video or audio recording");
}

// On a cluster: each recording read from it, its transcript added as `add`
// adds (speech/transcribe.h: TranscribeOnCluster).
int RunTranscribeOnPostgres(const GlobalOptions& g, const std::vector<std::string>& refs) {
  auto archive = PgArchive::Open(g.archive);
  if (!archive.ok()) return ReportError(archive.status());
  auto items = RecordingsToTranscribe(archive->get(), refs);
  if (!items.ok()) return ReportError(items.status());
  PgArchive* pg = archive->get();
  auto one = [&](const Item& listed,
                 const std::function<void(double, double)>& progress) -> absl::StatusOr<Transcribed> {
    // Read again: another run may have done it.
    auto item = pg->GetItem(listed.id);
    if (!item.ok()) return item.status();
    Transcribed out{*item, std::nullopt};
    if (AlreadyTranscribed(*item)) return out;
    auto outcome = TranscribeOnCluster(pg, *item, RecognizerOptions(), progress);
    if (absl::IsAlreadyExists(outcome.status())) return out;
    if (!outcome.ok()) return outcome.status();
    out.outcome = std::move(*outcome);
    return out;
  };
  // A server out of reach, or a failed statement, stops the run; a
  // recording that does not decode is named and the run goes on.
  return TranscribeEach(g, *items, one, IsClusterError);
}

int RunTranscribe(const GlobalOptions& g, const std::vector<std::string>& refs) {
  if (IsPostgresUri(g.archive)) return RunTranscribeOnPostgres(g, refs);
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  auto items = RecordingsToTranscribe(archive->get(), refs);
  if (!items.ok()) return ReportError(items.status());
  return TranscribeItems(g, archive->get(), *items);
}

}  // namespace

int TranscribeItems(const GlobalOptions& g, Archive* archive, const std::vector<Item>& items) {
  // Errors of the archive itself (its writer lock, a commit) stop the run.
  std::optional<absl::Status> stop;
  auto one = [&](const Item& listed,
                 const std::function<void(double, double)>& progress) -> absl::StatusOr<Transcribed> {
    // Each recording in a transaction of its own: an interrupted run keeps
    // what it finished, and the next takes up the rest.
    auto batch = archive->BeginWrite();
    if (!batch.ok()) return *(stop = batch.status());
    // Read again under the writer lock: another run may have done it.
    auto item = archive->GetItem(listed.id);
    if (!item.ok()) return *(stop = item.status());
    Transcribed out{*item, std::nullopt};
    if (AlreadyTranscribed(*item)) return out;
    auto outcome = TranscribeRecording(batch->get(), *item, RecognizerOptions(), progress);
    if (!outcome.ok()) return outcome.status();
    absl::Status s = (*batch)->Commit();
    if (!s.ok()) return *(stop = s);
    out.outcome = std::move(*outcome);
    return out;
  };
  return TranscribeEach(g, items, one, [&](const absl::Status&) { return stop.has_value(); });
}

Subcommand AddTranscribeCommand(CLI::App* app, const GlobalOptions* g) {
  auto refs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app->add_subcommand(
      "transcribe", "recognise the speech of archived recordings, for tracing quotes into them");
  cmd->add_option("items", *refs, "recordings (ids or SHA-256 prefixes); default: every one not yet transcribed");
  cmd->footer(
      "Each recording's words, with their times, become a machine transcript linked to it\n"
      "like a subtitle file (English, PocketSphinx). Each recording is committed on its own:\n"
      "an interrupted run keeps what it finished and the next run goes on from there.\n\n"
      "Examples:\n  uncut transcribe\n  uncut transcribe 12 14");
  return {cmd, [g, refs] { return RunTranscribe(*g, *refs); }};
}

}  // namespace uncut

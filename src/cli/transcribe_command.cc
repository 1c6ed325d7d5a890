// `uncut transcribe [ITEM...]` and the transcription step of `uncut add
// --transcribe`: speech recognition of archived recordings (speech/).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "base/named_message.h"
#include "base/strings.h"
#include "cli/progress.h"
#include "cli/subcommands.h"
#include "speech/transcribe.h"
#include "store/archive.h"

namespace uncut {
namespace {

double DurationOf(const Item& it) {
  if (!it.info.contains("media") || !it.info["media"].is_object()) return 0;
  const nlohmann::json& d = it.info["media"].value("duration_s", nlohmann::json());
  return d.is_number() ? d.get<double>() : 0;
}

int RunTranscribe(const GlobalOptions& g, const std::vector<std::string>& refs) {
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  std::vector<Item> items;
  if (refs.empty()) {
    auto todo = UntranscribedRecordings(archive->get());
    if (!todo.ok()) return ReportError(todo.status());
    items = std::move(*todo);
  } else {
    for (const std::string& r : refs) {
      auto item = (*archive)->FindItem(r);
      if (!item.ok()) return ReportError(item.status());
      if (item->kind != "video" && item->kind != "audio") {
        return ReportError(absl::InvalidArgumentError(
            StrCat("item ", item->id, " (", item->name, ") is not a video or audio recording")));
      }
      items.push_back(*item);
    }
  }
  return TranscribeItems(g, archive->get(), items);
}

}  // namespace

int TranscribeItems(const GlobalOptions& g, Archive* archive, const std::vector<Item>& items) {
  double total_s = 0;
  for (const Item& it : items) total_s += DurationOf(it);
  size_t done_items = 0, failed = 0, skipped = 0;
  double done_s = 0;
  ProgressBar bar("transcribing", static_cast<uint64_t>(std::ceil(total_s)),
                  ProgressBar::Unit::kSeconds, ShowProgress(g.quiet));
  for (const Item& listed : items) {
    // Each recording in a transaction of its own: an interrupted run keeps
    // what it finished, and the next takes up the rest.
    auto batch = archive->BeginWrite();
    if (!batch.ok()) return ReportError(batch.status());
    // Read again under the writer lock: another run may have done it.
    auto item = archive->GetItem(listed.id);
    if (!item.ok()) return ReportError(item.status());
    double duration = DurationOf(*item);
    if (!NeedsTranscript(*item) && item->info["speech"].value("status", "") == "transcribed") {
      done_s += duration;
      ++skipped;
      continue;
    }
    auto outcome = TranscribeRecording(
        batch->get(), *item, RecognizerOptions(), [&](double s, double) {
          bar.Update(static_cast<uint64_t>(done_s + std::min(s, duration)), item->name);
        });
    done_s += duration;
    if (outcome.ok()) {
      absl::Status s = (*batch)->Commit();
      if (!s.ok()) return ReportError(s);
    }
    bar.Clear();
    if (!outcome.ok()) {
      ++failed;
      std::fprintf(stderr, "uncut: not transcribed: %s\n", std::string(outcome.status().message()).c_str());
      continue;
    }
    ++done_items;
    if (g.quiet) continue;
    if (outcome->status == "transcribed") {
      std::printf("transcribed %-6lld %s: %zu words -> item %lld %s\n",
                  static_cast<long long>(item->id), item->name.c_str(), outcome->words,
                  static_cast<long long>(outcome->transcript->id), outcome->transcript->name.c_str());
    } else if (outcome->status == "no_model") {
      std::printf("skipped     %-6lld %s: no speech model for its language (%s)\n",
                  static_cast<long long>(item->id), item->name.c_str(),
                  RecordingLanguage(*item).c_str());
    } else {
      std::printf("transcribed %-6lld %s: no speech recognised\n",
                  static_cast<long long>(item->id), item->name.c_str());
    }
  }
  bar.Clear();
  if (!g.quiet && items.empty()) std::printf("no recording needs transcribing\n");
  if (!g.quiet && skipped > 0) std::printf("%zu already transcribed\n", skipped);
  return failed == 0 ? kExitOk : kExitBadInput;
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

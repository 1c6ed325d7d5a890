// `uncut captions [ITEM...]`: reading the captions burned into archived
// videos' pictures (ingest/caption_ingest.h), for videos added with
// --no-captions or before captions were read.
#include <cstdio>

#include "base/strings.h"
#include "cli/progress.h"
#include "cli/subcommands.h"
#include "ingest/caption_ingest.h"
#include "storage/pg_conn.h"
#include "store/archive.h"
#include "trace/item_media.h"

namespace uncut {
namespace {

double DurationOf(const Item& it) {
  if (!it.info.contains("media") || !it.info["media"].is_object()) return 0;
  const nlohmann::json& m = it.info["media"];
  const nlohmann::json& d = m.value("duration_s", nlohmann::json());
  const nlohmann::json& s = m.value("start_s", nlohmann::json());
  return (d.is_number() ? d.get<double>() : 0) + (s.is_number() ? s.get<double>() : 0);
}

struct CaptionsCommand {
  std::vector<std::string> refs;
  CaptionOptions options;
};

int RunCaptions(const GlobalOptions& g, const CaptionsCommand& c) {
  if (IsPostgresUri(g.archive)) {
    return ReportError(absl::UnimplementedError(StrCat(
        RedactedUri(g.archive), ": captions does not work on a PostgreSQL archive yet; "
        "`add --captions` reads them as videos are added (docs/cluster.md)")));
  }
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  std::vector<Item> items;
  if (c.refs.empty()) {
    auto all = (*archive)->ListItems();
    if (!all.ok()) return ReportError(all.status());
    for (Item& it : *all) {
      if (NeedsCaptions(it)) items.push_back(std::move(it));
    }
  } else {
    for (const std::string& r : c.refs) {
      auto item = (*archive)->FindItem(r);
      if (!item.ok()) return ReportError(item.status());
      if (item->kind != "video") {
        return ReportError(absl::InvalidArgumentError(
            StrCat("item ", item->id, " (", item->name, ") is not a video")));
      }
      items.push_back(*item);
    }
  }
  size_t failed = 0, skipped = 0;
  ProgressBar bar("reading captions", items.size(), ProgressBar::Unit::kItems,
                  ShowProgress(g.quiet));
  for (size_t i = 0; i < items.size(); ++i) {
    bar.Update(i, items[i].name);
    // Each video in a transaction of its own: an interrupted run keeps
    // what it finished, and the next takes up the rest.
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return ReportError(batch.status());
    // Read again under the writer lock: another run may have done it.
    auto item = (*archive)->GetItem(items[i].id);
    if (!item.ok()) return ReportError(item.status());
    if (!NeedsCaptions(*item)) {
      ++skipped;
      continue;
    }
    auto fail = [&](const absl::Status& s) {
      ++failed;
      bar.Clear();
      std::fprintf(stderr, "uncut: captions not read: item %lld (%s): %s\n",
                   static_cast<long long>(item->id), item->name.c_str(),
                   std::string(s.message()).c_str());
    };
    auto media = ItemMedia::Open((*batch)->archive(), *item);
    if (!media.ok()) {
      fail(media.status());
      continue;
    }
    CaptionOptions options = c.options;
    options.languages = CaptionLanguages(c.options.languages, item->info.value("media", nlohmann::json()));
    auto reading = ScanCaptions(media->source(), DurationOf(*item), options);
    if (!reading.ok()) {
      fail(reading.status());
      continue;
    }
    nlohmann::json info = item->info;
    auto queued = QueueCaptions(batch->get(), *item, *reading, &info);
    absl::Status s = queued.status();
    if (s.ok()) s = (*batch)->Reindex(item->id, std::move(info), {}, {});
    if (s.ok()) s = (*batch)->Commit();
    if (!s.ok()) return ReportError(s);
    bar.Clear();
    if (g.quiet) continue;
    if (*queued) {
      std::printf("read    %-6lld %s: %zu captions -> item %lld %s\n",
                  static_cast<long long>(item->id), item->name.c_str(), reading->cues.size(),
                  static_cast<long long>((*queued)->id), (*queued)->name.c_str());
    } else {
      std::printf("read    %-6lld %s: no captions found\n", static_cast<long long>(item->id),
                  item->name.c_str());
    }
  }
  bar.Clear();
  if (!g.quiet && items.empty()) std::printf("no video needs its captions read\n");
  if (!g.quiet && skipped > 0) {
    std::printf("%zu already read\n", skipped);
  }
  return failed == 0 ? kExitOk : kExitBadInput;
}

}  // namespace

Subcommand AddCaptionsCommand(CLI::App* app, const GlobalOptions* g) {
  auto c = std::make_shared<CaptionsCommand>();
  CLI::App* cmd = app->add_subcommand(
      "captions", "read the captions burned into archived videos, for tracing quotes into them");
  cmd->add_option("items", c->refs,
                  "videos (ids or SHA-256 prefixes); default: every one not yet read");
  cmd->add_option("--ocr-lang", c->options.languages,
                  "Tesseract languages, joined by '+' (default: the sound's language tag if Persian or Arabic, else eng)");
  cmd->footer(
      "Where the bottom of the picture changes and looks like lettering, the frame is read\n"
      "by OCR (Tesseract); the captions, with their times, become a timed-text item linked\n"
      "to the video like a subtitle file, marked as read by OCR. `uncut add` does this\n"
      "unless --no-captions. Each video is committed on its own.\n\n"
      "Examples:\n  uncut captions\n  uncut captions 12 --ocr-lang fas");
  return {cmd, [g, c] { return RunCaptions(*g, *c); }};
}

}  // namespace uncut

// `uncut captions [ITEM...]`: reading the captions burned into archived
// videos' pictures (ingest/caption_ingest.h), for videos added with
// --no-captions or before captions were read, on a directory or a cluster.
#include <cstdio>
#include <functional>
#include <optional>

#include "base/strings.h"
#include "cli/item_selection.h"
#include "cli/progress.h"
#include "cli/subcommands.h"
#include "ingest/caption_ingest.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {
namespace {

struct CaptionsCommand {
  std::vector<std::string> refs;
  CaptionOptions options;
};

// Reads one video's captions (ingest/caption_ingest.h: CaptionVideo).
using CaptionOne = std::function<absl::StatusOr<VideoCaptions>(int64_t id)>;

// Reads the captions of `videos` one at a time with `one`, with a progress
// bar and a line for each; exit code. An error of `one` (the archive's)
// stops the run; a video whose captions cannot be read is named and the
// run goes on.
int CaptionEach(const GlobalOptions& g, const std::vector<Item>& videos, const CaptionOne& one) {
  size_t failed = 0, skipped = 0;
  ProgressBar bar("reading captions", videos.size(), ProgressBar::Unit::kItems,
                  ShowProgress(g.quiet));
  for (size_t i = 0; i < videos.size(); ++i) {
    bar.Update(i, videos[i].name);
    auto done = one(videos[i].id);
    bar.Clear();
    if (!done.ok()) return ReportError(done.status());
    const Item& video = done->video;
    if (!done->unread.ok()) {
      ++failed;
      std::fprintf(stderr, "uncut: captions not read: item %lld (%s): %s\n",
                   static_cast<long long>(video.id), video.name.c_str(),
                   std::string(done->unread.message()).c_str());
      continue;
    }
    if (!done->outcome) {
      ++skipped;
      continue;
    }
    if (g.quiet) continue;
    const std::optional<Item>& text = done->outcome->text;
    if (text) {
      std::printf("read    %-6lld %s: %zu captions -> item %lld %s\n",
                  static_cast<long long>(video.id), video.name.c_str(), done->outcome->cues,
                  static_cast<long long>(text->id), text->name.c_str());
    } else {
      std::printf("read    %-6lld %s: no captions found\n", static_cast<long long>(video.id),
                  video.name.c_str());
    }
  }
  bar.Clear();
  if (!g.quiet && videos.empty()) std::printf("no video needs its captions read\n");
  if (!g.quiet && skipped > 0) std::printf("%zu already read\n", skipped);
  return failed == 0 ? kExitOk : kExitBadInput;
}

// The videos `refs` names (or every one not read) on `archive`, each read
// with `one`; exit code.
template <typename A>
int CaptionsOn(const GlobalOptions& g, A* archive, const std::vector<std::string>& refs,
               const CaptionOne& one) {
  auto videos = ItemsToWorkOn(
      archive, refs, NeedsCaptions, [](const Item& it) { return it.kind == "video"; }, "a video");
  if (!videos.ok()) return ReportError(videos.status());
  return CaptionEach(g, *videos, one);
}

int RunCaptions(const GlobalOptions& g, const CaptionsCommand& c) {
  if (IsPostgresUri(g.archive)) {
    auto cluster = PgArchive::Open(g.archive);
    if (!cluster.ok()) return ReportError(cluster.status());
    PgArchive* pg = cluster->get();
    return CaptionsOn(g, pg, c.refs,
                      [&](int64_t id) { return CaptionVideoOnCluster(pg, id, c.options); });
  }
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  Archive* dir = archive->get();
  return CaptionsOn(g, dir, c.refs, [&](int64_t id) { return CaptionVideo(dir, id, c.options); });
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
      "to the video like a subtitle file, marked as read by OCR. `uncut add --captions`\n"
      "does this as videos are added. Each video is committed on its own, on a directory\n"
      "or a PostgreSQL archive.\n\n"
      "Examples:\n  uncut captions\n  uncut captions 12 --ocr-lang fas");
  return {cmd, [g, c] { return RunCaptions(*g, *c); }};
}

}  // namespace uncut

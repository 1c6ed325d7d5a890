// `uncut capture URL...` and `uncut capture --again ITEM`: parses the
// command line and captures through capture/capture.h; a re-capture is
// added as a new capture linked to the old and compared with it.
#include <cstdio>
#include <memory>

#include "base/file.h"
#include "base/strings.h"
#include "capture/capture.h"
#include "capture/capture_into.h"
#include "capture/record.h"
#include "cli/subcommands.h"
#include "ingest/ingest.h"
#include "proof/item_timestamps.h"
#include "storage/pg_conn.h"
#include "store/archive.h"
#include "trace/media_trace.h"
#include "trace/text_trace.h"

namespace uncut {
namespace {

// Exit codes of --again (docs/cli.md).
constexpr int kAgainUnchanged = kExitOk;
constexpr int kAgainChanged = 1;  // text edited, media replaced, or the page gone

struct CaptureArgs {
  std::vector<std::string> urls;
  std::string again;  // --again ITEM
  TsaOptions tsa;
  bool no_tsa = false;
  bool tsa_optional = false;
  bool browser = false;  // also render HTML pages in headless Chromium
  std::string title, note;
  uint64_t max_size_mib = 2048;
  int time_limit_s = 1800;
};

// Adds a capture (to a directory or a cluster, capture/capture_into.h)
// with the archive's or the command line's TSA; a first capture into a
// directory that fails removes the archive it would have created.
absl::StatusOr<std::vector<AddedFile>> AddCaptureTo(const GlobalOptions& g, const CaptureArgs& a,
                                                    const Capture& c,
                                                    const nlohmann::json& recapture_of) {
  const bool cluster = IsPostgresUri(g.archive);
  bool created = !cluster && !PathExists(JoinPath(g.archive, "catalog.sqlite"));
  CaptureInto to;
  to.archive = g.archive;
  to.options.title = a.title;
  to.options.note = a.note;
  to.options.tsa_optional = a.tsa_optional;
  to.options.tsa = a.tsa;
  to.no_tsa = a.no_tsa;
  std::vector<std::string> warnings;
  auto added = AddCaptureInto(to, c, recapture_of, &warnings);
  for (const std::string& w : warnings) {
    std::fprintf(stderr, "uncut: warning: %s (--tsa-optional)\n", w.c_str());
  }
  if (!added.ok() && created) RemoveEmptyArchive(g.archive);
  return added;
}

FetchLimits Limits(const CaptureArgs& a) {
  FetchLimits limits;
  limits.max_bytes = a.max_size_mib << 20;
  limits.time_limit_s = a.time_limit_s;
  return limits;
}

void PrintAdded(const GlobalOptions& g, const Capture& c, const std::vector<AddedFile>& added) {
  if (g.quiet) return;
  for (size_t i = 0; i < added.size(); ++i) {
    const Item& it = added[i].item;
    const CapturedFile& f = c.files[i];
    std::string what = CapturedRole(f, it);
    std::printf("%s %-6lld %s  %s (%s, %s)\n", added[i].existed ? "exists  " : "captured",
                static_cast<long long>(it.id), it.sha256.substr(0, 12).c_str(), c.url.c_str(),
                what.c_str(), f.tool.c_str());
  }
}

int RunCapture(const GlobalOptions& g, const CaptureArgs& a) {
  int worst = kExitOk;
  for (const std::string& url : a.urls) {
    CaptureScratch scratch;
    if (scratch.path().empty()) return ReportError(absl::InternalError("cannot make a temporary folder"));
    auto capture = CaptureUrl(url, scratch.path(), Limits(a), {.browser = a.browser});
    if (absl::IsFailedPrecondition(capture.status())) return ReportError(capture.status());
    if (!capture.ok()) {
      std::fprintf(stderr, "uncut: %s\n", std::string(capture.status().message()).c_str());
      worst = std::max(worst, kExitBadInput);
      continue;
    }
    for (const std::string& w : capture->warnings) std::fprintf(stderr, "uncut: warning: %s\n", w.c_str());
    auto added = AddCaptureTo(g, a, *capture, nullptr);
    if (!added.ok()) {
      int rc = ReportError(added.status());
      if (rc != kExitBadInput) return rc;
      worst = std::max(worst, rc);
      continue;
    }
    PrintAdded(g, *capture, *added);
  }
  return worst;
}

// An index that answers only with one item's postings: a trace against one
// archived source.
class OneItemPostings : public PostingSource {
 public:
  OneItemPostings(PostingSource* base, int64_t item) : base_(base), item_(item) {}
  absl::Status Lookup(Modality modality, const std::vector<uint64_t>& keys, size_t max_per_key,
                      std::vector<Posting>* out) override {
    std::vector<Posting> all;
    absl::Status s = base_->Lookup(modality, keys, max_per_key, &all);
    if (!s.ok()) return s;
    for (const Posting& p : all) {
      if (p.item == item_) out->push_back(p);
    }
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> PostingCount(Modality modality) override {
    return base_->PostingCount(modality);
  }
  absl::Status ForEachPosting(Modality modality,
                              const std::function<bool(const Posting&)>& fn) override {
    return base_->ForEachPosting(modality,
                                 [&](const Posting& p) { return p.item != item_ || fn(p); });
  }
  std::string IndexName() const override { return base_->IndexName(); }

 private:
  PostingSource* base_;
  int64_t item_;
};

// The page a web capture holds for `url`: the text part whose URL is the
// one captured, else its first text part.
absl::StatusOr<std::optional<Item>> PageOf(CatalogReader& catalog, const Item& capture,
                                           const std::string& url) {
  if (capture.kind != "container") return std::optional<Item>(capture);
  auto children = catalog.Children(capture.id);
  if (!children.ok()) return children.status();
  std::optional<Item> first;
  for (const Item& c : *children) {
    if (c.kind != "text") continue;
    if (c.meta.source_url.value_or("") == url) return std::optional<Item>(c);
    if (!first) first = c;
  }
  return first;
}

std::string When(const Item& item) {
  return item.meta.captured_at ? StrCat(" (captured at ", *item.meta.captured_at, ")") : "";
}

// Compares the page the new capture holds with the old page.
absl::StatusOr<int> ComparePages(const Storage& archive, const Item& old_page,
                                 const Item& new_capture, const std::string& url) {
  ASSIGN_OR_RETURN(std::optional<Item> page, PageOf(*archive.catalog, new_capture, url));
  if (!page) {
    std::printf("replaced: %s now serves no page uncut reads (item %lld)\n", url.c_str(),
                static_cast<long long>(new_capture.id));
    return kAgainChanged;
  }
  if (page->sha256 == old_page.sha256) {
    std::printf("unchanged: the page is the same (SHA-256 %s) as item %lld%s\n",
                page->sha256.substr(0, 12).c_str(), static_cast<long long>(old_page.id),
                When(old_page).c_str());
    return kAgainUnchanged;
  }
  ASSIGN_OR_RETURN(StoredText old_text, archive.catalog->LoadText(old_page.id));
  ASSIGN_OR_RETURN(StoredText new_text, archive.catalog->LoadText(page->id));
  if (old_text.text.text == new_text.text.text) {
    std::printf("unchanged: the page's text is the same as item %lld's%s (its bytes differ)\n",
                static_cast<long long>(old_page.id), When(old_page).c_str());
    return kAgainUnchanged;
  }
  std::printf("text edited: item %lld (now) against item %lld%s; \"omitted\" is text the page "
              "no longer has, \"added\" text it has now\n",
              static_cast<long long>(page->id), static_cast<long long>(old_page.id),
              When(old_page).c_str());
  if (!CheckExtractSize(new_text.text.text.size()).ok()) {
    std::printf("(the page is too long to trace: %zu bytes)\n", new_text.text.text.size());
    return kAgainChanged;
  }
  OneItemPostings only_old(archive.postings, old_page.id);
  Storage storage = archive;
  storage.postings = &only_old;
  ASSIGN_OR_RETURN(TraceReport report, TraceText(storage, new_text.text.text));
  std::fputs(ReportToText(report, false).c_str(), stdout);
  return kAgainChanged;
}

// Compares newly fetched media with the old media item.
absl::StatusOr<int> CompareMedia(const Storage& archive, const Item& old_media, const AddedFile& now,
                                 const std::string& media_path) {
  if (now.item.sha256 == old_media.sha256) {
    std::printf("unchanged: the media is the same (SHA-256 %s) as item %lld%s\n",
                now.item.sha256.substr(0, 12).c_str(), static_cast<long long>(old_media.id),
                When(old_media).c_str());
    return kAgainUnchanged;
  }
  std::printf("media replaced: item %lld (now) against item %lld%s\n",
              static_cast<long long>(now.item.id), static_cast<long long>(old_media.id),
              When(old_media).c_str());
  OneItemPostings only_old(archive.postings, old_media.id);
  Storage storage = archive;
  storage.postings = &only_old;
  ASSIGN_OR_RETURN(TraceReport report, TraceMedia(storage, media_path));
  std::fputs(ReportToText(report, false).c_str(), stdout);
  return kAgainChanged;
}

// The earlier capture is read through the catalog interface (a directory's
// or a cluster's), and the new one is added as `capture` adds.
int RunAgain(const GlobalOptions& g, const CaptureArgs& a) {
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  CatalogReader& catalog = *archive->storage().catalog;
  auto item = archive->FindItem(a.again);
  if (!item.ok()) return ReportError(item.status());
  // The capture the item belongs to: itself, or the web capture holding it.
  Item top = *item;
  if (item->parent_id) {
    auto parent = catalog.GetItem(*item->parent_id);
    if (!parent.ok()) return ReportError(parent.status());
    top = *parent;
  }
  auto record = ItemCaptureRecord(catalog, top);
  if (!record.ok()) return ReportError(record.status());
  std::string url = record->is_object() ? record->value("url", "") : top.meta.source_url.value_or("");
  if (url.empty()) url = item->meta.source_url.value_or("");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return ReportError(absl::InvalidArgumentError(
        StrCat("item ", item->id, ": has no http:// or https:// source URL to capture again")));
  }
  bool old_is_media = top.kind == "video" || top.kind == "audio";
  std::optional<Item> old_page;
  if (!old_is_media) {
    auto page = PageOf(catalog, item->parent_id ? *item : top, url);
    if (!page.ok()) return ReportError(page.status());
    old_page = *page;
  }
  CaptureScratch scratch;
  if (scratch.path().empty()) return ReportError(absl::InternalError("cannot make a temporary folder"));
  auto capture = CaptureUrl(url, scratch.path(), Limits(a), {.browser = a.browser});
  if (absl::IsNotFound(capture.status())) {
    std::printf("page gone: %s; the archive keeps item %lld%s\n",
                NotCapturedReason(capture.status()).c_str(),
                static_cast<long long>(top.id), When(top).c_str());
    return kAgainChanged;
  }
  if (absl::IsFailedPrecondition(capture.status())) return ReportError(capture.status());
  if (!capture.ok()) {  // not captured (unreachable, another HTTP error): nothing added
    std::fprintf(stderr, "uncut: %s\n", std::string(capture.status().message()).c_str());
    return kExitBadInput;
  }
  for (const std::string& w : capture->warnings) std::fprintf(stderr, "uncut: warning: %s\n", w.c_str());
  nlohmann::json link = {{"id", top.id}};
  if (top.meta.captured_at) link["captured_at"] = *top.meta.captured_at;
  auto added = AddCaptureTo(g, a, *capture, link);
  if (!added.ok()) return ReportError(added.status());
  PrintAdded(g, *capture, *added);
  // The new capture is read through a fresh handle: the catalog changed.
  archive->embedded.reset();
  archive->postgres.reset();
  auto now = OpenAnyForReading(g);
  if (!now.ok()) return ReportError(now.status());
  absl::StatusOr<int> rc;
  if (old_is_media) {
    size_t media = 0;
    while (media < capture->files.size() && capture->files[media].tool.rfind("yt-dlp", 0) != 0) ++media;
    if (media == capture->files.size()) {
      std::printf("replaced: %s now serves a page, not media like item %lld\n", url.c_str(),
                  static_cast<long long>(top.id));
      return kAgainChanged;
    }
    rc = CompareMedia(now->storage(), top, (*added)[media], capture->files[media].path);
  } else if (!old_page) {
    std::printf("changed: item %lld held no page uncut reads to compare with\n",
                static_cast<long long>(top.id));
    return kAgainChanged;
  } else {
    rc = ComparePages(now->storage(), *old_page, (*added)[0].item, url);
  }
  if (!rc.ok()) return ReportError(rc.status());
  return *rc;
}

}  // namespace

Subcommand AddCaptureCommand(CLI::App* app, const GlobalOptions* g) {
  auto a = std::make_shared<CaptureArgs>();
  CLI::App* cmd = app->add_subcommand(
      "capture", "fetch web pages, media and files at URLs into the archive, with their provenance");
  cmd->add_option("urls", a->urls, "http:// or https:// URLs");
  cmd->add_option("--again", a->again,
                  "capture ITEM's URL anew and report what changed since (exit 0 unchanged, 1 changed)");
  cmd->add_option("--title", a->title, "a title for the capture");
  cmd->add_flag("--browser", a->browser,
                "also render HTML pages in headless Chromium and keep the document their "
                "scripts leave (pages that write their text with JavaScript)");
  cmd->add_option("--note", a->note, "a note kept with the capture");
  cmd->add_option("--max-size", a->max_size_mib, "largest file one capture may fetch, in MiB (default 2048)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
  cmd->add_option("--time-limit", a->time_limit_s,
                  "longest one fetching tool may run, in seconds (default 1800)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--tsa", a->tsa.url, "time-stamp each capture (RFC 3161), as for add");
  cmd->add_option("--tsa-ca", a->tsa.ca_file, "the authority's CA certificates (PEM)");
  cmd->add_flag("--tsa-optional", a->tsa_optional, "capture without a timestamp if the TSA fails");
  cmd->add_flag("--no-tsa", a->no_tsa,
                "capture without timestamps even when the archive names an authority")
      ->excludes("--tsa");
  cmd->footer(
      "A page (or any file) is fetched with GNU Wget into a WARC file (the HTTP request and\n"
      "response, headers included); media (a video or audio file, an HLS or DASH stream, or the\n"
      "media of a page yt-dlp knows) with yt-dlp, kept with what the platform says about it\n"
      "(uploader, upload date, platform id). A media URL is fetched with yt-dlp alone; a page\n"
      "that embeds media gives the page and the media, linked. Each item keeps the source URL,\n"
      "the capture time and the tool and its version (`uncut show`). A URL that cannot be\n"
      "fetched is one line and leaves nothing in the archive; the others are captured.\n"
      "With --browser, an HTML page is also loaded in headless Chromium, its scripts run, and\n"
      "the document they leave is kept as a page item beside the WARC (`rendered from`).\n\n"
      "--again ITEM captures ITEM's URL anew as a new capture linked to the old one and says\n"
      "what changed: unchanged (exit 0); text edited, media replaced or page gone (exit 1,\n"
      "with a trace of the new against the old); could not capture (exit 3).\n\n"
      "Examples:\n"
      "  uncut capture https://example.org/statement.html\n"
      "  uncut capture https://example.org/briefing.mp4 --max-size 500\n"
      "  uncut capture --browser https://example.org/app-page\n"
      "  uncut capture --again 12");
  return {cmd, [g, a] {
            if (a->again.empty() == a->urls.empty()) {
              std::fprintf(stderr, "uncut: capture: give URLs or --again ITEM (not both)\n");
              return kExitUsage;
            }
            for (const std::string& url : a->urls) {
              if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
                return ReportError(absl::InvalidArgumentError(
                    StrCat(url, ": not an http:// or https:// URL; nothing captured")));
              }
            }
            return a->again.empty() ? RunCapture(*g, *a) : RunAgain(*g, *a);
          }};
}

}  // namespace uncut

#include "capture/capture.h"

#include <cstdlib>
#include <filesystem>

#include "base/strings.h"
#include "capture/record.h"
#include "ingest/ingest.h"
#include "proof/item_timestamps.h"

namespace uncut {
namespace {

nlohmann::json BaseRecord(const std::string& url, const std::string& captured_at,
                          const std::string& tool) {
  return {{"url", url}, {"captured_at", captured_at}, {"tool", tool}};
}

}  // namespace

CaptureScratch::CaptureScratch() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = StrCat(base && *base ? base : "/tmp", "/uncut-capture-XXXXXX");
  if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

CaptureScratch::~CaptureScratch() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string NotCapturedReason(const absl::Status& s) {
  std::string m(s.message());
  size_t at = m.find(": not captured: ");
  return at == std::string::npos ? m : m.substr(at + 16);
}

absl::StatusOr<Capture> CaptureUrl(const std::string& url, const std::string& scratch,
                                   const FetchLimits& limits, const CaptureHow& how) {
  std::string wget = WgetVersion(scratch);
  if (wget.empty()) {
    return absl::FailedPreconditionError(
        "capture needs GNU Wget, which is not installed (apt-get install wget)");
  }
  std::string ytdlp = YtDlpVersion(scratch);
  std::string chromium = how.browser ? ChromiumVersion(scratch) : "";
  if (how.browser && chromium.empty()) {
    return absl::FailedPreconditionError(
        "capture --browser needs Chromium, which is not installed (apt-get install chromium)");
  }
  Capture out;
  out.url = url;
  std::string captured_at = NowRfc3339();
  UrlProbe probe = ProbeUrl(url, scratch);
  if (IsMediaUrl(url, probe)) {
    if (ytdlp.empty()) {
      return absl::FailedPreconditionError(StrCat(
          url, ": not captured: media needs yt-dlp, which is not installed (apt-get install yt-dlp)"));
    }
    auto media = FetchMedia(url, scratch, limits);
    if (!media.ok()) return media.status();
    CapturedFile f{media->path, url, ytdlp, BaseRecord(url, captured_at, ytdlp)};
    f.record.update(media->metadata);
    if (!probe.headers.empty()) f.record["response_headers"] = probe.headers;
    f.title = media->metadata.value("title", "");
    out.files.push_back(std::move(f));
    return out;
  }
  auto warc = FetchPage(url, scratch, limits);
  if (!warc.ok()) return warc.status();
  out.files.push_back({*warc, url, wget, BaseRecord(url, captured_at, wget)});
  bool html = !probe.answered || probe.content_type == "text/html";
  if (how.browser && html) {
    auto dom = RenderPage(url, scratch, limits);
    if (!dom.ok()) return dom.status();
    CapturedFile f{*dom, url, StrCat(chromium, " (headless)"),
                   BaseRecord(url, captured_at, StrCat(chromium, " (headless)"))};
    f.rendered_from = 0;
    out.files.push_back(std::move(f));
  }
  // The media an HTML page embeds, where yt-dlp knows how to find it.
  if (ytdlp.empty() || (probe.answered && probe.content_type != "text/html")) return out;
  if (!YtDlpFindsMedia(url, scratch, limits)) return out;
  auto media = FetchMedia(url, scratch, limits);
  if (!media.ok()) {
    out.warnings.push_back(StrCat(url, ": the page is captured, not the media it embeds: ",
                                  NotCapturedReason(media.status())));
    return out;
  }
  CapturedFile f{media->path, url, ytdlp, BaseRecord(url, captured_at, ytdlp)};
  f.record.update(media->metadata);
  f.title = media->metadata.value("title", "");
  f.embedded_in = 0;
  out.files.push_back(std::move(f));
  return out;
}

absl::StatusOr<std::vector<AddedFile>> AddCapture(Archive* archive, const CaptureOptions& o,
                                                  const Capture& c,
                                                  const nlohmann::json& recapture_of,
                                                  std::vector<std::string>* warnings) {
  std::vector<AddedFile> added;
  auto batch = archive->BeginWrite();
  if (!batch.ok()) return batch.status();
  if (!o.actor.empty()) (*batch)->SetActor(o.actor, o.client);
  bool tsa_on = !o.tsa.url.empty();
  for (size_t i = 0; i < c.files.size(); ++i) {
    const CapturedFile& f = c.files[i];
    AddOptions options;
    options.meta.source_url = f.url;
    options.meta.captured_at = f.record.value("captured_at", "");
    if (!o.title.empty()) {
      options.meta.title = o.title;
    } else if (!f.title.empty()) {
      options.meta.title = f.title;
    }
    options.meta.note =
        StrCat("captured with ", f.tool, " by uncut capture", o.note.empty() ? "" : "; ", o.note);
    auto outcome = AddFile(batch->get(), f.path, options);
    if (!outcome.ok()) {  // named by the URL, not by the temporary file
      std::string why(outcome.status().message());
      if (why.rfind(f.path + ": ", 0) == 0) why.erase(0, f.path.size() + 2);
      return absl::Status(outcome.status().code(), StrCat(f.url, ": not captured: ", why));
    }
    added.push_back({outcome->item, outcome->existed});
    if (outcome->existed) continue;
    nlohmann::json record = f.record;
    if (f.embedded_in >= 0) {
      record["embedded_in"] = {{"id", added[f.embedded_in].item.id}, {"url", f.url}};
    }
    if (f.rendered_from >= 0) {
      record["rendered_from"] = {{"id", added[f.rendered_from].item.id}, {"url", f.url}};
    }
    if (i == 0 && !recapture_of.is_null()) record["recapture_of"] = recapture_of;
    absl::Status blob = (*batch)->AddBlob(outcome->item.id, kCaptureBlob, record.dump());
    if (!blob.ok()) return blob;
    if (!tsa_on) continue;
    absl::Status stamped = StampQueuedItem(batch->get(), outcome->item, o.tsa);
    if (!stamped.ok() && !o.tsa_optional) return stamped;
    if (!stamped.ok()) {
      warnings->push_back(StrCat(stamped.message(), "; capturing without timestamps"));
      tsa_on = false;
    }
  }
  absl::Status committed = (*batch)->Commit();
  if (!committed.ok()) return committed;
  absl::Status compacted = (*batch)->Compact();
  if (!compacted.ok()) return compacted;
  return added;
}

std::string CapturedRole(const CapturedFile& f, const Item& item) {
  if (item.kind == "container") return "page";
  if (f.rendered_from >= 0) return "page as a browser rendered it";
  return f.embedded_in >= 0 ? StrCat(item.kind, " embedded in the page") : item.kind;
}

}  // namespace uncut

// Routes for reading and removing archived items, and for saved traces.
#include <algorithm>
#include <memory>

#include "base/file.h"
#include "base/strings.h"
#include "ingest/media_ingest.h"
#include "report/trace_report.h"
#include "server/api.h"
#include "server/http_util.h"
#include "server/item_search.h"
#include "speech/transcribe.h"
#include "store/original.h"
#include "store/saved_traces.h"

namespace uncut::server {
namespace {

constexpr size_t kChunk = 256 << 10;

std::string PercentEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string AttachmentHeader(const std::string& name) {
  std::string safe = SafeFileName(name);
  std::string ascii;
  for (char c : safe) ascii += (static_cast<unsigned char>(c) < 0x80) ? c : '_';
  return StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''", PercentEncode(safe));
}

void ListItems(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto offset = IntParam(req, "offset", 0, 0, INT32_MAX);
  auto limit = IntParam(req, "limit", 50, 1, 1000);
  if (!offset.ok()) return SendError(res, offset.status());
  if (!limit.ok()) return SendError(res, limit.status());
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  auto items = ctx.items->Items(archive->get());
  if (!items.ok()) return SendError(res, items.status());
  auto page = SearchArchive((*archive)->catalog(), **items, req.get_param_value("q"),
                            req.get_param_value("kind"), static_cast<size_t>(*offset),
                            static_cast<size_t>(*limit));
  if (!page.ok()) return SendError(res, page.status());
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < page->items.size(); ++i) {
    nlohmann::json j = ItemToJson(page->items[i]);
    if (!page->snippets[i].empty()) j["snippet"] = SnippetToJson(page->snippets[i]);
    list.push_back(std::move(j));
  }
  SendJson(res, 200, {{"total", page->total}, {"offset", *offset}, {"items", std::move(list)}});
}

void ShowItem(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  auto item = (*archive)->FindItem(req.matches[1]);
  if (!item.ok()) return SendError(res, item.status());
  nlohmann::json j = ItemToJson(*item);
  auto children = (*archive)->catalog()->Children(item->id);
  if (!children.ok()) return SendError(res, children.status());
  j["children"] = nlohmann::json::array();
  for (const Item& c : *children) j["children"].push_back(ItemToJson(c));
  auto traces = (*archive)->records()->SavedTracesOfItem(item->id);
  if (!traces.ok()) return SendError(res, traces.status());
  j["saved_traces"] = nlohmann::json::array();
  for (const SavedTrace& t : *traces) {
    j["saved_traces"].push_back({{"id", t.id},
                                 {"traced_at", t.traced_at},
                                 {"query_kind", t.query_kind},
                                 {"verdict", t.verdict}});
  }
  SendJson(res, 200, j);
}

// Originals up to this size are read and checked before the first byte is
// sent; larger ones are streamed with hashing (see docs/api.md).
constexpr uint64_t kCheckFirstBytes = 16 << 20;

void SetOriginalHeaders(const Item& item, httplib::Response& res) {
  res.set_header("Content-Disposition", AttachmentHeader(item.name));
  res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
  res.set_header("X-Uncut-SHA256", item.sha256);
}

// An original kept in a cluster, always whole (no ranges): read and checked
// first up to kCheckFirstBytes; a larger one is streamed from its pieces as
// they are read, each piece sent only once the next has arrived, so that
// when the whole does not hash to the item's SHA-256 the last piece is never
// sent and the client gets fewer bytes than Content-Length says.
void SendClusterOriginal(ArchivePool::Lease lease, const Item& item, httplib::Response& res) {
  if (item.size <= kCheckFirstBytes) {
    auto original = lease->postgres()->OpenOriginal(item);
    if (!original.ok()) return SendError(res, original.status());
    auto bytes = original->Bytes();
    if (!bytes.ok()) return SendError(res, bytes.status());
    SetOriginalHeaders(item, res);
    res.set_content(std::string(*bytes), "application/octet-stream");
    return;
  }
  auto shared = std::make_shared<ArchivePool::Lease>(std::move(lease));
  SetOriginalHeaders(item, res);
  res.set_content_provider(
      item.size, "application/octet-stream",
      [shared, item](size_t offset, size_t, httplib::DataSink& sink) {
        if (offset != 0) return false;
        std::string pending;
        bool sent = true;
        absl::Status read = (*shared)->postgres()->ReadOriginal(
            item, [&](std::string_view piece) -> absl::Status {
              if (!pending.empty() && !sink.write(pending.data(), pending.size())) {
                sent = false;
                return absl::CancelledError("the client went away");
              }
              pending.assign(piece.data(), piece.size());
              return absl::OkStatus();
            });
        if (!read.ok() || !sent) return false;
        return pending.empty() || sink.write(pending.data(), pending.size());
      });
}

void DownloadOriginal(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  auto item = (*archive)->FindItem(req.matches[1]);
  if (!item.ok()) return SendError(res, item.status());
  if ((*archive)->postgres()) return SendClusterOriginal(std::move(*archive), *item, res);
  Archive* embedded = (*archive)->embedded();
  // The path comes from the catalog (an object name under objects/), never from the request.
  auto stream = OriginalStream::Open(embedded, *item);
  if (!stream.ok()) return SendError(res, stream.status());
  auto set_headers = [&] { SetOriginalHeaders(*item, res); };
  // Always served as bytes: an archived web page must not run in this origin.
  if (item->size <= kCheckFirstBytes) {
    // Read whole and checked: a damaged original gets an error, not bytes.
    std::string bytes(item->size, '\0');
    size_t done = 0;
    while (true) {
      auto n = stream->Read(bytes.data() + done, bytes.size() - done);
      if (!n.ok()) return SendError(res, n.status());
      if (*n == 0) break;
      done += *n;
    }
    set_headers();
    res.set_content(std::move(bytes), "application/octet-stream");
    return;
  }
  if (req.has_header("Range")) {
    // A part of a large original: its whole is checked first (once per
    // process while the file is unchanged), then the part is read.
    absl::Status checked = CheckOriginalOnce(embedded, *item);
    if (!checked.ok()) return SendError(res, checked);
    auto file = File::OpenForRead(embedded->ObjectPath(item->object));
    if (!file.ok()) return SendError(res, file.status());
    auto shared = std::make_shared<File>(std::move(*file));
    uint64_t base = item->object_offset;
    set_headers();
    res.set_content_provider(item->size, "application/octet-stream",
                             [shared, base](size_t offset, size_t length, httplib::DataSink& sink) {
                               std::string buf(std::min(length, kChunk), '\0');
                               auto n = shared->ReadAt(buf.data(), buf.size(), base + offset);
                               if (!n.ok() || *n == 0) return false;
                               return sink.write(buf.data(), *n);
                             });
    return;
  }
  // A whole large original is hashed as it is sent. The read that reaches
  // the end checks the digest and, on a mismatch, the connection is closed
  // before the last chunk: the client gets fewer bytes than Content-Length
  // says, never a clean end.
  auto shared = std::make_shared<OriginalStream>(std::move(*stream));
  set_headers();
  res.set_content_provider(item->size, "application/octet-stream",
                           [shared](size_t offset, size_t length, httplib::DataSink& sink) {
                             if (offset != shared->position()) return false;
                             std::string buf(std::min(length, kChunk), '\0');
                             auto n = shared->Read(buf.data(), buf.size());
                             if (!n.ok() || *n == 0) return false;
                             return sink.write(buf.data(), *n);
                           });
}

void ItemText(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  auto item = (*archive)->FindItem(req.matches[1]);
  if (!item.ok()) return SendError(res, item.status());
  auto text = (*archive)->catalog()->LoadText(item->id);
  if (!text.ok()) return SendError(res, text.status());
  res.set_content(text->text.text, "text/plain; charset=utf-8");
}

void Thumbnail(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  auto item = (*archive)->FindItem(req.matches[1]);
  if (!item.ok()) return SendError(res, item.status());
  auto blob = (*archive)->catalog()->LoadBlob(item->id, kThumbnailBlob);
  if (!blob.ok()) return SendError(res, blob.status());
  if (!*blob)
    return SendError(res, absl::NotFoundError(StrCat("item ", item->id, " has no thumbnail")));
  res.set_header("Cache-Control", "private, max-age=3600");
  res.set_content(**blob, "image/jpeg");
}

// Removes item `id` and what is inside it, in one transaction.
absl::Status RemoveOne(ServedArchive* archive, int64_t id, const std::string& client) {
  if (PgArchive* cluster = archive->postgres()) return cluster->RemoveItems({id}, "token", client);
  auto batch = archive->embedded()->BeginWrite();
  if (!batch.ok()) return batch.status();
  (*batch)->SetActor("token", client);
  absl::Status s = (*batch)->RemoveItem(id);
  return s.ok() ? (*batch)->Commit() : s;
}

void RemoveItem(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string ref = req.matches[1];
  std::string dir = ctx.archive_dir;
  {
    // Say "not found" at once rather than in a failed job.
    auto archive = ctx.pool->Acquire();
    if (!archive.ok()) return SendError(res, archive.status());
    auto item = (*archive)->FindItem(ref);
    if (!item.ok()) return SendError(res, item.status());
  }
  std::string client = req.remote_addr;
  auto id = ctx.jobs->Submit(kWriteLane, "remove", SubmitterOf(ctx, req), [dir, ref, client](JobControl& job) -> absl::Status {
    job.Progress({0, 1, "items", StrCat("removing ", ref)});
    auto archive = ServedArchive::Open(dir);
    if (!archive.ok()) return archive.status();
    auto item = (*archive)->FindItem(ref);
    if (!item.ok()) return item.status();
    absl::Status s = RemoveOne(archive->get(), item->id, client);
    if (!s.ok()) return s;
    job.Progress({1, 1, "items", "removed"});
    job.SetResult({{"removed", ItemToJson(*item)}});
    return absl::OkStatus();
  });
  if (!id.ok()) return SendError(res, id.status());
  SendSubmitted(ctx, *id, res);
}

// Speech recognition of a recording, as a job on the write lane (one
// transaction, like `uncut transcribe ITEM`).
void TranscribeItem(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string ref = req.matches[1];
  std::string dir = ctx.archive_dir;
  {
    auto archive = ctx.pool->Acquire();
    if (!archive.ok()) return SendError(res, archive.status());
    auto item = (*archive)->FindItem(ref);
    if (!item.ok()) return SendError(res, item.status());
    if (item->kind != "video" && item->kind != "audio") {
      return SendError(res, absl::InvalidArgumentError(StrCat(
                                "item ", item->id, " is not a video or audio recording")));
    }
  }
  std::string client = req.remote_addr;
  auto id = ctx.jobs->Submit(kWriteLane, "transcribe", SubmitterOf(ctx, req), [dir, ref, client](JobControl& job) -> absl::Status {
    auto progress = [&job](double done_s, double total_s) {
      job.Progress({static_cast<uint64_t>(done_s), static_cast<uint64_t>(total_s), "seconds",
                    "recognising speech"});
    };
    if (IsPostgresUri(dir)) {
      // On a cluster: the transcript is added as an upload is (staged, then
      // copied in one transaction with the recording's new info).
      auto archive = PgArchive::Open(dir);
      if (!archive.ok()) return archive.status();
      auto item = (*archive)->FindItem(ref);
      if (!item.ok()) return item.status();
      absl::StatusOr<TranscribeOutcome> outcome =
          absl::AlreadyExistsError("already transcribed");
      if (NeedsTranscript(*item)) {
        outcome = TranscribeOnCluster(archive->get(), *item, RecognizerOptions(), progress,
                                      "token", client);
      }
      if (absl::IsAlreadyExists(outcome.status())) {
        job.SetResult({{"item", ItemToJson(*item)}, {"status", "already transcribed"}});
        return absl::OkStatus();
      }
      if (!outcome.ok()) return outcome.status();
      nlohmann::json result = {{"item", ItemToJson(*item)}, {"status", outcome->status},
                               {"words", outcome->words}};
      if (outcome->transcript) result["transcript"] = ItemToJson(*outcome->transcript);
      job.SetResult(std::move(result));
      return absl::OkStatus();
    }
    auto archive = Archive::Open(dir, Archive::Mode::kReadOnly);
    if (!archive.ok()) return archive.status();
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return batch.status();
    (*batch)->SetActor("token", client);
    auto item = (*archive)->FindItem(ref);
    if (!item.ok()) return item.status();
    if (!NeedsTranscript(*item)) {
      job.SetResult({{"item", ItemToJson(*item)}, {"status", "already transcribed"}});
      return absl::OkStatus();
    }
    auto outcome = TranscribeRecording(batch->get(), *item, RecognizerOptions(), progress);
    if (!outcome.ok()) return outcome.status();
    absl::Status s = (*batch)->Commit();
    if (!s.ok()) return s;
    nlohmann::json result = {{"item", ItemToJson(*item)}, {"status", outcome->status},
                             {"words", outcome->words}};
    if (outcome->transcript) result["transcript"] = ItemToJson(*outcome->transcript);
    job.SetResult(std::move(result));
    return absl::OkStatus();
  });
  if (!id.ok()) return SendError(res, id.status());
  SendSubmitted(ctx, *id, res);
}

void SavedTraceReport(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return SendError(res, archive.status());
  int64_t id = std::stoll(req.matches[1]);
  auto trace = (*archive)->records()->GetSavedTrace(id);
  if (!trace.ok()) return SendError(res, trace.status());
  if (req.matches[2] == "json") {
    res.set_content(trace->report_json, "application/json; charset=utf-8");
  } else {
    res.set_header("Content-Security-Policy",
                   "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    res.set_content(trace->report_html, "text/html; charset=utf-8");
  }
}

}  // namespace

void RegisterItemRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Get("/api/items", Guarded([c](const auto& req, auto& res) { ListItems(*c, req, res); }));
  http.Get("/api/items/([^/]+)",
           Guarded([c](const auto& req, auto& res) { ShowItem(*c, req, res); }));
  http.Get("/api/items/([^/]+)/original",
           Guarded([c](const auto& req, auto& res) { DownloadOriginal(*c, req, res); }));
  http.Get("/api/items/([^/]+)/text",
           Guarded([c](const auto& req, auto& res) { ItemText(*c, req, res); }));
  http.Get("/api/items/([^/]+)/thumbnail",
           Guarded([c](const auto& req, auto& res) { Thumbnail(*c, req, res); }));
  http.Delete("/api/items/([^/]+)",
              Guarded([c](const auto& req, auto& res) { RemoveItem(*c, req, res); }));
  http.Post("/api/items/([^/]+)/transcribe",
            Guarded([c](const auto& req, auto& res) { TranscribeItem(*c, req, res); }));
  http.Get(R"(/api/traces/(\d{1,15})\.(json|html))",
           Guarded([c](const auto& req, auto& res) { SavedTraceReport(*c, req, res); }));
}

}  // namespace uncut::server

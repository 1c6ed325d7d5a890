// POST /api/items: sources uploaded as multipart/form-data, streamed to
// ARCHIVE/uploads/ and added by a job on the write lane.
#include "base/file.h"
#include "base/named_message.h"
#include "base/strings.h"
#include "ingest/ingest.h"
#include "proof/item_timestamps.h"
#include "report/trace_report.h"
#include "server/api.h"
#include "server/http_util.h"
#include "server/upload_receiver.h"

namespace uncut::server {
namespace {

// The form fields that describe the uploaded sources.
UploadRules AddRules(const ApiContext& ctx) {
  UploadRules r;
  r.fields = {"source_url", "captured_at", "title", "note", "charset"};
  r.max_field_bytes = 64 << 10;
  r.missing_file_error = "no file in the upload (send multipart field \"file\")";
  r.max_upload_bytes = ctx.max_upload_bytes;
  return r;
}

absl::StatusOr<AddOptions> OptionsFrom(const Upload& up) {
  AddOptions o;
  auto get = [&](const char* k) -> std::optional<std::string> {
    auto it = up.fields.find(k);
    if (it == up.fields.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  o.meta.source_url = get("source_url");
  o.meta.captured_at = get("captured_at");
  o.meta.title = get("title");
  o.meta.note = get("note");
  o.charset = get("charset").value_or("");
  if (o.meta.captured_at) {
    absl::Status s = ValidateRfc3339(*o.meta.captured_at);
    if (!s.ok()) return absl::InvalidArgumentError(StrCat("captured_at: ", s.message()));
  }
  return o;
}

// The job: adds every uploaded file in one batch, then removes the upload.
// The audit log names the token and `client` (the request's address). With
// a time-stamping authority in the archive's settings, each new original is
// time-stamped; a file whose timestamp cannot be had is not added.
absl::Status AddUploaded(const std::string& archive_dir, const Upload& up, const AddOptions& o,
                         const std::string& client, JobControl& job) {
  uint64_t total = 0, done = 0;
  for (const UploadedFile& f : up.files) total += f.size;
  job.Progress({0, total, "bytes", "waiting for the archive's writer lock"});
  auto archive = Archive::Open(archive_dir, Archive::Mode::kReadOnly);
  if (!archive.ok()) return archive.status();
  auto batch = (*archive)->BeginWrite();
  if (!batch.ok()) return batch.status();
  (*batch)->SetActor("token", client);
  auto tsa = ConfiguredTsa(archive->get());
  if (!tsa.ok()) return tsa.status();
  nlohmann::json added = nlohmann::json::array(), existing = nlohmann::json::array(),
                 failed = nlohmann::json::array();
  for (const UploadedFile& f : up.files) {
    job.Progress({done, total, "bytes", StrCat("adding ", f.name)});
    size_t mark = (*batch)->pending_items();
    auto outcome = AddFile(batch->get(), f.path, o);
    if (outcome.ok() && !outcome->existed && !tsa->url.empty()) {
      absl::Status stamped = StampQueuedItem(batch->get(), outcome->item, *tsa);
      if (!stamped.ok()) {
        (*batch)->Truncate(mark);
        outcome = absl::Status(stamped.code(), StrCat("not time-stamped: ", stamped.message()));
      }
    }
    if (!outcome.ok()) {
      std::string msg(outcome.status().message());
      if (msg.rfind(f.path, 0) == 0) msg = f.name + msg.substr(f.path.size());
      failed.push_back({{"name", f.name}, {"error", msg}});
    } else {
      nlohmann::json j = ItemToJson(outcome->item);
      if (!outcome->warnings.empty()) j["warnings"] = outcome->warnings;
      (outcome->existed ? existing : added).push_back(std::move(j));
    }
    done += f.size;
  }
  job.Progress({done, total, "bytes", "publishing"});
  absl::Status s = (*batch)->Commit();
  if (s.ok()) s = (*batch)->Compact();
  if (!s.ok()) return s;
  job.SetResult({{"added", added}, {"existing", existing}, {"failed", failed}});
  if (added.empty() && existing.empty()) {
    std::string first = NamedMessage(failed[0]["name"].get<std::string>(),
                                     failed[0]["error"].get<std::string>());
    if (failed.size() == 1) return absl::InvalidArgumentError(StrCat("nothing was added: ", first));
    return absl::InvalidArgumentError(StrCat("nothing was added: all ", failed.size(),
                                             " files failed (the job's result lists each); first: ",
                                             first));
  }
  job.Progress({done, total, "bytes", "done"});
  return absl::OkStatus();
}

void PostItems(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) {
  if (!req.is_multipart_form_data()) {
    return SendError(
        res, absl::InvalidArgumentError("send the files as multipart/form-data (field \"file\")"));
  }
  // The headers were checked before (server.cc); this counts what arrives.
  bool too_large = false;
  auto up = ReceiveUpload(ctx.uploads_dir, AddRules(ctx),
                          LimitedReader(reader, ctx.max_upload_bytes, &too_large));
  if (too_large) return SendError(res, UploadTooLarge(ctx.max_upload_bytes));
  if (!up.ok()) return SendError(res, up.status());
  auto options = OptionsFrom(*up);
  if (!options.ok()) {
    RemoveUploadDir(*up);
    return SendError(res, options.status());
  }
  auto shared = std::make_shared<Upload>(std::move(*up));
  std::string dir = ctx.archive_dir;
  AddOptions o = *options;
  std::string client = req.remote_addr;
  auto id = ctx.jobs->Submit(kWriteLane, "add", [dir, shared, o, client](JobControl& job) {
    absl::Status s = AddUploaded(dir, *shared, o, client, job);
    RemoveUploadDir(*shared);
    return s;
  });
  if (!id.ok()) {
    RemoveUploadDir(*shared);
    return SendError(res, id.status());
  }
  res.set_header("Location", StrCat("/api/jobs/", *id));
  SendJson(res, 202, JobToJson(*ctx.jobs->Get(*id), false));
}

}  // namespace

void RegisterUploadRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Post("/api/items", Guarded([c](const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
              PostItems(*c, req, res, reader);
            }));
}

}  // namespace uncut::server

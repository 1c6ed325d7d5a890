// POST /api/items: sources uploaded as multipart/form-data, streamed to
// ARCHIVE/uploads/ and added by a job on the write lane.
#include "base/file.h"
#include "base/status_macros.h"
#include "base/named_message.h"
#include "base/strings.h"
#include "ingest/add_run.h"
#include "ingest/ingest.h"
#include "proof/item_timestamps.h"
#include "report/trace_report.h"
#include "server/api.h"
#include "server/http_util.h"
#include "server/upload_receiver.h"
#include "storage/pg_conn.h"
#include "store/staged_archive.h"

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

// The job: adds the uploaded files as `uncut add` adds a folder's (the
// same pipeline: analysed on every core, added in the upload's order), then
// removes the upload. The audit log names the token and `client` (the
// request's address). With a time-stamping authority in the archive's
// settings, each new original is time-stamped; a file whose timestamp
// cannot be had is not added. On a cluster the files are added to a staged
// archive first and then copied in, one transaction per batch
// (store/staged_archive.h), as `uncut add` does there.
absl::Status AddUploaded(const std::string& location, const Upload& up, const AddOptions& o,
                         const std::string& client, JobControl& job) {
  uint64_t total = 0;
  for (const UploadedFile& f : up.files) total += f.size;
  std::unique_ptr<PgArchive> cluster;
  std::unique_ptr<StagedArchive> staged;
  std::string dir = location;
  if (IsPostgresUri(location)) {
    job.Progress({0, total, "bytes", "connecting to the archive"});
    ASSIGN_OR_RETURN(cluster, PgArchive::Open(location));
    ASSIGN_OR_RETURN(staged, StagedArchive::Create(cluster.get()));
    dir = staged->dir();
  } else {
    job.Progress({0, total, "bytes", "waiting for the archive's writer lock"});
  }
  auto archive = Archive::Open(dir, Archive::Mode::kReadOnly);
  if (!archive.ok()) return archive.status();
  auto batch = (*archive)->BeginWrite();
  if (!batch.ok()) return batch.status();
  (*batch)->SetActor("token", client);
  auto tsa = cluster ? ConfiguredTsa(cluster.get()) : ConfiguredTsa(archive->get());
  if (!tsa.ok()) return tsa.status();
  AddRunOptions run;
  run.options = o;
  run.tsa = *tsa;
  run.on_tsa_failure = AddRunOptions::TsaFailure::kFailFile;
  std::vector<AddRunFile> files;
  for (const UploadedFile& f : up.files) files.push_back({f.path, absl::OkStatus()});

  // The job's progress, and what each file came to, as files are added.
  class Results : public AddRunObserver {
   public:
    Results(const Upload& up, JobControl& job, uint64_t total)
        : up_(up), job_(job), total_(total) {}
    void Starting(size_t i) override {
      job_.Progress({done_, total_, "bytes", StrCat("adding ", up_.files[i].name)});
    }
    void Done(size_t i, const absl::StatusOr<AddOutcome>& outcome) override {
      const UploadedFile& f = up_.files[i];
      done_ += f.size;
      if (!outcome.ok()) {
        // Named as the client named it, not by where it was received.
        std::string msg(outcome.status().message());
        if (msg.rfind(f.path, 0) == 0) msg = f.name + msg.substr(f.path.size());
        failed.push_back({{"name", f.name}, {"error", msg}});
        return;
      }
      outcomes.push_back(*outcome);
    }
    void Publishing() override { job_.Progress({done_, total_, "bytes", "publishing"}); }
    uint64_t done() const { return done_; }

    std::vector<AddOutcome> outcomes;
    nlohmann::json failed = nlohmann::json::array();

   private:
    const Upload& up_;
    JobControl& job_;
    const uint64_t total_;
    uint64_t done_ = 0;
  } results(up, job, total);

  auto summary = AddFiles(batch->get(), dir, files, run, &results);
  if (!summary.ok()) return summary.status();
  batch->reset();
  archive->reset();
  if (cluster) {
    CopyOptions copy;
    copy.actor = "token";
    copy.client = client;
    ASSIGN_OR_RETURN(CopyOutcome copied, staged->CopyInto(cluster.get(), copy));
    // The items as the cluster has them: their ids there, or the items
    // that held the same bytes already.
    for (AddOutcome& a : results.outcomes) {
      auto id = copied.ids.find(a.item.id);
      if (id != copied.ids.end()) {
        a.item.id = id->second;
        continue;
      }
      for (const Item& there : copied.present) {
        if (there.sha256 == a.item.sha256) {
          a.item = there;
          a.existed = true;
        }
      }
    }
  }
  nlohmann::json added = nlohmann::json::array(), existing = nlohmann::json::array();
  for (const AddOutcome& a : results.outcomes) {
    nlohmann::json j = ItemToJson(a.item);
    if (!a.warnings.empty()) j["warnings"] = a.warnings;
    (a.existed ? existing : added).push_back(std::move(j));
  }
  const nlohmann::json& failed = results.failed;
  job.SetResult({{"added", added}, {"existing", existing}, {"failed", failed}});
  if (added.empty() && existing.empty()) {
    std::string first = NamedMessage(failed[0]["name"].get<std::string>(),
                                     failed[0]["error"].get<std::string>());
    if (failed.size() == 1) return absl::InvalidArgumentError(StrCat("nothing was added: ", first));
    return absl::InvalidArgumentError(StrCat("nothing was added: all ", failed.size(),
                                             " files failed (the job's result lists each); first: ",
                                             first));
  }
  job.Progress({results.done(), total, "bytes", "done"});
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
  auto id = ctx.jobs->Submit(kWriteLane, "add", SubmitterOf(ctx, req), [dir, shared, o, client](JobControl& job) {
    absl::Status s = AddUploaded(dir, *shared, o, client, job);
    RemoveUploadDir(*shared);
    return s;
  });
  if (!id.ok()) {
    RemoveUploadDir(*shared);
    return SendError(res, id.status());
  }
  SendSubmitted(ctx, *id, res);
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

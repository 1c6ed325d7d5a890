#include "server/server.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "httplib.h"
#include "server/api.h"
#include "server/http_util.h"
#include "store/archive.h"

namespace uncut::server {
namespace {

// Uploads left behind by a server that stopped mid-upload, a day or more ago.
void SweepOldUploads(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> old;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    std::string path = JoinPath(dir, name);
    if (::stat(path.c_str(), &st) == 0 && std::time(nullptr) - st.st_mtime > 24 * 3600) {
      old.push_back(path);
    }
  }
  ::closedir(d);
  for (const std::string& path : old) {
    WalkFiles(
        path, [](const std::string& f) { RemoveFile(f).IgnoreError(); },
        [](const std::string&, const absl::Status&) {});
  }
}

bool NeedsToken(const ApiContext& ctx, const httplib::Request& req) {
  if (req.path.rfind("/api/", 0) != 0 || req.path == "/api/status") return false;
  bool write = req.method == "DELETE" || (req.method == "POST" && req.path == "/api/items");
  return write || !ctx.public_read;
}

}  // namespace

bool HasToken(const ApiContext& ctx, const httplib::Request& req) {
  return TokensEqual(BearerToken(req), ctx.token);
}

struct Server::Impl {
  ServerOptions options;
  AccessToken token;
  std::unique_ptr<ArchivePool> pool;
  std::unique_ptr<JobQueue> jobs;
  ItemCache items;
  ApiContext ctx;
  httplib::Server http;
  bool bound = false;
  // Run and Stop may race (Stop from a signal thread before Run listens).
  std::atomic<bool> stop_requested{false}, run_started{false}, run_finished{false};
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Stop();
  impl_->jobs->Shutdown();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  { ASSIGN_OR_RETURN(auto archive, Archive::Open(options.archive_dir, Archive::Mode::kCreate)); }
  ASSIGN_OR_RETURN(impl->token, LoadOrCreateAccessToken(options.archive_dir));
  std::string uploads = JoinPath(options.archive_dir, "uploads");
  RETURN_IF_ERROR(MakeDirs(uploads));
  ::chmod(uploads.c_str(), 0700);
  SweepOldUploads(uploads);
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t trace_workers = options.trace_workers ? options.trace_workers : cores;
  impl->pool =
      std::make_unique<ArchivePool>(options.archive_dir, options.http_threads + trace_workers);
  impl->jobs = std::make_unique<JobQueue>(
      JobQueueOptions{{{kWriteLane, 1}, {kTraceLane, trace_workers}}, 256, 200});
  ApiContext& ctx = impl->ctx;
  ctx.archive_dir = options.archive_dir;
  ctx.uploads_dir = uploads;
  ctx.token = impl->token.token;
  ctx.version = options.version;
  ctx.public_read = options.public_read;
  ctx.max_upload_bytes = options.max_upload_bytes;
  ctx.pool = impl->pool.get();
  ctx.jobs = impl->jobs.get();
  ctx.items = &impl->items;

  httplib::Server& http = impl->http;
  size_t threads = options.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options.max_upload_bytes);
  http.set_read_timeout(options.read_timeout_s, 0);
  http.set_write_timeout(options.write_timeout_s, 0);
  http.set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(100);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"X-Frame-Options", "DENY"}});
  ApiContext* c = &impl->ctx;
  http.set_pre_routing_handler([c](const httplib::Request& req, httplib::Response& res) {
    if (!NeedsToken(*c, req) || HasToken(*c, req))
      return httplib::Server::HandlerResponse::Unhandled;
    SendError(res, absl::UnauthenticatedError(
                       "this needs the access token: send \"Authorization: Bearer TOKEN\""));
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        absl::Status s;
        switch (res.status) {
          case 404:
            s = absl::NotFoundError(StrCat("no route for ", req.method, " ", req.path));
            break;
          case 413:
            s = absl::ResourceExhaustedError("the request is larger than the upload limit");
            break;
          case 400:
            s = absl::InvalidArgumentError("bad request");
            break;
          default:
            s = absl::UnknownError(StrCat("HTTP ", res.status));
        }
        int status = res.status;
        SendError(res, s);
        res.status = status;
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, absl::InternalError("internal error"));
      });
  if (options.log) {
    auto log = options.log;
    http.set_logger([log](const httplib::Request& req, const httplib::Response& res) {
      log(StrCat(req.method, " ", req.path, " ", res.status, " ", res.body.size()));
    });
  }
  RegisterPageRoutes(http, ctx);
  RegisterItemRoutes(http, ctx);
  RegisterUploadRoutes(http, ctx);
  RegisterTraceRoutes(http, ctx);
  RegisterJobRoutes(http, ctx);
  impl->options = std::move(options);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

const AccessToken& Server::token() const { return impl_->token; }

absl::StatusOr<int> Server::Bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    if (port < 0) return absl::UnavailableError(StrCat("cannot listen on ", o.host));
  } else if (!impl_->http.bind_to_port(o.host, port)) {
    return absl::UnavailableError(StrCat("cannot listen on ", o.host, ":", port,
                                         " (in use, or not an address of this machine)"));
  }
  impl_->bound = true;
  return port;
}

absl::Status Server::Run() {
  if (!impl_->bound) return absl::FailedPreconditionError("Bind() first");
  impl_->run_started = true;
  bool ok = impl_->stop_requested || impl_->http.listen_after_bind();
  impl_->run_finished = true;
  if (!ok && !impl_->stop_requested) return absl::InternalError("the HTTP server failed");
  return absl::OkStatus();
}

void Server::Stop() {
  impl_->stop_requested = true;
  if (impl_->run_started && !impl_->run_finished) {
    // Wait until the listener runs, so stop() has something to stop.
    for (int i = 0; i < 5000 && !impl_->http.is_running() && !impl_->run_finished; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  impl_->http.stop();
}

}  // namespace uncut::server

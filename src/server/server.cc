#include "server/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "httplib.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/upload_receiver.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut::server {
namespace {

constexpr uint64_t kMaxBodyOfOtherRequestsBytes = 64 << 10;

bool NeedsToken(const ApiContext& ctx, const httplib::Request& req) {
  if (req.path.rfind("/api/", 0) != 0 || req.path == "/api/status") return false;
  bool write = req.method == "DELETE" ||
               (req.method == "POST" && (req.path == "/api/items" || req.path == "/api/captures"));
  return write || !ctx.public_read;
}

// The routes that read a body: uploads and traces.
bool TakesBody(const httplib::Request& req) {
  return req.method == "POST" && (req.path == "/api/items" || req.path == "/api/trace");
}

// The request line as the routes will see it: its path and query must be
// UTF-8 (they are echoed in messages and matched against names).
absl::Status CheckTarget(const httplib::Request& req) {
  if (!IsUtf8(req.path)) {
    return absl::InvalidArgumentError(
        StrCat("the request path is not valid UTF-8: ", Printable(req.path)));
  }
  for (const auto& [name, value] : req.params) {
    if (!IsUtf8(name) || !IsUtf8(value)) {
      return absl::InvalidArgumentError(
          StrCat("the query parameter \"", Printable(name), "\" is not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

// Decides from the headers alone, before a byte of it is read, whether a
// request's body may be read. Sets *length_required when the answer is 411.
absl::Status AdmitBody(const ApiContext& ctx, const httplib::Request& req, bool* length_required) {
  size_t te_count = req.get_header_value_count("Transfer-Encoding");
  size_t cl_count = req.get_header_value_count("Content-Length");
  if (te_count > 1 || cl_count > 1 || (te_count && cl_count)) {
    return absl::InvalidArgumentError(
        "send one Content-Length or one \"Transfer-Encoding: chunked\", not several");
  }
  bool chunked = te_count == 1;
  if (chunked && !absl::EqualsIgnoreCase(req.get_header_value("Transfer-Encoding"), "chunked")) {
    return absl::UnimplementedError("of transfer encodings only \"chunked\" is supported");
  }
  uint64_t length = 0;
  if (cl_count && !absl::SimpleAtoi(req.get_header_value("Content-Length"), &length)) {
    return absl::InvalidArgumentError("Content-Length is not a number");
  }
  if (!TakesBody(req)) {
    if (chunked || length > kMaxBodyOfOtherRequestsBytes) {
      return absl::ResourceExhaustedError(
          StrCat(req.method, " ", Printable(req.path), " takes no body (or a small one)"));
    }
    return absl::OkStatus();
  }
  if (!chunked && !cl_count) {
    *length_required = true;
    return absl::InvalidArgumentError(
        "send the body with a Content-Length or \"Transfer-Encoding: chunked\"");
  }
  if (!HasToken(ctx, req)) {  // a trace under --public-read: an extract, never a file
    if (chunked) {
      return absl::UnauthenticatedError(
          "a chunked body (such as an upload) needs the access token; send an extract with a "
          "Content-Length");
    }
    if (length > kMaxBodyWithoutTokenBytes) {
      return absl::UnauthenticatedError(
          StrCat("a body of ", length,
                 " bytes (an upload) needs the access token; without it "
                 "at most ",
                 kMaxBodyWithoutTokenBytes, " bytes (an extract)"));
    }
    return absl::OkStatus();
  }
  if (length > ctx.max_upload_bytes) {
    return absl::ResourceExhaustedError(StrCat("the upload (", length,
                                               " bytes) is larger than this server's limit of ",
                                               ctx.max_upload_bytes, " bytes"));
  }
  return absl::OkStatus();
}

// The most bytes of body a connection may send for `req`, framing
// included; the routes check the content itself against the upload limit.
uint64_t BodyCap(const ApiContext& ctx, const httplib::Request& req) {
  if (!TakesBody(req)) return kMaxBodyOfOtherRequestsBytes;
  if (!HasToken(ctx, req)) return kMaxBodyWithoutTokenBytes;
  uint64_t cap = ctx.max_upload_bytes + ctx.max_upload_bytes / 8 + (1 << 20);
  return cap < ctx.max_upload_bytes ? UINT64_MAX : cap;
}

// Answers a request before its routes see it when its target is not UTF-8,
// it lacks the token it needs, or its body may not be read.
httplib::Server::HandlerResponse Admit(const ApiContext& ctx, const httplib::Request& req,
                                       httplib::Response& res) {
  absl::Status s = CheckTarget(req);
  if (s.ok() && NeedsToken(ctx, req) && !HasToken(ctx, req)) {
    s = absl::UnauthenticatedError(
        "this needs the access token: send \"Authorization: Bearer TOKEN\"");
  }
  bool length_required = false;
  if (s.ok()) s = AdmitBody(ctx, req, &length_required);
  if (s.ok()) return httplib::Server::HandlerResponse::Unhandled;
  SendError(res, s);
  if (length_required) res.status = 411;
  // The body is not read: the connection closes after this answer.
  res.set_header("Connection", "close");
  return httplib::Server::HandlerResponse::Handled;
}

// Every error without a body of its own (no route, a malformed request)
// gets the JSON error form.
httplib::Server::HandlerResponse AnswerError(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty() || res.content_provider_)
    return httplib::Server::HandlerResponse::Unhandled;
  absl::Status s;
  switch (res.status) {
    case 404:
      s = absl::NotFoundError(
          StrCat("no route for ", Printable(req.method, 16), " ", Printable(req.path)));
      break;
    case 413:
      s = absl::ResourceExhaustedError("the request is larger than the upload limit");
      break;
    case 414:
      s = absl::InvalidArgumentError("the request line is too long");
      break;
    case 400:
      s = absl::InvalidArgumentError(
          "bad request (malformed, too large a head, too slow, or a body cut short)");
      break;
    default:
      s = absl::UnknownError(StrCat("HTTP ", res.status));
  }
  int status = res.status;
  SendError(res, s);
  res.status = status;
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

bool HasToken(const ApiContext& ctx, const httplib::Request& req) {
  return TokensEqual(BearerToken(req), ctx.token);
}

// A private directory for uploads (a cluster's server), removed with
// whatever it holds.
class ScratchUploads {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchUploads>> Create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = JoinPath(tmp && *tmp ? tmp : "/tmp", "uncut-uploads-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      return ErrnoStatus(pattern, "cannot make a directory for uploads", errno);
    }
    return std::unique_ptr<ScratchUploads>(new ScratchUploads(pattern));
  }
  ~ScratchUploads() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchUploads(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct Server::Impl {
  ServerOptions options;
  AccessToken token;
  std::unique_ptr<ScratchUploads> uploads;  // a cluster's server only
  std::unique_ptr<ArchivePool> pool;
  std::unique_ptr<JobStore> jobs;
  ItemCache items;
  ApiContext ctx;
  std::unique_ptr<HttpServer> http;
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
  const bool cluster = IsPostgresUri(options.archive_dir);
  std::string uploads;
  if (cluster) {
    // Nothing of this server's own is kept with the archive: the token is
    // in the catalog (the same for every server on it), uploads in a
    // directory of this process, removed when it stops.
    ASSIGN_OR_RETURN(std::unique_ptr<PgArchive> archive, PgArchive::Open(options.archive_dir));
    ASSIGN_OR_RETURN(impl->token, LoadOrCreateAccessToken(archive.get()));
    ASSIGN_OR_RETURN(impl->uploads, ScratchUploads::Create());
    uploads = impl->uploads->path();
  } else {
    { ASSIGN_OR_RETURN(auto archive, Archive::Open(options.archive_dir, Archive::Mode::kCreate)); }
    ASSIGN_OR_RETURN(impl->token, LoadOrCreateAccessToken(options.archive_dir));
    uploads = JoinPath(options.archive_dir, "uploads");
    RETURN_IF_ERROR(MakeDirs(uploads));
    ::chmod(uploads.c_str(), 0700);
    SweepStaleUploads(uploads);
  }
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t trace_workers = options.trace_workers ? options.trace_workers : cores;
  impl->pool =
      std::make_unique<ArchivePool>(options.archive_dir, options.http_threads + trace_workers);
  ApiContext& ctx = impl->ctx;
  JobStoreOptions jobs;
  jobs.queue =
      JobQueueOptions{{{kWriteLane, 1}, {kTraceLane, trace_workers}, {kCaptureLane, 1}}, 256, 200};
  jobs.render_html = [c = &impl->ctx](const TraceReport& report) { return JobReportHtml(*c, report); };
  jobs.lease = std::chrono::milliseconds(std::max(1, options.job_lease_ms));
  ASSIGN_OR_RETURN(impl->jobs, MakeJobStore(options.archive_dir, std::move(jobs)));
  ctx.archive_dir = options.archive_dir;
  ctx.archive_name = cluster ? RedactedUri(options.archive_dir) : options.archive_dir;
  ctx.uploads_dir = uploads;
  ctx.token = impl->token.token;
  ctx.version = options.version;
  ctx.public_read = options.public_read;
  ctx.max_upload_bytes = options.max_upload_bytes;
  ctx.pool = impl->pool.get();
  ctx.jobs = impl->jobs.get();
  ctx.items = &impl->items;

  ApiContext* c = &impl->ctx;
  ConnectionLimits limits;
  limits.head_timeout_s = options.head_timeout_s;
  limits.body_idle_timeout_s = options.read_timeout_s;
  limits.write_timeout_s = options.write_timeout_s;
  limits.keep_alive_timeout_s = options.keep_alive_timeout_s;
  limits.connection_threads = std::max(options.max_connections, options.http_threads);
  limits.handler_slots = options.http_threads;
  limits.body_cap = [c](const httplib::Request& req) { return BodyCap(*c, req); };
  // A cluster's originals are sent whole (server/api_items.cc).
  limits.ranges_allowed = [cluster](const httplib::Request& req) {
    return !cluster && (req.method == "GET" || req.method == "HEAD") && req.path.rfind("/api/items/", 0) == 0 &&
           req.path.size() > 20 && req.path.compare(req.path.size() - 9, 9, "/original") == 0;
  };
  impl->http = std::make_unique<HttpServer>(std::move(limits));
  HttpServer& http = *impl->http;
  http.set_payload_max_length(options.max_upload_bytes);
  http.set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"X-Frame-Options", "DENY"}});
  http.set_pre_routing_handler([c](const httplib::Request& req, httplib::Response& res) {
    try {
      return Admit(*c, req, res);
    } catch (...) {
      SendError(res, absl::InternalError("internal error while admitting the request"));
      return httplib::Server::HandlerResponse::Handled;
    }
  });
  // A client that asks before sending its body ("Expect: 100-continue", as
  // curl does for uploads) hears a refusal before it sends a byte of it.
  http.set_expect_100_continue_handler([c](const httplib::Request& req, httplib::Response& res) {
    try {
      return Admit(*c, req, res) == httplib::Server::HandlerResponse::Handled ? res.status : 100;
    } catch (...) {
      SendError(res, absl::InternalError("internal error while admitting the request"));
      return res.status;
    }
  });
  // Called outside httplib's exception guard: must not throw.
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        try {
          return AnswerError(req, res);
        } catch (...) {
          res.body.clear();
          return httplib::Server::HandlerResponse::Unhandled;
        }
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.content_length_ = 0;
        res.content_provider_ = nullptr;
        SendError(res, absl::InternalError("internal error"));
      });
  if (options.log) {
    auto log = options.log;
    http.set_logger([log](const httplib::Request& req, const httplib::Response& res) {
      try {
        log(StrCat(Printable(req.method, 16), " ", Printable(req.path), " ", res.status, " ",
                   res.body.size()));
      } catch (...) {
      }
    });
  }
  RegisterPageRoutes(http, ctx);
  RegisterItemRoutes(http, ctx);
  RegisterUploadRoutes(http, ctx);
  RegisterTraceRoutes(http, ctx);
  RegisterJobRoutes(http, ctx);
  RegisterCaptureRoutes(http, ctx);
  impl->options = std::move(options);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::string Server::ServeBytes(const std::string& request) {
  return impl_->http->ServeBytes(request);
}

const AccessToken& Server::token() const { return impl_->token; }

absl::StatusOr<int> Server::Bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(o.host);
    if (port < 0) return absl::UnavailableError(StrCat("cannot listen on ", o.host));
  } else if (!impl_->http->bind_to_port(o.host, port)) {
    return absl::UnavailableError(StrCat("cannot listen on ", o.host, ":", port,
                                         " (in use, or not an address of this machine)"));
  }
  impl_->bound = true;
  return port;
}

absl::Status Server::Run() {
  if (!impl_->bound) return absl::FailedPreconditionError("Bind() first");
  impl_->run_started = true;
  bool ok = impl_->stop_requested || impl_->http->listen_after_bind();
  impl_->run_finished = true;
  if (!ok && !impl_->stop_requested) return absl::InternalError("the HTTP server failed");
  return absl::OkStatus();
}

void Server::Stop() {
  impl_->stop_requested = true;
  if (impl_->run_started && !impl_->run_finished) {
    // Wait until the listener runs, so stop() has something to stop.
    for (int i = 0; i < 5000 && !impl_->http->is_running() && !impl_->run_finished; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  impl_->http->stop();
}

}  // namespace uncut::server

// `uncut serve`: the archive over HTTP with a web page (server/server.h).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "base/file.h"
#include "base/strings.h"
#include "cli/subcommands.h"
#include "server/server.h"
#include "storage/pg_conn.h"

namespace uncut {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  bool public_read = false;
  uint64_t max_upload_mb = 2048;
  size_t threads = 16;
  size_t trace_workers = 0;
  int job_lease_s = 30;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces).
absl::Status ParseListen(const std::string& s, std::string* host, int* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(StrCat("--listen ", s, ": give HOST:PORT"));
  }
  *host = s.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) *host = "0.0.0.0";
  if (!absl::SimpleAtoi(s.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(StrCat("--listen ", s, ": bad port"));
  }
  return absl::OkStatus();
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

int RunServe(const GlobalOptions& g, const ServeOptions& o) {
  server::ServerOptions so;
  absl::Status s = ParseListen(o.listen, &so.host, &so.port);
  if (!s.ok()) {
    std::fprintf(stderr, "uncut: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }
  const bool cluster = IsPostgresUri(g.archive);
  so.archive_dir = cluster ? g.archive : AbsolutePath(g.archive);
  so.public_read = o.public_read;
  so.max_upload_bytes = o.max_upload_mb << 20;
  so.http_threads = o.threads;
  so.trace_workers = o.trace_workers;
  so.job_lease_ms = o.job_lease_s * 1000;
  so.version = UNCUT_VERSION;
  if (!g.quiet) {
    so.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  }
  // Signals are taken by one thread only, which stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto server = server::Server::Create(so);
  if (!server.ok()) return ReportError(server.status());
  auto port = (*server)->Bind();
  if (!port.ok()) return ReportError(port.status());
  const server::AccessToken& token = (*server)->token();
  std::string host = so.host.find(':') != std::string::npos ? StrCat("[", so.host, "]") : so.host;
  std::string url = StrCat("http://", host, ":", *port, "/");
  std::printf("uncut serve: archive %s\n",
              cluster ? RedactedUri(so.archive_dir).c_str() : so.archive_dir.c_str());
  if (token.created) {
    std::printf(
        "uncut serve: new access token (shown only now; kept in %s, readable by you only):\n"
        "  %s\n",
        token.path.c_str(), token.token.c_str());
  } else {
    std::printf("uncut serve: access token in %s\n", token.path.c_str());
  }
  if (token.permissions_fixed) {
    std::printf("uncut serve: warning: %s was readable by others; it is now owner-only\n",
                token.path.c_str());
  }
  if (!IsLoopback(so.host)) {
    std::printf(
        "uncut serve: warning: listening on %s, reachable from other machines; "
        "put it behind HTTPS before using it over a network\n",
        so.host.c_str());
  }
  std::printf("uncut serve: listening on %s%s\n", url.c_str(),
              token.created ? StrCat("  (open ", url, "#token=", token.token, ")").c_str() : "");
  std::fflush(stdout);

  server::Server* srv = server->get();
  std::thread waiter([&signals, srv] {
    int sig = 0;
    sigwait(&signals, &sig);
    srv->Stop();
  });
  absl::Status run = srv->Run();
  srv->Stop();
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  server->reset();  // finishes running jobs
  if (!run.ok()) return ReportError(run);
  if (!g.quiet) std::fprintf(stderr, "uncut serve: stopped\n");
  return kExitOk;
}

}  // namespace

Subcommand AddServeCommand(CLI::App* app, const GlobalOptions* g) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app->add_subcommand("serve", "serve the archive over HTTP, with a web page");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_flag("--public-read", o->public_read,
                "let anyone who can reach the server read and trace without the token");
  cmd->add_option("--max-upload-mb", o->max_upload_mb, "largest upload, in MiB (default 2048)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--threads", o->threads, "HTTP worker threads (default 16)")
      ->check(CLI::Range(2, 256));
  cmd->add_option("--trace-workers", o->trace_workers, "traces run at once (default: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--job-lease", o->job_lease_s,
                  "on a PostgreSQL archive, report a job failed when the server running it has "
                  "not been heard from for this many seconds (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->footer(
      "Adding and removing sources need the access token, created at first start and kept in\n"
      "ARCHIVE/server-token (owner-only); on a PostgreSQL archive it is kept in the catalog,\n"
      "the same for every server on it. Reads need it too unless --public-read. The API is in\n"
      "docs/api.md; several servers on one PostgreSQL archive, in docs/cluster.md.\n\n"
      "Examples:\n"
      "  uncut serve                                  # http://127.0.0.1:8080/\n"
      "  uncut --archive /srv/desk serve --listen 0.0.0.0:8080\n"
      "  curl -H \"Authorization: Bearer $(cat uncut-archive/server-token)\" "
      "localhost:8080/api/items");
  return {cmd, [g, o] { return RunServe(*g, *o); }};
}

}  // namespace uncut

// `uncut serve`: the archive over HTTP, with a web page and a JSON API
// (docs/api.md).
//
// Safe defaults: binds to 127.0.0.1 unless told otherwise; adding and
// removing need the access token (server/access_token.h); reads need it
// too unless `public_read`; uploads are limited in size; reads and writes
// on a connection time out, and a request's line and headers must arrive
// within a deadline, so slow clients neither hold up others nor stay
// forever (server/http_server.h); only compiled-in page files and archived
// originals (found through the catalog, never through a path from the
// request) are served.
//
// Concurrency: requests run on a pool of HTTP threads, long work on job
// lanes (server/jobs.h), kept where any server on the archive finds them
// (server/job_store.h). Each request or job uses its own Archive handle
// (server/archive_pool.h), and writers take the archive's writer lock, so
// the server and the command line can work on one archive at once.
#ifndef UNCUT_SERVER_SERVER_H_
#define UNCUT_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/access_token.h"

namespace uncut::server {

struct ServerOptions {
  std::string archive_dir;  // created when missing
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see Bind)
  bool public_read = false;
  uint64_t max_upload_bytes = 2ull << 30;
  // The request line and headers must arrive within this from the first
  // byte (from the connection for its first request).
  int head_timeout_s = 10;
  int read_timeout_s = 30;  // the longest wait for the next bytes of a body
  int write_timeout_s = 60;
  int keep_alive_timeout_s = 5;  // an idle connection closes after this
  // Connections served at once, each on a thread that mostly waits on the
  // network; further ones wait to be accepted.
  size_t max_connections = 512;
  size_t http_threads = 16;  // requests handled at once
  size_t trace_workers = 0;  // 0: one per core
  std::string version;       // uncut's version, for reports and /api/status
  // On a PostgreSQL archive: a queued or running job whose server has not
  // been heard from for this long is reported failed (server/catalog_jobs.h).
  int job_lease_ms = 30000;
  // Receives one line per request (method, path, status, milliseconds);
  // none when empty.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  // Opens (or creates) the archive and its access token.
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const AccessToken& token() const;
  // Binds the listening socket; returns the port (useful with port 0).
  absl::StatusOr<int> Bind();
  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  absl::Status Run();
  // Stops accepting, finishes running jobs; safe from any thread.
  void Stop();

  // Serves the HTTP/1.1 requests in `request` (bytes as a client would
  // send them on one connection) through the same limits and routes as a
  // socket, without one; returns the bytes of the answers. For fuzzing.
  std::string ServeBytes(const std::string& request);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_SERVER_H_

// The HTTP engine of `uncut serve`: httplib's server with connection
// handling that holds up against slow, idle and oversized clients.
//
// httplib reads each connection on a worker thread with a timeout per
// read only, so a client that sends a header line every few seconds keeps
// a thread forever. Here every connection gets its own stream
// (ConnectionStream in the .cc) that enforces:
//   - a total deadline for the request line and headers (`head_timeout_s`),
//     and a cap on their size (`max_head_bytes`);
//   - an idle timeout for each read of a body (`body_idle_timeout_s`), and
//     a cap on the body's bytes, whatever its transfer encoding, chosen per
//     request by `body_cap` once the headers are known;
//   - keep-alive: an idle connection closes after `keep_alive_timeout_s`,
//     and a request whose body was not read to its end closes the
//     connection after its answer (the rest of the body would otherwise be
//     read as the next request).
// Connections are served by `connection_threads` threads, so clients
// waiting on the network do not hold up others; at most `handler_slots`
// requests are handled (routed, their bodies read, answered) at once.
#ifndef UNCUT_SERVER_HTTP_SERVER_H_
#define UNCUT_SERVER_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <semaphore>
#include <string>

#include "httplib.h"

namespace uncut::server {

class ConnectionStream;

struct ConnectionLimits {
  int head_timeout_s = 10;
  size_t max_head_bytes = 64 << 10;
  int body_idle_timeout_s = 30;
  int write_timeout_s = 60;
  int keep_alive_timeout_s = 5;
  size_t keep_alive_max_requests = 100;
  size_t connection_threads = 512;
  size_t handler_slots = 16;
  // The most body bytes a request may send (after any chunked framing is
  // removed it is less); called once its headers are read.
  std::function<uint64_t(const httplib::Request&)> body_cap;
  // Whether a Range header applies to `req`; httplib would otherwise cut
  // any answer to the range, errors included. Ranges are dropped when unset.
  std::function<bool(const httplib::Request&)> ranges_allowed;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(ConnectionLimits limits);
  ~HttpServer() override;

  // Serves one request read from `in` (a whole HTTP/1.1 request as bytes,
  // without a socket) through the same parsing, limits and routes as a
  // connection; returns the bytes of the answer. For fuzzing and tests.
  std::string ServeBytes(const std::string& in);

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Answers the requests of one connection until it closes or `stopping`.
  void Serve(ConnectionStream& strm, const std::function<bool()>& stopping);
  // Applies the request's body cap to the stream of its connection, and
  // drops its ranges where they do not apply.
  void SetUpRequest(httplib::Request& req, ConnectionStream* strm);

  ConnectionLimits limits_;
  std::unique_ptr<std::counting_semaphore<>> slots_;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_HTTP_SERVER_H_

#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

namespace uncut::server {

// One connection's bytes, from a socket or (sock < 0) from a string, with
// the deadlines and caps of ConnectionLimits. httplib reads the request
// line and headers a byte at a time, so reads are buffered here.
class ConnectionStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `stopping` tells that the server is stopping: waits end within a second.
  ConnectionStream(int sock, const ConnectionLimits& limits, std::function<bool()> stopping,
                   std::string input = "")
      : sock_(sock), limits_(limits), stopping_(std::move(stopping)), input_(std::move(input)) {}

  // Waits until `deadline` for the first byte of a request; false when the
  // peer closed the connection or sent nothing in time.
  bool WaitForRequest(Clock::time_point deadline) { return pos_ < len_ || Fill(deadline) > 0; }
  // Starts reading a request's head; it must be complete by `deadline`.
  void BeginHead(Clock::time_point deadline) {
    in_body_ = false;
    head_deadline_ = deadline;
    head_bytes_ = 0;
    body_bytes_ = 0;
  }
  // The head has been read: the body may have `cap` bytes; `length` is its
  // declared Content-Length, if any; `framed` whether it has a body at all.
  void BeginBody(uint64_t cap, std::optional<uint64_t> length, bool framed) {
    in_body_ = true;
    body_cap_ = cap;
    body_length_ = length;
    body_framed_ = framed;
  }
  // Whether bytes of the last request's body may still be unread, so the
  // next bytes cannot be taken for a new request.
  bool BodyLeftUnread() const {
    if (!body_framed_) return false;
    return !body_length_ || body_bytes_ < *body_length_;
  }
  bool failed() const { return failed_; }
  std::string& output() { return output_; }

  bool is_readable() const override {
    return pos_ < len_ || (sock_ < 0 && in_pos_ < input_.size());
  }
  bool is_writable() const override { return true; }

  ssize_t read(char* ptr, size_t size) override {
    if (failed_) return -1;
    if (in_body_) {
      if (body_bytes_ >= body_cap_) return Fail();
      size = static_cast<size_t>(std::min<uint64_t>(size, body_cap_ - body_bytes_));
    } else if (head_bytes_ >= limits_.max_head_bytes) {
      return Fail();
    } else {
      size = std::min(size, limits_.max_head_bytes - head_bytes_);
    }
    if (pos_ == len_) {
      Clock::time_point deadline =
          in_body_ ? Clock::now() + std::chrono::seconds(limits_.body_idle_timeout_s)
                   : head_deadline_;
      ssize_t n = Fill(deadline);
      if (n <= 0) return n < 0 ? Fail() : 0;
    }
    size_t n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    (in_body_ ? body_bytes_ : head_bytes_) += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (sock_ < 0) {
      output_.append(ptr, size);
      return static_cast<ssize_t>(size);
    }
    pollfd p{sock_, POLLOUT, 0};
    int r;
    do {
      r = ::poll(&p, 1, limits_.write_timeout_s * 1000);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  ssize_t Fail() {
    failed_ = true;
    return -1;
  }

  // Refills the buffer, waiting until `deadline`: bytes read, 0 at the end
  // of the input, -1 on error or timeout.
  ssize_t Fill(Clock::time_point deadline) {
    pos_ = len_ = 0;
    if (sock_ < 0) {
      size_t n = std::min(sizeof(buf_), input_.size() - in_pos_);
      std::memcpy(buf_, input_.data() + in_pos_, n);
      in_pos_ += n;
      len_ = n;
      return static_cast<ssize_t>(n);
    }
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || stopping_()) return -1;
      pollfd p{sock_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
      if (r < 0 && errno != EINTR) return -1;
      if (r <= 0) continue;  // re-checks the deadline at least every second
      ssize_t n = ::recv(sock_, buf_, sizeof(buf_), 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return n;
      len_ = static_cast<size_t>(n);
      return n;
    }
  }

  void Address(int (*get)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    ip.clear();
    port = 0;
    sockaddr_storage a{};
    socklen_t size = sizeof(a);
    if (sock_ < 0 || get(sock_, reinterpret_cast<sockaddr*>(&a), &size) != 0) return;
    char text[INET6_ADDRSTRLEN] = "";
    if (a.ss_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&a);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
      port = ntohs(in->sin_port);
    } else if (a.ss_family == AF_INET6) {
      auto* in = reinterpret_cast<sockaddr_in6*>(&a);
      ::inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof(text));
      port = ntohs(in->sin6_port);
    }
    ip = text;
  }

  const int sock_;
  const ConnectionLimits& limits_;
  const std::function<bool()> stopping_;
  char buf_[16 << 10];
  size_t pos_ = 0, len_ = 0;
  bool failed_ = false;
  bool in_body_ = false;
  Clock::time_point head_deadline_;
  size_t head_bytes_ = 0;
  uint64_t body_bytes_ = 0, body_cap_ = 0;
  std::optional<uint64_t> body_length_;
  bool body_framed_ = false;
  // Without a socket.
  std::string input_;
  size_t in_pos_ = 0;
  std::string output_;
};

namespace {

// Closes a connection without losing the answer: a client still sending a
// refused body would get a reset (and maybe never read the answer) if the
// socket closed with unread bytes, so the rest is read and dropped for a
// moment first.
void LingeringClose(int sock) {
  ::shutdown(sock, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  char sink[16 << 10];
  size_t dropped = 0;
  while (dropped < (4u << 20) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(sock, sink, sizeof(sink), 0);
    if (n <= 0) break;
    dropped += static_cast<size_t>(n);
  }
  ::close(sock);
}

}  // namespace

HttpServer::HttpServer(ConnectionLimits limits)
    : limits_(std::move(limits)),
      slots_(std::make_unique<std::counting_semaphore<>>(
          static_cast<ptrdiff_t>(std::max<size_t>(1, limits_.handler_slots)))) {
  size_t threads = std::max<size_t>(1, limits_.connection_threads);
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  set_read_timeout(limits_.body_idle_timeout_s, 0);
  set_write_timeout(limits_.write_timeout_s, 0);
  set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  set_keep_alive_max_count(std::max<size_t>(1, limits_.keep_alive_max_requests));
}

HttpServer::~HttpServer() = default;

void HttpServer::SetUpRequest(httplib::Request& req, ConnectionStream* strm) {
  if (!limits_.ranges_allowed || !limits_.ranges_allowed(req)) req.ranges.clear();
  std::optional<uint64_t> length;
  bool framed = req.has_header("Transfer-Encoding");
  if (req.has_header("Content-Length")) {
    const std::string& v = req.get_header_value("Content-Length");
    uint64_t n = 0;
    bool digits = !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == v.npos;
    if (digits) n = std::stoull(v);
    if (digits && !framed) length = n;
    framed = framed || !digits || n > 0;
  }
  strm->BeginBody(limits_.body_cap ? limits_.body_cap(req) : 0, length, framed);
}

namespace {

// Serves the requests of one connection until it closes, idles, fails or
// has made its share of requests.
template <typename ProcessFn, typename StoppingFn>
void ServeConnection(ConnectionStream& strm, const ConnectionLimits& limits,
                     std::counting_semaphore<>& slots, ProcessFn process, StoppingFn stopping) {
  using Clock = ConnectionStream::Clock;
  size_t left = std::max<size_t>(1, limits.keep_alive_max_requests);
  auto head_deadline = Clock::now() + std::chrono::seconds(limits.head_timeout_s);
  for (bool first = true; left > 0 && !stopping(); first = false, --left) {
    if (!first) {
      auto idle_until = Clock::now() + std::chrono::seconds(limits.keep_alive_timeout_s);
      if (!strm.WaitForRequest(idle_until)) return;
      head_deadline = Clock::now() + std::chrono::seconds(limits.head_timeout_s);
    }
    strm.BeginHead(head_deadline);
    if (first && !strm.WaitForRequest(head_deadline)) return;
    bool closed = false;
    bool slot = false;
    bool ok = false;
    try {
      ok = process(left == 1, closed, slot);
    } catch (...) {  // httplib guards the routes, not all of its own work
    }
    if (slot) slots.release();
    if (!ok || closed || strm.failed() || strm.BodyLeftUnread()) return;
  }
}

}  // namespace

void HttpServer::Serve(ConnectionStream& strm, const std::function<bool()>& stopping) {
  ServeConnection(
      strm, limits_, *slots_,
      [&](bool last, bool& closed, bool& slot) {
        return process_request(strm, last, closed, [&](httplib::Request& req) {
          SetUpRequest(req, &strm);
          slots_->acquire();
          slot = true;
        });
      },
      stopping);
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  auto stopping = [this] { return svr_sock_ == INVALID_SOCKET; };
  ConnectionStream strm(sock, limits_, stopping);
  Serve(strm, stopping);
  LingeringClose(sock);
  return true;
}

std::string HttpServer::ServeBytes(const std::string& in) {
  auto never = [] { return false; };
  ConnectionStream strm(-1, limits_, never, in);
  Serve(strm, never);
  return std::move(strm.output());
}

}  // namespace uncut::server

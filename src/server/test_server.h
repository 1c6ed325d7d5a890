// A server for the server's tests: on a free port of 127.0.0.1, serving on
// a thread of its own until Stop() or destruction.
#ifndef UNCUT_SERVER_TEST_SERVER_H_
#define UNCUT_SERVER_TEST_SERVER_H_

#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "server/server.h"

namespace uncut::server {

class TestServer {
 public:
  TestServer() = default;
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() { Stop(); }

  // Creates the server from `options` (port 0: any free one; version
  // "test" unless set), binds it and starts serving.
  absl::Status Start(ServerOptions options) {
    options.port = 0;
    if (options.version.empty()) options.version = "test";
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Create(std::move(options));
    if (!s.ok()) return s.status();
    server_ = std::move(*s);
    absl::StatusOr<int> port = server_->Bind();
    if (!port.ok()) return port.status();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run().IgnoreError(); });
    return absl::OkStatus();
  }
  // Stops serving and destroys the server (nothing if not started).
  void Stop() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  explicit operator bool() const { return server_ != nullptr; }
  Server* operator->() const { return server_.get(); }
  int port() const { return port_; }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_TEST_SERVER_H_

// libFuzzer target for `uncut serve`: the input is what a client sends on
// one connection (one or more HTTP/1.1 requests, with any path, headers and
// body), served from memory through the server's own parsing, limits,
// admission checks and routes (Server::ServeBytes), on an archive of a few
// small sources. "@TOKEN@" in the input is replaced by the server's access
// token, so the routes behind it are reached too.
//
// Checks that the answer is HTTP and that a JSON answer parses (as UTF-8
// JSON); crashes, leaks and undefined behaviour are found by the
// sanitizers.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "nlohmann/json.hpp"
#include "server/server.h"

namespace {

uncut::server::Server* TheServer() {
  static std::unique_ptr<uncut::server::Server> server = [] {
    char dir[] = "/tmp/fuzz-server-XXXXXX";
    if (!::mkdtemp(dir)) __builtin_trap();
    uncut::server::ServerOptions o;
    o.archive_dir = std::string(dir) + "/archive";
    o.port = 0;
    o.version = "fuzz";
    o.max_upload_bytes = 1 << 20;
    o.http_threads = 4;
    o.trace_workers = 1;
    auto s = uncut::server::Server::Create(o);
    if (!s.ok()) __builtin_trap();
    return std::move(*s);
  }();
  return server.get();
}

[[noreturn]] void Fail(const char* why, const std::string& out) {
  std::fprintf(stderr, "fuzz_server: %s; the answer was:\n%.2000s\n", why, out.c_str());
  __builtin_trap();
}

// The first answer must be HTTP, and its body parse when it is JSON (a HEAD
// request gets no body; later answers are not delimited here).
void CheckFirstAnswer(const std::string& in, const std::string& out) {
  if (out.empty()) return;  // nothing like a request line
  if (out.compare(0, 9, "HTTP/1.1 ") != 0) Fail("not an HTTP answer", out);
  size_t head_end = out.find("\r\n\r\n");
  if (head_end == std::string::npos) Fail("no end of the head", out);
  std::string head = out.substr(0, head_end);
  size_t cl = head.find("\r\nContent-Length: ");
  if (cl == std::string::npos || in.rfind("HEAD", 0) == 0) return;
  // A range of an original: bytes, or (a known gap) an error cut to the range.
  if (head.find("\r\nContent-Range: ") != std::string::npos) return;
  std::string body = out.substr(head_end + 4, std::stoul(head.substr(cl + 18)));
  if (head.find("Content-Type: application/json") != std::string::npos && !body.empty() &&
      nlohmann::json::parse(body, nullptr, false).is_discarded()) {
    Fail("a JSON answer that does not parse", out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uncut::server::Server* server = TheServer();
  std::string in(reinterpret_cast<const char*>(data), size);
  const std::string& token = server->token().token;
  for (size_t p = in.find("@TOKEN@"); p != std::string::npos; p = in.find("@TOKEN@", p)) {
    in.replace(p, 7, token);
    p += token.size();
  }
  CheckFirstAnswer(in, server->ServeBytes(in));
  return 0;
}

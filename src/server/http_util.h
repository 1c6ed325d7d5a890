// Small helpers shared by the request handlers: JSON and error responses,
// status-to-HTTP mapping, and the wrapper that turns any exception thrown
// by a handler (httplib, nlohmann) into a 500 answer instead of a crash.
#ifndef UNCUT_SERVER_HTTP_UTIL_H_
#define UNCUT_SERVER_HTTP_UTIL_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_name.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace uncut::server {

// The HTTP status for an error status (NotFound → 404, InvalidArgument →
// 400, Unauthenticated → 401, ...).
int HttpStatusFor(const absl::Status& s);

void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// {"error": {"code": "not_found", "message": "..."}} with the mapped status.
void SendError(httplib::Response& res, const absl::Status& s);

// Wraps a handler: exceptions become a 500 JSON error.
httplib::Server::Handler Guarded(httplib::Server::Handler h);
httplib::Server::HandlerWithContentReader Guarded(httplib::Server::HandlerWithContentReader h);

// A query parameter as an integer in [lo, hi], or `fallback` when absent.
absl::StatusOr<int64_t> IntParam(const httplib::Request& req, const std::string& name,
                                 int64_t fallback, int64_t lo, int64_t hi);

// The bearer token of the request's Authorization header, or "".
std::string BearerToken(const httplib::Request& req);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_HTTP_UTIL_H_

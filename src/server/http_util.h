// Small helpers shared by the request handlers: JSON and error responses,
// status-to-HTTP mapping, and the wrapper that turns any exception thrown
// by a handler (httplib, nlohmann) into a 500 answer instead of a crash.
#ifndef UNCUT_SERVER_HTTP_UTIL_H_
#define UNCUT_SERVER_HTTP_UTIL_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_name.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace uncut::server {

// The HTTP status for an error status (NotFound → 404, InvalidArgument →
// 400, Unauthenticated → 401, ...).
int HttpStatusFor(const absl::Status& s);

// Strings in `body` that are not valid UTF-8 are sent with U+FFFD in place
// of the bad bytes: an answer is never refused (or a handler broken) for an
// odd byte in an archived name or an echoed request.
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// The JSON text of `j`, bad UTF-8 replaced as in SendJson.
std::string SafeDump(const nlohmann::json& j, int indent = -1);
// {"error": {"code": "not_found", "message": "..."}} with the mapped status.
void SendError(httplib::Response& res, const absl::Status& s);

// Wraps a handler: exceptions become a 500 JSON error; nothing escapes.
httplib::Server::Handler Guarded(httplib::Server::Handler h);
httplib::Server::HandlerWithContentReader Guarded(httplib::Server::HandlerWithContentReader h);

// A query parameter as an integer in [lo, hi], or `fallback` when absent.
absl::StatusOr<int64_t> IntParam(const httplib::Request& req, const std::string& name,
                                 int64_t fallback, int64_t lo, int64_t hi);

// Whether `s` is valid UTF-8 (no overlong forms, surrogates or bytes past
// U+10FFFF).
bool IsUtf8(std::string_view s);

// `s` for a log line or a message: control characters and bytes that are
// not UTF-8 become \xNN, and it is cut to `max_bytes`.
std::string Printable(std::string_view s, size_t max_bytes = 200);

// A reader that passes on at most `max_bytes` of content (file and field
// data of a multipart body, or the body itself) and then stops the upload;
// `*exceeded` tells that it did. The caller keeps `reader` and `exceeded`
// alive while the result is used.
httplib::ContentReader LimitedReader(const httplib::ContentReader& reader, uint64_t max_bytes,
                                     bool* exceeded);

// The error for an upload that went over the server's limit (413).
absl::Status UploadTooLarge(uint64_t max_upload_bytes);

// The bearer token of the request's Authorization header, or "".
std::string BearerToken(const httplib::Request& req);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_HTTP_UTIL_H_

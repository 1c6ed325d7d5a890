#include "server/http_util.h"

#include <exception>

#include "absl/strings/numbers.h"
#include "base/strings.h"

namespace uncut::server {
namespace {

std::string CodeName(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    case absl::StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kUnimplemented:
      return "unimplemented";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kDataLoss:
      return "data_loss";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    default:
      return "internal";
  }
}

}  // namespace

int HttpStatusFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 413;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const absl::Status& s) {
  SendJson(res, HttpStatusFor(s),
           {{"error", {{"code", CodeName(s)}, {"message", std::string(s.message())}}}});
  if (s.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"uncut\"");
  }
}

httplib::Server::Handler Guarded(httplib::Server::Handler h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    try {
      h(req, res);
    } catch (const std::exception& e) {
      SendError(res, absl::InternalError(StrCat("internal error: ", e.what())));
    }
  };
}

httplib::Server::HandlerWithContentReader Guarded(httplib::Server::HandlerWithContentReader h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
    try {
      h(req, res, reader);
    } catch (const std::exception& e) {
      SendError(res, absl::InternalError(StrCat("internal error: ", e.what())));
    }
  };
}

absl::StatusOr<int64_t> IntParam(const httplib::Request& req, const std::string& name,
                                 int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  int64_t v;
  if (!absl::SimpleAtoi(req.get_param_value(name), &v) || v < lo || v > hi) {
    return absl::InvalidArgumentError(
        StrCat("parameter ", name, " must be a number from ", lo, " to ", hi));
  }
  return v;
}

std::string BearerToken(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  return h.substr(kPrefix.size());
}

}  // namespace uncut::server

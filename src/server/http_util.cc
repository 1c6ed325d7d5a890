#include "server/http_util.h"

#include <cstdint>
#include <exception>
#include <memory>

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

std::string SafeDump(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(SafeDump(body), "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const absl::Status& s) {
  SendJson(res, HttpStatusFor(s),
           {{"error", {{"code", CodeName(s)}, {"message", std::string(s.message())}}}});
  if (s.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"uncut\"");
  }
}

namespace {

void SendException(httplib::Response& res, std::exception_ptr e) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    what = Printable(x.what());
  } catch (...) {
  }
  res.headers.erase("Content-Disposition");
  res.content_length_ = 0;
  res.content_provider_ = nullptr;
  SendError(res, absl::InternalError(StrCat("internal error: ", what)));
}

}  // namespace

httplib::Server::Handler Guarded(httplib::Server::Handler h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    try {
      h(req, res);
    } catch (...) {
      SendException(res, std::current_exception());
    }
  };
}

httplib::Server::HandlerWithContentReader Guarded(httplib::Server::HandlerWithContentReader h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
    try {
      h(req, res, reader);
    } catch (...) {
      SendException(res, std::current_exception());
    }
  };
}

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

std::string Printable(std::string_view s, size_t max_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x20 && c != 0x7F && (c < 0x80 || IsUtf8(s.substr(i, n)))) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

httplib::ContentReader LimitedReader(const httplib::ContentReader& reader, uint64_t max_bytes,
                                     bool* exceeded) {
  auto count = std::make_shared<uint64_t>(0);
  auto limit = [count, max_bytes, exceeded](const httplib::ContentReceiver& receiver) {
    return [count, max_bytes, exceeded, receiver](const char* data, size_t n) {
      *count += n;
      if (*count > max_bytes) {
        *exceeded = true;
        return false;
      }
      return receiver(data, n);
    };
  };
  const httplib::ContentReader* inner = &reader;
  return httplib::ContentReader(
      [inner, limit](httplib::ContentReceiver receiver) { return (*inner)(limit(receiver)); },
      [inner, limit](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
        return (*inner)(std::move(header), limit(receiver));
      });
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

absl::Status UploadTooLarge(uint64_t max_upload_bytes) {
  return absl::ResourceExhaustedError(
      StrCat("the upload is larger than this server's limit of ", max_upload_bytes, " bytes"));
}

std::string BearerToken(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  return h.substr(kPrefix.size());
}

}  // namespace uncut::server

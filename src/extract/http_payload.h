// The HTTP response inside a WARC "response" record: status, headers, and
// the body with its transfer coding (chunked) and content coding (gzip,
// deflate) undone, bounded in size.
#ifndef UNCUT_EXTRACT_HTTP_PAYLOAD_H_
#define UNCUT_EXTRACT_HTTP_PAYLOAD_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace uncut {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // decoded
  std::vector<std::string> warnings;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Parses an HTTP/1.x response message. The decoded body is at most
// max_body bytes (a larger one fails with ResourceExhausted).
absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view message, uint64_t max_body);

// "text/html; charset=windows-1256" -> media type "text/html" (lower case)
// and charset "windows-1256".
struct ContentType {
  std::string media_type;
  std::string charset;
};
ContentType ParseContentType(std::string_view value);

// Undoes chunked transfer coding; false when `body` is not well-formed.
bool Dechunk(std::string_view body, std::string* out);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_HTTP_PAYLOAD_H_

#include "extract/http_payload.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/gzip_reader.h"

namespace uncut {

ContentType ParseContentType(std::string_view value) {
  ContentType ct;
  std::string v(value);
  size_t semi = v.find(';');
  ct.media_type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(v.substr(0, semi)));
  while (semi != std::string::npos) {
    size_t next = v.find(';', semi + 1);
    std::string param(absl::StripAsciiWhitespace(v.substr(semi + 1, next - semi - 1)));
    size_t eq = param.find('=');
    if (eq != std::string::npos &&
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(param.substr(0, eq))) == "charset") {
      std::string cs(absl::StripAsciiWhitespace(param.substr(eq + 1)));
      if (cs.size() >= 2 && (cs.front() == '"' || cs.front() == '\'')) cs = cs.substr(1, cs.size() - 2);
      ct.charset = cs;
    }
    semi = next;
  }
  return ct;
}

bool Dechunk(std::string_view body, std::string* out) {
  out->clear();
  size_t p = 0;
  while (p < body.size()) {
    size_t eol = body.find('\n', p);
    if (eol == std::string_view::npos) return false;
    std::string size_line(body.substr(p, eol - p));
    size_t ext = size_line.find(';');
    if (ext != std::string::npos) size_line.resize(ext);
    size_line = std::string(absl::StripAsciiWhitespace(size_line));
    uint64_t size = 0;
    if (size_line.empty() || size_line.size() > 15) return false;
    for (char c : size_line) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
      size = size * 16 + (absl::ascii_isdigit(static_cast<unsigned char>(c))
                              ? c - '0'
                              : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    }
    p = eol + 1;
    if (size == 0) return true;  // trailers may follow
    if (size > body.size() - p) return false;
    out->append(body.substr(p, size));
    p += size;
    if (body.substr(p, 2) == "\r\n") {
      p += 2;
    } else if (body.substr(p, 1) == "\n") {
      p += 1;
    } else {
      return false;
    }
  }
  return false;  // no last chunk
}

absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view message, uint64_t max_body) {
  HttpResponse r;
  if (message.substr(0, 5) != "HTTP/") {
    return absl::InvalidArgumentError("not an HTTP response (no status line)");
  }
  size_t head_end = message.find("\r\n\r\n");
  size_t sep = 4;
  size_t lf = message.find("\n\n");
  if (lf != std::string_view::npos && (head_end == std::string_view::npos || lf < head_end)) {
    head_end = lf;
    sep = 2;
  }
  if (head_end == std::string_view::npos) {
    head_end = message.size();
    sep = 0;
    r.warnings.push_back("the HTTP headers do not end; no body");
  }
  std::string_view head = message.substr(0, head_end);
  size_t nl = head.find('\n');
  std::string status_line(head.substr(0, nl));
  size_t sp = status_line.find(' ');
  if (sp != std::string::npos) {
    int code = 0;
    if (absl::SimpleAtoi(status_line.substr(sp + 1, 3), &code)) r.status = code;
  }
  size_t p = nl == std::string_view::npos ? head.size() : nl + 1;
  while (p < head.size()) {
    size_t e = head.find('\n', p);
    if (e == std::string_view::npos) e = head.size();
    std::string line(head.substr(p, e - p));
    p = e + 1;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
    std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    if (r.headers.count(name)) {
      r.headers[name] += StrCat(", ", value);
    } else {
      r.headers[name] = value;
    }
  }
  std::string_view body = message.substr(std::min(message.size(), head_end + sep));
  std::string dechunked;
  if (absl::StrContains(absl::AsciiStrToLower(r.Header("transfer-encoding")), "chunked")) {
    if (Dechunk(body, &dechunked)) {
      body = dechunked;
    } else {
      r.warnings.push_back("the chunked body is malformed; kept as stored");
    }
  }
  std::string coding = absl::AsciiStrToLower(r.Header("content-encoding"));
  if (coding.empty() || coding == "identity") {
    if (body.size() > max_body) {
      return absl::ResourceExhaustedError(StrCat("HTTP body too large (", body.size(), " bytes)"));
    }
    r.body = std::string(body);
  } else if (coding == "gzip" || coding == "x-gzip" || coding == "deflate") {
    ASSIGN_OR_RETURN(r.body, Gunzip(body, max_body, coding == "deflate"));
  } else {
    return absl::UnimplementedError(StrCat("HTTP content coding \"", coding, "\" is not supported"));
  }
  return r;
}

}  // namespace uncut

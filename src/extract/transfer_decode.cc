#include "extract/transfer_decode.h"

#include <vector>

#include "absl/strings/ascii.h"

namespace uncut {
namespace {

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// Maps one quoted-printable line whose decoded form is `out`, character by
// character. Returns false when the line does not read as expected (then
// the caller maps the line as a whole).
bool MapQuotedLine(std::string_view line, std::string_view out, uint64_t line_src,
                   OffsetMapBuilder* map) {
  OffsetMapBuilder local;
  size_t i = 0, j = 0;
  // Trailing white space before the line break is not part of the text.
  size_t body_end = line.size();
  while (body_end > 0 && (line[body_end - 1] == '\n' || line[body_end - 1] == '\r')) --body_end;
  size_t content_end = body_end;
  while (content_end > 0 && (line[content_end - 1] == ' ' || line[content_end - 1] == '\t')) {
    --content_end;
  }
  while (i < content_end) {
    if (line[i] == '=' && i + 2 < content_end + 1 && i + 2 < line.size() && IsHex(line[i + 1]) &&
        IsHex(line[i + 2])) {
      if (j >= out.size()) return false;
      local.Replace(1, line_src + i, 3);
      i += 3;
      ++j;
      continue;
    }
    if (line[i] == '=' && i + 1 == content_end) {  // soft line break
      i = line.size();
      break;
    }
    if (j >= out.size() || out[j] != line[i]) return false;
    local.Copy(1, line_src + i);
    ++i;
    ++j;
  }
  if (i < line.size()) {
    // The line break (and any trailing white space the decoder kept).
    size_t rest = out.size() - j;
    local.Replace(rest, line_src + i, line.size() - i);
    j = out.size();
  }
  if (j != out.size()) return false;
  OffsetMap line_map = std::move(local).Build();
  for (const OffsetMap::Run& r : line_map.runs()) {
    if (r.verbatim) {
      map->Copy(r.text_len, r.source_start);
    } else {
      map->Replace(r.text_len, r.source_start, r.source_len);
    }
  }
  return true;
}

}  // namespace

TransferDecoded DecodeTransfer(std::string_view encoded, GMimeContentEncoding encoding) {
  TransferDecoded out;
  if (encoding != GMIME_CONTENT_ENCODING_BASE64 &&
      encoding != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
      encoding != GMIME_CONTENT_ENCODING_UUENCODE) {
    out.bytes = std::string(encoded);
    out.map = OffsetMap::Identity(encoded.size());
    return out;
  }
  GMimeEncoding state;
  g_mime_encoding_init_decode(&state, encoding);
  OffsetMapBuilder map;
  std::vector<char> buf;
  size_t pos = 0;
  while (pos < encoded.size()) {
    size_t nl = encoded.find('\n', pos);
    size_t end = nl == std::string_view::npos ? encoded.size() : nl + 1;
    std::string_view line = encoded.substr(pos, end - pos);
    buf.resize(g_mime_encoding_outlen(&state, line.size()) + 16);
    size_t n = end == encoded.size()
                   ? g_mime_encoding_flush(&state, line.data(), line.size(), buf.data())
                   : g_mime_encoding_step(&state, line.data(), line.size(), buf.data());
    std::string_view produced(buf.data(), n);
    if (encoding != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        !MapQuotedLine(line, produced, pos, &map)) {
      map.Replace(n, pos, line.size());
    }
    out.bytes.append(produced);
    pos = end;
  }
  out.map = std::move(map).Build();
  return out;
}

}  // namespace uncut

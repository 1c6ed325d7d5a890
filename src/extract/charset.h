// One charset layer for every extractor: bytes in any charset ICU knows
// become UTF-8 text plus an OffsetMap back to the original bytes.
#ifndef UNCUT_EXTRACT_CHARSET_H_
#define UNCUT_EXTRACT_CHARSET_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "extract/offset_map.h"

namespace uncut {

struct DecodedText {
  std::string utf8;
  OffsetMap map;        // utf8 byte -> original byte
  std::string charset;  // what was used, e.g. "UTF-8", "UTF-16LE", "windows-1256"
  std::vector<std::string> warnings;
};

// Position of the first byte that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view bytes);

// Decodes `bytes`.
//  - `forced` (from --charset) wins when non-empty.
//  - Otherwise a BOM decides; then valid UTF-8; then `declared` (a charset
//    the container named, e.g. an HTML meta tag) when ICU knows it; then
//    ICU's detector, with a warning saying what was guessed.
// Fails with InvalidArgument for binary data, for UTF-8 that is damaged
// (valid multi-byte sequences mixed with invalid bytes), and for unknown
// charset names. Messages do not name the file; callers prefix it.
absl::StatusOr<DecodedText> DecodeText(std::string_view bytes, std::string_view forced = "",
                                       std::string_view declared = "");

// Converts with a known charset (no detection).
absl::StatusOr<DecodedText> ConvertCharset(std::string_view bytes, std::string_view charset);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_CHARSET_H_

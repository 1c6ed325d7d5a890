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
// (valid multi-byte sequences, at most four invalid bytes for each), and for unknown
// charset names. Messages do not name the file; callers prefix it.
absl::StatusOr<DecodedText> DecodeText(std::string_view bytes, std::string_view forced = "",
                                       std::string_view declared = "");

// Decodes the bytes of a part whose container labels its charset (an
// e-mail part's charset parameter, an HTTP Content-Type, a subtitle file's
// header), trusting the label only as far as the bytes agree with it:
//  - `forced` wins when non-empty; then a BOM.
//  - Valid UTF-8 is read as UTF-8 (a legacy label on bytes that are valid
//    multi-byte UTF-8 is wrong; that gives a warning).
//  - A label ICU knows is used; ISO-8859-1 and US-ASCII are read as
//    windows-1252, as browsers and mail readers do. When ICU's detector is
//    confident the bytes are in another script's charset, a warning says so.
//  - A missing, unknown or failing label, or damaged UTF-8: the detector's
//    guess, else windows-1252 (every byte decodes), with a warning. Damaged
//    UTF-8 (valid multi-byte sequences, at most four invalid bytes for each) is read as
//    UTF-8 with U+FFFD for the bad bytes, with a warning.
// Never fails on text data; fails only for binary data (NUL bytes).
absl::StatusOr<DecodedText> DecodeLabeledText(std::string_view bytes, std::string_view label,
                                              std::string_view forced = "");

// Converts with a known charset (no detection).
absl::StatusOr<DecodedText> ConvertCharset(std::string_view bytes, std::string_view charset);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_CHARSET_H_

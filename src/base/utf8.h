// Text that may not be UTF-8 (file names, paths, tags and headers as they
// came) made safe for outputs that must be UTF-8 (JSON, HTML, terminals),
// without losing the exact bytes.
#ifndef UNCUT_BASE_UTF8_H_
#define UNCUT_BASE_UTF8_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace uncut {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// `s` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD (one per byte, so the count of bad bytes shows).
// Valid input comes back unchanged.
std::string ToValidUtf8(std::string_view s);

// Replaces, in every string and object key of *j, the bytes that are not
// UTF-8 by U+FFFD (see ToValidUtf8), so that dumping it cannot fail.
void MakeValidUtf8(nlohmann::json* j);

// Sets (*j)[key] to ToValidUtf8(value) and, when value is not valid UTF-8,
// (*j)[key + "_bytes_hex"] to HexBytes(value): readable text plus the
// exact bytes.
void SetTextField(nlohmann::json* j, const std::string& key, std::string_view value);

// Appends the code point `c` (a Unicode scalar value: no surrogate, at
// most U+10FFFF) to *out in UTF-8.
void AppendUtf8(char32_t c, std::string* out);

// Lower-case hex of every byte of `s` ("72e973756de9").
std::string HexBytes(std::string_view s);

}  // namespace uncut

#endif  // UNCUT_BASE_UTF8_H_

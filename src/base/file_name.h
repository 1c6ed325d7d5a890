// File names from outside (uploads, archived items) made safe to write
// under a directory of ours or to put in a Content-Disposition header.
#ifndef UNCUT_BASE_FILE_NAME_H_
#define UNCUT_BASE_FILE_NAME_H_

#include <string>

namespace uncut {

// The last path component (after / or \), without control characters,
// quotes, backslashes or semicolons and without leading dots or spaces,
// at most 200 bytes (keeping the end, with the extension, on a UTF-8
// boundary); valid UTF-8, with U+FFFD for each byte that was not; "file"
// when nothing is left.
std::string SafeFileName(const std::string& name);

}  // namespace uncut

#endif  // UNCUT_BASE_FILE_NAME_H_

// Checks on a file a command is about to write, made before the work so
// that a long trace or export does not fail at its end.
#ifndef UNCUT_CLI_OUTPUT_PATH_H_
#define UNCUT_CLI_OUTPUT_PATH_H_

#include <string>

#include "absl/status/status.h"

namespace uncut {

// OK when `path` can be written: its folder exists and is writable, and it
// is not a folder itself. An existing file is refused (AlreadyExists)
// unless `overwrite`. Errors name `path` and the reason, in one line.
absl::Status CheckOutputPath(const std::string& path, bool overwrite);

}  // namespace uncut

#endif  // UNCUT_CLI_OUTPUT_PATH_H_

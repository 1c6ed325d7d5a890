// `uncut trace PICTURE`: a screenshot or still traced to the archived video
// frames and pictures it shows (image/picture_trace.h).
#ifndef UNCUT_CLI_PICTURE_COMMAND_H_
#define UNCUT_CLI_PICTURE_COMMAND_H_

#include "cli/commands.h"

namespace uncut {

// Runs the trace of c.media, a picture; same outputs and exit codes as a
// clip's trace.
int RunPictureTrace(const GlobalOptions& g, const TraceCommand& c);

}  // namespace uncut

#endif  // UNCUT_CLI_PICTURE_COMMAND_H_

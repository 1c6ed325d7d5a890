// Adding a fetched capture (capture/capture.h) to the archive a command or
// the server names, a directory or a PostgreSQL archive, in one place for
// the command line and the server. On a directory the capture is one
// transaction (AddCapture). On a cluster it is captured into a private
// staged archive under $TMPDIR (store/staged_archive.h), exactly as on a
// directory (capture records, media, rendered pages, timestamps), and then
// copied in as one coordinator transaction: a capture that fails, a shard
// out of reach included, leaves nothing in the cluster.
#ifndef UNCUT_CAPTURE_CAPTURE_INTO_H_
#define UNCUT_CAPTURE_CAPTURE_INTO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "capture/capture.h"
#include "nlohmann/json.hpp"

namespace uncut {

struct CaptureInto {
  // A directory (made if missing) or a postgresql:// URI.
  std::string archive;
  // Title, note, actor and client; `options.tsa` is the authority the
  // caller names (its url empty: the archive's, `uncut config tsa`, with
  // options.tsa.ca_file replacing the archive's CA file when set).
  CaptureOptions options;
  bool no_tsa = false;  // no timestamps, whatever the archive names
};

// Adds `c` to `to.archive`; `recapture_of` (not null) links the first
// file's record to an earlier capture (its id as the archive has it). The
// items come in the order of `c.files`, with the ids they have in that
// archive: on a cluster, the item that held the same bytes already is
// returned with `existed`. On error nothing is kept (a directory the call
// made stays, empty: the caller removes it).
absl::StatusOr<std::vector<AddedFile>> AddCaptureInto(const CaptureInto& to, const Capture& c,
                                                      const nlohmann::json& recapture_of,
                                                      std::vector<std::string>* warnings);

}  // namespace uncut

#endif  // UNCUT_CAPTURE_CAPTURE_INTO_H_

// Adding still pictures: checked whole, probed, hashed like video frames,
// stored byte for byte.
#ifndef UNCUT_INGEST_IMAGE_INGEST_H_
#define UNCUT_INGEST_IMAGE_INGEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "ingest/ingest.h"

namespace uncut {

// Adds the picture at `path`, whose bytes `SniffImageFormat` recognised as
// `format` (or, when empty, whose name says picture). Errors name the file
// and the reason; the archive is left as it was.
absl::StatusOr<AddOutcome> AddImage(WriteBatch* batch, const std::string& path,
                                    const std::string& format, const AddOptions& options);

}  // namespace uncut

#endif  // UNCUT_INGEST_IMAGE_INGEST_H_

// Adding still pictures: checked whole, probed, hashed like video frames,
// stored byte for byte.
#ifndef UNCUT_INGEST_IMAGE_INGEST_H_
#define UNCUT_INGEST_IMAGE_INGEST_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ingest/ingest.h"

namespace uncut {

// Adds the picture at `path`, whose bytes `SniffImageFormat` recognised as
// `format` (or, when empty, whose name says picture). Errors name the file
// and the reason; the archive is left as it was.
//
// `prepared` is AnalyseImage's finding for bytes whose SHA-256 is
// `prepared_sha256`; when those are not the bytes stored (or it is null),
// the stored copy is analysed instead.
absl::StatusOr<AddOutcome> AddImage(WriteBatch* batch, const std::string& path,
                                    const std::string& format, const AddOptions& options,
                                    const std::string& prepared_sha256 = "",
                                    FileAnalysis* prepared = nullptr);

// Checks, probes, hashes and reads (OCR) the picture `bytes`, which are
// the file at `read_path`; errors and warnings name `path`.
FileAnalysis AnalyseImage(const std::string& read_path, std::string_view bytes,
                          const std::string& path, const std::string& format);

}  // namespace uncut

#endif  // UNCUT_INGEST_IMAGE_INGEST_H_

// Adding sources to the archive: pick the reader for a file, store the
// original, extract and fingerprint it, and queue the item in a batch.
#ifndef UNCUT_INGEST_INGEST_H_
#define UNCUT_INGEST_INGEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/archive.h"

namespace uncut {

struct AddOptions {
  ItemMetadata meta;
  std::string charset;  // forced charset for text files
  // Read captions burned into videos' pictures by OCR (ingest/caption_ingest.h).
  bool captions = false;
  std::string ocr_languages;  // Tesseract languages ("eng+fas"); empty: CaptionLanguages
};

struct AddOutcome {
  bool existed = false;  // the same bytes were already archived
  Item item;
  size_t children = 0;  // items queued inside it (messages, attachments, pages)
  std::vector<std::string> warnings;
};

// Adds one file, and the documents it holds (messages of a mailbox,
// attachments, captured pages) as items linked to it. Errors name the file
// and the reason; on error nothing of the file stays in the archive.
absl::StatusOr<AddOutcome> AddFile(WriteBatch* batch, const std::string& path,
                                   const AddOptions& options);

}  // namespace uncut

#endif  // UNCUT_INGEST_INGEST_H_

// Adding sources to the archive: pick the reader for a file, store the
// original, extract and fingerprint it, and queue the item in a batch.
//
// The work splits in two. PrepareFile reads a file and does what needs no
// archive (decoding, fingerprinting, text extraction); it may run on many
// threads at once. AddFile, on the writer's thread, stores the original and
// queues the items, using what PrepareFile found when the stored bytes are
// the ones it analysed, and analysing them itself otherwise. Either way the
// archive ends up the same.
#ifndef UNCUT_INGEST_INGEST_H_
#define UNCUT_INGEST_INGEST_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "extract/extractor.h"
#include "index/posting.h"
#include "store/archive.h"

namespace uncut {

struct AddOptions {
  ItemMetadata meta;
  std::string charset;  // forced charset for text files
  // Read captions burned into videos' pictures by OCR (ingest/caption_ingest.h).
  bool captions = false;
  std::string ocr_languages;  // Tesseract languages ("eng+fas"); empty: CaptionLanguages
  // Threads one recording's picture, then its sound, is analysed on, in
  // time chunks (video/video_chunks.h, audio/peak_chunks.h); the
  // fingerprints are the same for any number.
  int media_jobs = 1;
};

struct AddOutcome {
  bool existed = false;  // the same bytes were already archived
  Item item;
  size_t children = 0;  // items queued inside it (messages, attachments, pages)
  std::vector<std::string> warnings;
};

struct CaptionReading;  // ingest/caption_ingest.h

// A picture's or recording's analysis: the item as far as its bytes tell
// (kind, format, info, title, postings, blobs, text), or why it failed.
struct FileAnalysis {
  absl::Status status;
  NewItem item;
  std::vector<std::string> warnings;
  // A video's burned-in captions, when AddOptions::captions asked for them.
  std::shared_ptr<CaptionReading> captions;
};

// A document a container holds, its text fingerprinted.
struct PreparedChild {
  ChildDocument doc;  // its children are moved to `children`
  std::vector<Posting> postings;
  std::string search_form;  // of doc.text, made with the postings
  std::vector<PreparedChild> children;
};

// A document's extraction, its text fingerprinted, and the documents it holds.
struct DocumentAnalysis {
  absl::StatusOr<Extraction> extraction;
  std::vector<Posting> postings;
  std::string search_form;  // of the extraction's text, made with the postings
  std::vector<PreparedChild> children;
};

// What PrepareFile learned of one file. `sha256` names the bytes analysed
// (empty when none were); AddFile uses the analysis only when the bytes it
// stores have that digest.
struct PreparedFile {
  std::string head;    // the file's first 4 KiB, as it was read
  std::string sha256;
  std::string bytes;   // a document's bytes (what AddFile stores)
  std::unique_ptr<FileAnalysis> media;  // a picture's or recording's
  std::unique_ptr<DocumentAnalysis> document;
};

// Reads and analyses the file at `path` without touching the archive.
// `archived` says whether an item with the given SHA-256 is archived
// already: such a file is not analysed (AddFile finds it exists). Failures
// are kept for AddFile to report in order; this never fails itself. A file
// that is too large to hold in memory (a document over 16 MiB) is left for
// AddFile to read from the archive's copy.
PreparedFile PrepareFile(const std::string& path, const AddOptions& options,
                         const std::function<bool(const std::string& sha256)>& archived);

// Adds one file, and the documents it holds (messages of a mailbox,
// attachments, captured pages) as items linked to it. `prepared`, when
// given, is what PrepareFile found for the same path and options. Errors
// name the file and the reason; on error nothing of the file stays in the
// archive.
absl::StatusOr<AddOutcome> AddFile(WriteBatch* batch, const std::string& path,
                                   const AddOptions& options, PreparedFile* prepared = nullptr);

}  // namespace uncut

#endif  // UNCUT_INGEST_INGEST_H_

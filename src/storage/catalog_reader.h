// The read side of an archive's catalog and object store, as the matchers
// use it. Implemented by the embedded archive (SQLite and files,
// store/archive.h) and in memory for tests (storage/memory_storage.h); a
// server backend implements the same.
#ifndef UNCUT_STORAGE_CATALOG_READER_H_
#define UNCUT_STORAGE_CATALOG_READER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/item.h"
#include "storage/original.h"
#include "storage/text_search.h"

namespace uncut {

// Whether `item` holds a transcript of a recording: its details carry a
// "transcript" object (ingest/timed_text.h writes it).
bool IsTranscriptItem(const Item& item);

// Items, their extracted text and their named blobs (fingerprints).
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;

  // Every item, in id order.
  virtual absl::StatusOr<std::vector<Item>> ListItems() = 0;
  // kNotFound when there is no such item.
  virtual absl::StatusOr<Item> GetItem(int64_t id) = 0;
  // kNotFound when the item has no text.
  virtual absl::StatusOr<StoredText> LoadText(int64_t item_id) = 0;
  // nullopt when the item has no blob of that name.
  virtual absl::StatusOr<std::optional<std::string>> LoadBlob(int64_t item_id,
                                                              const std::string& name) = 0;
  // The names of the item's blobs, in byte order (none for an item that is
  // not there).
  virtual absl::StatusOr<std::vector<std::string>> BlobNames(int64_t item_id) = 0;
  // The items inside item `id` (the messages of a mailbox), in id order.
  // This default filters ListItems; a backend with an index overrides it.
  virtual absl::StatusOr<std::vector<Item>> Children(int64_t id);
  // The items that hold a transcript of a recording (IsTranscriptItem: the
  // machine transcripts of speech and the captions read from pictures), in
  // id order. This default filters ListItems; a backend overrides it to
  // leave the others where they are.
  virtual absl::StatusOr<std::vector<Item>> ListTranscripts();
  // Items whose extracted text holds every word of `query`
  // (storage/text_search.h), best first, at most `limit`, each with a
  // snippet; none when the query has no words. This default reads every
  // item's text (BM25 over that scan); a backend with a text index
  // overrides it.
  virtual absl::StatusOr<std::vector<TextHit>> SearchText(const std::string& query, size_t limit);
};

// The archived originals, byte for byte.
class OriginalSource {
 public:
  virtual ~OriginalSource() = default;

  // Opens `item`'s original bytes (Original says how they come). A backend
  // that finds them altered (not the item's SHA-256) fails with kDataLoss
  // naming the item: nothing is ever quoted from damaged bytes.
  virtual absl::StatusOr<Original> OpenOriginal(const Item& item) = 0;

  // Streams `item`'s original bytes to `sink`, in order, in pieces of at
  // most a few MiB, checking their SHA-256 as they go: kDataLoss naming the
  // item when they are not the item's (the sink has then seen bytes that
  // must be thrown away). An error from the sink stops the read and is
  // returned. This default reads OpenOriginal's bytes; a backend that
  // fetches originals from elsewhere overrides it to keep memory bounded.
  using ByteSink = std::function<absl::Status(std::string_view piece)>;
  virtual absl::Status ReadOriginal(const Item& item, const ByteSink& sink);
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_CATALOG_READER_H_

// An archive held in maps: items, texts, blobs, originals and postings, for
// tests of the matchers that need no files and no decoding. It follows the
// embedded archive's contracts (storage/catalog_reader.h,
// index/posting_source.h), removed items' postings included: they stay
// counted, and are not returned, as until a compaction.
#ifndef UNCUT_STORAGE_MEMORY_STORAGE_H_
#define UNCUT_STORAGE_MEMORY_STORAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "index/posting_source.h"
#include "storage/catalog_reader.h"
#include "storage/catalog_records.h"
#include "storage/storage.h"

namespace uncut {

// An item for MemoryStorage::Add. Postings carry item = 0; Add fills in
// the id.
struct MemoryItem {
  Item item;  // id 0: the next free id; size and sha256 default to the original's
  std::optional<ExtractedText> text;
  std::map<std::string, std::string> blobs;
  std::map<Modality, std::vector<Posting>> postings;
  std::string original;  // the item's bytes
};

class MemoryStorage : public CatalogReader,
                      public OriginalSource,
                      public PostingSource,
                      public CatalogRecords {
 public:
  // Adds the item (and an "add" audit entry); returns its id.
  int64_t Add(MemoryItem item);
  // Removes the item (and its saved traces' links to it, with a "remove"
  // audit entry); its postings stay, as in segments until a compaction.
  void Remove(int64_t id);

  Storage storage() { return {this, this, this, this}; }

  absl::StatusOr<std::vector<Item>> ListItems() override;
  absl::StatusOr<Item> GetItem(int64_t id) override;
  absl::StatusOr<StoredText> LoadText(int64_t item_id) override;
  absl::StatusOr<std::optional<std::string>> LoadBlob(int64_t item_id,
                                                      const std::string& name) override;
  absl::StatusOr<Original> OpenOriginal(const Item& item) override;

  absl::Status Lookup(Modality modality, const std::vector<uint64_t>& keys, size_t max_per_key,
                      std::vector<Posting>* out) override;
  absl::StatusOr<uint64_t> PostingCount(Modality modality) override;
  std::string IndexName() const override { return "memory"; }

  absl::StatusOr<int64_t> SaveTrace(const SavedTrace& trace) override;
  absl::StatusOr<SavedTrace> GetSavedTrace(int64_t id) override;
  absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(int64_t item_id) override;
  absl::StatusOr<std::vector<AuditEntry>> AuditLog() override;
  absl::Status RecordAction(std::string action, nlohmann::json details) override;

 private:
  std::map<int64_t, MemoryItem> items_;
  int64_t next_id_ = 1;
  // Every posting ever added, by modality and key, each key's in (item, pos) order.
  std::map<Modality, std::map<uint64_t, std::vector<Posting>>> postings_;
  std::map<int64_t, SavedTrace> traces_;
  std::vector<AuditEntry> log_;
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_MEMORY_STORAGE_H_

#include "store/copy_to_postgres.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "store/copy_batches.h"
#include "store/item_trees.h"

namespace uncut {
namespace {

bool IsSha256Name(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::StatusOr<std::map<std::string, std::string>> Blobs(Archive* from, int64_t id) {
  std::map<std::string, std::string> out;
  ASSIGN_OR_RETURN(SqliteStmt s, from->db()->Prepare("SELECT name, data FROM blobs WHERE item_id = ?"));
  s.Bind(1, id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.ColumnText(0)] = std::string(s.ColumnBlob(1));
  }
  return out;
}

// Streams an object file of the source into the target.
absl::Status PutObjectFile(Archive* from, PgWriteBatch* batch, const std::string& object) {
  ASSIGN_OR_RETURN(bool stored, batch->HasObject(object));
  if (stored) return absl::OkStatus();
  const std::string path = from->ObjectPath(object);
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  ASSIGN_OR_RETURN(uint64_t size, f.Size());
  uint64_t at = 0;
  absl::Status s = batch->PutObject(object, size, [&](char* out, size_t n) -> absl::StatusOr<size_t> {
    ASSIGN_OR_RETURN(size_t got, f.ReadAt(out, n, at));
    at += got;
    return got;
  });
  if (absl::IsDataLoss(s)) return absl::DataLossError(StrCat(path, ": ", s.message()));
  return s;
}

}  // namespace

BatchLimits LimitsOf(const CopyOptions& options) {
  return {options.batch_items, options.batch_bytes, options.batch_postings};
}

absl::StatusOr<CopyOutcome> CopyToPostgres(Archive* from, PgArchive* to,
                                           const CopyOptions& options) {
  CopyOutcome outcome;
  ASSIGN_OR_RETURN(std::vector<Item> items, from->ListItems());
  ItemTrees trees(items);

  // Every item's id in the target, by its id in the source, as far as known.
  std::map<int64_t, int64_t> known_ids;
  // A tree whose top the target already holds (by SHA-256) is not copied again.
  auto already_there = [&](const Item& top) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(std::optional<Item> present, to->FindBySha(top.sha256));
    if (!present) return false;
    outcome.present.push_back(*present);
    known_ids[top.id] = present->id;
    return true;
  };
  // The batches (whole trees, parents before their children), and their
  // postings as the source stores them, sorted out in one pass.
  ASSIGN_OR_RETURN(std::vector<PlannedBatch> planned,
                   PlanBatches(&trees, from, LimitsOf(options), already_there));
  ASSIGN_OR_RETURN(std::unique_ptr<PostingSpill> spill,
                   SpillByBatch(from, planned, options.spill_postings, options.spill_dir));
  for (size_t b = 0; b < planned.size(); ++b) {
    const std::vector<const Item*>& batch_items = planned[b].items;
    ASSIGN_OR_RETURN(BatchPostings postings, spill->Take(b));
    ASSIGN_OR_RETURN(std::unique_ptr<PgWriteBatch> batch, to->BeginWrite());
    if (!options.actor.empty()) batch->SetActor(options.actor, options.client);
    // Where each copied item's bytes are in the target: object and offset.
    std::map<int64_t, std::pair<std::string, uint64_t>> placed;
    std::map<int64_t, int64_t> new_ids;
    for (const Item* src : batch_items) {
      PgNewItem n;
      n.item = *src;
      const Item* parent = trees.EnclosingParent(*src);
      if (IsSha256Name(src->object)) {
        // A file of its own (or its range, inside a container stored whole).
        RETURN_IF_ERROR(PutObjectFile(from, batch.get(), src->object));
      } else if (parent && placed.count(parent->id)) {
        // Inside its packed parent: the same bytes, at the same distance.
        const auto& [object, offset] = placed[parent->id];
        n.item.object = object;
        n.item.object_offset = offset + (src->object_offset - parent->object_offset);
      } else {
        ASSIGN_OR_RETURN(Original original, from->OpenOriginal(*src));
        ASSIGN_OR_RETURN(std::string_view bytes, original.Bytes());
        RETURN_IF_ERROR(batch->PutObjectBytes(src->sha256, bytes));
        n.item.object = src->sha256;
        n.item.object_offset = 0;
      }
      placed[src->id] = {n.item.object, n.item.object_offset};
      if (src->parent_id) {
        auto p = new_ids.find(*src->parent_id);
        if (p != new_ids.end()) n.item.parent_id = p->second;
      }
      ASSIGN_OR_RETURN(n.item.id, batch->ClaimId(src->id));
      new_ids[src->id] = n.item.id;
      known_ids[src->id] = n.item.id;
      auto text = from->LoadText(src->id);
      if (text.ok()) {
        n.text = std::move(text->text);
      } else if (!absl::IsNotFound(text.status())) {
        return text.status();
      }
      ASSIGN_OR_RETURN(n.blobs, Blobs(from, src->id));
      if (options.adjust_blobs) RETURN_IF_ERROR(options.adjust_blobs(&n.blobs, known_ids));
      n.postings = std::move(postings[static_cast<uint32_t>(src->id)]);
      RETURN_IF_ERROR(batch->AddItem(std::move(n)).status());
    }
    if (options.before_commit) RETURN_IF_ERROR(options.before_commit(batch.get(), new_ids));
    RETURN_IF_ERROR(batch->Commit());
    outcome.ids.insert(new_ids.begin(), new_ids.end());
    outcome.copied += batch_items.size();
    if (options.progress) options.progress(planned[b].trees_done, trees.trees());
  }
  return outcome;
}

}  // namespace uncut

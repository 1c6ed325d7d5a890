#include "store/copy_to_directory.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/strings.h"
#include "store/copy_batches.h"
#include "store/item_trees.h"
#include "store/saved_traces.h"

namespace uncut {
namespace {

// An audit entry as a whole, to tell whether the target holds it already.
std::string EntryKey(const AuditEntry& e) {
  return StrCat(e.at, "\n", e.actor, "\n", e.client, "\n", e.action, "\n", e.details.dump());
}

// Copies the source's audit entries that the target lacks, as they were.
absl::StatusOr<size_t> CopyAuditLog(CatalogRecords* from, Archive* to) {
  ASSIGN_OR_RETURN(std::vector<AuditEntry> source, from->AuditLog());
  ASSIGN_OR_RETURN(std::vector<AuditEntry> target, to->AuditLog());
  std::multiset<std::string> held;
  for (const AuditEntry& e : target) held.insert(EntryKey(e));
  std::vector<AuditEntry> missing;
  for (const AuditEntry& e : source) {
    auto it = held.find(EntryKey(e));
    if (it != held.end()) {
      held.erase(it);
    } else {
      missing.push_back(e);
    }
  }
  if (missing.empty()) return size_t{0};
  ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, to->BeginWrite());
  for (AuditEntry& e : missing) batch->ImportAuditEntry(std::move(e));
  RETURN_IF_ERROR(batch->Commit());
  return missing.size();
}

// Media stays a file of its own (its decoders read it by path); other
// originals are packed when small, as `uncut add` stores them.
Placement PlacementOf(const Item& item) {
  if (item.kind == "audio" || item.kind == "video" || item.kind == "image") {
    return Placement::kOwnFile;
  }
  return Placement::kPackIfSmall;
}

}  // namespace

absl::StatusOr<DirectoryCopyOutcome> CopyToDirectory(Storage from, Archive* to,
                                                     const CopyOptions& options) {
  DirectoryCopyOutcome outcome;
  ASSIGN_OR_RETURN(outcome.audit_entries, CopyAuditLog(from.records, to));

  ASSIGN_OR_RETURN(std::vector<Item> items, from.catalog->ListItems());
  // Ids are kept only when the items come in id order.
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.id < b.id; });
  ItemTrees trees(items);
  // Source id -> target id, for the saved traces' links.
  std::map<int64_t, int64_t> target_ids;

  // A tree whose top the target already holds (by SHA-256) is not copied again.
  auto already_there = [&](const Item& top) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(std::optional<Item> present, to->FindBySha(top.sha256));
    if (!present) return false;
    target_ids[top.id] = present->id;
    outcome.present.push_back(*present);
    return true;
  };
  // The batches (whole trees, parents before their children, each ending
  // at its limit of items, bytes or postings), and their postings as the
  // source stores them, sorted out in one pass.
  ASSIGN_OR_RETURN(std::vector<PlannedBatch> planned,
                   PlanBatches(&trees, from.postings, LimitsOf(options), already_there));
  ASSIGN_OR_RETURN(std::unique_ptr<PostingSpill> spill,
                   SpillByBatch(from.postings, planned, options.spill_postings, options.spill_dir));
  for (size_t b = 0; b < planned.size(); ++b) {
    const std::vector<const Item*>& batch_items = planned[b].items;
    ASSIGN_OR_RETURN(BatchPostings postings, spill->Take(b));
    ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, to->BeginWrite());
    // Where each copied item's bytes are in the target: object and offset.
    std::map<int64_t, std::pair<std::string, uint64_t>> placed;
    std::map<int64_t, int64_t> new_ids;
    for (const Item* src : batch_items) {
      NewItem n;
      n.item = *src;
      const Item* parent = trees.EnclosingParent(*src);
      if (parent && placed.count(parent->id)) {
        // Inside its parent's bytes: the same bytes, at the same distance.
        const auto& [object, offset] = placed[parent->id];
        n.item.object = object;
        n.item.object_offset = offset + (src->object_offset - parent->object_offset);
      } else {
        ASSIGN_OR_RETURN(StagedObject staged,
                         batch->StageStream(
                             [&](const WriteBatch::StreamSink& sink) {
                               return from.originals->ReadOriginal(*src, sink);
                             },
                             PlacementOf(*src)));
        if (staged.sha256 != src->sha256 || staged.size != src->size) {
          return absl::DataLossError(StrCat("item ", src->id, " (", src->name,
                                            "): the bytes read are not the item's"));
        }
        n.item.object = staged.object;
        n.item.object_offset = staged.offset;
      }
      placed[src->id] = {n.item.object, n.item.object_offset};
      if (src->parent_id) {
        auto p = new_ids.find(*src->parent_id);
        if (p != new_ids.end()) n.item.parent_id = p->second;
      }
      auto text = from.catalog->LoadText(src->id);
      if (text.ok()) {
        n.text = std::move(text->text);
      } else if (!absl::IsNotFound(text.status())) {
        return text.status();
      }
      ASSIGN_OR_RETURN(std::vector<std::string> names, from.catalog->BlobNames(src->id));
      for (const std::string& name : names) {
        ASSIGN_OR_RETURN(std::optional<std::string> data, from.catalog->LoadBlob(src->id, name));
        if (data) n.blobs[name] = std::move(*data);
      }
      for (auto& [modality, list] : postings[static_cast<uint32_t>(src->id)]) {
        n.postings[std::string(ModalityName(modality))] = std::move(list);
      }
      batch->PreferNextId(src->id);
      ASSIGN_OR_RETURN(int64_t id, batch->AddItem(std::move(n)));
      new_ids[src->id] = id;
    }
    RETURN_IF_ERROR(batch->Commit());
    for (const auto& [src, dst] : new_ids) target_ids[src] = dst;
    outcome.copied += batch_items.size();
    if (options.progress) options.progress(planned[b].trees_done, trees.trees());
  }

  // The saved traces, linked to the sources they found as the target
  // numbers them. An item a copy before this one wrote keeps its id when
  // the target's item of that id has its bytes.
  ASSIGN_OR_RETURN(std::vector<int64_t> trace_ids, from.records->SavedTraceIds());
  for (int64_t trace_id : trace_ids) {
    ASSIGN_OR_RETURN(SavedTrace trace, from.records->GetSavedTrace(trace_id));
    std::vector<int64_t> linked;
    for (int64_t src : trace.item_ids) {
      auto known = target_ids.find(src);
      if (known != target_ids.end()) {
        linked.push_back(known->second);
        continue;
      }
      const Item* source_item = trees.Find(src);
      auto there = to->GetItem(src);
      if (source_item != nullptr && there.ok() && there->sha256 == source_item->sha256) {
        linked.push_back(src);
      }
    }
    trace.item_ids = std::move(linked);
    ASSIGN_OR_RETURN(bool copied, ImportSavedTrace(to, trace));
    if (copied) ++outcome.saved_traces;
  }
  return outcome;
}

}  // namespace uncut

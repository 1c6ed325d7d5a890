#include "store/copy_to_postgres.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "index/segment_file.h"
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

// The source's live segments, by modality.
struct Segments {
  std::vector<std::pair<Modality, std::unique_ptr<SegmentReader>>> open;
};

absl::StatusOr<Segments> OpenSegments(Archive* from) {
  Segments out;
  ASSIGN_OR_RETURN(SqliteStmt s,
                   from->db()->Prepare("SELECT modality, file FROM segments ORDER BY id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    const std::string modality = s.ColumnText(0);
    std::optional<Modality> m;
    for (Modality each : kAllModalities) {
      if (ModalityName(each) == modality) m = each;
    }
    if (!m) continue;
    ASSIGN_OR_RETURN(SegmentReader r,
                     SegmentReader::Open(JoinPath(JoinPath(from->dir(), "index"), s.ColumnText(1))));
    out.open.push_back({*m, std::make_unique<SegmentReader>(std::move(r))});
  }
  return out;
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

absl::StatusOr<CopyOutcome> CopyToPostgres(Archive* from, PgArchive* to,
                                           const CopyOptions& options) {
  CopyOutcome outcome;
  ASSIGN_OR_RETURN(std::vector<Item> items, from->ListItems());
  ItemTrees trees(items);
  ASSIGN_OR_RETURN(Segments segments, OpenSegments(from));

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
  // Each item's postings, counted in one pass, so that a batch holds at
  // most options.batch_postings of them in memory.
  std::map<int64_t, uint64_t> counts;
  for (const auto& [modality, reader] : segments.open) {
    reader->ForEach([&](const Posting& p) {
      ++counts[p.item];
      return true;
    });
  }
  trees.SetPostingCounts(std::move(counts));
  while (!trees.done()) {
    // The next batch: whole trees, parents before their children.
    ASSIGN_OR_RETURN(std::vector<const Item*> batch_items,
                     trees.NextBatch(options.batch_items, options.batch_bytes, already_there,
                                     options.batch_postings));
    if (batch_items.empty()) continue;
    // Their postings, read from the source's segments as stored.
    std::map<uint32_t, std::map<Modality, std::vector<Posting>>> postings;
    for (const Item* it : batch_items) postings[static_cast<uint32_t>(it->id)];
    for (const auto& [modality, reader] : segments.open) {
      reader->ForEach([&](const Posting& p) {
        auto at = postings.find(p.item);
        if (at != postings.end()) at->second[modality].push_back({p.key, 0, p.pos});
        return true;
      });
    }
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
        ASSIGN_OR_RETURN(std::string_view b, original.Bytes());
        RETURN_IF_ERROR(batch->PutObjectBytes(src->sha256, b));
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
    if (options.progress) options.progress(trees.trees_taken(), trees.trees());
  }
  return outcome;
}

}  // namespace uncut

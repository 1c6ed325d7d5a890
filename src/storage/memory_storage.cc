#include "storage/memory_storage.h"

#include <algorithm>
#include <utility>

#include "base/sha256.h"
#include "base/strings.h"

namespace uncut {

int64_t MemoryStorage::Add(MemoryItem m) {
  if (m.item.id == 0) m.item.id = next_id_;
  next_id_ = std::max(next_id_, m.item.id + 1);
  const int64_t id = m.item.id;
  if (m.item.size == 0) m.item.size = m.original.size();
  if (m.item.sha256.empty()) m.item.sha256 = Sha256Hex(m.original);
  for (auto& [modality, postings] : m.postings) {
    auto& by_key = postings_[modality];
    for (Posting p : postings) {
      p.item = static_cast<uint32_t>(id);
      std::vector<Posting>& list = by_key[p.key];
      list.insert(std::upper_bound(list.begin(), list.end(), p), p);
    }
  }
  m.postings.clear();
  nlohmann::json added = nlohmann::json::array();
  if (!m.item.parent_id) added.push_back(AuditItem(m.item));
  RecordAction("add", {{"items", added}, {"count", added.size()}, {"with_parts", 1}})
      .IgnoreError();
  items_[id] = std::move(m);
  return id;
}

void MemoryStorage::Remove(int64_t id) {
  auto it = items_.find(id);
  if (it == items_.end()) return;
  RecordAction("remove", {{"items", {AuditItem(it->second.item)}}, {"count", 1}}).IgnoreError();
  items_.erase(it);
  for (auto& [trace_id, t] : traces_) {
    t.item_ids.erase(std::remove(t.item_ids.begin(), t.item_ids.end(), id), t.item_ids.end());
  }
}

absl::StatusOr<std::vector<Item>> MemoryStorage::ListItems() {
  std::vector<Item> items;
  for (const auto& [id, m] : items_) items.push_back(m.item);
  return items;
}

absl::StatusOr<Item> MemoryStorage::GetItem(int64_t id) {
  auto it = items_.find(id);
  if (it == items_.end()) return absl::NotFoundError(StrCat("no item ", id, " in the archive"));
  return it->second.item;
}

absl::StatusOr<StoredText> MemoryStorage::LoadText(int64_t item_id) {
  auto it = items_.find(item_id);
  if (it == items_.end() || !it->second.text) {
    return absl::NotFoundError(StrCat("item ", item_id, " has no text"));
  }
  return StoredText{*it->second.text};
}

absl::StatusOr<std::optional<std::string>> MemoryStorage::LoadBlob(int64_t item_id,
                                                                   const std::string& name) {
  auto it = items_.find(item_id);
  if (it == items_.end()) return std::optional<std::string>();
  auto blob = it->second.blobs.find(name);
  if (blob == it->second.blobs.end()) return std::optional<std::string>();
  return std::optional<std::string>(blob->second);
}

absl::StatusOr<Original> MemoryStorage::OpenOriginal(const Item& item) {
  auto it = items_.find(item.id);
  if (it == items_.end())
    return absl::NotFoundError(StrCat("no item ", item.id, " in the archive"));
  return Original::InMemory(it->second.original, StrCat("memory:", item.id));
}

absl::Status MemoryStorage::Lookup(Modality modality, const std::vector<uint64_t>& keys,
                                   size_t max_per_key, std::vector<Posting>* out) {
  auto by_key = postings_.find(modality);
  if (by_key == postings_.end()) return absl::OkStatus();
  for (uint64_t key : keys) {
    auto it = by_key->second.find(key);
    if (it == by_key->second.end() || it->second.size() > max_per_key) continue;
    for (const Posting& p : it->second) {
      if (items_.count(p.item)) out->push_back(p);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryStorage::PostingCount(Modality modality) {
  auto by_key = postings_.find(modality);
  if (by_key == postings_.end()) return 0;
  uint64_t n = 0;
  for (const auto& [key, list] : by_key->second) n += list.size();
  return n;
}

absl::StatusOr<int64_t> MemoryStorage::SaveTrace(const SavedTrace& trace) {
  SavedTrace t = trace;
  t.id = traces_.empty() ? 1 : traces_.rbegin()->first + 1;
  t.saved_at = NowRfc3339();
  t.item_ids.clear();
  for (int64_t id : trace.item_ids) {
    if (items_.count(id)) t.item_ids.push_back(id);
  }
  std::sort(t.item_ids.begin(), t.item_ids.end());
  t.item_ids.erase(std::unique(t.item_ids.begin(), t.item_ids.end()), t.item_ids.end());
  traces_[t.id] = t;
  return t.id;
}

absl::StatusOr<SavedTrace> MemoryStorage::GetSavedTrace(int64_t id) {
  auto it = traces_.find(id);
  if (it == traces_.end()) return absl::NotFoundError(StrCat("no saved trace ", id));
  return it->second;
}

absl::StatusOr<std::vector<SavedTrace>> MemoryStorage::SavedTracesOfItem(int64_t item_id) {
  std::vector<SavedTrace> out;
  for (const auto& [id, t] : traces_) {
    if (std::count(t.item_ids.begin(), t.item_ids.end(), item_id)) out.push_back(t);
  }
  return out;
}

absl::StatusOr<std::vector<AuditEntry>> MemoryStorage::AuditLog() { return log_; }

absl::Status MemoryStorage::RecordAction(std::string action, nlohmann::json details) {
  log_.push_back({.seq = static_cast<int64_t>(log_.size()) + 1,
                  .at = NowRfc3339(),
                  .actor = CurrentUserName(),
                  .action = std::move(action),
                  .details = std::move(details)});
  return absl::OkStatus();
}

}  // namespace uncut

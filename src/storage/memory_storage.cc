#include "storage/memory_storage.h"

#include <algorithm>
#include <utility>

#include "base/strings.h"

namespace uncut {

int64_t MemoryStorage::Add(MemoryItem m) {
  if (m.item.id == 0) m.item.id = next_id_;
  next_id_ = std::max(next_id_, m.item.id + 1);
  const int64_t id = m.item.id;
  if (m.item.size == 0) m.item.size = m.original.size();
  for (auto& [modality, postings] : m.postings) {
    auto& by_key = postings_[modality];
    for (Posting p : postings) {
      p.item = static_cast<uint32_t>(id);
      std::vector<Posting>& list = by_key[p.key];
      list.insert(std::upper_bound(list.begin(), list.end(), p), p);
    }
  }
  m.postings.clear();
  items_[id] = std::move(m);
  return id;
}

void MemoryStorage::Remove(int64_t id) { items_.erase(id); }

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

}  // namespace uncut

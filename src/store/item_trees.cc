#include "store/item_trees.h"

#include "base/status_macros.h"

namespace uncut {

ItemTrees::ItemTrees(const std::vector<Item>& items) {
  for (const Item& it : items) by_id_[it.id] = &it;
  for (const Item& it : items) {
    if (Parent(it) != nullptr) {
      children_[*it.parent_id].push_back(&it);
    } else {
      tops_.push_back(&it);
    }
  }
}

const Item* ItemTrees::Find(int64_t id) const {
  auto at = by_id_.find(id);
  return at == by_id_.end() ? nullptr : at->second;
}

const Item* ItemTrees::Parent(const Item& item) const {
  return item.parent_id ? Find(*item.parent_id) : nullptr;
}

const Item* ItemTrees::EnclosingParent(const Item& item) const {
  const Item* parent = Parent(item);
  if (parent == nullptr || parent->object != item.object) return nullptr;
  if (item.object_offset < parent->object_offset ||
      item.object_offset + item.size > parent->object_offset + parent->size) {
    return nullptr;
  }
  return parent;
}

absl::StatusOr<std::vector<const Item*>> ItemTrees::NextBatch(size_t max_items,
                                                              uint64_t max_bytes,
                                                              const SkipTree& skip,
                                                              uint64_t max_postings) {
  std::vector<const Item*> batch;
  uint64_t bytes = 0, postings = 0;
  while (!done() && (batch.empty() || (batch.size() < max_items && bytes < max_bytes &&
                                       postings < max_postings))) {
    const Item* top = tops_[next_top_++];
    ASSIGN_OR_RETURN(bool skipped, skip(*top));
    if (skipped) continue;
    std::vector<const Item*> stack = {top};
    while (!stack.empty()) {
      const Item* it = stack.back();
      stack.pop_back();
      batch.push_back(it);
      bytes += it->parent_id ? 0 : it->size;
      auto counted = postings_.find(it->id);
      if (counted != postings_.end()) postings += counted->second;
      auto kids = children_.find(it->id);
      if (kids == children_.end()) continue;
      for (auto k = kids->second.rbegin(); k != kids->second.rend(); ++k) stack.push_back(*k);
    }
  }
  return batch;
}

}  // namespace uncut

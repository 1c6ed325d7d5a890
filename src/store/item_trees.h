// The items of an archive as trees (a container, then what it holds), for
// copying an archive a batch at a time: a batch holds whole trees, each
// parent before its children, so a copy interrupted between batches leaves
// every tree whole or absent.
#ifndef UNCUT_STORE_ITEM_TREES_H_
#define UNCUT_STORE_ITEM_TREES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/item.h"

namespace uncut {

class ItemTrees {
 public:
  // `items` must outlive this. An item whose parent is not among them is a
  // tree's top.
  explicit ItemTrees(const std::vector<Item>& items);

  size_t trees() const { return tops_.size(); }
  size_t trees_taken() const { return next_top_; }
  bool done() const { return next_top_ >= tops_.size(); }
  // The item of that id, or null.
  const Item* Find(int64_t id) const;
  // The parent of `item` among the items, or null.
  const Item* Parent(const Item& item) const;
  // The parent, when `item`'s bytes lie within the parent's in the same
  // stored object (a message inside its mailbox), or null.
  const Item* EnclosingParent(const Item& item) const;

  // How many postings each item has (by id), for NextBatch's max_postings.
  void SetPostingCounts(std::map<int64_t, uint64_t> counts) { postings_ = std::move(counts); }

  // Says whether a tree is to be left out (its top already at the target).
  using SkipTree = std::function<absl::StatusOr<bool>(const Item& top)>;
  // The next trees, in order, until the batch holds `max_items` items,
  // `max_bytes` of originals (children count nothing: their bytes are in
  // their parent's) or `max_postings` postings (as SetPostingCounts gave
  // them), but at least one tree unless every tree left is skipped. Empty
  // only when done() after skipping.
  absl::StatusOr<std::vector<const Item*>> NextBatch(
      size_t max_items, uint64_t max_bytes, const SkipTree& skip,
      uint64_t max_postings = std::numeric_limits<uint64_t>::max());

 private:
  std::map<int64_t, uint64_t> postings_;
  std::map<int64_t, const Item*> by_id_;
  std::map<int64_t, std::vector<const Item*>> children_;
  std::vector<const Item*> tops_;
  size_t next_top_ = 0;
};

}  // namespace uncut

#endif  // UNCUT_STORE_ITEM_TREES_H_

// Which items a command that derives something from items (transcribe,
// captions) works on: those named, or every one that still needs it.
#ifndef UNCUT_CLI_ITEM_SELECTION_H_
#define UNCUT_CLI_ITEM_SELECTION_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/strings.h"
#include "storage/item.h"

namespace uncut {

// The items `refs` name (ids or SHA-256 prefixes), each of which must be
// `fits`, else kInvalidArgument naming it ("item 7 (a.txt) is not WHAT");
// with no refs, every item of the archive that `needs`. `A` is a directory
// or cluster archive (ListItems, FindItem).
template <typename A>
absl::StatusOr<std::vector<Item>> ItemsToWorkOn(A* archive, const std::vector<std::string>& refs,
                                                const std::function<bool(const Item&)>& needs,
                                                const std::function<bool(const Item&)>& fits,
                                                const std::string& what) {
  std::vector<Item> items;
  if (refs.empty()) {
    auto all = archive->ListItems();
    if (!all.ok()) return all.status();
    for (Item& it : *all) {
      if (needs(it)) items.push_back(std::move(it));
    }
    return items;
  }
  for (const std::string& r : refs) {
    auto item = archive->FindItem(r);
    if (!item.ok()) return item.status();
    if (!fits(*item)) {
      return absl::InvalidArgumentError(
          StrCat("item ", item->id, " (", item->name, ") is not ", what));
    }
    items.push_back(*item);
  }
  return items;
}

}  // namespace uncut

#endif  // UNCUT_CLI_ITEM_SELECTION_H_

#include "server/item_cache.h"

namespace uncut::server {

absl::StatusOr<std::shared_ptr<const std::vector<Item>>> ItemCache::Items(ServedArchive* archive) {
  auto generation = archive->CatalogGeneration();
  if (!generation.ok()) return generation.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_ && generation_ == *generation) return items_;
  }
  // Read outside the lock; the generation read first is at most as new as
  // the list, so a commit in between only causes one more reload.
  auto items = archive->catalog()->ListItems();
  if (!items.ok()) return items.status();
  auto shared = std::make_shared<const std::vector<Item>>(std::move(*items));
  std::lock_guard<std::mutex> lock(mu_);
  if (*generation >= generation_) {
    generation_ = *generation;
    items_ = shared;
  }
  return shared;
}

}  // namespace uncut::server

// The archive's item list, shared by the listing requests and reloaded only
// when a writer (this server or the command line) has committed since.
//
// Thread-safe.
#ifndef UNCUT_SERVER_ITEM_CACHE_H_
#define UNCUT_SERVER_ITEM_CACHE_H_

#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "server/served_archive.h"

namespace uncut::server {

class ItemCache {
 public:
  // The items as of now, read through `archive` when the catalog changed.
  absl::StatusOr<std::shared_ptr<const std::vector<Item>>> Items(ServedArchive* archive);

 private:
  std::mutex mu_;
  int64_t generation_ = -1;
  std::shared_ptr<const std::vector<Item>> items_;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ITEM_CACHE_H_

#include "server/archive_pool.h"

namespace uncut::server {

absl::StatusOr<ArchivePool::Lease> ArchivePool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<ServedArchive> a = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(a));
    }
  }
  auto a = ServedArchive::Open(location_);
  if (!a.ok()) return a.status();
  return Lease(this, std::move(*a));
}

void ArchivePool::Return(std::unique_ptr<ServedArchive> a) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(a));
}

}  // namespace uncut::server

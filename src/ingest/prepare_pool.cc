#include "ingest/prepare_pool.h"

#include <sched.h>

#include <algorithm>
#include <memory>

namespace uncut {
namespace {

constexpr uint64_t kMaxHeldBytes = 256u << 20;

// Roughly the memory a result holds: the bytes read and the text extracted.
uint64_t HeldBytes(const PreparedFile& p) {
  uint64_t n = p.bytes.size();
  if (p.media && p.media->item.text) n += p.media->item.text->text.size();
  if (p.document && p.document->extraction.ok()) {
    n += p.document->extraction->text.text.size();
    std::vector<const PreparedChild*> todo;
    for (const PreparedChild& c : p.document->children) todo.push_back(&c);
    while (!todo.empty()) {
      const PreparedChild* c = todo.back();
      todo.pop_back();
      if (c->doc.decoded) n += c->doc.decoded->size();
      if (c->doc.text) n += c->doc.text->text.size();
      for (const PreparedChild& g : c->children) todo.push_back(&g);
    }
  }
  return n;
}

}  // namespace

int AvailableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

PreparePool::PreparePool(const std::string& archive_dir, std::vector<std::string> paths,
                         const AddOptions& options, int jobs)
    : archive_dir_(archive_dir),
      paths_(std::move(paths)),
      options_(options),
      window_(2 * static_cast<size_t>(std::max(1, jobs))),
      done_(paths_.size()),
      held_of_(paths_.size(), 0) {
  const size_t threads = std::min<size_t>(std::max(1, jobs), paths_.size());
  for (size_t t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
}

PreparePool::~PreparePool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool PreparePool::MayStart() const {
  if (next_ >= paths_.size()) return false;
  if (next_ == taken_) return true;  // the consumer waits for it
  return next_ < taken_ + window_ && held_bytes_ < kMaxHeldBytes;
}

void PreparePool::Work() {
  // Whether an original is archived, through this thread's own handle; a
  // handle that cannot be had answers "no" (the writer finds out).
  auto archive = Archive::Open(archive_dir_, Archive::Mode::kReadOnly);
  auto archived = [&](const std::string& sha256) {
    if (!archive.ok()) return false;
    auto found = (*archive)->FindBySha(sha256);
    return found.ok() && found->has_value();
  };
  while (true) {
    size_t i;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stop_ || next_ >= paths_.size() || MayStart(); });
      if (stop_ || next_ >= paths_.size()) return;
      i = next_++;
    }
    PreparedFile p = PrepareFile(paths_[i], options_, archived);
    const uint64_t held = HeldBytes(p);
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_of_[i] = held;
      held_bytes_ += held;
      done_[i] = std::move(p);
    }
    changed_.notify_all();
  }
}

PreparedFile PreparePool::Take(size_t i) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return done_[i].has_value(); });
  PreparedFile p = std::move(*done_[i]);
  done_[i].reset();
  held_bytes_ -= held_of_[i];
  taken_ = i + 1;
  lock.unlock();
  changed_.notify_all();
  return p;
}

}  // namespace uncut

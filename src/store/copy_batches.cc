#include "store/copy_batches.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <utility>

#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/posting_block.h"

namespace uncut {
namespace {

// Creates a file under `dir` and unlinks it at once: its space is given
// back when it is closed, whatever ends the process.
absl::StatusOr<File> AnonymousFile(const std::string& dir) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = !dir.empty() ? dir : (tmp != nullptr && *tmp ? tmp : "/tmp");
  std::string path = StrCat(base, "/uncut-copy-postings-XXXXXX");
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return ErrnoStatus(path, "cannot make the copy's spill file", errno);
  File file(fd, path);
  if (::unlink(path.c_str()) != 0) return ErrnoStatus(path, "cannot unlink the spill file", errno);
  return file;
}

// Item id -> the number of its batch, remembering the last one looked up
// (a key's postings come in item order).
class BatchOf {
 public:
  explicit BatchOf(const std::vector<PlannedBatch>& batches) {
    for (size_t b = 0; b < batches.size(); ++b) {
      for (const Item* it : batches[b].items) batch_[static_cast<uint32_t>(it->id)] = b;
    }
  }
  // kNone when the item is in no batch.
  size_t operator()(uint32_t item) {
    if (item == last_item_) return last_batch_;
    auto at = batch_.find(item);
    last_item_ = item;
    last_batch_ = at == batch_.end() ? kNone : at->second;
    return last_batch_;
  }
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();

 private:
  std::unordered_map<uint32_t, size_t> batch_;
  uint32_t last_item_ = std::numeric_limits<uint32_t>::max();
  size_t last_batch_ = kNone;
};

// Postings a run holds, about.
constexpr size_t kRunPostings = 1 << 20;

}  // namespace

PostingSpill::PostingSpill(File file, size_t partitions, uint64_t max_held)
    : file_(std::move(file)),
      max_held_(std::max<uint64_t>(max_held, 1)),
      buffers_(partitions),
      buffered_(partitions, 0),
      runs_(partitions) {}

absl::StatusOr<std::unique_ptr<PostingSpill>> PostingSpill::Create(size_t partitions,
                                                                   uint64_t max_held,
                                                                   const std::string& dir) {
  ASSIGN_OR_RETURN(File file, AnonymousFile(dir));
  return std::unique_ptr<PostingSpill>(new PostingSpill(std::move(file), partitions, max_held));
}

absl::Status PostingSpill::Add(size_t partition, Modality modality, const Posting& p) {
  if (held_ >= max_held_) RETURN_IF_ERROR(WriteOutLargest());
  buffers_[partition][modality].push_back(p);
  ++buffered_[partition];
  max_held_seen_ = std::max(max_held_seen_, ++held_);
  return absl::OkStatus();
}

absl::Status PostingSpill::WriteOutLargest() {
  auto largest = std::max_element(buffered_.begin(), buffered_.end());
  return WriteOut(static_cast<size_t>(largest - buffered_.begin()));
}

absl::Status PostingSpill::WriteOut(size_t partition) {
  for (auto& [modality, list] : buffers_[partition]) {
    if (list.empty()) continue;
    // Sorted by key, delta-coded, in runs small enough that reading one
    // back costs little memory beside the batch's postings.
    std::vector<PostingBlock> packed = PackPostings(std::move(list), kRunPostings);
    list = std::vector<Posting>();
    for (const PostingBlock& b : packed) {
      RETURN_IF_ERROR(file_.WriteAllAt(b.data, end_));
      runs_[partition].push_back({modality, end_, b.data.size()});
      end_ += b.data.size();
    }
  }
  held_ -= buffered_[partition];
  buffered_[partition] = 0;
  return absl::OkStatus();
}

absl::StatusOr<BatchPostings> PostingSpill::Take(size_t partition) {
  RETURN_IF_ERROR(WriteOut(partition));
  BatchPostings out;
  std::string data;
  std::vector<Posting> run;
  for (const Run& r : runs_[partition]) {
    data.resize(r.bytes);
    ASSIGN_OR_RETURN(size_t got, file_.ReadAt(data.data(), data.size(), r.offset));
    if (got != r.bytes) {
      return absl::DataLossError(StrCat(file_.path(), ": the spill file ends early"));
    }
    run.clear();
    absl::Status s = UnpackPostings(data, &run);
    if (!s.ok()) return absl::DataLossError(StrCat(file_.path(), ": ", s.message()));
    for (const Posting& p : run) out[p.item][r.modality].push_back({p.key, 0, p.pos});
    // The space is not needed again (an error here only keeps it in use).
    ::fallocate(file_.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, r.offset, r.bytes);
  }
  runs_[partition].clear();
  return out;
}

absl::StatusOr<std::vector<PlannedBatch>> PlanBatches(ItemTrees* trees, PostingSource* source,
                                                      const BatchLimits& limits,
                                                      const ItemTrees::SkipTree& skip) {
  std::unordered_map<uint32_t, uint64_t> counted;
  for (Modality modality : kAllModalities) {
    RETURN_IF_ERROR(source->ForEachPosting(modality, [&](const Posting& p) {
      ++counted[p.item];
      return true;
    }));
  }
  trees->SetPostingCounts(std::map<int64_t, uint64_t>(counted.begin(), counted.end()));
  std::vector<PlannedBatch> batches;
  while (!trees->done()) {
    ASSIGN_OR_RETURN(std::vector<const Item*> items,
                     trees->NextBatch(limits.items, limits.bytes, skip, limits.postings));
    if (items.empty()) {
      if (!batches.empty()) batches.back().trees_done = trees->trees_taken();
      continue;
    }
    batches.push_back({std::move(items), trees->trees_taken()});
  }
  return batches;
}

absl::StatusOr<std::unique_ptr<PostingSpill>> SpillByBatch(
    PostingSource* source, const std::vector<PlannedBatch>& batches, uint64_t max_held,
    const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<PostingSpill> spill,
                   PostingSpill::Create(batches.size(), max_held, dir));
  if (batches.empty()) return spill;
  BatchOf batch_of(batches);
  absl::Status failed;
  for (Modality modality : kAllModalities) {
    RETURN_IF_ERROR(source->ForEachPosting(modality, [&](const Posting& p) {
      const size_t b = batch_of(p.item);
      if (b == BatchOf::kNone) return true;
      failed = spill->Add(b, modality, p);
      return failed.ok();
    }));
    RETURN_IF_ERROR(failed);
  }
  return spill;
}

}  // namespace uncut

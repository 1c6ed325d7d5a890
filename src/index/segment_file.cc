#include "index/segment_file.h"

#include <xxhash.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>

#include "base/strings.h"
#include "base/status_macros.h"

namespace uncut {
namespace {

constexpr char kMagic[8] = {'U', 'N', 'C', 'U', 'T', 'S', 'G', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 32;
constexpr size_t kBlock = 64;

std::string Header(uint64_t count, uint64_t checksum) {
  std::string h(kHeaderBytes, '\0');
  std::memcpy(h.data(), kMagic, 8);
  uint32_t v = kVersion, rec = sizeof(Posting);
  std::memcpy(h.data() + 8, &v, 4);
  std::memcpy(h.data() + 12, &rec, 4);
  std::memcpy(h.data() + 16, &count, 8);
  std::memcpy(h.data() + 24, &checksum, 8);
  return h;
}

// Streams records to a temporary file and renames it into place.
class SegmentWriter {
 public:
  static absl::StatusOr<SegmentWriter> Create(const std::string& path) {
    SegmentWriter w;
    w.path_ = path;
    w.tmp_ = StrCat(path, ".tmp");
    ASSIGN_OR_RETURN(w.file_, File::Create(w.tmp_, 0444));
    RETURN_IF_ERROR(w.file_.WriteAll(Header(0, 0)));
    w.state_ = XXH3_createState();
    XXH3_64bits_reset(w.state_);
    return w;
  }
  SegmentWriter() = default;
  SegmentWriter(SegmentWriter&& o) noexcept
      : file_(std::move(o.file_)), path_(o.path_), tmp_(o.tmp_), state_(o.state_),
        count_(o.count_), buf_(std::move(o.buf_)) {
    o.state_ = nullptr;
    o.tmp_.clear();  // the moved-from writer must not delete the file
  }
  ~SegmentWriter() {
    if (state_) XXH3_freeState(state_);
    if (!committed_ && !tmp_.empty()) RemoveFile(tmp_).IgnoreError();
  }

  absl::Status Add(const Posting& p) {
    buf_.append(reinterpret_cast<const char*>(&p), sizeof(p));
    ++count_;
    if (buf_.size() >= (1 << 20)) return FlushBuffer();
    return absl::OkStatus();
  }

  absl::Status Finish() {
    RETURN_IF_ERROR(FlushBuffer());
    std::string h = Header(count_, XXH3_64bits_digest(state_));
    if (::pwrite(file_.fd(), h.data(), h.size(), 0) != static_cast<ssize_t>(h.size())) {
      return ErrnoStatus(tmp_, "write failed", errno);
    }
    RETURN_IF_ERROR(file_.Sync());
    RETURN_IF_ERROR(file_.Close());
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) return ErrnoStatus(path_, "rename failed", errno);
    committed_ = true;
    size_t slash = path_.find_last_of('/');
    return SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash));
  }

 private:
  absl::Status FlushBuffer() {
    XXH3_64bits_update(state_, buf_.data(), buf_.size());
    RETURN_IF_ERROR(file_.WriteAll(buf_));
    buf_.clear();
    return absl::OkStatus();
  }

  File file_;
  std::string path_, tmp_;
  XXH3_state_t* state_ = nullptr;
  uint64_t count_ = 0;
  std::string buf_;
  bool committed_ = false;
};

// Sorts postings into (key, item, pos) order. Keys are uniform hashes, so a
// stable LSD radix sort on the top 32 key bits (three passes of 11 bits,
// cache-friendly bucket counts) nearly finishes the job; the rare runs that
// share their top bits are then sorted fully. Postings arrive grouped by item
// with positions increasing, which the stable passes preserve.
void SortPostings(std::vector<Posting>* postings) {
  std::vector<Posting>& v = *postings;
  if (v.size() < 4096) {
    std::sort(v.begin(), v.end());
    return;
  }
  std::vector<Posting> tmp(v.size());
  constexpr int kBits = 11;
  std::vector<size_t> count(1 << kBits);
  for (int shift = 32; shift < 64; shift += kBits) {
    const uint64_t mask = (uint64_t{1} << std::min(kBits, 64 - shift)) - 1;
    std::fill(count.begin(), count.end(), 0);
    for (const Posting& p : v) ++count[(p.key >> shift) & mask];
    size_t sum = 0;
    for (size_t& c : count) {
      size_t n = c;
      c = sum;
      sum += n;
    }
    for (const Posting& p : v) tmp[count[(p.key >> shift) & mask]++] = p;
    v.swap(tmp);
  }
  for (size_t i = 0; i < v.size();) {
    size_t j = i + 1;
    while (j < v.size() && (v[j].key >> 32) == (v[i].key >> 32)) ++j;
    if (j - i > 1) std::sort(v.begin() + i, v.begin() + j);
    i = j;
  }
}

}  // namespace

absl::Status WriteSegment(const std::string& path, std::vector<Posting>* postings) {
  SortPostings(postings);
  ASSIGN_OR_RETURN(SegmentWriter w, SegmentWriter::Create(path));
  for (const Posting& p : *postings) RETURN_IF_ERROR(w.Add(p));
  return w.Finish();
}

absl::StatusOr<SegmentReader> SegmentReader::Open(const std::string& path) {
  SegmentReader r;
  r.path_ = path;
  ASSIGN_OR_RETURN(r.file_, MappedFile::Open(path));
  std::string_view d = r.file_.data();
  if (d.size() < kHeaderBytes || std::memcmp(d.data(), kMagic, 8) != 0) {
    return absl::DataLossError(StrCat(path, ": not an index segment"));
  }
  uint32_t version, rec;
  uint64_t count;
  std::memcpy(&version, d.data() + 8, 4);
  std::memcpy(&rec, d.data() + 12, 4);
  std::memcpy(&count, d.data() + 16, 8);
  std::memcpy(&r.checksum_, d.data() + 24, 8);
  if (version != kVersion || rec != sizeof(Posting) ||
      d.size() != kHeaderBytes + count * sizeof(Posting)) {
    return absl::DataLossError(StrCat(path, ": index segment has a bad header or length"));
  }
  r.records_ = std::span<const Posting>(
      reinterpret_cast<const Posting*>(d.data() + kHeaderBytes), count);
  r.directory_.reserve(count / kBlock + 1);
  for (size_t i = 0; i < count; i += kBlock) r.directory_.push_back(r.records_[i].key);
  return r;
}

std::span<const Posting> SegmentReader::Find(uint64_t key) const {
  if (records_.empty()) return {};
  // First block whose first key is >= key; the run may start in the block before.
  auto it = std::lower_bound(directory_.begin(), directory_.end(), key);
  size_t block = it - directory_.begin();
  size_t lo = block == 0 ? 0 : (block - 1) * kBlock;
  size_t hi = std::min(records_.size(), (block + 1) * kBlock);
  auto cmp = [](const Posting& p, uint64_t k) { return p.key < k; };
  const Posting* first = std::lower_bound(records_.data() + lo, records_.data() + hi, key, cmp);
  if (first == records_.data() + records_.size() || first->key != key) return {};
  const Posting* last = first;
  const Posting* end = records_.data() + records_.size();
  while (last != end && last->key == key) ++last;
  return std::span<const Posting>(first, last - first);
}

absl::Status SegmentReader::Verify() const {
  uint64_t sum = XXH3_64bits(records_.data(), records_.size() * sizeof(Posting));
  if (sum != checksum_) return absl::DataLossError(StrCat(path_, ": checksum mismatch"));
  for (size_t i = 1; i < records_.size(); ++i) {
    if (records_[i] < records_[i - 1]) {
      return absl::DataLossError(StrCat(path_, ": records out of order"));
    }
  }
  return absl::OkStatus();
}

absl::Status MergeSegments(const std::vector<const SegmentReader*>& inputs,
                           const std::function<bool(uint32_t)>& keep, const std::string& path) {
  ASSIGN_OR_RETURN(SegmentWriter w, SegmentWriter::Create(path));
  using Cursor = std::pair<const Posting*, const Posting*>;
  auto greater = [](const Cursor& a, const Cursor& b) { return *b.first < *a.first; };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(greater)> heap(greater);
  for (const SegmentReader* in : inputs) {
    auto all = in->All();
    if (!all.empty()) heap.push({all.data(), all.data() + all.size()});
  }
  while (!heap.empty()) {
    Cursor c = heap.top();
    heap.pop();
    if (keep(c.first->item)) RETURN_IF_ERROR(w.Add(*c.first));
    if (++c.first != c.second) heap.push(c);
  }
  return w.Finish();
}

}  // namespace uncut

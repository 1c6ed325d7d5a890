#include "index/segment_file.h"

#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/huge_pages.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr char kMagic[8] = {'U', 'N', 'C', 'U', 'T', 'S', 'G', '2'};
// Version 2 wrote every key's posting count and first item; version 3
// folds both into the key's header (see segment_file.h).
constexpr uint32_t kOldVersion = 2;
// Format 3: key deltas from here on do not fit beside a key header's two
// flags and follow it as a varint of their own.
constexpr uint64_t kLargestHeaderDelta = uint64_t{1} << 62;
constexpr size_t kHeaderBytes = 48;
constexpr size_t kBlockBytes = 1024;
constexpr size_t kIndexEntryBytes = 20;

// Bytes being assembled; varints are written in place, without a capacity
// check per byte.
class ByteBuffer {
 public:
  void PutVarint(uint64_t v) {
    Reserve(10);
    char* p = buf_.data() + len_;
    char* const start = p;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    len_ += static_cast<size_t>(p - start);
  }
  void Append(const ByteBuffer& o) {
    Reserve(o.len_);
    std::memcpy(buf_.data() + len_, o.buf_.data(), o.len_);
    len_ += o.len_;
  }
  std::string_view view() const { return std::string_view(buf_.data(), len_); }
  size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  void clear() { len_ = 0; }

 private:
  void Reserve(size_t n) {
    if (len_ + n > buf_.size()) buf_.resize(std::max(2 * buf_.size(), len_ + n + 256));
  }
  std::string buf_;
  size_t len_ = 0;
};

// Decodes a varint; REQUIRES a well-formed segment (Open and Verify check bounds).
inline uint64_t GetVarint(const uint8_t** p, const uint8_t* end) {
  uint64_t v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t b = *(*p)++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

template <typename T>
void PutFixed(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Sorts postings into (key, item, pos) order. A stable LSD radix sort on the
// top 22 bits of the keys in use (two passes of 11 bits, cache-friendly
// bucket counts) nearly finishes the job for hashed keys, which are uniform;
// runs that share those bits are then sorted fully (for small media keys,
// the runs are postings of one key, usually already in item order).
void SortPostings(std::vector<Posting>* postings) {
  std::vector<Posting>& v = *postings;
  if (v.size() < 4096) {
    std::sort(v.begin(), v.end());
    return;
  }
  uint64_t any = 0;
  for (const Posting& p : v) any |= p.key;
  const int bits = any == 0 ? 1 : 64 - __builtin_clzll(any);
  const int low = std::max(0, bits - 22);
  // Passes alternate between v and a scratch array left uninitialised (it
  // is written before it is read).
  std::unique_ptr<Posting[]> scratch(new Posting[v.size()]);
  AdviseHugePages(scratch.get(), v.size() * sizeof(Posting));
  Posting* from = v.data();
  Posting* to = scratch.get();
  const size_t n_postings = v.size();
  constexpr int kBits = 11;
  std::vector<size_t> count(1 << kBits);
  for (int shift = low; shift < bits; shift += kBits) {
    const uint64_t mask = (uint64_t{1} << std::min(kBits, bits - shift)) - 1;
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < n_postings; ++i) ++count[(from[i].key >> shift) & mask];
    size_t sum = 0;
    for (size_t& c : count) {
      size_t n = c;
      c = sum;
      sum += n;
    }
    for (size_t i = 0; i < n_postings; ++i) to[count[(from[i].key >> shift) & mask]++] = from[i];
    std::swap(from, to);
  }
  if (from != v.data()) std::copy(from, from + n_postings, v.data());
  scratch.reset();
  for (size_t i = 0; i < v.size();) {
    size_t j = i + 1;
    while (j < v.size() && (v[j].key >> low) == (v[i].key >> low)) ++j;
    if (j - i > 1 && !std::is_sorted(v.begin() + i, v.begin() + j)) {
      std::sort(v.begin() + i, v.begin() + j);
    }
    i = j;
  }
}

// Streams sorted postings into a segment file under a temporary name.
class SegmentWriter {
 public:
  static absl::StatusOr<std::unique_ptr<SegmentWriter>> Create(const std::string& path,
                                                               uint32_t version) {
    std::unique_ptr<SegmentWriter> w(new SegmentWriter());
    w->path_ = path;
    w->version_ = version;
    w->tmp_ = StrCat(path, ".tmp");
    ASSIGN_OR_RETURN(w->file_, File::Create(w->tmp_, 0444));
    RETURN_IF_ERROR(w->file_.WriteAll(std::string(kHeaderBytes, '\0')));
    w->state_ = XXH3_createState();
    XXH3_64bits_reset(w->state_);
    return w;
  }
  ~SegmentWriter() {
    if (state_) XXH3_freeState(state_);
    if (!committed_) RemoveFile(tmp_).IgnoreError();
  }

  // Postings must arrive in (key, item, pos) order.
  absl::Status Add(const Posting& p) {
    if (!have_key_ || p.key != key_) {
      RETURN_IF_ERROR(EndKey());
      if (block_.size() >= kBlockBytes) RETURN_IF_ERROR(EndBlock());
      if (block_.empty()) {
        index_.push_back({p.key, written_ + 0, 0});
        key_delta_ = 0;
        block_item_ = 0;
      } else {
        key_delta_ = p.key - key_;
      }
      if (version_ == kOldVersion) block_.PutVarint(key_delta_);
      key_ = p.key;
      key_item_ = p.item;
      have_key_ = true;
      prev_item_ = 0;
      prev_pos_ = 0;
    }
    if (version_ != kOldVersion && key_count_ == 0) {
      key_postings_.PutVarint(p.pos);  // the item is in the key's header
    } else {
      uint64_t item_delta = p.item - prev_item_;
      key_postings_.PutVarint(item_delta);
      key_postings_.PutVarint(item_delta == 0 && key_count_ > 0 ? p.pos - prev_pos_ : p.pos);
    }
    prev_item_ = p.item;
    prev_pos_ = p.pos;
    ++key_count_;
    ++index_.back().postings;
    ++count_;
    return absl::OkStatus();
  }

  absl::Status Finish() {
    RETURN_IF_ERROR(EndKey());
    RETURN_IF_ERROR(EndBlock());
    std::string idx;
    for (const Entry& e : index_) {
      PutFixed(&idx, e.first_key);
      PutFixed(&idx, e.offset);
      PutFixed(&idx, e.postings);
    }
    uint64_t index_offset = kHeaderBytes + written_;
    RETURN_IF_ERROR(Write(idx));
    RETURN_IF_ERROR(Flush());
    std::string h(kHeaderBytes, '\0');
    std::memcpy(h.data(), kMagic, 8);
    std::memcpy(h.data() + 8, &version_, 4);
    uint64_t blocks = index_.size(), sum = XXH3_64bits_digest(state_);
    std::memcpy(h.data() + 16, &count_, 8);
    std::memcpy(h.data() + 24, &blocks, 8);
    std::memcpy(h.data() + 32, &index_offset, 8);
    std::memcpy(h.data() + 40, &sum, 8);
    RETURN_IF_ERROR(file_.WriteAllAt(h, 0));
    RETURN_IF_ERROR(file_.Sync());
    RETURN_IF_ERROR(file_.Close());
    RETURN_IF_ERROR(RenameFile(tmp_, path_));
    committed_ = true;
    size_t slash = path_.find_last_of('/');
    return SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash));
  }

 private:
  struct Entry {
    uint64_t first_key, offset;
    uint32_t postings;
  };
  SegmentWriter() = default;

  absl::Status EndKey() {
    if (!have_key_) return absl::OkStatus();
    if (version_ == kOldVersion) {
      block_.PutVarint(key_count_);
    } else {
      const bool same_item = key_item_ == block_item_, several = key_count_ > 1;
      const uint64_t flags = (several ? 2 : 0) | (same_item ? 1 : 0);
      if (key_delta_ < kLargestHeaderDelta) {
        block_.PutVarint(key_delta_ << 2 | flags);
      } else {
        block_.PutVarint(flags);
        block_.PutVarint(key_delta_);
      }
      if (!same_item) block_.PutVarint(key_item_);
      if (several) block_.PutVarint(key_count_);
      block_item_ = key_item_;
    }
    block_.Append(key_postings_);
    key_postings_.clear();
    key_count_ = 0;
    have_key_ = false;
    return absl::OkStatus();
  }
  absl::Status EndBlock() {
    if (block_.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(Write(block_.view()));
    block_.clear();
    return absl::OkStatus();
  }
  // Blocks are small (for short scans when reading); they reach the file
  // in writes of about a megabyte.
  absl::Status Write(std::string_view bytes) {
    XXH3_64bits_update(state_, bytes.data(), bytes.size());
    written_ += bytes.size();
    out_.append(bytes);
    return out_.size() >= (1u << 20) ? Flush() : absl::OkStatus();
  }
  absl::Status Flush() {
    absl::Status s = file_.WriteAll(out_);
    out_.clear();
    return s;
  }

  File file_;
  std::string path_, tmp_;
  XXH3_state_t* state_ = nullptr;
  ByteBuffer block_, key_postings_;
  std::string out_;  // written, not yet in the file
  std::vector<Entry> index_;
  uint64_t key_ = 0, count_ = 0, written_ = 0;
  uint32_t prev_item_ = 0, prev_pos_ = 0;
  uint64_t key_count_ = 0;
  bool have_key_ = false, committed_ = false;
  uint32_t version_ = kSegmentVersion;
  // Version 3: the pending key's delta and first item, and the first item
  // of the block's previous key.
  uint64_t key_delta_ = 0;
  uint32_t key_item_ = 0, block_item_ = 0;
};

}  // namespace

absl::Status WriteSegment(const std::string& path, std::vector<Posting>* postings,
                          uint32_t version) {
  if (version != kSegmentVersion && version != kOldVersion) {
    return absl::InvalidArgumentError(StrCat("no segment format ", version));
  }
  SortPostings(postings);
  ASSIGN_OR_RETURN(auto w, SegmentWriter::Create(path, version));
  for (const Posting& p : *postings) RETURN_IF_ERROR(w->Add(p));
  return w->Finish();
}

absl::StatusOr<SegmentReader> SegmentReader::Open(const std::string& path) {
  SegmentReader r;
  r.path_ = path;
  ASSIGN_OR_RETURN(r.file_, MappedFile::Open(path));
  std::string_view d = r.file_.data();
  auto bad = [&](const char* why) {
    return absl::DataLossError(StrCat(path, ": damaged index segment (", why, ")"));
  };
  if (d.size() < kHeaderBytes || std::memcmp(d.data(), kMagic, 8) != 0) return bad("no header");
  uint32_t version;
  uint64_t blocks, index_offset;
  std::memcpy(&version, d.data() + 8, 4);
  std::memcpy(&r.count_, d.data() + 16, 8);
  std::memcpy(&blocks, d.data() + 24, 8);
  std::memcpy(&index_offset, d.data() + 32, 8);
  std::memcpy(&r.checksum_, d.data() + 40, 8);
  if (version != kSegmentVersion && version != kOldVersion) return bad("unknown version");
  r.version_ = version;
  if (index_offset < kHeaderBytes || index_offset > d.size() ||
      (d.size() - index_offset) != blocks * kIndexEntryBytes) {
    return bad("bad length");
  }
  r.data_ = reinterpret_cast<const uint8_t*>(d.data());
  r.data_end_ = index_offset;
  r.blocks_.resize(blocks);
  uint64_t total = 0;
  for (uint64_t i = 0; i < blocks; ++i) {
    const char* e = d.data() + index_offset + i * kIndexEntryBytes;
    std::memcpy(&r.blocks_[i].first_key, e, 8);
    std::memcpy(&r.blocks_[i].offset, e + 8, 8);
    std::memcpy(&r.blocks_[i].postings, e + 16, 4);
    r.blocks_[i].offset += kHeaderBytes;
    if (r.blocks_[i].offset >= index_offset) return bad("bad block offset");
    if (i > 0 && r.blocks_[i].first_key <= r.blocks_[i - 1].first_key)
      return bad("keys out of order");
    total += r.blocks_[i].postings;
  }
  if (total != r.count_) return bad("posting count mismatch");
  return r;
}

void SegmentReader::ReadKeyHead(const uint8_t** p, const uint8_t* end, bool first,
                                KeyHead* head) const {
  if (version_ == kOldVersion) {
    head->delta = GetVarint(p, end);
    head->count = GetVarint(p, end);
    head->item = 0;
    return;
  }
  const uint64_t h = GetVarint(p, end);
  head->delta = h >> 2;
  if (head->delta == 0 && !first) head->delta = GetVarint(p, end);
  if (!(h & 1)) head->item = static_cast<uint32_t>(GetVarint(p, end));
  head->count = (h & 2) ? GetVarint(p, end) : 1;
}

bool SegmentReader::Seek(size_t b, uint64_t key, const uint8_t** p, uint64_t* n,
                         uint32_t* item) const {
  const uint8_t* cur = data_ + blocks_[b].offset;
  const uint8_t* end = data_ + (b + 1 < blocks_.size() ? blocks_[b + 1].offset : data_end_);
  uint64_t k = blocks_[b].first_key;
  bool first = true;
  KeyHead head;
  while (cur < end) {
    ReadKeyHead(&cur, end, first, &head);
    k = first ? k : k + head.delta;
    first = false;
    if (k == key) {
      *p = cur;
      *n = head.count;
      *item = head.item;
      return true;
    }
    if (k > key) return false;
    // Version 3 writes a key's first posting as its position alone.
    uint64_t varints = 2 * head.count - (version_ == kOldVersion ? 0 : 1);
    for (uint64_t i = 0; i < varints && cur < end; ++i) GetVarint(&cur, end);
  }
  return false;
}

SegmentReader::Location SegmentReader::Locate(uint64_t key) const {
  Location at;
  if (blocks_.empty()) return at;
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), key,
                             [](uint64_t k, const Block& b) { return k < b.first_key; });
  if (it == blocks_.begin()) return at;
  if (!Seek(static_cast<size_t>(it - blocks_.begin() - 1), key, &at.first, &at.count,
            &at.item)) {
    return Location();
  }
  return at;
}

void SegmentReader::Read(uint64_t key, const Location& at, std::vector<Posting>* out) const {
  const uint8_t* p = at.first;
  const uint8_t* end = data_ + data_end_;
  uint32_t item = 0, pos = 0;
  uint64_t i = 0;
  if (version_ != kOldVersion && at.count > 0) {
    item = at.item;
    pos = static_cast<uint32_t>(GetVarint(&p, end));
    out->push_back({key, item, pos});
    i = 1;
  }
  for (; i < at.count; ++i) {
    uint64_t d = GetVarint(&p, end);
    uint64_t v = GetVarint(&p, end);
    item += static_cast<uint32_t>(d);
    pos = (d == 0 && i > 0) ? pos + static_cast<uint32_t>(v) : static_cast<uint32_t>(v);
    out->push_back({key, item, pos});
  }
}

size_t SegmentReader::Find(uint64_t key, std::vector<Posting>* out) const {
  Location at = Locate(key);
  Read(key, at, out);
  return at.count;
}

SegmentCursor::SegmentCursor(const SegmentReader* segment) : seg_(segment) {
  if (!seg_->blocks_.empty()) {
    p_ = seg_->data_ + seg_->blocks_[0].offset;
    end_ = seg_->blocks_.size() > 1 ? seg_->data_ + seg_->blocks_[1].offset
                                    : seg_->data_ + seg_->data_end_;
    key_ = seg_->blocks_[0].first_key;
  }
  Next();
}

void SegmentCursor::Next() {
  while (left_ == 0) {
    while (p_ == end_ || p_ == nullptr) {
      if (p_ == nullptr || block_ + 1 >= seg_->blocks_.size()) {
        valid_ = false;
        return;
      }
      ++block_;
      p_ = seg_->data_ + seg_->blocks_[block_].offset;
      end_ = block_ + 1 < seg_->blocks_.size() ? seg_->data_ + seg_->blocks_[block_ + 1].offset
                                               : seg_->data_ + seg_->data_end_;
      key_ = seg_->blocks_[block_].first_key;
      first_in_block_ = true;
      head_.item = 0;
    }
    seg_->ReadKeyHead(&p_, end_, first_in_block_, &head_);
    if (!first_in_block_) key_ += head_.delta;
    first_in_block_ = false;
    left_ = head_.count;
    index_in_key_ = 0;
    current_ = {key_, 0, 0};
    if (seg_->version_ != kOldVersion && left_ > 0) {
      current_.item = head_.item;
      current_.pos = static_cast<uint32_t>(GetVarint(&p_, end_));
      index_in_key_ = 1;
      --left_;
      valid_ = true;
      return;
    }
  }
  uint64_t d = GetVarint(&p_, end_);
  uint64_t v = GetVarint(&p_, end_);
  current_.key = key_;
  current_.item += static_cast<uint32_t>(d);
  current_.pos = (d == 0 && index_in_key_ > 0) ? current_.pos + static_cast<uint32_t>(v)
                                               : static_cast<uint32_t>(v);
  ++index_in_key_;
  --left_;
  valid_ = true;
}

void SegmentReader::ForEach(const std::function<bool(const Posting&)>& fn) const {
  for (SegmentCursor c(this); c.Valid(); c.Next()) {
    if (!fn(c.Get())) return;
  }
}

absl::Status SegmentReader::Verify() const {
  uint64_t sum = XXH3_64bits(data_ + kHeaderBytes, file_.data().size() - kHeaderBytes);
  if (sum != checksum_) return absl::DataLossError(StrCat(path_, ": checksum mismatch"));
  uint64_t n = 0;
  Posting prev{0, 0, 0};
  bool ordered = true;
  ForEach([&](const Posting& p) {
    if (n > 0 && p < prev) ordered = false;
    prev = p;
    ++n;
    return ordered;
  });
  if (!ordered) return absl::DataLossError(StrCat(path_, ": postings out of order"));
  if (n != count_) return absl::DataLossError(StrCat(path_, ": posting count mismatch"));
  return absl::OkStatus();
}

absl::Status MergeSegments(const std::vector<const SegmentReader*>& inputs,
                           const std::function<bool(uint32_t)>& keep, const std::string& path) {
  ASSIGN_OR_RETURN(auto w, SegmentWriter::Create(path, kSegmentVersion));
  std::vector<SegmentCursor> cursors;
  for (const SegmentReader* in : inputs) cursors.emplace_back(in);
  auto greater = [&](size_t a, size_t b) { return cursors[b].Get() < cursors[a].Get(); };
  std::vector<size_t> heap;
  for (size_t i = 0; i < cursors.size(); ++i) {
    if (cursors[i].Valid()) heap.push_back(i);
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    size_t i = heap.back();
    if (keep(cursors[i].Get().item)) RETURN_IF_ERROR(w->Add(cursors[i].Get()));
    cursors[i].Next();
    if (cursors[i].Valid()) {
      std::push_heap(heap.begin(), heap.end(), greater);
    } else {
      heap.pop_back();
    }
  }
  return w->Finish();
}

}  // namespace uncut

#include "storage/posting_block.h"

#include <algorithm>

namespace uncut {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<PostingBlock> PackPostings(std::vector<Posting> postings, size_t target) {
  std::sort(postings.begin(), postings.end());
  std::vector<PostingBlock> blocks;
  size_t i = 0;
  while (i < postings.size()) {
    PostingBlock b;
    b.first_key = postings[i].key;
    uint64_t prev_key = 0;
    bool first = true;
    while (i < postings.size() && (first || b.postings < target)) {
      const uint64_t key = postings[i].key;
      size_t end = i;
      while (end < postings.size() && postings[end].key == key) ++end;
      // A key with a block's worth of postings or more gets a block of its
      // own, which tells how many it has without decoding (a lookup that
      // drops common keys skips the block unread).
      if (!first && end - i >= target) break;
      PutVarint(first ? key : key - prev_key, &b.data);
      PutVarint(end - i, &b.data);
      uint32_t prev_item = 0, prev_pos = 0;
      for (size_t j = i; j < end; ++j) {
        const Posting& p = postings[j];
        const bool same_item = j > i && p.item == prev_item;
        PutVarint(p.item - prev_item, &b.data);
        PutVarint(same_item ? p.pos - prev_pos : p.pos, &b.data);
        prev_item = p.item;
        prev_pos = p.pos;
      }
      b.postings += static_cast<uint32_t>(end - i);
      b.last_key = key;
      prev_key = key;
      first = false;
      i = end;
    }
    blocks.push_back(std::move(b));
  }
  return blocks;
}

namespace {

// Decodes a block, calling sink.Key(key) before each key's postings (false:
// they are skipped, still checked) and sink.Add(posting) for each kept.
template <typename Sink>
absl::Status DecodeBlock(std::string_view data, Sink& sink) {
  const auto bad = [] { return absl::DataLossError("a block of postings does not decode"); };
  uint64_t key = 0;
  bool first = true;
  while (!data.empty()) {
    uint64_t delta, count;
    if (!GetVarint(&data, &delta) || !GetVarint(&data, &count)) return bad();
    key = first ? delta : key + delta;
    first = false;
    if (count > data.size()) return bad();  // each posting takes two bytes at least
    const bool keep = sink.Key(key);
    uint64_t item = 0, pos = 0;
    for (uint64_t j = 0; j < count; ++j) {
      uint64_t item_delta, p;
      if (!GetVarint(&data, &item_delta) || !GetVarint(&data, &p)) return bad();
      const bool same_item = j > 0 && item_delta == 0;
      item += item_delta;
      pos = same_item ? pos + p : p;
      if (item > UINT32_MAX || pos > UINT32_MAX) return bad();
      if (keep) sink.Add({key, static_cast<uint32_t>(item), static_cast<uint32_t>(pos)});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status UnpackPostings(std::string_view data, std::vector<Posting>* out) {
  struct All {
    std::vector<Posting>* out;
    bool Key(uint64_t) { return true; }
    void Add(const Posting& p) { out->push_back(p); }
  } sink{out};
  return DecodeBlock(data, sink);
}

absl::Status UnpackPostingsOfKeys(std::string_view data, const std::vector<uint64_t>& keys,
                                  std::vector<std::vector<Posting>>* by_key) {
  struct OfKeys {
    const std::vector<uint64_t>& keys;
    std::vector<std::vector<Posting>>* by_key;
    size_t from = 0;  // a block's keys ascend
    std::vector<Posting>* to = nullptr;
    bool Key(uint64_t key) {
      from = std::lower_bound(keys.begin() + from, keys.end(), key) - keys.begin();
      to = from < keys.size() && keys[from] == key ? &(*by_key)[from] : nullptr;
      return to != nullptr;
    }
    void Add(const Posting& p) { to->push_back(p); }
  } sink{keys, by_key};
  return DecodeBlock(data, sink);
}

}  // namespace uncut

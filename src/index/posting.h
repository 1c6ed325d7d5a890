// A posting says: fingerprint `key` occurs in item `item` at position `pos`
// (a character index for text, a frame or time index for media).
#ifndef UNCUT_INDEX_POSTING_H_
#define UNCUT_INDEX_POSTING_H_

#include <cstdint>
#include <tuple>

namespace uncut {

struct Posting {
  uint64_t key;
  uint32_t item;
  uint32_t pos;

  friend bool operator<(const Posting& a, const Posting& b) {
    return std::tie(a.key, a.item, a.pos) < std::tie(b.key, b.item, b.pos);
  }
  friend bool operator==(const Posting& a, const Posting& b) {
    return a.key == b.key && a.item == b.item && a.pos == b.pos;
  }
};
static_assert(sizeof(Posting) == 16, "postings are stored as 16-byte records");

}  // namespace uncut

#endif  // UNCUT_INDEX_POSTING_H_

#include "text/winnow.h"

#include <deque>

namespace uncut {
namespace {

// splitmix64's finalizer: spreads the polynomial hash over all 64 bits so
// that "minimum hash" is a fair random choice.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

constexpr uint64_t kBase = 0x100000001b3ULL;

}  // namespace

std::vector<uint64_t> KgramHashes(std::u32string_view chars, int k) {
  std::vector<uint64_t> out;
  if (k <= 0 || chars.size() < static_cast<size_t>(k)) return out;
  out.reserve(chars.size() - k + 1);
  uint64_t pow = 1;
  for (int i = 1; i < k; ++i) pow *= kBase;
  uint64_t h = 0;
  for (int i = 0; i < k; ++i) h = h * kBase + chars[i] + 1;
  out.push_back(Mix(h));
  for (size_t i = k; i < chars.size(); ++i) {
    h = (h - (chars[i - k] + 1) * pow) * kBase + chars[i] + 1;
    out.push_back(Mix(h));
  }
  return out;
}

std::vector<Posting> Winnow(std::u32string_view chars, const WinnowParams& params) {
  std::vector<uint64_t> hashes = KgramHashes(chars, params.k);
  std::vector<Posting> out;
  if (hashes.empty()) return out;
  const size_t w = static_cast<size_t>(std::max(1, params.w));
  // Monotonic deque of indexes whose hashes increase; front is the window minimum.
  std::deque<size_t> dq;
  size_t last = SIZE_MAX;
  for (size_t i = 0; i < hashes.size(); ++i) {
    while (!dq.empty() && hashes[dq.back()] >= hashes[i]) dq.pop_back();
    dq.push_back(i);
    if (dq.front() + w <= i) dq.pop_front();
    if (i + 1 >= w || i + 1 == hashes.size()) {
      size_t m = dq.front();
      if (m != last) {
        out.push_back({hashes[m], 0, static_cast<uint32_t>(m)});
        last = m;
      }
    }
  }
  return out;
}

}  // namespace uncut

#include "text/winnow.h"

#include <algorithm>

#include "base/huge_pages.h"

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

size_t PowerOfTwoAtLeast(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

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
  std::vector<Posting> out;
  const size_t k = static_cast<size_t>(std::max(1, params.k));
  if (chars.size() < k) return out;
  const size_t n = chars.size() - k + 1;  // number of k-grams
  const size_t w = std::min(static_cast<size_t>(std::max(1, params.w)), n);
  out.reserve(n * 2 / (w + 1) + 1);
  uint64_t pow = 1;
  for (size_t i = 1; i < k; ++i) pow *= kBase;
  uint64_t h = 0;
  for (size_t i = 0; i < k; ++i) h = h * kBase + chars[i] + 1;
  // Hashes of the last w k-grams in a ring; the window minimum is rescanned
  // only when it leaves the window (amortized O(1) per position).
  size_t ring_size = 1;
  while (ring_size < w) ring_size <<= 1;
  std::vector<uint64_t> ring(ring_size);
  const size_t mask = ring_size - 1;
  auto at = [&](size_t i) -> uint64_t& { return ring[i & mask]; };
  size_t min_at = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) h = (h - (chars[i - 1] + 1) * pow) * kBase + chars[i + k - 1] + 1;
    at(i) = Mix(h);
    if (i + 1 < w) {
      if (at(i) <= at(min_at)) min_at = i;
      continue;
    }
    size_t start = i + 1 - w;
    if (i + 1 == w) {
      if (at(i) <= at(min_at)) min_at = i;
    } else if (min_at < start) {
      min_at = start;
      for (size_t j = start + 1; j <= i; ++j) {
        if (at(j) <= at(min_at)) min_at = j;
      }
    } else if (at(i) <= at(min_at)) {
      min_at = i;
    } else {
      continue;
    }
    if (out.empty() || out.back().pos != min_at) {
      out.push_back({at(min_at), 0, static_cast<uint32_t>(min_at)});
    }
  }
  return out;
}

Winnower::Winnower(const WinnowParams& params)
    : k_(static_cast<size_t>(std::max(1, params.k))),
      w_(static_cast<size_t>(std::max(1, params.w))),
      last_(PowerOfTwoAtLeast(k_)),
      ring_(PowerOfTwoAtLeast(w_)) {
  for (size_t i = 1; i < k_; ++i) pow_ *= kBase;
}

void Winnower::Reserve(size_t chars) {
  // Winnowing keeps about 2 / (w + 1) of the k-grams.
  ReserveHugePages(&out_, chars * 2 / (w_ + 1) + 16);
}

void Winnower::Add(std::u32string_view chars) {
  const size_t last_mask = last_.size() - 1;
  for (char32_t c : chars) {
    if (chars_ < k_) {
      h_ = h_ * kBase + c + 1;
    } else {
      h_ = (h_ - (last_[(chars_ - k_) & last_mask] + 1) * pow_) * kBase + c + 1;
    }
    last_[chars_ & last_mask] = c;
    ++chars_;
    if (chars_ >= k_) Select(Mix(h_));
  }
}

// Winnow's step for k-gram i = grams_, with w_ as the window.
void Winnower::Select(uint64_t hash) {
  const size_t mask = ring_.size() - 1;
  auto at = [&](size_t i) -> uint64_t& { return ring_[i & mask]; };
  const size_t i = grams_++;
  at(i) = hash;
  if (i + 1 < w_) {
    if (at(i) <= at(min_at_)) min_at_ = i;
    return;
  }
  const size_t start = i + 1 - w_;
  if (i + 1 == w_) {
    if (at(i) <= at(min_at_)) min_at_ = i;
  } else if (min_at_ < start) {
    min_at_ = start;
    for (size_t j = start + 1; j <= i; ++j) {
      if (at(j) <= at(min_at_)) min_at_ = j;
    }
  } else if (at(i) <= at(min_at_)) {
    min_at_ = i;
  } else {
    return;
  }
  if (out_.empty() || out_.back().pos != min_at_) {
    out_.push_back({at(min_at_), 0, static_cast<uint32_t>(min_at_)});
  }
}

std::vector<Posting> Winnower::Finish() {
  // Fewer k-grams than a window: Winnow takes them all as one window.
  if (grams_ > 0 && grams_ < w_) {
    out_.push_back({ring_[min_at_ & (ring_.size() - 1)], 0, static_cast<uint32_t>(min_at_)});
  }
  return std::move(out_);
}

}  // namespace uncut

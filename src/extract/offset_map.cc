#include "extract/offset_map.h"

#include <algorithm>

#include "base/strings.h"

namespace uncut {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

OffsetMap OffsetMap::Identity(uint64_t len) {
  OffsetMapBuilder b;
  if (len > 0) b.Copy(len, 0);
  return std::move(b).Build();
}

uint64_t OffsetMap::text_size() const {
  return runs_.empty() ? 0 : runs_.back().text_start + runs_.back().text_len;
}

size_t OffsetMap::RunIndex(uint64_t t) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), t,
                             [](uint64_t v, const Run& r) { return v < r.text_start; });
  return it == runs_.begin() ? 0 : static_cast<size_t>(it - runs_.begin() - 1);
}

uint64_t OffsetMap::SourceStart(uint64_t t) const {
  if (runs_.empty()) return 0;
  if (t >= text_size()) return runs_.back().source_start + runs_.back().source_len;
  const Run& r = runs_[RunIndex(t)];
  return r.verbatim ? r.source_start + (t - r.text_start) : r.source_start;
}

uint64_t OffsetMap::SourceEnd(uint64_t t) const {
  if (runs_.empty()) return 0;
  if (t == 0) return runs_.front().source_start;
  const Run& r = runs_[RunIndex(t - 1)];
  return r.verbatim ? r.source_start + (t - r.text_start) : r.source_start + r.source_len;
}

std::string OffsetMap::Serialize() const {
  std::string out;
  PutVarint(&out, runs_.size());
  uint64_t prev_src = 0;
  for (const Run& r : runs_) {
    // Text runs are contiguous, so text_start is implied. Source offsets
    // usually grow; store them zig-zag delta encoded.
    int64_t d = static_cast<int64_t>(r.source_start - prev_src);
    PutVarint(&out, (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63));
    PutVarint(&out, r.text_len);
    PutVarint(&out, r.verbatim ? 0 : uint64_t{r.source_len} + 1);
    prev_src = r.source_start;
  }
  return out;
}

absl::StatusOr<OffsetMap> OffsetMap::Parse(std::string_view in) {
  uint64_t n;
  if (!GetVarint(&in, &n) || n > in.size()) return absl::DataLossError("offset map: bad header");
  std::vector<Run> runs;
  runs.reserve(n);
  uint64_t text = 0, prev_src = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t zz, tlen, slen;
    if (!GetVarint(&in, &zz) || !GetVarint(&in, &tlen) || !GetVarint(&in, &slen)) {
      return absl::DataLossError("offset map: truncated");
    }
    int64_t d = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    Run r;
    r.text_start = text;
    r.source_start = prev_src + d;
    r.text_len = static_cast<uint32_t>(tlen);
    r.verbatim = slen == 0;
    r.source_len = r.verbatim ? r.text_len : static_cast<uint32_t>(slen - 1);
    runs.push_back(r);
    text += tlen;
    prev_src = r.source_start;
  }
  return OffsetMap(std::move(runs));
}

void OffsetMapBuilder::Copy(uint64_t len, uint64_t src) {
  if (len == 0) return;
  if (!runs_.empty()) {
    OffsetMap::Run& last = runs_.back();
    if (last.verbatim && last.source_start + last.source_len == src &&
        uint64_t{last.text_len} + len < (1u << 31)) {
      last.text_len += static_cast<uint32_t>(len);
      last.source_len += static_cast<uint32_t>(len);
      text_size_ += len;
      return;
    }
  }
  while (len > 0) {
    uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(len, 1u << 30));
    runs_.push_back({text_size_, src, chunk, chunk, true});
    text_size_ += chunk;
    src += chunk;
    len -= chunk;
  }
}

void OffsetMapBuilder::Replace(uint64_t len, uint64_t src, uint64_t src_len) {
  if (len == 0) return;
  if (len == src_len) {
    // A same-length replacement (e.g. a tab turned into a space) maps byte
    // for byte, which keeps the map compact.
    Copy(len, src);
    return;
  }
  runs_.push_back({text_size_, src, static_cast<uint32_t>(len), static_cast<uint32_t>(src_len),
                   false});
  text_size_ += len;
}

OffsetMap OffsetMapBuilder::Build() && { return OffsetMap(std::move(runs_)); }

OffsetMap ComposeOffsetMaps(const OffsetMap& outer, const OffsetMap& inner) {
  OffsetMapBuilder b;
  const auto& in = inner.runs();
  for (const OffsetMap::Run& r : outer.runs()) {
    if (!r.verbatim || in.empty()) {
      uint64_t s = inner.SourceStart(r.source_start);
      uint64_t e = r.source_len > 0 ? inner.SourceEnd(r.source_start + r.source_len) : s;
      b.Replace(r.text_len, s, e > s ? e - s : 0);
      continue;
    }
    // Byte for byte: follow the inner runs the intermediate range crosses.
    uint64_t mid = r.source_start, left = r.text_len;
    auto it = std::upper_bound(in.begin(), in.end(), mid, [](uint64_t v, const OffsetMap::Run& x) {
      return v < x.text_start;
    });
    if (it != in.begin()) --it;
    while (left > 0) {
      if (it == in.end() || mid < it->text_start) {
        // Past the inner map: stands for its end.
        uint64_t s = inner.SourceStart(mid);
        b.Replace(left, s, 0);
        break;
      }
      uint64_t run_end = it->text_start + it->text_len;
      if (mid >= run_end) {
        ++it;
        continue;
      }
      uint64_t take = std::min<uint64_t>(left, run_end - mid);
      if (it->verbatim) {
        b.Copy(take, it->source_start + (mid - it->text_start));
      } else {
        b.Replace(take, it->source_start, it->source_len);
      }
      mid += take;
      left -= take;
      ++it;
    }
  }
  return std::move(b).Build();
}

OffsetMap ShiftOffsetMap(const OffsetMap& map, uint64_t delta) {
  std::vector<OffsetMap::Run> runs = map.runs();
  for (OffsetMap::Run& r : runs) r.source_start += delta;
  return OffsetMap(std::move(runs));
}

}  // namespace uncut

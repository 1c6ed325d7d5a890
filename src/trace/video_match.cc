#include "trace/video_match.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <unordered_map>

#include "base/status_macros.h"
#include "base/strings.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

struct KeyUse {
  uint32_t frame;
  uint16_t variant;
};

// Best distance between query frame f and the source around time t.
int BestDistance(const QueryVideoFrame& f, const VideoSignature& sig, double t, double window) {
  size_t i = sig.Nearest(t);
  int best = 256;
  for (size_t j = (i > 1 ? i - 1 : 0); j < std::min(sig.frames.size(), i + 2); ++j) {
    if (std::abs(sig.frames[j].time_s - t) > window) continue;
    for (const PdqHash& h : f.hashes) {
      best = std::min({best, Hamming(h, sig.frames[j].main), Hamming(h, sig.frames[j].zoom)});
    }
  }
  return best;
}

struct Verified {
  bool ok = false;
  MatchedSegment m;
};

// Frame-by-frame check of a segment along its line.
Verified Verify(const QueryVideo& q, const VideoSignature& sig, const MediaSegment& seg,
                const VideoMatchOptions& o) {
  Verified v;
  const double window = 0.75 / std::max(0.5, sig.sample_fps) + 0.05;
  auto distance_at = [&](size_t k, double offset) {
    double t = offset + seg.speed * q.frames[k].time_s;
    if (t < -0.2 || t > sig.duration_s + 0.5) return 256;
    return BestDistance(q.frames[k], sig, t, window);
  };
  // Frames to examine: the segment and some margin, to grow into.
  size_t first = q.frames.size(), last = 0;
  for (size_t k = 0; k < q.frames.size(); ++k) {
    double t = q.frames[k].time_s;
    if (t >= seg.q_start - 3.0 && t <= seg.q_end + 3.0) {
      first = std::min(first, k);
      last = std::max(last, k);
    }
  }
  if (first > last) return v;
  std::vector<int> dist(last + 1, 256);
  std::vector<bool> usable(last + 1, false);
  for (size_t k = first; k <= last; ++k) {
    usable[k] = q.frames[k].quality >= o.min_quality;
    dist[k] = distance_at(k, seg.offset);
  }
  auto matches = [&](size_t k) { return usable[k] && dist[k] <= o.max_distance; };
  // The core: frames inside the voted segment that match.
  size_t core_b = last + 1, core_e = 0;
  for (size_t k = first; k <= last; ++k) {
    double t = q.frames[k].time_s;
    if (t >= seg.q_start && t <= seg.q_end && matches(k)) {
      core_b = std::min(core_b, k);
      core_e = std::max(core_e, k);
    }
  }
  if (core_b > core_e) return v;
  // Grow while matches continue: each step outward may cross unmatched
  // frames only if at least half of the frames it crosses match, and no more
  // than `gap` seconds without a match.
  const double gap = 2.0;
  size_t b = core_b, e = core_e;
  {
    int seen = 0, hit = 0;
    for (size_t k = core_b; k-- > first;) {
      if (q.frames[b].time_s - q.frames[k].time_s > gap) break;
      if (!usable[k]) continue;
      ++seen;
      if (matches(k)) {
        ++hit;
        if (hit * 2 >= seen) {
          b = k;
          seen = hit = 0;
        }
      }
    }
    seen = hit = 0;
    for (size_t k = core_e + 1; k <= last; ++k) {
      if (q.frames[k].time_s - q.frames[e].time_s > gap) break;
      if (!usable[k]) continue;
      ++seen;
      if (matches(k)) {
        ++hit;
        if (hit * 2 >= seen) {
          e = k;
          seen = hit = 0;
        }
      }
    }
  }
  int matched = 0, checked = 0;
  double sum = 0;
  for (size_t k = b; k <= e; ++k) {
    if (!usable[k]) continue;
    ++checked;
    if (dist[k] <= o.max_distance) {
      ++matched;
      sum += dist[k];
    }
  }
  if (matched < 3 || matched * 10 < checked * 3) return v;
  // Refine the offset: for each source frame in the segment, the query
  // frame that fits it best (the query is sampled more densely).
  std::vector<double> offsets;
  for (size_t j = 0; j < sig.frames.size(); ++j) {
    const FrameSig& sf = sig.frames[j];
    double tq = (sf.time_s - seg.offset) / seg.speed;
    if (tq < q.frames[b].time_s || tq > q.frames[e].time_s) continue;
    int best = 256;
    double best_t = 0;
    for (size_t k = b; k <= e; ++k) {
      if (!usable[k] || std::abs(q.frames[k].time_s - tq) > 0.5) continue;
      for (const PdqHash& h : q.frames[k].hashes) {
        int d = std::min(Hamming(h, sf.main), Hamming(h, sf.zoom));
        if (d < best) {
          best = d;
          best_t = q.frames[k].time_s;
        }
      }
    }
    if (best <= o.max_distance / 2) offsets.push_back(sf.time_s - seg.speed * best_t);
  }
  MediaSegment s = seg;
  if (offsets.size() >= 3) {
    std::nth_element(offsets.begin(), offsets.begin() + offsets.size() / 2, offsets.end());
    s.offset = offsets[offsets.size() / 2];
  }
  double half = 0.5 / std::max(1.0, q.hash_fps);
  s.q_start = std::max(0.0, q.frames[b].time_s - half);
  s.q_end = std::min(q.duration_s, q.frames[e].time_s + half);
  s.s_start = s.offset + s.speed * s.q_start;
  s.s_end = s.offset + s.speed * s.q_end;
  v.m.seg = s;
  v.m.modality = "video";
  v.m.matched = matched;
  v.m.checked = checked;
  v.m.mean_distance = sum / matched;
  v.m.seg.confidence = static_cast<double>(matched) / checked *
                       std::clamp(1.0 - v.m.mean_distance / 96.0, 0.0, 1.0);
  // Static pictures match at any offset: compare with lines a few seconds off.
  int shifted = 0, shifted_checked = 0;
  for (double shift : {-4.0, 4.0}) {
    for (size_t k = b; k <= e; ++k) {
      if (!usable[k]) continue;
      ++shifted_checked;
      if (distance_at(k, s.offset + shift) <= o.max_distance) ++shifted;
    }
  }
  v.m.static_content = shifted_checked > 0 && shifted * 10 >= shifted_checked * 8;
  v.ok = true;
  return v;
}

}  // namespace

absl::StatusOr<std::vector<MatchedSegment>> MatchVideo(Archive* archive, const QueryVideo& q,
                                                       const VideoMatchOptions& o) {
  // 1. Retrieval.
  std::unordered_map<uint64_t, std::vector<KeyUse>> uses;
  for (uint32_t k = 0; k < q.frames.size(); ++k) {
    if (q.frames[k].quality < o.min_quality) continue;
    for (uint16_t v = 0; v < q.frames[k].hashes.size(); ++v) {
      for (int c = 0; c < 16; ++c) uses[ChunkKey(c, q.frames[k].hashes[v].Chunk(c))].push_back({k, v});
    }
  }
  std::vector<uint64_t> keys;
  keys.reserve(uses.size());
  for (const auto& [k, u] : uses) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::vector<Posting> postings;
  RETURN_IF_ERROR(archive->Lookup(kVideoModality, keys, o.max_postings_per_key, &postings));
  // Chunks shared by (query frame, variant) and (item, source cell, hash kind).
  std::unordered_map<uint64_t, uint8_t> shared;
  auto pack = [](uint32_t frame, uint16_t variant, uint32_t item, uint32_t pos) {
    return (static_cast<uint64_t>(frame) << 44) ^ (static_cast<uint64_t>(variant) << 40) ^
           (static_cast<uint64_t>(item) << 24) ^ pos;
  };
  struct Pair {
    uint32_t frame, item, pos;
    uint16_t variant;
  };
  std::unordered_map<uint64_t, Pair> pairs;
  for (const Posting& p : postings) {
    for (const KeyUse& u : uses[p.key]) {
      uint64_t id = pack(u.frame, u.variant, p.item, p.pos);
      if (++shared[id] == 1) pairs[id] = {u.frame, p.item, p.pos, u.variant};
    }
  }
  // Source sampling rate per item.
  std::unordered_map<uint32_t, double> fps;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint8_t> best;  // (frame, item, cell) -> chunks
  for (const auto& [id, pr] : pairs) {
    uint8_t n = shared[id];
    auto key = std::make_tuple(pr.frame, pr.item, pr.pos / 2);
    uint8_t& b = best[key];
    b = std::max(b, n);
  }
  std::vector<MediaHit> hits;
  for (const auto& [key, n] : best) {
    auto [frame, item, cell] = key;
    if (!fps.count(item)) {
      ASSIGN_OR_RETURN(Item it, archive->GetItem(item));
      double f = 3;
      if (it.info.contains("video") && it.info["video"].contains("sample_fps")) {
        f = it.info["video"]["sample_fps"].get<double>();
      }
      fps[item] = f;
    }
    hits.push_back({q.frames[frame].time_s, item, cell / fps[item], static_cast<float>(n * n)});
  }
  // 2. Alignment.
  MediaAlignParams p;
  p.tolerance_s = 0.45;
  p.offset_bin_s = 0.3;
  p.max_gap_s = 3.0;
  p.min_length_s = 0.5;
  p.min_score = 8;
  p.edge_s = 0.5 / std::max(1.0, q.hash_fps);
  std::vector<MediaSegment> found = FindSegments(hits, p);
  std::vector<MediaSegment> candidates = SelectSegments(found, p);
  // 3. Verification.
  std::map<uint32_t, std::unique_ptr<VideoSignature>> sigs;
  std::vector<MatchedSegment> out;
  for (const MediaSegment& c : candidates) {
    auto& sig = sigs[c.item];
    if (!sig) {
      ASSIGN_OR_RETURN(auto blob, archive->LoadBlob(c.item, kVideoSignatureBlob));
      if (!blob) continue;
      ASSIGN_OR_RETURN(VideoSignature parsed, VideoSignature::Parse(*blob));
      sig = std::make_unique<VideoSignature>(std::move(parsed));
    }
    Verified v = Verify(q, *sig, c, o);
    if (v.ok) {
      v.m.seg.alternate = c.alternate;
      v.m.seg.score = c.score;
      v.m.core_start = std::max(c.q_start, v.m.seg.q_start);
      v.m.core_end = std::min(c.q_end, v.m.seg.q_end);
      out.push_back(std::move(v.m));
    }
  }
  return out;
}

void SnapToCuts(const std::vector<double>& cuts, double duration, double reach,
                std::vector<MatchedSegment>* segments) {
  for (MatchedSegment& m : *segments) {
    MediaSegment& s = m.seg;
    auto nearest = [&](double t) {
      double best = t, bd = reach;
      for (double c : cuts) {
        if (std::abs(c - t) < bd) {
          bd = std::abs(c - t);
          best = c;
        }
      }
      return best;
    };
    s.q_start = s.q_start < reach ? 0.0 : nearest(s.q_start);
    s.q_end = duration - s.q_end < reach ? duration : nearest(s.q_end);
    s.s_start = s.offset + s.speed * s.q_start;
    s.s_end = s.offset + s.speed * s.q_end;
  }
}

}  // namespace uncut

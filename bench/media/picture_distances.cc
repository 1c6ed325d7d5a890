// How far a media set's query frames are from their true source frames:
// for each video query (optionally only those with a given transform), the
// clip's frames within its truth segments are compared with the source
// frames at the truth's time, and the best pair (over the clip's variants
// that target whole frames, and the source's main and zoom hashes within
// 0.25 s) is summed up: its Hamming distance, and how many of its sixteen
// 16-bit chunks are equal, within one bit, within two bits. This is what
// decides whether multi-index lookup (video/video_signature.h) can find
// the source and whether verification (trace/video_match.h) accepts it.
//
//   uncut_picture_distances MEDIA_DIR ARCHIVE_DIR [TRANSFORM | QUERY_ID]
//
// Given a query id, prints each of its frames' best pair.
#include <algorithm>
#include <bit>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "store/archive.h"
#include "video/query_video.h"
#include "video/video_signature.h"

namespace {

struct Pair {
  int distance = 256, exact = 0, one = 0, two = 0;
};

Pair Compare(const uncut::PdqHash& a, const uncut::PdqHash& b) {
  Pair p;
  p.distance = uncut::Hamming(a, b);
  for (int c = 0; c < 16; ++c) {
    const int d = std::popcount(static_cast<unsigned>(a.Chunk(c) ^ b.Chunk(c)));
    p.exact += d == 0;
    p.one += d <= 1;
    p.two += d <= 2;
  }
  return p;
}

Pair BestPair(const uncut::QueryVideoFrame& f, const uncut::VideoSignature& sig, double t) {
  Pair best;
  for (const uncut::FrameSig& s : sig.frames) {
    if (std::abs(s.time_s - t) > 0.25) continue;
    for (size_t v = 0; v < f.hashes.size(); ++v) {
      if (!(f.TargetsOf(v) & uncut::kTargetMainOrZoom)) continue;
      for (const uncut::PdqHash* h : {&s.main, &s.zoom}) {
        Pair p = Compare(f.hashes[v], *h);
        if (p.distance < best.distance) best = p;
      }
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MEDIA_DIR ARCHIVE_DIR [TRANSFORM]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1], only = argc > 3 ? argv[3] : "";
  auto archive = uncut::Archive::Open(argv[2], uncut::Archive::Mode::kReadOnly);
  if (!archive.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[2], std::string(archive.status().message()).c_str());
    return 1;
  }
  uncut::Storage storage = (*archive)->storage();
  auto items = storage.catalog->ListItems();
  if (!items.ok()) return 1;
  std::printf("%-5s %-28s %5s %5s %6s %6s %6s %6s %6s\n", "query", "transforms", "frames", "med_d",
              "d<=48", "ex>=2", "r1>=2", "r2>=2", "ex_avg");
  std::ifstream in(dir + "/queries.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json q = nlohmann::json::parse(line);
    if (q["kind"] != "video" || q["truth"].empty()) continue;
    std::string transforms;
    bool wanted = only.empty();
    for (const auto& t : q["transforms"]) {
      transforms += (transforms.empty() ? "" : ",") + t.get<std::string>();
      wanted |= t == only;
    }
    const bool frames = q["id"] == only;
    wanted |= frames;
    if (!wanted) continue;
    auto qv = uncut::AnalyzeQueryVideo(dir + "/" + q["file"].get<std::string>());
    if (!qv.ok()) continue;
    if (frames) std::printf("  analysis: %s\n", qv->analysis.dump().c_str());
    std::vector<Pair> pairs;
    for (const auto& t : q["truth"]) {
      std::string src = t["source"];
      src = src.substr(src.rfind('/') + 1);
      const uncut::Item* item = nullptr;
      for (const uncut::Item& it : *items) item = it.name == src ? &it : item;
      if (!item) continue;
      auto blob = storage.catalog->LoadBlob(item->id, uncut::kVideoSignatureBlob);
      if (!blob.ok() || !*blob) continue;
      auto sig = uncut::VideoSignature::Parse(**blob);
      if (!sig.ok()) continue;
      const double qs = t["query_start"], qe = t["query_end"], ss = t["source_start"],
                   se = t["source_end"];
      for (const uncut::QueryVideoFrame& f : qv->frames) {
        if (f.time_s < qs || f.time_s > qe) continue;
        if (f.quality < 20) {
          if (frames) std::printf("  %6.2f s: quality %d\n", f.time_s, f.quality);
          continue;
        }
        pairs.push_back(BestPair(f, *sig, ss + (f.time_s - qs) * (se - ss) / (qe - qs)));
        if (frames) {
          std::printf("  %6.2f s: distance %3d, chunks equal %2d, within 1 bit %2d, within 2 %2d\n",
                      f.time_s, pairs.back().distance, pairs.back().exact, pairs.back().one,
                      pairs.back().two);
        }
      }
    }
    if (pairs.empty()) continue;
    std::vector<int> d;
    int near = 0, ex2 = 0, r1 = 0, r2 = 0, ex = 0;
    for (const Pair& p : pairs) {
      d.push_back(p.distance);
      near += p.distance <= 48;
      ex2 += p.exact >= 2;
      r1 += p.one >= 2;
      r2 += p.two >= 2;
      ex += p.exact;
    }
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    const double n = pairs.size();
    std::printf("%-5s %-28s %5zu %5d %6.2f %6.2f %6.2f %6.2f %6.2f\n", q["id"].get<std::string>().c_str(),
                transforms.c_str(), pairs.size(), d[d.size() / 2], near / n, ex2 / n, r1 / n, r2 / n,
                ex / n);
  }
  return 0;
}

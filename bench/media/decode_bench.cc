// Video indexing's decoding tricks, one at a time: what each costs and what
// it does to the fingerprints.
//
//   uncut_decode_bench sign --tricks LIST FILE...
//   uncut_decode_bench compare --tricks LIST [--against LIST] FILE...
//
// LIST is a comma-separated set of decoding tricks applied to SignVideo
// (what `uncut add` runs on a video's picture):
//   exact     none: every frame decoded in full (the reference)
//   nonref    skip non-reference frames (AVDISCARD_NONREF)
//   bref      also skip reference B-frames where a probe finds them unused
//             (VideoReadOptions::skip_unused_b_references)
//   bidir     skip every B-frame (AVDISCARD_BIDIR)
//   noloop    skip the in-loop deblocking filter
//   lowres    decode at reduced resolution where the codec can
//   threads   one decoder thread per core (threads=N: N threads)
//   default   what `uncut add` uses (VideoSignOptions' defaults)
// and tokens combine left to right ("default,threads").
//
// `sign` fingerprints every FILE and prints one line: files, sampled frames,
// frames decoded, files whose reference B-frames were skipped, media
// seconds, the process's wall and CPU seconds inside SignVideo, and a
// digest of the signatures (equal digests: identical fingerprints)
// (bench/media/decode times whole processes, side by side with ffmpeg).
// `compare` fingerprints every FILE both ways (--against defaults to
// "exact") and prints, per file and in all, the Hamming distances between
// the main hashes (a) of the same grid cell: what the two indexes would
// hold, sampling shifts included, with the cells only one of them has and
// how far apart in time the frames sampled for a cell are; (b) of the same
// frame (the --against decoding of every frame): the decoding's own error.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/video_reader.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// SignVideo's options, and the reader's that SignVideo leaves at their defaults.
struct Tricks {
  VideoSignOptions sign;
  bool skip_unused_b_references = VideoReadOptions().skip_unused_b_references;
};

struct SignStats {
  int64_t decoded = 0;
  int skipping_b_references = 0;  // files
};

// What SignVideo does, with every reader option settable: the same frames,
// hashed by the same SignFrame.
absl::StatusOr<VideoSignature> Sign(const std::string& path, const Tricks& t, SignStats* stats) {
  VideoReadOptions ro;
  ro.sample_fps = t.sign.sample_fps;
  ro.max_side = t.sign.max_side;
  ro.skip_nonreference = t.sign.skip_nonreference;
  ro.skip_bidirectional = t.sign.skip_bidirectional;
  ro.skip_loop_filter = t.sign.skip_loop_filter;
  ro.reduced_resolution = t.sign.reduced_resolution;
  ro.threads = t.sign.threads;
  ro.skip_unused_b_references = t.skip_unused_b_references;
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(path, ro));
  VideoSignature sig;
  sig.sample_fps = t.sign.sample_fps;
  sig.duration_s = reader->duration_s();
  VideoFrame frame;
  while (true) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&frame));
    if (!got) break;
    sig.width = frame.width;
    sig.height = frame.height;
    sig.frames.push_back(SignFrame(frame, t.sign.sample_fps));
  }
  if (sig.frames.empty()) return absl::InvalidArgumentError(StrCat(path, ": no frames"));
  if (sig.duration_s <= 0) sig.duration_s = sig.frames.back().time_s;
  if (stats) {
    stats->decoded += reader->decoded_frames();
    stats->skipping_b_references += reader->skipping_b_references();
  }
  return sig;
}

bool ParseTricks(const std::string& list, Tricks* tricks) {
  VideoSignOptions* o = &tricks->sign;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string t = list.substr(start, end - start);
    start = end + 1;
    if (t == "exact") {
      o->skip_nonreference = o->skip_bidirectional = o->skip_loop_filter = false;
      o->reduced_resolution = false;
      o->threads = 1;
      tricks->skip_unused_b_references = false;
    } else if (t == "default") {
      *tricks = Tricks();
    } else if (t == "nonref") {
      o->skip_nonreference = true;
    } else if (t == "bref") {
      tricks->skip_unused_b_references = true;
    } else if (t == "bidir") {
      o->skip_bidirectional = true;
    } else if (t == "noloop") {
      o->skip_loop_filter = true;
    } else if (t == "lowres") {
      o->reduced_resolution = true;
    } else if (t == "threads") {
      o->threads = 0;
    } else if (t.rfind("threads=", 0) == 0) {
      o->threads = std::atoi(t.c_str() + 8);
    } else if (!t.empty()) {
      std::fprintf(stderr, "unknown trick '%s'\n", t.c_str());
      return false;
    }
  }
  return true;
}

struct Distances {
  std::vector<int> main;
  int only_a = 0, only_b = 0;
  int flat = 0;  // cells left out: the reference frame is too flat to index
  double max_shift_s = 0, sum_shift_s = 0;

  void Add(const Distances& d) {
    main.insert(main.end(), d.main.begin(), d.main.end());
    only_a += d.only_a;
    only_b += d.only_b;
    flat += d.flat;
    max_shift_s = std::max(max_shift_s, d.max_shift_s);
    sum_shift_s += d.sum_shift_s;
  }
  std::string Summary() {
    std::sort(main.begin(), main.end());
    auto pct = [&](double p) {
      return main.empty() ? 0 : main[std::min(main.size() - 1, size_t(p * main.size()))];
    };
    double mean = 0;
    for (int d : main) mean += d;
    if (!main.empty()) mean /= main.size();
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "cells %zu (flat %d)  hamming mean %.2f p50 %d p95 %d p99 %d max %d  only-in-one %d/%d  "
                  "time shift mean %.3f s max %.3f s",
                  main.size(), flat, mean, pct(0.5), pct(0.95), pct(0.99), main.empty() ? 0 : main.back(),
                  only_a, only_b, main.empty() ? 0.0 : sum_shift_s / main.size(), max_shift_s);
    return buf;
  }
};

// Same cell: what the index holds for each cell, both ways.
Distances CompareCells(const VideoSignature& a, const VideoSignature& b) {
  std::map<uint32_t, const FrameSig*> by_cell;
  for (const FrameSig& f : b.frames) by_cell[f.cell] = &f;
  Distances d;
  for (const FrameSig& f : a.frames) {
    auto it = by_cell.find(f.cell);
    if (it == by_cell.end()) {
      ++d.only_a;
      continue;
    }
    if (it->second->main_quality < VideoSignOptions().min_quality) {
      ++d.flat;
      by_cell.erase(it);
      continue;
    }
    d.main.push_back(Hamming(f.main, it->second->main));
    double shift = std::abs(f.time_s - it->second->time_s);
    d.sum_shift_s += shift;
    d.max_shift_s = std::max(d.max_shift_s, shift);
    by_cell.erase(it);
  }
  d.only_b = static_cast<int>(by_cell.size());
  return d;
}

// Same frame: each frame of `a` against the frame of `every` (every frame
// signed) with the same timestamp, so only the decoding differs.
Distances CompareFrames(const VideoSignature& a, const VideoSignature& every) {
  Distances d;
  for (const FrameSig& f : a.frames) {
    size_t j = every.Nearest(f.time_s);
    if (every.frames.empty() || std::abs(every.frames[j].time_s - f.time_s) > 1e-3) {
      ++d.only_a;
      continue;
    }
    if (every.frames[j].main_quality < VideoSignOptions().min_quality) {
      ++d.flat;  // not indexed: flat pictures' hashes are noise
      continue;
    }
    d.main.push_back(Hamming(f.main, every.frames[j].main));
  }
  return d;
}

int Main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s sign --tricks LIST FILE...\n"
                 "       %s compare --tricks LIST [--against LIST] FILE...\n",
                 argv[0], argv[0]);
    return 2;
  }
  std::string command = argv[1];
  std::string tricks = "default", against = "exact";
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tricks" && i + 1 < argc) {
      tricks = argv[++i];
    } else if (a == "--against" && i + 1 < argc) {
      against = argv[++i];
    } else {
      files.push_back(a);
    }
  }
  Tricks oa, ob;
  if (!ParseTricks(tricks, &oa) || !ParseTricks(against, &ob)) return 2;
  if (command == "sign") {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = CpuSeconds();
    size_t frames = 0;
    size_t digest = 0;  // of every signature, to tell identical fingerprints
    double media_s = 0;
    SignStats stats;
    for (const std::string& f : files) {
      auto sig = Sign(f, oa, &stats);
      if (!sig.ok()) {
        std::fprintf(stderr, "%s\n", std::string(sig.status().message()).c_str());
        return 1;
      }
      digest = digest * 1000003 ^ std::hash<std::string>()(sig->Serialize());
      frames += sig->frames.size();
      media_s += sig->duration_s;
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "tricks %s  files %zu  frames %zu  decoded %lld  bref-skipped %d  media %.1f s  wall %.3f s  "
        "cpu %.3f s  digest %016zx\n",
        tricks.c_str(), files.size(), frames, static_cast<long long>(stats.decoded),
        stats.skipping_b_references, media_s, wall, CpuSeconds() - c0, digest);
    return 0;
  }
  if (command == "compare") {
    Distances cells, frames;
    Tricks every = ob;
    every.sign.sample_fps = 1000;  // one cell per frame up to 1,000 frames a second
    for (const std::string& f : files) {
      auto a = Sign(f, oa, nullptr);
      auto b = Sign(f, ob, nullptr);
      auto e = Sign(f, every, nullptr);
      if (!a.ok() || !b.ok() || !e.ok()) {
        std::fprintf(stderr, "%s\n",
                     std::string((!a.ok() ? a.status() : !b.ok() ? b.status() : e.status())
                                     .message())
                         .c_str());
        return 1;
      }
      Distances c = CompareCells(*a, *b), d = CompareFrames(*a, *e);
      std::printf("%s\n  same cell:  %s\n  same frame: %s\n", f.c_str(), c.Summary().c_str(),
                  d.Summary().c_str());
      cells.Add(c);
      frames.Add(d);
    }
    std::printf("all (%s vs %s)\n  same cell:  %s\n  same frame: %s\n", tricks.c_str(),
                against.c_str(), cells.Summary().c_str(), frames.Summary().c_str());
    return 0;
  }
  std::fprintf(stderr, "unknown command '%s'\n", command.c_str());
  return 2;
}

}  // namespace
}  // namespace uncut

int main(int argc, char** argv) { return uncut::Main(argc, argv); }

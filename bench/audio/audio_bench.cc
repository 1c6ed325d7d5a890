// Sound fingerprinting speed against decoding alone.
//
//   uncut_audio_bench [--rounds N] [--jobs N] [--base BENCH] [--no-ffmpeg] FILE...
//   uncut_audio_bench --one FILE      (one fingerprinting, for --base)
//
// For each file, in N interleaved rounds (default 3), measures in CPU
// seconds of one thread:
//   ffmpeg   `ffmpeg -threads 1 -i FILE -ac 1 -ar 16000 -f f32le -` to
//            /dev/null: decoding alone, to what a fingerprinter reads;
//   uncut    what `uncut add` does to the file's sound: decode to the
//            analysis rate, spectral peaks, landmark postings, the stored
//            peaks (in this process);
//   base     the same by another build's uncut_audio_bench (--base), e.g.
//            the version before a change, run as a child process.
// With --jobs N, uncut analyses each recording on N threads in time chunks
// as `uncut add --jobs N` of a single file does (audio/peak_chunks.h); its
// CPU seconds are then those of all threads, and its wall-clock seconds
// and the chunks are printed last on its row.
// Prints the minimum and median of each, x real time (seconds of sound
// per CPU second, from the minimum), uncut's time as a fraction of
// ffmpeg's, and the index's size: the file's posting segment as written
// to disk plus its stored peaks, in MB per hour of sound. With --base, the
// postings and peaks of both builds are compared (xxh64 of both) and any
// difference is reported. bench/audio/run builds both and runs this.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "audio/landmarks.h"
#include "audio/peak_chunks.h"
#include "audio/peak_stream.h"
#include "decode/audio_reader.h"
#include "index/segment_file.h"

extern char** environ;

namespace {

double Seconds(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return Seconds(u);
}

struct Run {
  double cpu_s = -1;
  double wall_s = 0;
  int chunks = 1;
  double sound_s = 0;
  uint64_t index_bytes = 0;
  unsigned long long digest = 0;
};

// Fingerprints `path` as adding it does; cpu_s < 0 on failure.
Run Fingerprint(const std::string& path, int jobs = 1) {
  Run r;
  const double t0 = CpuSeconds();
  const auto w0 = std::chrono::steady_clock::now();
  uncut::ChunkedPeakOptions o;
  o.jobs = jobs;
  auto chunked = uncut::ReadPeaksInChunks(path, o);
  if (!chunked.ok()) {
    std::fprintf(stderr, "%s\n", std::string(chunked.status().message()).c_str());
    return r;
  }
  const uncut::AudioPeaks* peaks = &chunked->peaks;
  r.chunks = chunked->chunks;
  std::vector<uncut::Posting> postings = uncut::AudioPostings(*peaks);
  const std::string blob = peaks->Serialize();
  // Writing the segment is the store's work, not the fingerprint's.
  const double cpu = CpuSeconds() - t0;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  XXH64_state_t* h = XXH64_createState();
  XXH64_reset(h, 0);
  XXH64_update(h, postings.data(), postings.size() * sizeof(uncut::Posting));
  XXH64_update(h, blob.data(), blob.size());
  r.digest = XXH64_digest(h);
  XXH64_freeState(h);
  const std::string segment = "/tmp/uncut_audio_bench." + std::to_string(getpid()) + ".seg";
  if (absl::Status s = uncut::WriteSegment(segment, &postings); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return r;
  }
  auto seg = uncut::SegmentReader::Open(segment);
  std::remove(segment.c_str());
  if (!seg.ok()) return r;
  r.index_bytes = seg->file_bytes() + blob.size();
  r.sound_s = peaks->duration_s;
  r.cpu_s = cpu;
  return r;
}

// Runs argv with stdout to `out` (a path; /dev/null to discard); returns
// the child's CPU seconds, or -1 when it could not run or failed.
double RunChild(const std::vector<std::string>& args, const std::string& out) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  rusage u{};
  if (wait4(pid, &status, 0, &u) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return Seconds(u);
}

// The base build's fingerprinting of `file`, run as a child.
Run RunBase(const std::string& bench, const std::string& file) {
  Run r;
  const std::string out = "/tmp/uncut_audio_bench." + std::to_string(getpid()) + ".base";
  if (RunChild({bench, "--one", file}, out) < 0) return r;
  if (FILE* f = std::fopen(out.c_str(), "r")) {
    if (std::fscanf(f, "%lf %lf %lu %llx", &r.cpu_s, &r.sound_s, &r.index_bytes, &r.digest) != 4) {
      r.cpu_s = -1;
    }
    std::fclose(f);
  }
  std::remove(out.c_str());
  return r;
}

struct Times {
  std::vector<double> v;
  double Min() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
  double Median() const {
    if (v.empty()) return 0;
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
};

std::string XReal(double sound_s, double cpu_s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0fx", cpu_s > 0 ? sound_s / cpu_s : 0.0);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3;
  int jobs = 1;
  bool ffmpeg = true;
  std::string base;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--one" && i + 1 < argc) {
      const Run r = Fingerprint(argv[i + 1]);
      if (r.cpu_s < 0) return 1;
      std::printf("%.6f %.3f %lu %016llx\n", r.cpu_s, r.sound_s, r.index_bytes, r.digest);
      return 0;
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--jobs" && i + 1 < argc) {
      jobs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--base" && i + 1 < argc) {
      base = argv[++i];
    } else if (a == "--no-ffmpeg") {
      ffmpeg = false;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: uncut_audio_bench [--rounds N] [--jobs N] [--base BENCH] [--no-ffmpeg] FILE...\n");
    return 2;
  }
  std::printf("CPU seconds of one thread, min/median of %d interleaved rounds; x real time from the min\n",
              rounds);
  std::printf("%-34s %7s | %15s %7s | %15s %7s %6s | %15s %7s | %6s %s\n", "file", "sound s",
              "ffmpeg 16k", "x real", "uncut", "x real", "/ffm", "base", "x real", "MB/h", "");
  double sound_all = 0, ffm_all = 0, uncut_all = 0, base_all = 0;
  uint64_t bytes_all = 0;
  int differ = 0;
  bool failed = false;
  for (const std::string& f : files) {
    Times ffm, unc, bas, wall;
    Run mine, theirs;
    for (int k = 0; k < rounds && !failed; ++k) {
      if (ffmpeg) {
        const double t = RunChild({"ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", f,
                                   "-ac", "1", "-ar", "16000", "-f", "f32le", "-"},
                                  "/dev/null");
        if (t < 0) std::fprintf(stderr, "%s: ffmpeg failed\n", f.c_str());
        ffm.v.push_back(std::max(t, 0.0));
      }
      mine = Fingerprint(f, jobs);
      if (mine.cpu_s < 0) {
        failed = true;
        break;
      }
      unc.v.push_back(mine.cpu_s);
      wall.v.push_back(mine.wall_s);
      if (!base.empty()) {
        theirs = RunBase(base, f);
        if (theirs.cpu_s < 0) {
          std::fprintf(stderr, "%s: %s --one failed\n", f.c_str(), base.c_str());
          failed = true;
          break;
        }
        bas.v.push_back(theirs.cpu_s);
      }
    }
    if (failed) break;
    const double s = mine.sound_s;
    sound_all += s;
    ffm_all += ffm.Min();
    uncut_all += unc.Min();
    base_all += bas.Min();
    bytes_all += mine.index_bytes;
    const bool same = base.empty() || (theirs.digest == mine.digest && theirs.index_bytes == mine.index_bytes);
    if (!same) ++differ;
    const std::string name = f.substr(f.find_last_of('/') + 1).substr(0, 34);
    std::printf("%-34s %7.1f | %7.3f/%7.3f %7s | %7.3f/%7.3f %7s %6.2f | %7.3f/%7.3f %7s | %6.3f %s\n",
                name.c_str(), s, ffm.Min(), ffm.Median(), XReal(s, ffm.Min()).c_str(), unc.Min(),
                unc.Median(), XReal(s, unc.Min()).c_str(), ffm.Min() > 0 ? unc.Min() / ffm.Min() : 0.0,
                bas.Min(), bas.Median(), XReal(s, bas.Min()).c_str(), mine.index_bytes / 1e6 / (s / 3600),
                same ? "" : "FINGERPRINTS DIFFER FROM BASE");
    if (jobs > 1) {
      std::printf("%-34s uncut on %d threads: wall %.3f/%.3f s, %s real time, %d chunks\n", "",
                  jobs, wall.Min(), wall.Median(), XReal(s, wall.Min()).c_str(), mine.chunks);
    }
  }
  if (failed) return 1;
  std::printf("%-34s %7.1f | %7.3f %7s %7s | %7.3f %7s %7s %6.2f | %7.3f %7s %7s | %6.3f\n", "all (sum of mins)",
              sound_all, ffm_all, "", XReal(sound_all, ffm_all).c_str(), uncut_all, "",
              XReal(sound_all, uncut_all).c_str(), ffm_all > 0 ? uncut_all / ffm_all : 0.0, base_all, "",
              XReal(sound_all, base_all).c_str(), bytes_all / 1e6 / (sound_all / 3600));
  if (!base.empty()) {
    if (differ) {
      std::printf("fingerprints (postings and stored peaks) of %d files DIFFER from the base build's\n", differ);
    } else {
      std::printf("fingerprints (postings and stored peaks) are identical to the base build's\n");
    }
  }
  if (ffmpeg) {
    // What ffmpeg spends on starting (loading its libraries, probing), the
    // same for every file: a large part of its time on short recordings.
    Times start;
    for (int k = 0; k < rounds; ++k) {
      start.v.push_back(RunChild({"ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-f", "lavfi", "-i",
                                  "anullsrc=r=44100:cl=stereo", "-t", "0.01", "-ac", "1", "-ar", "16000",
                                  "-f", "f32le", "-"},
                                 "/dev/null"));
    }
    std::printf("ffmpeg's start-up (a 10 ms input), included in its figures above: %.3f s\n", start.Min());
  }
  return differ ? 3 : 0;
}

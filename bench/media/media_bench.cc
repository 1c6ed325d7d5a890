// Clip-tracing benchmark runner.
//
//   uncut_media_bench DIR RESULTS.jsonl [--archive ARCHIVE_DIR] [--no-decode-baseline]
//
// DIR is what the media benchmark's generator writes: DIR/archive/ (sources),
// DIR/queries.txt ("id<TAB>file" per line, files relative to DIR). Builds a
// fresh archive from DIR/archive, traces every query and writes RESULTS.jsonl:
//   {"id": ..., "matches": [{"source": "archive/NAME", "segments": [
//       {"query_start", "query_end", "source_start", "source_end"}, ...]}]}
// It prints, per source file, indexing time divided by the time of a full
// decode (`ffmpeg -i FILE -f null -`, run here on the same machine), query
// latency p50/p99, index bytes per hour of media, and peak memory.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/file.h"
#include "ingest/ingest.h"
#include "nlohmann/json.hpp"
#include "trace/media_trace.h"

namespace {

using Clock = std::chrono::steady_clock;
double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

double FullDecodeSeconds(const std::string& path) {
  auto t = Clock::now();
  std::string cmd = "ffmpeg -nostdin -v quiet -threads 1 -i " + Quote(path) + " -f null - 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return 0;
  return Secs(Clock::now() - t);
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  uncut::WalkFiles(dir, [&](const std::string& p) {
    auto f = uncut::File::OpenForRead(p);
    if (f.ok()) total += f->Size().value_or(0);
  }, [](const std::string&, const absl::Status&) {});
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DIR RESULTS.jsonl [--archive DIR] [--no-decode-baseline]\n", argv[0]);
    return 2;
  }
  std::string dir = uncut::AbsolutePath(argv[1]);
  std::string results = argv[2];
  std::string archive_dir;
  bool baseline = true;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--archive" && i + 1 < argc) archive_dir = argv[++i];
    if (a == "--no-decode-baseline") baseline = false;
  }
  if (archive_dir.empty()) {
    char tmpl[] = "/tmp/uncut-media-bench-XXXXXX";
    archive_dir = std::string(::mkdtemp(tmpl)) + "/archive";
  }
  auto archive = uncut::Archive::Open(archive_dir, uncut::Archive::Mode::kCreate);
  if (!archive.ok()) {
    std::fprintf(stderr, "%s\n", std::string(archive.status().message()).c_str());
    return 1;
  }
  // Index, one file at a time, each against a full decode of the same file.
  std::vector<std::string> files;
  uncut::WalkFiles(uncut::JoinPath(dir, "archive"), [&](const std::string& p) { files.push_back(p); },
                   [](const std::string&, const absl::Status&) {});
  double media_hours = 0, index_s = 0, decode_s = 0;
  std::vector<double> ratios;
  std::printf("%-32s %9s %9s %9s %7s\n", "file", "media s", "index s", "decode s", "ratio");
  for (const std::string& f : files) {
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return 1;
    auto t = Clock::now();
    auto out = uncut::AddFile(batch->get(), f, {});
    absl::Status s = out.ok() ? (*batch)->Commit() : out.status();
    double took = Secs(Clock::now() - t);
    if (!s.ok()) {
      std::fprintf(stderr, "not added: %s\n", std::string(s.message()).c_str());
      continue;
    }
    double dur = out->item.info.contains("media") ? out->item.info["media"].value("duration_s", 0.0) : 0.0;
    media_hours += dur / 3600.0;
    double dec = baseline ? FullDecodeSeconds(f) : 0;
    index_s += took;
    decode_s += dec;
    if (dec > 0) ratios.push_back(took / dec);
    std::printf("%-32s %9.1f %9.3f %9.3f %7.2f\n", uncut::BaseName(f).c_str(), dur, took, dec,
                dec > 0 ? took / dec : 0.0);
  }
  {
    auto batch = (*archive)->BeginWrite();
    if (batch.ok()) (*batch)->Compact().IgnoreError();
  }
  uint64_t index_bytes = DirBytes(uncut::JoinPath(archive_dir, "index"));
  // Signatures live in the catalog: count them as index too.
  uint64_t catalog_bytes = DirBytes(uncut::JoinPath(archive_dir, "catalog.sqlite"));

  // Trace.
  std::ifstream in(uncut::JoinPath(dir, "queries.txt"));
  std::ofstream out(results);
  std::string line;
  std::vector<double> latency;
  size_t errors = 0;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string id = line.substr(0, tab), file = uncut::JoinPath(dir, line.substr(tab + 1));
    auto t = Clock::now();
    auto report = uncut::TraceMedia(archive->get(), file);
    latency.push_back(Secs(Clock::now() - t));
    nlohmann::json matches = nlohmann::json::array();
    if (report.ok()) {
      for (const auto& src : report->sources) {
        nlohmann::json segs = nlohmann::json::array();
        for (const auto& s : src.segments) {
          segs.push_back({{"query_start", s.query_start}, {"query_end", s.query_end},
                          {"source_start", s.source_start}, {"source_end", s.source_end},
                          {"evidence", s.evidence}, {"confidence", s.confidence}});
        }
        std::string rel = src.item.added_from.rfind(dir, 0) == 0
                              ? src.item.added_from.substr(dir.size() + 1)
                              : src.item.added_from;
        matches.push_back({{"source", rel}, {"segments", segs}});
      }
    } else {
      ++errors;
      std::fprintf(stderr, "%s: %s\n", id.c_str(), std::string(report.status().message()).c_str());
    }
    out << nlohmann::json({{"id", id}, {"matches", matches}}).dump() << "\n";
  }
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  std::printf("indexed %zu files, %.3f h of media: index %.1f s vs full decode %.1f s (ratio %.2f overall, median per file %.2f)\n",
              files.size(), media_hours, index_s, decode_s, decode_s > 0 ? index_s / decode_s : 0.0,
              Percentile(ratios, 0.5));
  std::printf("index size: %.2f MB in segments + %.2f MB catalog (signatures, metadata) = %.2f MB per hour of media\n",
              index_bytes / 1e6, catalog_bytes / 1e6,
              media_hours > 0 ? (index_bytes + catalog_bytes) / 1e6 / media_hours : 0.0);
  std::printf("traced %zu queries (%zu errors): latency p50 %.3f s, p99 %.3f s (including the clip's decode)\n",
              latency.size(), errors, Percentile(latency, 0.5), Percentile(latency, 0.99));
  std::printf("peak memory: %.1f MB\n", ru.ru_maxrss / 1024.0);
  std::printf("archive: %s\n", archive_dir.c_str());
  return 0;
}

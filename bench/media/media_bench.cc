// Clip-tracing benchmark runner.
//
//   uncut_media_bench DIR RESULTS.jsonl [--archive ARCHIVE_DIR] [--no-decode-baseline]
//                     [--single-mode] [--index-only] [--reuse-archive]
//                     [--modes both,video,audio]
//
// DIR is what the media benchmark's generator writes: DIR/archive/ (sources),
// DIR/queries.txt ("id<TAB>file" per line, files relative to DIR). Builds a
// fresh archive from DIR/archive, traces every query and writes RESULTS.jsonl:
//   {"id": ..., "matches": [{"source": "archive/NAME", "segments": [
//       {"query_start", "query_end", "source_start", "source_end"}, ...]}]}
// Every query is traced three ways: with both kinds of evidence (the
// product's default; RESULTS.jsonl), with the picture only
// (RESULTS.video.jsonl) and with the sound only (RESULTS.audio.jsonl), so
// that the scores before and after fusion can be compared (bench/media/run
// scores all three); --single-mode traces with both only; --index-only
// indexes and prints the indexing figures without tracing any query (a
// measurement of indexing speed in seconds rather than minutes);
// --reuse-archive traces against ARCHIVE_DIR as a previous run left it
// (indexed from the same DIR/archive, with an index format unchanged since)
// instead of indexing afresh; --modes traces only the ways named.
//
// It prints:
//  - per source file, the indexing time against a full decode of the same
//    file (`ffmpeg -threads 1 -i FILE -f null -`, run here on the same
//    machine), in wall time and in CPU time (uncut decodes on one thread
//    too); CPU time does not grow when other processes compete for the
//    cores, so the ratio is judged on it;
//  - audio indexing speed (media seconds per CPU second, audio-only files);
//  - index bytes per hour of video and per hour of audio: the posting
//    segments of each modality and the fingerprint blobs (video.sig,
//    audio.peaks) that the catalog holds, counted from the catalog itself;
//    the catalog's file and its WAL are listed as well;
//  - query latency p50/p99 (wall and CPU, all queries and by kind), for the
//    product's default (both kinds of evidence);
//  - peak memory while indexing and while tracing;
//  - claims of an edit in single-piece queries (queries.jsonl's structure
//    "single": one continuous stretch of one source, so any claim that
//    something was cut or is not in the archive is false), per mode and per
//    transform: queries with a `cut` interval, with a stretch `not_in_archive`,
//    and with a stretch `not_compared` (no claim); and, as a check that true
//    claims are still made, the same counts over the "inserted" queries
//    (foreign material in the middle). Each result line carries
//    its claims too ("claims": {"cuts", "not_in_archive", "not_compared"}).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "audio/landmarks.h"
#include "base/file.h"
#include "base/strings.h"
#include "ingest/ingest.h"
#include "nlohmann/json.hpp"
#include "trace/media_trace.h"
#include "video/video_signature.h"

namespace {

using Clock = std::chrono::steady_clock;
double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double CpuSecs(int who) {
  struct rusage ru;
  ::getrusage(who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

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

struct Timing {
  double wall = 0, cpu = 0;
};

Timing FullDecode(const std::string& path) {
  auto t = Clock::now();
  double c = CpuSecs(RUSAGE_CHILDREN);
  std::string cmd = uncut::StrCat("ffmpeg -nostdin -v quiet -threads 1 -i ", Quote(path), " -f null - 2>/dev/null");
  if (std::system(cmd.c_str()) != 0) return {};
  return {Secs(Clock::now() - t), CpuSecs(RUSAGE_CHILDREN) - c};
}

uint64_t FileBytes(const std::string& path) {
  uint64_t total = 0;
  if (!uncut::PathExists(path)) return 0;
  uncut::WalkFiles(path, [&](const std::string& p) {
    auto f = uncut::File::OpenForRead(p);
    if (f.ok()) total += f->Size().value_or(0);
  }, [](const std::string&, const absl::Status&) {});
  return total;
}

// A field of /proc/self/status, in MB.
double ProcStatusMb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1) / 1024.0;
  }
  return -1;
}

// Starts a new peak-memory measurement (Linux: resets VmHWM).
void ResetPeakMemory() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}

std::string WithSuffix(const std::string& results, const std::string& mode) {
  std::string base = results;
  if (base.size() > 6 && base.compare(base.size() - 6, 6, ".jsonl") == 0) base.resize(base.size() - 6);
  return uncut::StrCat(base, ".", mode, ".jsonl");
}

struct Mode {
  std::string name;  // "both", "video", "audio"
  uncut::MediaTraceOptions options;
  std::string path;
};

// Single-piece queries whose report claims an edit, per mode and transform.
struct Claims {
  int queries = 0, cut = 0, not_in_archive = 0, not_compared = 0;
};

// Each query's structure and transforms, from DIR/queries.jsonl when there.
std::map<std::string, std::pair<std::string, std::vector<std::string>>> ReadQueryKinds(
    const std::string& dir) {
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> out;
  std::ifstream in(uncut::JoinPath(dir, "queries.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto q = nlohmann::json::parse(line, nullptr, false);
    if (q.is_discarded() || !q.contains("id")) continue;
    std::vector<std::string> transforms;
    if (q.contains("transforms") && q["transforms"].is_array()) {
      for (const auto& t : q["transforms"]) {
        if (t.is_string()) transforms.push_back(t.get<std::string>());
      }
    }
    out[q["id"].get<std::string>()] = {q.value("structure", ""), transforms};
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s DIR RESULTS.jsonl [--archive DIR] [--no-decode-baseline] [--single-mode] "
                 "[--index-only] [--reuse-archive] [--modes both,video,audio]\n",
                 argv[0]);
    return 2;
  }
  std::string dir = uncut::AbsolutePath(argv[1]);
  std::string results = argv[2];
  std::string archive_dir;
  bool baseline = true, single = false, index_only = false, reuse = false;
  std::string only_modes;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--archive" && i + 1 < argc) archive_dir = argv[++i];
    if (a == "--no-decode-baseline") baseline = false;
    if (a == "--single-mode") single = true;
    if (a == "--index-only") index_only = true;
    if (a == "--reuse-archive") reuse = true;
    if (a == "--modes" && i + 1 < argc) only_modes = argv[++i];
  }
  if (reuse && (archive_dir.empty() || !uncut::PathExists(archive_dir))) {
    std::fprintf(stderr, "--reuse-archive: no archive at '%s'\n", archive_dir.c_str());
    return 2;
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
  double video_hours = 0, audio_hours = 0, media_hours = 0;
  Timing index_total, decode_total;
  double audio_only_media_s = 0, audio_only_cpu_s = 0;
  std::vector<double> ratios, wall_ratios;
  ResetPeakMemory();
  std::printf("%-30s %-5s %8s %9s %9s %9s %9s %7s %7s\n", "file", "kind", "media s", "index s", "index cpu",
              "decode s", "dec. cpu", "ratio", "wall r.");
  for (const std::string& f : files) {
    if (reuse) break;
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return 1;
    auto t = Clock::now();
    double c = CpuSecs(RUSAGE_SELF);
    auto out = uncut::AddFile(batch->get(), f, {});
    absl::Status s = out.ok() ? (*batch)->Commit() : out.status();
    Timing took{Secs(Clock::now() - t), CpuSecs(RUSAGE_SELF) - c};
    if (!s.ok()) {
      std::fprintf(stderr, "not added: %s\n", std::string(s.message()).c_str());
      continue;
    }
    const nlohmann::json& info = out->item.info;
    double dur = info.contains("media") ? info["media"].value("duration_s", 0.0) : 0.0;
    media_hours += dur / 3600.0;
    if (info.contains("video")) video_hours += dur / 3600.0;
    if (info.contains("audio")) audio_hours += dur / 3600.0;
    if (!info.contains("video") && info.contains("audio")) {
      audio_only_media_s += dur;
      audio_only_cpu_s += took.cpu;
    }
    Timing dec = baseline ? FullDecode(f) : Timing{};
    index_total.wall += took.wall;
    index_total.cpu += took.cpu;
    decode_total.wall += dec.wall;
    decode_total.cpu += dec.cpu;
    if (dec.cpu > 0) ratios.push_back(took.cpu / dec.cpu);
    if (dec.wall > 0) wall_ratios.push_back(took.wall / dec.wall);
    std::printf("%-30s %-5s %8.1f %9.3f %9.3f %9.3f %9.3f %7.2f %7.2f\n", uncut::BaseName(f).c_str(),
                out->item.kind.c_str(), dur, took.wall, took.cpu, dec.wall, dec.cpu,
                dec.cpu > 0 ? took.cpu / dec.cpu : 0.0, dec.wall > 0 ? took.wall / dec.wall : 0.0);
  }
  if (!reuse) {
    auto batch = (*archive)->BeginWrite();
    if (batch.ok()) (*batch)->Compact().IgnoreError();
  }
  const double index_peak_mb = ProcStatusMb("VmHWM");
  // Index size: segments per modality, and the fingerprint blobs the
  // catalog holds (counted in the catalog, wherever SQLite keeps the pages:
  // the main file or, until a checkpoint, its WAL).
  uint64_t video_seg = FileBytes(uncut::JoinPath(archive_dir, "index/video"));
  uint64_t audio_seg = FileBytes(uncut::JoinPath(archive_dir, std::string("index/") + uncut::kAudioModality));
  uint64_t all_seg = FileBytes(uncut::JoinPath(archive_dir, "index"));
  std::map<std::string, uint64_t> blobs;
  {
    auto s = (*archive)->db()->Prepare("SELECT name, SUM(LENGTH(data)) FROM blobs GROUP BY name");
    while (s.ok()) {
      auto row = s->Step();
      if (!row.ok() || !*row) break;
      blobs[s->ColumnText(0)] = static_cast<uint64_t>(s->ColumnInt(1));
    }
  }
  uint64_t catalog = FileBytes(uncut::JoinPath(archive_dir, "catalog.sqlite"));
  uint64_t wal = FileBytes(uncut::JoinPath(archive_dir, "catalog.sqlite-wal"));

  // Trace.
  std::vector<Mode> modes = {{"both", {}, results}};
  if (!single) {
    uncut::MediaTraceOptions v, a;
    v.use_audio = false;
    a.use_video = false;
    modes.push_back({"video", v, WithSuffix(results, "video")});
    modes.push_back({"audio", a, WithSuffix(results, "audio")});
  }
  if (!only_modes.empty()) {
    modes.erase(std::remove_if(modes.begin(), modes.end(),
                               [&](const Mode& m) {
                                 return ("," + only_modes + ",").find("," + m.name + ",") ==
                                        std::string::npos;
                               }),
                modes.end());
  }
  std::vector<std::pair<std::string, std::string>> queries;  // id, file
  if (!index_only) {
    std::ifstream in(uncut::JoinPath(dir, "queries.txt"));
    std::string line;
    while (std::getline(in, line)) {
      size_t tab = line.find('\t');
      if (tab != std::string::npos) queries.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  const auto query_kinds = ReadQueryKinds(dir);
  std::map<std::string, std::map<std::string, Claims>> claims;  // mode -> transform ("all") -> counts
  ResetPeakMemory();
  std::map<std::string, std::vector<double>> wall_by_kind, cpu_by_kind;  // default mode only
  size_t errors = 0;
  for (const Mode& mode : modes) {
    std::ofstream out(mode.path);
    for (const auto& [id, rel] : queries) {
      std::string file = uncut::JoinPath(dir, rel);
      auto t = Clock::now();
      double c = CpuSecs(RUSAGE_SELF);
      auto report = uncut::TraceMedia((*archive)->storage(), file, mode.options);
      double wall = Secs(Clock::now() - t), cpu = CpuSecs(RUSAGE_SELF) - c;
      nlohmann::json matches = nlohmann::json::array();
      nlohmann::json said = {{"cuts", 0}, {"not_in_archive", 0}, {"not_compared", 0}};
      if (report.ok()) {
        int cuts = 0;
        for (const auto& src : report->sources) {
          for (const auto& iv : src.intervals) cuts += iv.role == uncut::IntervalRole::kCut;
        }
        said = {{"cuts", cuts},
                {"not_in_archive", report->not_in_archive.size()},
                {"not_compared", report->not_compared.size()}};
        auto kind = query_kinds.find(id);
        if (kind != query_kinds.end() && kind->second.first == "single") {
          std::vector<std::string> groups = kind->second.second;
          groups.push_back("all");
          for (const std::string& g : groups) {
            Claims& c = claims[mode.name][g];
            ++c.queries;
            c.cut += cuts > 0;
            c.not_in_archive += !report->not_in_archive.empty();
            c.not_compared += !report->not_compared.empty();
          }
        }
        if (kind != query_kinds.end() && kind->second.first == "inserted") {
          // Material from nowhere was inserted: these claims are due.
          Claims& c = claims[mode.name]["(inserted: due)"];
          ++c.queries;
          c.cut += cuts > 0;
          c.not_in_archive += !report->not_in_archive.empty();
          c.not_compared += !report->not_compared.empty();
        }
        if (mode.name == "both") {
          for (const std::string& k : {std::string("all"), report->query_kind}) {
            wall_by_kind[k].push_back(wall);
            cpu_by_kind[k].push_back(cpu);
          }
        }
        for (const auto& src : report->sources) {
          nlohmann::json segs = nlohmann::json::array();
          for (const auto& s : src.segments) {
            segs.push_back({{"query_start", s.query_start}, {"query_end", s.query_end},
                            {"source_start", s.source_start}, {"source_end", s.source_end},
                            {"evidence", s.evidence}, {"confidence", s.confidence}});
          }
          std::string rel_src = src.item.added_from.rfind(dir, 0) == 0
                                    ? src.item.added_from.substr(dir.size() + 1)
                                    : src.item.added_from;
          matches.push_back({{"source", rel_src}, {"segments", segs}});
        }
      } else {
        ++errors;
        std::fprintf(stderr, "%s (%s): %s\n", id.c_str(), mode.name.c_str(),
                     std::string(report.status().message()).c_str());
      }
      out << nlohmann::json({{"id", id}, {"matches", matches}, {"claims", said}}).dump() << "\n";
    }
  }
  const double trace_peak_mb = ProcStatusMb("VmHWM");

  std::printf("\nindexed %zu files, %.3f h of media (%.3f h with video, %.3f h with audio)\n", files.size(),
              media_hours, video_hours, audio_hours);
  std::printf("indexing vs full decode (ffmpeg -threads 1 -i FILE -f null -): CPU %.1f s vs %.1f s, ratio %.2f "
              "overall, median per file %.2f (wall %.1f s vs %.1f s, ratio %.2f, median %.2f)\n",
              index_total.cpu, decode_total.cpu, decode_total.cpu > 0 ? index_total.cpu / decode_total.cpu : 0.0,
              Percentile(ratios, 0.5), index_total.wall, decode_total.wall,
              decode_total.wall > 0 ? index_total.wall / decode_total.wall : 0.0, Percentile(wall_ratios, 0.5));
  if (audio_only_cpu_s > 0) {
    std::printf("audio indexing (audio-only files, one core): %.0f s of sound in %.2f CPU s = %.0fx real time\n",
                audio_only_media_s, audio_only_cpu_s, audio_only_media_s / audio_only_cpu_s);
  }
  const uint64_t vsig = blobs[uncut::kVideoSignatureBlob], apk = blobs[uncut::kAudioPeaksBlob];
  std::printf("index, video: postings %.2f MB + signatures (video.sig) %.2f MB = %.2f MB per hour of video\n",
              video_seg / 1e6, vsig / 1e6, video_hours > 0 ? (video_seg + vsig) / 1e6 / video_hours : 0.0);
  std::printf("index, audio: postings %.2f MB + peaks (audio.peaks) %.2f MB = %.2f MB per hour of audio\n",
              audio_seg / 1e6, apk / 1e6, audio_hours > 0 ? (audio_seg + apk) / 1e6 / audio_hours : 0.0);
  std::printf("index, all: segments %.2f MB + catalog %.2f MB (file) + %.2f MB (WAL) = %.2f MB per hour of media\n",
              all_seg / 1e6, catalog / 1e6, wal / 1e6,
              media_hours > 0 ? (all_seg + catalog + wal) / 1e6 / media_hours : 0.0);
  for (const char* k : {"all", "video", "audio"}) {
    if (!wall_by_kind.count(k)) continue;
    std::printf("latency, %-5s queries (%3zu, both kinds of evidence, including the clip's decode): wall p50 "
                "%.3f s, p99 %.3f s; CPU p50 %.3f s, p99 %.3f s\n",
                k, wall_by_kind[k].size(), Percentile(wall_by_kind[k], 0.5), Percentile(wall_by_kind[k], 0.99),
                Percentile(cpu_by_kind[k], 0.5), Percentile(cpu_by_kind[k], 0.99));
  }
  std::printf("traced %zu queries %zu way(s) (%zu errors)\n", queries.size(), modes.size(), errors);
  for (const Mode& mode : modes) {
    if (!claims.count(mode.name)) continue;
    std::printf("\nclaims in single-piece queries (%s; every cut and not-in-archive claim is false):\n",
                mode.name.c_str());
    std::printf("%-22s %5s %5s %15s %13s\n", "transform", "n", "cut", "not_in_archive", "not_compared");
    for (const auto& [group, c] : claims[mode.name]) {
      std::printf("%-22s %5d %5d %15d %13d\n", group.c_str(), c.queries, c.cut, c.not_in_archive,
                  c.not_compared);
    }
  }
  std::printf("peak memory: %.1f MB while indexing, %.1f MB while tracing\n", index_peak_mb, trace_peak_mb);
  std::printf("archive: %s\n", archive_dir.c_str());
  return 0;
}
